"""What `sim run` prints: headline table, ranking, answers, OTE check, in 100 columns.

Numbers are formatted the same everywhere (console, report): money to 3
significant figures ($15.3M, $3.60M, $162K), fractions as % with 1 decimal,
changes of fractions in percentage points (pt) with 1 decimal. With more than
`PLANS_AS_COLUMNS` plans (or when plans as columns would not fit the width) the
headline table turns plans into rows, cut into blocks of metrics that fit it.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from sim.metrics import HEADLINE, metric
from sim.sweep import show

WIDTH = 100  # console columns
PLANS_AS_COLUMNS = 4  # more plans than this: plans become rows


def format_value(value: float, unit: str) -> str:
    """A value in its metric's unit: money to 3 significant figures ($15.3M), fractions
    as % with 1 decimal, other numbers to 3 significant figures (453, 12.5)."""
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "n/a"
    if unit.startswith("$"):
        return money(value)
    if unit.startswith("fraction"):
        return f"{100 * value:.1f}%"
    return _number(value)


def chance(value: float) -> str:
    """A probability to the whole percent, except that a chance that is not 0 or 1 is
    never shown as 0% or 100% ('0.4%', '<0.1%', '99.7%', '>99.9%'): the upper end of a
    Wilson interval when no company-run of 1,000 broke a limit is 0.4%, not nothing."""
    if not np.isfinite(value):
        return "n/a"
    pct = 100 * value
    if 0 < pct < 0.05:
        return "<0.1%"
    if 99.95 < pct < 100:
        return ">99.9%"
    if 0 < pct < 1 or 99 < pct < 100:
        return f"{pct:.1f}%"
    return f"{pct:.0f}%"


def money(value: float) -> str:
    """$ to 3 significant figures: $1.23B, $15.3M, $3.60M, $162K, $950."""
    if not np.isfinite(value):
        return "n/a"
    size = float(f"{abs(value):.3g}")  # rounded first: 999,700 is $1.00M, not $1000K
    sign = "-" if value < 0 and size > 0 else ""
    for scale, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if size >= scale:
            x = size / scale
            places = 2 if x < 10 else 1 if x < 100 else 0
            return f"{sign}${x:.{places}f}{suffix}"
    return f"{sign}${size:.0f}"


def _number(value: float) -> str:
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def half_width(mean: float, low: float, high: float, unit: str) -> str:
    """The 95% CI half-width beside a mean, in the mean's scale: '±0.4M', '±0.2'."""
    half = (high - low) / 2
    if not np.isfinite(half):
        return ""
    if unit.startswith("fraction"):
        return f"±{100 * half:.1f}"
    shown = money(mean) if unit.startswith("$") else _number(mean)
    suffix = shown[-1] if shown[-1] in "BMK" else ""
    scale = {"B": 1e9, "M": 1e6, "K": 1e3, "": 1.0}[suffix]
    places = len(shown.split(".")[1].rstrip("BMK")) if "." in shown else 0
    return f"±{half / scale:,.{places}f}{suffix}"  # in the mean's scale and decimals


def estimate_parts(mean: float, low: float, high: float, unit: str) -> tuple[str, str]:
    """A mean and its 95% CI as the tables show them: ('$48.6M', '±0.3M'), or for a
    probability, whose Wilson interval is not symmetric about the mean and keeps a
    width when no company-run breaks the limit, ('0.0%', '[0.0%, 16.1%]')."""
    if unit == "probability":
        low_text, high_text = format_value(low, "fraction"), format_value(high, "fraction")
        return format_value(mean, "fraction"), f"[{low_text}, {high_text}]"
    return format_value(mean, unit), half_width(mean, low, high, unit)


def headline_table(summary: pd.DataFrame, metrics: tuple[str, ...] = HEADLINE) -> str:
    """The headline metrics per plan with 95% CIs: metrics as rows and plans as
    columns for a few plans (up to `PLANS_AS_COLUMNS`, if they fit the width); plans
    as rows (blocks of metrics, 'mean ±half-width') otherwise."""
    plans = list(dict.fromkeys(summary["plan"]))
    metrics = [m for m in metrics if m in set(summary.metric)]
    cells = summary.set_index(["plan", "metric"])
    if len(plans) <= PLANS_AS_COLUMNS:
        rows = [[name, *(_interval(cells, p, name) for p in plans)] for name in metrics]
        table = _grid(["metric", *plans], rows)
        if max(len(line) for line in table.splitlines()) <= WIDTH:
            return table
    return rows_table(summary, metrics)


def rows_table(summary: pd.DataFrame, metrics, head: str = "plan") -> str:
    """One row per value of `summary.plan` (a plan, or a sweep's point), 'mean
    ±half-width' per metric, in blocks of metrics that fit the width."""
    plans = list(dict.fromkeys(summary["plan"]))
    cells = summary.set_index(["plan", "metric"])
    columns = {m: [_plus_minus(cells, p, m) for p in plans] for m in metrics}
    blocks, current, used = [], [], _name_width(plans)
    for name in metrics:  # as many metrics per block as fit the width
        width = max(len(name), *(len(c) for c in columns[name])) + 2
        if current and used + width > WIDTH:
            blocks.append(current)
            current, used = [], _name_width(plans)
        current.append(name)
        used += width
    blocks.append(current)
    out = ["mean ± half-width of its 95% CI (same unit as the mean; pt for %)"]
    if any(metric(m).unit == "probability" for m in metrics):
        out[0] += "; a probability: mean [95% CI]"
    for block in blocks:
        rows = [[p, *(columns[m][i] for m in block)] for i, p in enumerate(plans)]
        out += ["", _grid([head, *block], rows)]
    return "\n".join(out)


SWEEP_METRICS = (
    "revenue",
    "new_arr",
    "grr",
    "comp_cost",
    "comp_cost_ratio",
    "operating_margin",
    "over_comp_limit",
)


def sweep_table(table: pd.DataFrame, keys: list[str], metrics=SWEEP_METRICS) -> str:
    """A sweep's points (`SweepResult.table()`) as rows, each setting by its last key
    ('rate=0.08', and the plan when there are several), the metrics' means with the
    half-widths of their 95% CIs; the paired changes are in sweep.csv and the report."""
    several = table.plan.nunique() > 1
    names = {
        (row.point, row.plan): ", ".join(f"{k.split('.')[-1]}={show(row[k])}" for k in keys)
        + (f" {row.plan}" if several else "")
        for _, row in table.drop_duplicates(["point", "plan"]).iterrows()
    }
    rows = table.assign(plan=[names[k] for k in zip(table.point, table.plan, strict=True)])
    metrics = [m for m in metrics if m in set(table.metric)]
    return rows_table(rows, metrics, head="point")


def budget_table(table: pd.DataFrame) -> str:
    """A budget's plans (`BudgetResult.table()`) as rows: the scale found, the target's
    statistic achieved there with its 95% CI, and what the plan then does."""
    head = ["plan", "scale", "achieved [95% CI]", "revenue", "new ARR", "GRR", "cash margin"]
    pct = lambda x, places=1: f"{100 * x:.{places}f}%"  # noqa: E731
    rows = [
        [
            r.plan,
            f"{r.scale:.3f}",
            f"{pct(r.achieved, 2)} [{100 * r.achieved_ci_low:.2f}, {100 * r.achieved_ci_high:.2f}]",
            format_value(r.revenue, "$"),
            format_value(r.new_arr, "$"),
            pct(r.grr),
            pct(r.operating_margin),
        ]
        for r in table.itertuples()
    ]
    return _grid(head, rows)


def _name_width(plans) -> int:
    return max(len(p) for p in plans) + 2


def _interval(cells, plan, name) -> str:
    if (plan, name) not in cells.index:
        return ""
    r, unit = cells.loc[(plan, name)], _unit(name)
    low, high = format_value(r.ci_low, unit), format_value(r.ci_high, unit)
    return f"{format_value(r['mean'], unit)} [{low}, {high}]"


def _plus_minus(cells, plan, name) -> str:
    if (plan, name) not in cells.index:
        return ""
    r = cells.loc[(plan, name)]
    return " ".join(estimate_parts(r["mean"], r.ci_low, r.ci_high, metric(name).unit))


def _unit(name: str) -> str:
    """A metric's unit as the tables show it: a probability in % like a fraction."""
    unit = metric(name).unit
    return "fraction" if unit == "probability" else unit


def _grid(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]
    line = lambda cells: "  ".join(  # noqa: E731
        str(c).ljust(w) for c, w in zip(cells, widths, strict=True)
    ).rstrip()
    return "\n".join([line(head), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def change_text(value: float, low: float, high: float, unit: str) -> str:
    """A change with its interval: '+3.4% [+3.0, +3.8]' or '+1.9 pt [+1.8, +2.0]'."""
    from sim.report.narrative import signed

    if not np.isfinite(value):
        return "n/a"
    suffix = " pt" if unit == "pt" else "%"
    interval = f" [{signed(100 * low)}, {signed(100 * high)}]" if np.isfinite(low) else ""
    return f"{signed(100 * value)}{suffix}{interval}"


def ranking_table(ranking: pd.DataFrame, baseline: str) -> str:
    """Plans best first by the objective: mean [CI], change from the baseline, how many
    headline metrics are worse, and a mark for plans worse on none."""
    if ranking.empty:
        return ""
    objective = ranking.objective.iloc[0]
    unit = metric(objective).unit
    direction = "higher" if metric(objective).higher_is_better else "lower"
    rows = []
    for r in ranking.itertuples():
        change = (
            "baseline"
            if r.plan == baseline
            else change_text(r.change, r.change_ci_low, r.change_ci_high, r.change_unit)
        )
        mark = "-" if r.plan == baseline else "yes" if r.no_headline_worse else ""
        rows.append(
            [
                str(r.rank),
                r.plan,
                " ".join(estimate_parts(r.mean, r.ci_low, r.ci_high, unit)),
                change,
                str(r.worse_on),
                mark,
            ]
        )
    head = ["#", "plan", objective, f"vs {baseline}", "worse on", "none worse"]
    title = (
        f"Ranking by {objective} ({direction} is better; "
        + ("mean [95% CI]" if unit == "probability" else "mean ± 95% CI half-width")
        + "). "
        "'worse on': how many headline metrics are clearly worse than the baseline's "
        "(95% CI); 'none worse': worse on none."
    )
    return "\n".join([*textwrap.wrap(title, WIDTH), _grid(head, rows)])


def answers_text(answers) -> str:
    """Each plan's answer (see `sim.report.narrative.plan_answer`), wrapped to WIDTH."""
    out = []
    for answer in answers:
        text = f"{answer.plan}: " + " ".join(answer.sentences())
        out += textwrap.wrap(text, WIDTH, initial_indent="  ", subsequent_indent="      ")
    return "\n".join(out)


OTE_NOTE = (
    "Full-year reps held their seat all year: leavers, more often those paid below "
    "target (attrition.pay_shortfall_coef), are left out, and accelerators pay more "
    "than 1x above quota, so the simulated mean can exceed OTE."
)


def ote_table(check) -> str:
    """The OTE check as text: stated OTE, payout at 100% attainment, simulated pay."""
    lines = [
        "OTE check (AE, $/yr): stated | the plan's arithmetic at 100% attainment |",
        "  simulated mean pay of full-year reps [95% CI]",
    ]
    width = max(len(p) for p in check.plan)
    for row in check.itertuples():
        lines.append(
            f"  {row.plan.ljust(width)}  {money(row.ote)} | {money(row.payout_at_100)} | "
            f"{money(row.simulated_mean_pay)} [{money(row.simulated_ci_low)}, "
            f"{money(row.simulated_ci_high)}]"
        )
    lines += textwrap.wrap(OTE_NOTE, WIDTH, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(lines)


def written(out: str | Path) -> str:
    """A command's last console line: the folder it wrote and the files in it, wrapped
    to the console's width."""
    files = ", ".join(sorted(p.name for p in Path(out).iterdir()))
    return textwrap.fill(f"wrote {out}/ ({files})", WIDTH, subsequent_indent="  ")
