"""Sweeps: the same scenario at several values of one or more settings.

Each swept setting is a dotted path into the scenario (`sim.scenario.paths`) with
a list of values; the points are every combination (the first setting varies
slowest). Every point is an ordinary `sim.run` with the same seed and
replications, so a point's numbers are exactly those of a separate run of the
scenario at its values, and replication i of two points meets the same
exogenous luck (common random numbers): differences between points are paired,
and far more precise than the points' own intervals suggest. A setting that
changes the market itself (e.g. opportunities per rep) changes which
opportunities exist, so pairing helps less there than for a plan's rates.
"""

from __future__ import annotations

import itertools
import math
import sys
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import SUMMARY_COLUMNS, paired_difference
from sim.errors import UserError
from sim.runner import RunResult, run

SWEEP_STATS = [c for c in SUMMARY_COLUMNS if c not in ("plan", "metric")]
DIFF_COLUMNS = ["diff", "diff_ci_low", "diff_ci_high"]


def parse_value(text: str) -> Any:
    """A value typed on the command line: a number, true/false, or text."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    try:
        number = float(text)
    except ValueError:
        return text.strip()
    return int(number) if number.is_integer() and "." not in text and "e" not in low else number


def split_assignment(text: str, option: str) -> tuple[str, str]:
    """'KEY=VALUES' -> (KEY, VALUES), or a one-line error naming the option."""
    key, sep, values = text.partition("=")
    if not sep or not key.strip() or not values.strip():
        raise UserError(f"{option} {text!r}: expected KEY=VALUES, e.g. market.need_median=3e4,4e4")
    return key.strip(), values.strip()


def parse_values(text: str, option: str = "--set", key: str = "") -> list:
    """'a,b,c' (a list) or 'low:high:n' (n evenly spaced values, ends included, to 12
    significant figures: 0.06:0.14:5 sweeps 0.12, not linspace's 0.12000000000000001).
    `option` and `key` name the setting in an error."""
    if text.count(":") == 2 and "," not in text:
        given = f"{option} {key}={text}" if key else f"{option} {text!r}"
        low, high, count = text.split(":")
        try:
            low, high, n = float(low), float(high), int(count)
        except ValueError:
            raise UserError(f"{given}: expected low:high:n, e.g. 0.05:0.15:5") from None
        if n < 2:
            raise UserError(f"{given}: n must be at least 2")
        return [float(f"{v:.12g}") for v in np.linspace(low, high, n)]
    return [parse_value(v) for v in text.split(",") if v.strip()]


def parse_axes(assignments: list[str], option: str = "--set") -> dict[str, list]:
    """Every --set KEY=VALUES, in order; a key set twice is an error."""
    axes: dict[str, list] = {}
    for text in assignments:
        key, values = split_assignment(text, option)
        if key in axes:
            raise UserError(f"{option} {key}: given twice")
        axes[key] = parse_values(values, option, key)
    return axes


def grid(axes: dict[str, list]) -> list[dict[str, Any]]:
    """Every combination of the axes' values, the first axis varying slowest."""
    keys = list(axes)
    return [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*axes.values())]


def show(value: Any) -> str:
    """A setting's value as typed: numbers without trailing zeros."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def label(point: dict[str, Any]) -> str:
    return ", ".join(f"{k}={show(v)}" for k, v in point.items())


@dataclass
class SweepResult:
    """Every point of a sweep: its values and its run."""

    scenario: Any
    axes: dict[str, list]
    points: list[dict[str, Any]]
    runs: list[RunResult]
    seed: int
    wall_seconds: float
    meta: dict = field(default_factory=dict)

    @property
    def replications(self) -> int:
        return self.runs[0].n_replications if self.runs else 0

    def _key_columns(self, index: int) -> dict[str, Any]:
        return {"point": index, **self.points[index]}

    def table(self) -> pd.DataFrame:
        """sweep.csv: per point, plan and metric the mean, 95% CI, P10/P50/P90, n, and
        the paired difference from the first point (same plan) with its 95% CI."""
        first = self.runs[0].replications
        frames = []
        for i, result in enumerate(self.runs):
            summary = result.summary()
            diffs = _paired_rows(result.replications, first, result.metrics)
            summary = summary.merge(diffs, on=["plan", "metric"], how="left")
            frames.append(summary.assign(**self._key_columns(i)))
        table = pd.concat(frames, ignore_index=True)
        front = ["point", *self.axes, "plan", "metric"]
        return table[front + SWEEP_STATS + DIFF_COLUMNS]

    def replication_table(self) -> pd.DataFrame:
        """Every point's replications table, with the point and its values in front."""
        frames = [r.replications.assign(**self._key_columns(i)) for i, r in enumerate(self.runs)]
        table = pd.concat(frames, ignore_index=True)
        front = ["point", *self.axes]
        return table[front + [c for c in table.columns if c not in front]]


def _paired_rows(rows: pd.DataFrame, first: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    out = []
    for plan, mine in rows.groupby("plan", sort=False):
        base = first[first.plan == plan].set_index("replication")
        mine = mine.set_index("replication")
        common = mine.index.intersection(base.index)
        for name in metrics:
            if name not in base.columns:
                continue
            d = paired_difference(
                mine.loc[common, name].to_numpy(float), base.loc[common, name].to_numpy(float)
            )
            out.append({"plan": plan, "metric": name, **{k: d[k] for k in DIFF_COLUMNS}})
    return pd.DataFrame(out, columns=["plan", "metric", *DIFF_COLUMNS])


def _warn_if_ages_differ(variants) -> None:
    """Under an automatic warm-up, a point that lengthens a pay tail warms up longer:
    its company is older when reporting starts, which moves what the installed base
    does (revenue, ARR, GRR, pay on renewals) beside the setting's own effect."""
    months = [v.warm_up_months for v in variants]
    auto = [v.company.burn_in_months == "auto" for v in variants]
    if any(auto) and min(months) != max(months):
        warnings.warn(
            f"the automatic warm-up differs across the sweep's points ({min(months)}-"
            f"{max(months)} months): points with a longer pay tail report an older company; "
            f"set company.burn_in_months = {max(months)} to compare them at the same age",
            stacklevel=3,
        )


def sweep(
    scenario,
    axes: dict[str, list],
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    chunk_size: int | None = None,
    progress: bool = False,
    source: str = "--set",
) -> SweepResult:
    """Run `scenario` at every combination of `axes` ({dotted path: values}) on the
    same seed and replications. Every point is validated before any is simulated."""
    if not axes or any(len(v) == 0 for v in axes.values()):
        raise UserError(f"{source}: give at least one KEY=VALUES with one value or more")
    points = grid(axes)
    variants = [scenario.with_values(p, source=f"{source} {label(p)}") for p in points]
    _warn_if_ages_differ(variants)
    seed = scenario.simulation.seed if seed is None else seed
    started = time.perf_counter()
    runs = []
    for i, (point, variant) in enumerate(zip(points, variants, strict=True)):
        runs.append(run(variant, replications, seed, jobs, chunk_size, reuse_markets=True))
        if progress:
            width = int(math.log10(len(points))) + 1
            print(
                f"point {i + 1:>{width}}/{len(points)} ({label(point)}): "
                f"{runs[-1].wall_seconds:.1f}s",
                file=sys.stderr,
            )
    return SweepResult(scenario, axes, points, runs, seed, time.perf_counter() - started)
