"""Plans ranked by a stated objective, with the plans worse on no headline metric marked.

A CRO choosing a plan wants one ordering (by revenue unless told otherwise) and,
beside it, whether each plan gives anything up: a plan is "worse" on a headline
metric when the whole 95% paired interval of its difference from the baseline lies
on the metric's worse side. Plans worse on no headline metric are marked; the
ranking itself is by the objective's mean.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis import better_sign
from sim.errors import UserError
from sim.metrics import HEADLINE, known_metric

DEFAULT_OBJECTIVE = "revenue"
RANKING_COLUMNS = [
    "rank",
    "plan",
    "objective",
    "mean",
    "ci_low",
    "ci_high",
    "change",
    "change_ci_low",
    "change_ci_high",
    "change_unit",
    "worse_on",
    "better_on",
    "worse_metrics",
    "no_headline_worse",
]


def check_objective(name: str, plans=None) -> str:
    """`name` if it is a metric with a better direction that a run of `plans` reports
    (their pay lines included), else a one-line error."""
    if known_metric(name, "--objective", plans).higher_is_better is None:
        raise UserError(f"--objective {name}: has no better direction to rank plans by")
    return name


def verdict(row) -> str:
    """'better' / 'worse' when the paired 95% CI of a comparison row lies wholly on one
    side of zero, 'no clear change' when it straddles it, 'neutral' for a metric with
    no better direction."""
    sign = better_sign(row.metric)
    if np.isnan(sign):
        return "neutral"
    low, high = sign * row.diff_ci_low, sign * row.diff_ci_high
    if min(low, high) > 0:
        return "better"
    if max(low, high) < 0:
        return "worse"
    return "no clear change"


def rank_plans(
    summary: pd.DataFrame,
    comparison: pd.DataFrame,
    baseline: str,
    objective: str = DEFAULT_OBJECTIVE,
) -> pd.DataFrame:
    """One row per plan, best first by the objective's mean: its 95% CI, its change
    from the baseline (% for money and counts, pt for fractions, with the paired CI),
    how many headline metrics are clearly worse / better than the baseline's, which
    are worse, and whether none is (`no_headline_worse`; true for the baseline)."""
    sign = better_sign(objective)
    plans = list(dict.fromkeys(summary.plan))
    means = summary[summary.metric == objective].set_index("plan")
    fraction = _is_fraction(objective)
    rows = []
    for plan in plans:
        own = comparison[comparison.plan == plan]
        verdicts = {r.metric: verdict(r) for r in own.itertuples() if r.metric in HEADLINE}
        worse = [m for m in HEADLINE if verdicts.get(m) == "worse"]
        change = own[own.metric == objective]
        if plan == baseline or change.empty:
            delta = (0.0, 0.0, 0.0) if plan == baseline else (np.nan,) * 3
        else:
            c = change.iloc[0]
            delta = (
                (c["diff"], c.diff_ci_low, c.diff_ci_high)
                if fraction
                else (c.rel_change, c.rel_ci_low, c.rel_ci_high)
            )
        m = means.loc[plan] if plan in means.index else None
        rows.append(
            {
                "plan": plan,
                "objective": objective,
                "mean": np.nan if m is None else m["mean"],
                "ci_low": np.nan if m is None else m.ci_low,
                "ci_high": np.nan if m is None else m.ci_high,
                "change": delta[0],
                "change_ci_low": delta[1],
                "change_ci_high": delta[2],
                "change_unit": "pt" if fraction else "relative",
                "worse_on": len(worse),
                "better_on": sum(v == "better" for v in verdicts.values()),
                "worse_metrics": " ".join(worse),
                "no_headline_worse": not worse,
            }
        )
    table = pd.DataFrame(rows)
    order = (sign * table["mean"]).rank(ascending=False, method="first")
    table = table.assign(rank=order.fillna(len(table)).astype(int)).sort_values(
        "rank", kind="stable"
    )
    return table[RANKING_COLUMNS].reset_index(drop=True)


def _is_fraction(name: str) -> bool:
    """A rate or a probability: its change is in percentage points (a change from a
    probability of 0 has no relative size)."""
    from sim.metrics import metric

    unit = metric(name).unit
    return unit.startswith("fraction") or unit == "probability"
