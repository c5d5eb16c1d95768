"""The FP&A section of a run's report: each plan year by year, and the chance of
breaking the comp budget or the margin floor.

A budget is set per year and to a percentile, not as a horizon mean: ARR grows
over the horizon, so the comp cost ratio of year 1 and year 3 differ a lot, and
what FP&A must know is how likely a plan is to overrun the limit it budgets to.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.report.table import chance, format_value

YEAR_COLUMNS = (
    ("revenue", "revenue", "$"),
    ("new_arr", "new ARR", "$"),
    ("ending_arr", "ending ARR", "$"),
    ("comp_cost", "comp cost (cash)", "$"),
    ("comp_cost_ratio", "comp / revenue", "fraction"),
    ("comp_expense_ratio", "comp / revenue, expense basis", "fraction"),
    ("operating_margin", "operating margin", "fraction"),
    ("over_comp_limit", "P(comp / revenue > limit)", "probability"),
)


def format_cell(value: float, unit: str) -> str:
    """A value for the FP&A tables: money, percentages, probabilities as %."""
    if unit == "probability":
        return chance(value)
    return format_value(value, unit)


def signed_cell(value: float, unit: str) -> str:
    """A change in its metric's unit, signed: '+$10.4M', '-0.35 pt' for a fraction or a
    probability (percentage points), '+12.5' otherwise."""
    if not np.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else "+"
    if unit.startswith("fraction") or unit == "probability":
        return f"{sign}{100 * abs(value):.2f} pt"
    return sign + format_value(abs(value), unit)


def constraints_text(constraints) -> str:
    """An optimization's constraints as a reader reads them, each bound in its metric's
    unit: 'revenue>=$45.0M, p90:comp_cost_ratio<=10.0%' (the manifest keeps the
    numbers as typed)."""
    from sim.metrics import metric_unit

    return ", ".join(
        f"{c.name}{c.op}{format_cell(c.bound, metric_unit(c.metric))}" for c in constraints
    )


def setting_text(value: float, unit: str) -> str:
    """A scenario setting in its schema unit ('$89.9K', '13.5%'); without one, 4
    significant figures."""
    return format_value(value, unit) if unit else f"{value:.4g}"


def _cell(row, unit: str) -> str:
    low, high = format_cell(row.ci_low, unit), format_cell(row.ci_high, unit)
    return f"{format_cell(row['mean'], unit)}<br><span class='ci'>[{low}, {high}]</span>"


def finance_section(result, analysis) -> str:
    """Per plan and year: money, ratios and the chance of overrunning the comp limit;
    then the probability views over the horizon."""
    from sim.report.html import esc

    fin = result.scenario.finance
    by_year = analysis.summary_by_year
    if by_year is None or by_year.empty:
        return ""
    means = by_year.set_index(["plan", "year", "metric"])
    horizon = analysis.summary.set_index(["plan", "metric"])
    head = "".join(f"<th>{esc(label)}</th>" for _, label, _ in YEAR_COLUMNS)
    rows = []
    for plan in result.plans:
        years = sorted(by_year[by_year.plan == plan].year.unique())
        for year in [*years, "all"]:
            table = horizon if year == "all" else means
            cells = []
            for name, _, unit in YEAR_COLUMNS:
                key = (plan, name) if year == "all" else (plan, year, name)
                cells.append(
                    f"<td>{_cell(table.loc[key], unit) if key in table.index else ''}</td>"
                )
            label = "all years (per year)" if year == "all" else f"year {year}"
            rows.append(
                f'<tr><td class="name">{esc(plan)}</td><td class="name">{label}</td>'
                + "".join(cells)
                + "</tr>"
            )
    years_table = (
        "<h2 id='by-year'>FP&amp;A: year by year</h2>\n"
        '<p class="note">Mean per plan and reported year with its 95% CI (flows per year; '
        "ending ARR at the year's end). The comp cost ratio falls as ARR grows, so budget "
        "each year, not the horizon mean. Per company-run and year: by_year.csv; means: "
        "summary_by_year.csv.</p>\n"
        f'<div class="scroll"><table id="years"><tr><th class="name">plan</th>'
        f'<th class="name">year</th>{head}</tr>\n' + "\n".join(rows) + "\n</table></div>"
    )
    return years_table + "\n" + _risk_table(risk_rows(analysis.summary, result.plans), fin)


def risk_rows(summary: pd.DataFrame, plans: list[str]) -> pd.DataFrame:
    """Per plan, the figures FP&A budgets to: the chance of overrunning the comp limit
    and of missing the margin floor (with 95% CIs), and comp cost at its P90."""
    horizon = summary.set_index(["plan", "metric"])
    rows = []
    for plan in plans:

        def get(metric, column, plan=plan):
            key = (plan, metric)
            return float(horizon.at[key, column]) if key in horizon.index else np.nan

        rows.append(
            {
                "plan": plan,
                "p_comp_ratio_over_limit": get("over_comp_limit", "mean"),
                "p_comp_ratio_over_limit_ci_low": get("over_comp_limit", "ci_low"),
                "p_comp_ratio_over_limit_ci_high": get("over_comp_limit", "ci_high"),
                "p_margin_under_floor": get("below_margin_floor", "mean"),
                "p_margin_under_floor_ci_low": get("below_margin_floor", "ci_low"),
                "p_margin_under_floor_ci_high": get("below_margin_floor", "ci_high"),
                "comp_cost_p50": get("comp_cost", "p50"),
                "comp_cost_p90": get("comp_cost", "p90"),
                "comp_cost_ratio_p90": get("comp_cost_ratio", "p90"),
                "operating_margin_p10": get("operating_margin", "p10"),
            }
        )
    return pd.DataFrame(rows)


def _risk_table(table: pd.DataFrame, fin) -> str:
    from sim.report.html import esc

    rows = []
    for r in table.to_dict(orient="records"):
        r = pd.Series(r)
        rows.append(
            f'<tr><td class="name">{esc(r.plan)}</td>'
            f"<td>{_interval(r, 'p_comp_ratio_over_limit')}</td>"
            f"<td>{_interval(r, 'p_margin_under_floor')}</td>"
            f"<td>{format_value(r.comp_cost_p50, '$')}</td>"
            f"<td>{format_value(r.comp_cost_p90, '$')}</td>"
            f"<td>{format_value(r.comp_cost_ratio_p90, 'fraction')}</td>"
            f"<td>{format_value(r.operating_margin_p10, 'fraction')}</td></tr>"
        )
    limit, floor = (
        format_value(fin.comp_ratio_limit, "fraction"),
        format_value(fin.margin_floor, "fraction"),
    )
    return (
        "<h2 id='risk'>FP&amp;A: the chance of breaking the budget</h2>\n"
        f'<p class="note">Over the horizon, per plan: the share of simulated company-runs '
        f"whose comp cost exceeds {limit} of revenue (finance.comp_ratio_limit) and whose "
        f"operating margin falls under {floor} (finance.margin_floor), with 95% CIs; comp "
        "cost at its median and P90 (nine company-runs in ten cost less), the comp cost "
        "ratio at its P90 and the operating margin at its P10. Budget to a percentile, not "
        "the mean.</p>\n"
        "<table id='risk-table'><tr><th class='name'>plan</th><th>P(comp / revenue &gt; "
        f"{limit})</th><th>P(operating margin &lt; {floor})</th><th>comp cost P50</th>"
        "<th>comp cost P90</th><th>comp / revenue P90</th><th>operating margin P10</th></tr>"
        + "".join(rows)
        + "</table>"
    )


def _interval(row: pd.Series, name: str) -> str:
    low, high = row[f"{name}_ci_low"], row[f"{name}_ci_high"]
    return (
        f"{format_cell(row[name], 'probability')} <span class='ci'>"
        f"[{format_cell(low, 'probability')}, {format_cell(high, 'probability')}]</span>"
    )
