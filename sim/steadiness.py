"""Is each change steady? Every headline difference from the baseline, year by year.

A horizon average hides a change that is still moving: a plan whose costs arrive
late looks cheap in year 1 and not in year 3, and a plan's effect on ARR keeps
compounding. For each plan and headline metric this module gives the paired change
against the baseline in each reported year (% for money and counts, pt for
fractions, with 95% CIs), and the drift from the first year to the last with its
own paired interval: replication i of both years and both plans is one company-run,
so the drift's interval is a t interval over replications of a per-run quantity
(for % changes, the delta-method linearization of each year's ratio of means). A
change is called *not steady* when that interval excludes zero and the drift is at
least `MATERIAL` (1 point: 1% or 1 pt): with many replications a drift of a tenth
of a point is significant but tells a CRO nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis import COMPARISON_COLUMNS, _t, better_sign, paired_difference
from sim.metrics import HEADLINE, metric

COLUMNS = [
    "plan",
    "baseline",
    "metric",
    "year",
    "change",
    "ci_low",
    "ci_high",
    "unit",
    "drift",
    "drift_ci_low",
    "drift_ci_high",
    "steady",
]


MATERIAL = 0.01  # a drift smaller than 1% (or 1 pt) is not worth a warning


def _pt(name: str) -> bool:
    return metric(name).unit.startswith("fraction")


@dataclass(frozen=True)
class YearColumns:
    """Each plan's metrics in each reported year, one value per replication, given one
    column at a time by `column(plan, metric, year)`, aligned on the same replications
    (in order) across plans and years: a long run reads them from disk one at a time
    instead of holding every row (`sim.runner.RunResult.year_columns`)."""

    plans: list[str]
    metrics: list[str]
    years: list[int]
    column: Callable[[str, str, int], np.ndarray]

    @classmethod
    def of_frame(cls, by_year: pd.DataFrame) -> YearColumns:
        """From rows per plan, replication and year (a replication one plan or year
        lacks is NaN there, so it drops out of any pair it belongs to)."""
        if by_year.empty:
            return cls([], [], [], lambda plan, name, year: np.zeros(0))
        wide = {
            key: rows.set_index("replication")
            for key, rows in by_year.groupby(["plan", "year"], sort=False)
        }
        index = pd.Index(np.sort(by_year.replication.unique()))
        return cls(
            plans=list(dict.fromkeys(by_year.plan)),
            metrics=[c for c in by_year.columns if c not in ("plan", "replication", "year")],
            years=sorted(by_year.year.unique()),
            column=lambda plan, name, year: wide[(plan, year)][name].reindex(index).to_numpy(float),
        )


def changes_by_year(by_year, baseline: str, metrics=HEADLINE) -> pd.DataFrame:
    """One row per plan (other than `baseline`), headline metric and reported year: the
    change from the baseline that year with its 95% CI (`unit` "%" or "pt", values as
    fractions: 0.021 = +2.1% or +2.1 pt), and, repeated on each year's row, the drift
    from the first year to the last (last minus first) with its 95% CI and whether
    the change is steady (the drift's interval includes zero, or it is under 1 point).

    `by_year`: rows per plan, replication and year (a DataFrame), or `YearColumns`."""
    columns = by_year if isinstance(by_year, YearColumns) else YearColumns.of_frame(by_year)
    if not columns.years:
        return pd.DataFrame(columns=COLUMNS)
    metrics = [m for m in metrics if m in columns.metrics]
    parts = [_year_changes(columns, baseline, metrics, year) for year in columns.years]
    table = pd.concat(parts, ignore_index=True)
    pt = table.metric.map(_pt)
    table["change"] = np.where(pt, table["diff"], table.rel_change)
    table["ci_low"] = np.where(pt, table.diff_ci_low, table.rel_ci_low)
    table["ci_high"] = np.where(pt, table.diff_ci_high, table.rel_ci_high)
    table["unit"] = np.where(pt, "pt", "%")
    drift = _drifts(columns, baseline, metrics, columns.years[0], columns.years[-1])
    table = table.merge(drift, on=["plan", "metric"], how="left")
    return table[COLUMNS]


def _year_changes(columns: YearColumns, baseline: str, metrics, year: int) -> pd.DataFrame:
    """`sim.analysis.compare` of one reported year: each plan against the baseline on
    paired replications, per metric."""
    base = {name: columns.column(baseline, name, year) for name in metrics}
    rows = [
        {
            "plan": plan,
            "baseline": baseline,
            "metric": name,
            **paired_difference(columns.column(plan, name, year), base[name], better_sign(name)),
        }
        for plan in columns.plans
        if plan != baseline
        for name in metrics
    ]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS).assign(year=year)


def _drifts(columns: YearColumns, baseline, metrics, first, last) -> pd.DataFrame:
    """Per plan and metric: change in the last year minus change in the first, with
    its paired 95% CI over replications."""
    out = []
    for plan in columns.plans:
        if plan == baseline:
            continue
        for name in metrics:
            values = [columns.column(p, name, y) for p in (plan, baseline) for y in (first, last)]
            whole = ~np.any([np.isnan(v) for v in values], axis=0)
            b1, bl, a1, al = (v[whole] for v in values)
            drift, half = _drift(b1, a1, bl, al, _pt(name))
            out.append(
                {
                    "plan": plan,
                    "metric": name,
                    "drift": drift,
                    "drift_ci_low": drift - half,
                    "drift_ci_high": drift + half,
                    "steady": bool(
                        not np.isfinite(half) or abs(drift) <= half or abs(drift) < MATERIAL
                    ),
                }
            )
    return pd.DataFrame(out, columns=["plan", "metric", *COLUMNS[-4:]])


def _drift(b1, a1, bl, al, pt: bool) -> tuple[float, float]:
    """(last-year change - first-year change, 95% CI half-width), per replication."""
    n = len(b1)
    if n < 2:
        return np.nan, np.nan
    if pt:
        d = (bl - al) - (b1 - a1)
        return float(d.mean()), float(_t(n) * d.std(ddof=1) / np.sqrt(n))
    m1, ml = a1.mean(), al.mean()
    if m1 == 0 or ml == 0:
        return np.nan, np.nan
    r1, rl = b1.mean() / m1, bl.mean() / ml
    d = (bl - rl * al) / ml - (b1 - r1 * a1) / m1  # delta-method linearization
    return float(rl - r1), float(_t(n) * d.std(ddof=1) / np.sqrt(n))


def not_steady(table: pd.DataFrame) -> pd.DataFrame:
    """One row per plan and metric whose change is not steady: plan, metric, unit,
    first and last year's change."""
    if table.empty:
        return table
    moving = table[~table.steady.astype(bool)]
    first, last = table.year.min(), table.year.max()
    pick = lambda y: moving[moving.year == y].set_index(["plan", "metric"])  # noqa: E731
    a, b = pick(first), pick(last)
    out = a[["unit"]].assign(first=a.change, last=b.change, first_year=first, last_year=last)
    return out.reset_index()
