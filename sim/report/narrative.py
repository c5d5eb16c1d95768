"""Plain-language answers: each plan against the baseline, one line a CRO can read.

A change is written the way a board reads it: money (and counts) as a % change,
fractions (GRR, ratios, shares) as a change in percentage points, each with its
95% paired interval, e.g. "revenue +4.1% [2.8, 5.3]" or "GRR +2.1 pt [1.5, 2.7]".
A change is called better or worse only when its whole interval lies on one side
of zero; otherwise it is "no clear change".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import better_sign
from sim.metrics import HEADLINE, metric


@dataclass(frozen=True)
class Change:
    """One metric's change against the baseline, ready to print."""

    metric: str
    change: str  # e.g. "+4.1% [2.8, 5.3]"
    verdict: str  # "better", "worse", "no clear change" or "neutral"

    @property
    def text(self) -> str:
        """E.g. "revenue +4.1% [2.8, 5.3]"."""
        return f"{label(self.metric)} {self.change}"


LABELS = {
    "new_arr": "new ARR",
    "ending_arr": "ending ARR",
    "grr": "GRR",
    "nrr": "NRR",
    "csat": "CSAT",
}
# the changes a one-line answer names (the headline table has them all)
ANSWER_METRICS = ("revenue", "ending_arr", "grr", "comp_cost", "comp_cost_ratio")


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def is_fraction(name: str) -> bool:
    return metric(name).unit.startswith("fraction")


def describe(row: pd.Series) -> Change:
    """The change in one comparison row (see `sim.analysis.compare`)."""
    name = row.metric
    if is_fraction(name):
        scale, unit, values = 100.0, " pt", (row["diff"], row.diff_ci_low, row.diff_ci_high)
    else:
        scale, unit, values = 100.0, "%", (row.rel_change, row.rel_ci_low, row.rel_ci_high)
    mid, low, high = (scale * v for v in values)
    if not np.isfinite(mid):
        return Change(name, "n/a", "neutral")
    judged = verdict(row)
    decisive = judged in ("better", "worse")
    places = decimals((high - low) / 2)
    while decisive and places < 3 and 0 in (round(low, places), round(high, places)):
        places += 1  # a sure change must not print an end of its interval as 0
    show = lambda v: f"{round(v, places) + 0.0:+.{places}f}"  # noqa: E731 (+0.0: no "-0.0")
    interval = f" [{show(low)}, {show(high)}]" if np.isfinite(low) else ""
    return Change(name, f"{show(mid)}{unit}{interval}", judged)


def decimals(half_width: float) -> int:
    """Enough decimals (1 to 3) that an interval's width shows: 0.4 -> 1, 0.04 -> 2."""
    if not np.isfinite(half_width) or half_width >= 0.1 or half_width == 0:
        return 1
    return 2 if half_width >= 0.01 else 3


def verdict(row: pd.Series) -> str:
    sign = better_sign(row.metric)
    if np.isnan(sign):
        return "neutral"
    low, high = sign * row.diff_ci_low, sign * row.diff_ci_high
    if min(low, high) > 0:
        return "better"
    if max(low, high) < 0:
        return "worse"
    return "no clear change"


def plan_changes(comparison: pd.DataFrame, plan: str, metrics=HEADLINE) -> list[Change]:
    rows = comparison[(comparison.plan == plan) & comparison.metric.isin(metrics)]
    order = {m: i for i, m in enumerate(metrics)}
    rows = rows.sort_values("metric", key=lambda s: s.map(order))
    return [describe(row) for _, row in rows.iterrows()]


def verdict_counts(changes: list[Change]) -> str:
    """E.g. "better on 3, worse on 2 of 8 headline metrics (95% CI excludes zero)"."""
    better = sum(c.verdict == "better" for c in changes)
    worse = sum(c.verdict == "worse" for c in changes)
    return (
        f"better on {better}, worse on {worse} of {len(changes)} headline metrics "
        "(95% CI excludes no change)"
    )


def plain_summary(comparison: pd.DataFrame, plan: str, baseline: str) -> str:
    """One line of text, e.g. "blended vs standard: revenue +4.1% [2.8, 5.3], ...".
    The HTML report shows the same changes coloured by verdict."""
    changes = plan_changes(comparison, plan, ANSWER_METRICS)
    return f"{plan} vs {baseline}: " + ", ".join(c.text for c in changes)
