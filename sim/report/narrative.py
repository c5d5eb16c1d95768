"""Plain-language answers: each plan against the baseline, in words a CRO can forward.

A change is written the way a board reads it: money (and counts) as a % change,
fractions (GRR, ratios, shares) as a change in percentage points, each with its
95% paired interval and one decimal, e.g. "revenue +4.1% [+2.8, +5.3]" or
"GRR +2.1 pt [+1.5, +2.7]". A change is called better or worse only when its
whole interval lies on one side of zero; otherwise it is "no clear change".

A plan's answer names every headline metric that is worse first, then the better
ones, then those with no clear change, and ends with what to watch (rep
attrition, clawbacks, held pay, rep pay) when those move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.metrics import HEADLINE, metric
from sim.ranking import verdict

VERDICTS = ("worse", "better", "no clear change")


@dataclass(frozen=True)
class Change:
    """One metric's change against the baseline, ready to print."""

    metric: str
    change: str  # e.g. "+4.1% [+2.8, +5.3]"
    verdict: str  # "better", "worse", "no clear change" or "neutral"

    @property
    def text(self) -> str:
        """E.g. "revenue +4.1% [+2.8, +5.3]"."""
        return f"{label(self.metric)} {self.change}"


LABELS = {
    "new_arr": "new ARR",
    "new_logos": "new logos",
    "ending_arr": "ending ARR",
    "grr": "GRR",
    "nrr": "NRR",
    "csat": "CSAT",
    "ae_pay": "AE pay",
    "holdback_forfeited": "held pay forfeited",
}


def label(name: str) -> str:
    return LABELS.get(name, name.replace("_", " "))


def is_fraction(name: str) -> bool:
    return metric(name).unit.startswith("fraction")


def signed(value: float) -> str:
    """One decimal with the sign of the unrounded value: a small negative end of an
    interval shows as -0.0, so "[-0.3, -0.0]" still reads as wholly below zero."""
    return f"{'-' if value < 0 else '+'}{abs(value):.1f}"


def describe(row: pd.Series) -> Change:
    """The change in one comparison row (see `sim.analysis.compare`)."""
    name = row.metric
    if is_fraction(name):
        unit, values = " pt", (row["diff"], row.diff_ci_low, row.diff_ci_high)
    else:
        unit, values = "%", (row.rel_change, row.rel_ci_low, row.rel_ci_high)
    mid, low, high = (100.0 * v for v in values)
    if not np.isfinite(mid):
        return Change(name, "n/a", "neutral")
    interval = f" [{signed(low)}, {signed(high)}]" if np.isfinite(low) else ""
    return Change(name, f"{signed(mid)}{unit}{interval}", verdict(row))


def plan_changes(comparison: pd.DataFrame, plan: str, metrics=HEADLINE) -> list[Change]:
    """The plan's changes on `metrics`, in that order."""
    rows = comparison[(comparison.plan == plan) & comparison.metric.isin(metrics)]
    order = {m: i for i, m in enumerate(metrics)}
    rows = rows.sort_values("metric", key=lambda s: s.map(order))
    return [describe(row) for _, row in rows.iterrows()]


@dataclass
class Answer:
    """A plan's answer against the baseline: headline changes grouped by verdict
    (worse first), and what to watch."""

    plan: str
    baseline: str
    groups: dict[str, list[Change]] = field(default_factory=dict)  # verdict -> changes
    watch: list[str] = field(default_factory=list)

    @property
    def worse(self) -> list[Change]:
        return self.groups.get("worse", [])

    @property
    def n_metrics(self) -> int:
        return sum(len(v) for v in self.groups.values())

    def counts(self) -> str:
        """E.g. "worse on 2, better on 5 of 10 headline metrics"."""
        worse, better = len(self.worse), len(self.groups.get("better", []))
        return f"worse on {worse}, better on {better} of {self.n_metrics} headline metrics"

    def sentences(self) -> list[str]:
        """The answer as sentences: worse, better, no clear change, watch."""
        out = []
        worse = self.groups.get("worse", [])
        if worse:
            out.append(f"Worse on {len(worse)}: " + ", ".join(c.text for c in worse) + ".")
        else:
            out.append(f"Worse on no headline metric (of {self.n_metrics}).")
        better = self.groups.get("better", [])
        if better:
            out.append("Better: " + ", ".join(c.text for c in better) + ".")
        unclear = self.groups.get("no clear change", [])
        if unclear:
            out.append("No clear change: " + ", ".join(label(c.metric) for c in unclear) + ".")
        if self.watch:
            out.append("Watch: " + "; ".join(self.watch) + ".")
        return out


def plan_answer(
    comparison: pd.DataFrame, summary: pd.DataFrame, plan: str, baseline: str
) -> Answer:
    """Every headline metric of `plan` against `baseline`, grouped worse / better / no
    clear change, and the watch list."""
    answer = Answer(plan, baseline)
    for change in plan_changes(comparison, plan):
        if change.verdict in VERDICTS:
            answer.groups.setdefault(change.verdict, []).append(change)
    answer.groups = {v: answer.groups[v] for v in VERDICTS if v in answer.groups}
    answer.watch = watch_list(comparison, summary, plan, baseline)
    return answer


# what a CRO watches beside the headline: (metric, how a move is worth a mention)
WATCH = ("rep_attrition", "clawbacks_recovered", "holdback_forfeited", "ae_pay")
WATCH_MIN_PAY_CHANGE = 0.02  # AE pay moves worth a mention: 2% or more


def watch_list(comparison: pd.DataFrame, summary: pd.DataFrame, plan: str, baseline: str):
    """ "rep attrition 34.1% -> 48.2%/yr", "clawbacks $0 -> $121K/yr", ... for each watched
    metric whose paired difference is clear (its 95% CI excludes zero); AE pay only
    when it moves by 2% or more."""
    from sim.report.table import format_value

    if summary is None or summary.empty:
        return []
    rows = comparison[comparison.plan == plan].set_index("metric")
    means = summary.set_index(["plan", "metric"])["mean"]
    out = []
    for name in WATCH:
        if name not in rows.index or (baseline, name) not in means.index:
            continue
        row = rows.loc[name]
        clear = row.diff_ci_low > 0 or row.diff_ci_high < 0
        if not clear:
            continue
        if name == "ae_pay" and not abs(row.rel_change) >= WATCH_MIN_PAY_CHANGE:
            continue
        unit = metric(name).unit
        before, after = means[(baseline, name)], means[(plan, name)]
        per = "/yr" if unit.endswith("/yr") else ""
        shown = "fraction" if unit.startswith("fraction") else unit
        out.append(
            f"{label(name)} {format_value(before, shown)} -> {format_value(after, shown)}{per}"
        )
    return out


def plain_summary(
    comparison: pd.DataFrame, plan: str, baseline: str, summary: pd.DataFrame | None = None
) -> str:
    """The plan's answer as one paragraph, e.g. "blended vs standard: Worse on 1: new ARR
    -2.0% [-2.5, -1.5]. Better: revenue +4.1% [+2.8, +5.3], ...". The HTML report shows
    the same answer coloured by verdict."""
    answer = plan_answer(comparison, summary, plan, baseline)
    return f"{plan} vs {baseline}: " + " ".join(answer.sentences())
