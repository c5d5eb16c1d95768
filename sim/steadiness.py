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

import numpy as np
import pandas as pd

from sim.analysis import _t, compare
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


def changes_by_year(by_year: pd.DataFrame, baseline: str, metrics=HEADLINE) -> pd.DataFrame:
    """One row per plan (other than `baseline`), headline metric and reported year: the
    change from the baseline that year with its 95% CI (`unit` "%" or "pt", values as
    fractions: 0.021 = +2.1% or +2.1 pt), and, repeated on each year's row, the drift
    from the first year to the last (last minus first) with its 95% CI and whether
    the change is steady (the drift's interval includes zero, or it is under 1 point)."""
    if by_year.empty:
        return pd.DataFrame(columns=COLUMNS)
    metrics = [m for m in metrics if m in by_year.columns]
    years = sorted(by_year.year.unique())
    parts = []
    for year in years:
        rows = by_year[by_year.year == year].drop(columns="year")
        part = compare(rows, baseline, metrics).assign(year=year)
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    pt = table.metric.map(_pt)
    table["change"] = np.where(pt, table["diff"], table.rel_change)
    table["ci_low"] = np.where(pt, table.diff_ci_low, table.rel_ci_low)
    table["ci_high"] = np.where(pt, table.diff_ci_high, table.rel_ci_high)
    table["unit"] = np.where(pt, "pt", "%")
    drift = _drifts(by_year, baseline, metrics, years[0], years[-1])
    table = table.merge(drift, on=["plan", "metric"], how="left")
    return table[COLUMNS]


def _drifts(by_year, baseline, metrics, first, last) -> pd.DataFrame:
    """Per plan and metric: change in the last year minus change in the first, with
    its paired 95% CI over replications."""
    wide = {
        (plan, year): rows.set_index("replication").sort_index()
        for (plan, year), rows in by_year.groupby(["plan", "year"], sort=False)
    }
    out = []
    for plan in dict.fromkeys(by_year.plan):
        if plan == baseline:
            continue
        for name in metrics:
            cols = [
                wide[(p, y)][name].rename(f"{p == plan}{y}")
                for p in (plan, baseline)
                for y in (first, last)
            ]
            frame = pd.concat(cols, axis=1, join="inner").dropna()
            b1, bl, a1, al = (frame.iloc[:, i].to_numpy(float) for i in range(4))
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
