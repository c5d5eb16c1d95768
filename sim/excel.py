"""Excel workbooks for FP&A: wide tables (plans as columns, metrics as rows, per year),
number formats ($, %, percentage points), and an Assumptions sheet listing every
scenario setting with its unit and meaning.

`sim run --xlsx` writes results.xlsx; `sim sweep/budget/optimize --xlsx` write
their own workbook with their table and the same Assumptions sheet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from pydantic import BaseModel

MONEY, PERCENT, POINTS, NUMBER = '"$"#,##0', "0.0%", '+0.00" pt";-0.00" pt";0.00" pt"', "#,##0.00"
MONEY_CHANGE, PERCENT_CHANGE = '+"$"#,##0;-"$"#,##0;"$"0', "+0.0%;-0.0%;0.0%"
HEAD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="F4F6F8")


def unit_of(name: str) -> str:
    from sim.metrics import metric

    try:
        return metric(name).unit
    except KeyError:
        return ""


def level_format(unit: str) -> str:
    """Excel number format for a metric's value."""
    if unit.startswith("$"):
        return MONEY
    if unit.startswith("fraction") or unit == "probability":
        return PERCENT
    return NUMBER


def change_format(unit: str) -> tuple[str, float]:
    """Excel number format for a change in a metric, and the factor to store it with:
    money in $, rates and shares in percentage points (x100, shown as 'pt')."""
    if unit.startswith("$"):
        return MONEY_CHANGE, 1.0
    if unit.startswith("fraction") or unit == "probability":
        return POINTS, 100.0
    return NUMBER, 1.0


# --- Sheets -------------------------------------------------------------------------------


def _header(ws: Worksheet, row: int, labels: list[str]) -> None:
    for col, text in enumerate(labels, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font, cell.fill = HEAD, HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _value(x: Any) -> Any:
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


def _widths(ws: Worksheet, first: int = 28, rest: int = 14) -> None:
    for col in range(1, ws.max_column + 1):
        ws.column_dimensions[get_column_letter(col)].width = first if col == 1 else rest
    ws.freeze_panes = "B2"


def wide_sheet(ws: Worksheet, summary: pd.DataFrame, plans: list[str]) -> None:
    """Metrics as rows, then per plan its mean, 95% CI and P10/P50/P90 as columns."""
    stats = [("mean", "mean"), ("ci_low", "95% low"), ("ci_high", "95% high")]
    stats += [("p10", "P10"), ("p50", "P50"), ("p90", "P90")]
    labels = ["metric", "unit"] + [f"{plan} {name}" for _, name in stats for plan in plans]
    _header(ws, 1, labels)
    table = summary.set_index(["plan", "metric"])
    for r, name in enumerate(dict.fromkeys(summary.metric), start=2):
        unit = unit_of(name)
        ws.cell(row=r, column=1, value=name)
        ws.cell(row=r, column=2, value=unit)
        col = 3
        for stat, _ in stats:
            for plan in plans:
                key = (plan, name)
                value = _value(table.at[key, stat]) if key in table.index else None
                ws.cell(row=r, column=col, value=value).number_format = level_format(unit)
                col += 1
    _widths(ws)


def by_year_sheet(
    ws: Worksheet, by_year: pd.DataFrame, summary: pd.DataFrame, plans: list[str]
) -> None:
    """Metrics as rows; per plan a column per year and one for the horizon (means)."""
    years = sorted(by_year.year.unique())
    ws.cell(row=1, column=1, value="metric").font = HEAD
    ws.cell(row=1, column=2, value="unit").font = HEAD
    col = 3
    for plan in plans:
        ws.cell(row=1, column=col, value=plan).font = HEAD
        ws.merge_cells(start_row=1, start_column=col, end_row=1, end_column=col + len(years))
        for j, year in enumerate([*years, "all years"]):
            cell = ws.cell(row=2, column=col + j, value=f"year {year}" if year in years else year)
            cell.font, cell.fill = HEAD, HEAD_FILL
        col += len(years) + 1
    means = by_year.set_index(["plan", "year", "metric"])["mean"]
    horizon = summary.set_index(["plan", "metric"])["mean"]
    for r, name in enumerate(dict.fromkeys(by_year.metric), start=3):
        unit = unit_of(name)
        ws.cell(row=r, column=1, value=name)
        ws.cell(row=r, column=2, value=unit)
        col = 3
        for plan in plans:
            for year in [*years, None]:
                key = (plan, name) if year is None else (plan, year, name)
                source = horizon if year is None else means
                value = _value(source.get(key, np.nan))
                ws.cell(row=r, column=col, value=value).number_format = level_format(unit)
                col += 1
    _widths(ws)
    ws.freeze_panes = "C3"


def comparison_sheet(ws: Worksheet, comparison: pd.DataFrame, plans: list[str]) -> None:
    """Metrics as rows; per plan the paired change against the baseline with its 95% CI
    ($ for money, percentage points for rates), the relative change and P(better)."""
    stats = [("diff", "change"), ("diff_ci_low", "95% low"), ("diff_ci_high", "95% high")]
    others = [p for p in plans if p in set(comparison.plan)]
    baseline = comparison.baseline.iloc[0] if len(comparison) else ""
    labels = ["metric", "unit"]
    labels += [f"{p} {name} vs {baseline}" for _, name in stats for p in others]
    labels += [f"{p} % change" for p in others] + [f"{p} P(better)" for p in others]
    _header(ws, 1, labels)
    table = comparison.set_index(["plan", "metric"])
    for r, name in enumerate(dict.fromkeys(comparison.metric), start=2):
        unit = unit_of(name)
        fmt, factor = change_format(unit)
        ws.cell(row=r, column=1, value=name)
        ws.cell(row=r, column=2, value=unit)
        col = 3
        for column, number_format, scale in [(s, fmt, factor) for s, _ in stats] + [
            ("rel_change", PERCENT_CHANGE, 1.0),
            ("p_better", PERCENT, 1.0),
        ]:
            for plan in others:
                value = (
                    _value(table.at[(plan, name), column]) if (plan, name) in table.index else None
                )
                cell = ws.cell(row=r, column=col, value=None if value is None else value * scale)
                cell.number_format = number_format
                col += 1
    _widths(ws)


def long_sheet(ws: Worksheet, table: pd.DataFrame, money=(), percent=(), units=None) -> None:
    """A table as it is (one row per record); a column named after a metric (or its
    interval's ends, `revenue_ci_low`, or a percentile of it, `p90:comp_cost_ratio`) is
    in the metric's unit, columns in `money` in $, in `percent` in %, those `units`
    names (a scenario setting, a statistic) in that unit, other decimals as numbers."""
    _header(ws, 1, [str(c) for c in table.columns])
    formats = [_column_format(table, c, money, percent, units or {}) for c in table.columns]
    for r, row in enumerate(table.itertuples(index=False), start=2):
        for c, (value, fmt) in enumerate(zip(row, formats, strict=True), start=1):
            cell = ws.cell(row=r, column=c, value=_value(value))
            if fmt:
                cell.number_format = fmt
    _widths(ws, first=16, rest=14)


def _column_format(table: pd.DataFrame, column: str, money, percent, units) -> str | None:
    if not pd.api.types.is_float_dtype(table[column]):
        return None
    if column in money:
        return MONEY
    if column in percent:
        return PERCENT
    if column in units:
        return setting_format(units[column])
    unit = unit_of(_metric_of(column))
    return level_format(unit) if unit else NUMBER


def _metric_of(column: str) -> str:
    """The metric a column holds: 'p90:comp_cost_ratio_ci_low' -> 'comp_cost_ratio' (not
    a pay line 'comp_cost_' + 'ratio_ci_low')."""
    name = column.rpartition(":")[2]
    return name.removesuffix("_ci_low").removesuffix("_ci_high")


def setting_format(unit: str) -> str:
    """Excel number format for a scenario setting (or a statistic) in `unit`: money in $,
    fractions in % to 2 decimals (a rate of 12.55%), anything else in full ('General'),
    since two settings a sweep or a search tells apart may agree to 2 decimals."""
    if unit.startswith("$"):
        return MONEY
    if unit.startswith("fraction") or unit == "probability":
        return "0.00%"
    return "General"


def metric_rows_sheet(
    ws: Worksheet, table: pd.DataFrame, value_columns: list[str], units=None
) -> None:
    """A long table with a `metric` column: each row's values formatted in its metric's
    unit (changes in $ or percentage points); other columns as `long_sheet` does."""
    long_sheet(ws, table, units=units)
    columns = list(table.columns)
    for r, name in enumerate(table.metric, start=2):
        unit = unit_of(name)
        for column in value_columns:
            if column not in columns:
                continue
            cell = ws.cell(row=r, column=columns.index(column) + 1)
            if column.startswith("diff") and cell.value is not None:
                fmt, factor = change_format(unit)
                cell.value, cell.number_format = cell.value * factor, fmt
            else:
                cell.number_format = level_format(unit)


# --- Assumptions --------------------------------------------------------------------------


def settings(scenario) -> list[tuple[str, Any, str, str]]:
    """Every setting of a scenario as (dotted path, value, unit, meaning), with paths
    that `--set` and `Scenario.with_values` accept."""
    rows: list[tuple[str, Any, str, str]] = []
    _walk(scenario, "", rows)
    return rows


def _walk(model: BaseModel, prefix: str, rows: list) -> None:
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        value = getattr(model, name)
        path = f"{prefix}{key}"
        extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
        unit, meaning = extra.get("unit", ""), field.description or ""
        if isinstance(value, BaseModel) and "dist" not in type(value).model_fields:
            _walk(value, f"{path}.", rows)
        elif isinstance(value, list) and value and isinstance(value[0], BaseModel):
            for i, item in enumerate(value):
                _walk(item, f"{path}.{_item_label(value, item, i)}.", rows)
        else:
            rows.append((path, _text(value), unit, meaning))


def _item_label(items: list, item: BaseModel, index: int) -> str:
    for attr in ("name", "type"):
        label = getattr(item, attr, None)
        if isinstance(label, str) and sum(getattr(x, attr, None) == label for x in items) == 1:
            return label
    return str(index)


def _text(value: Any) -> Any:
    if isinstance(value, BaseModel):
        fields = value.model_dump()
        dist = fields.pop("dist")
        return f"{dist}(" + ", ".join(f"{k}={v}" for k, v in fields.items()) + ")"
    if isinstance(value, list | dict):
        return str(value)
    return value


def assumptions_sheet(ws: Worksheet, scenario) -> None:
    _header(ws, 1, ["setting", "value", "unit", "meaning"])
    for r, row in enumerate(settings(scenario), start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)
    _widths(ws, first=56, rest=18)
    ws.column_dimensions["D"].width = 80


# --- Workbooks ----------------------------------------------------------------------------


def write_run_xlsx(result, analysis, path: Path, extra: dict | None = None) -> None:
    """results.xlsx: Summary and By year (wide), Comparison, Risk, OTE check, Winners
    and losers, Replications, Assumptions."""
    from sim.report.finance import risk_rows

    plans = result.plans
    wb = Workbook()
    wide_sheet(wb.active, analysis.summary, plans)
    wb.active.title = "Summary"
    if analysis.summary_by_year is not None and not analysis.summary_by_year.empty:
        by_year_sheet(wb.create_sheet("By year"), analysis.summary_by_year, analysis.summary, plans)
    if len(analysis.comparison):
        comparison_sheet(wb.create_sheet("Comparison"), analysis.comparison, plans)
    risk = risk_rows(analysis.summary, plans)
    money = [c for c in risk.columns if c.startswith("comp_cost_p")]
    long_sheet(
        wb.create_sheet("Risk"), risk, money, [c for c in risk.columns[1:] if c not in money]
    )
    ote = analysis.ote_check
    long_sheet(wb.create_sheet("OTE check"), ote, [c for c in ote.columns[1:-1]])
    wl = analysis.winners_losers
    long_sheet(
        wb.create_sheet("Winners and losers"),
        wl,
        [c for c in wl.columns if "pay" in c or c.startswith("diff_ci")],
        ["rel_change", "share_losing"],
    )
    for name, table in (extra or {}).items():
        long_sheet(wb.create_sheet(name), table)
    replications_sheet(
        wb.create_sheet("Replications"),
        result.replications_of(result.metrics, first=shown_per_plan(len(result.plans))),
        total_rows=result.n_replications * len(result.plans),
    )
    assumptions_sheet(wb.create_sheet("Assumptions"), result.scenario)
    wb.save(path)


REPLICATION_ROWS = 20_000  # rows of the Replications sheet at most (~25 s of openpyxl)


def shown_per_plan(n_plans: int) -> int:
    """Replications of each plan the Replications sheet shows (all of them up to the cap)."""
    return max(1, REPLICATION_ROWS // max(n_plans, 1))


def replications_sheet(ws: Worksheet, table: pd.DataFrame, total_rows: int | None = None) -> None:
    """The replications table, or for a big run its first replications of every plan
    (at most `REPLICATION_ROWS` rows in all: a workbook of a million rows takes an hour
    to write, and Excel opens no more), with a last row saying where every row is.
    `table` may hold only the first rows of a table of `total_rows` (default: its own)."""
    per_plan = shown_per_plan(table["plan"].nunique())
    shown = table[table.groupby("plan", sort=False).cumcount() < per_plan]
    long_sheet(ws, shown)
    total = len(table) if total_rows is None else total_rows
    if len(shown) < total:
        ws.cell(
            row=len(shown) + 3,
            column=1,
            value=f"the first {per_plan:,} replications of each plan, {len(shown):,} of "
            f"{total:,} rows: every row is in replications.csv",
        )


def write_table_xlsx(scenario, sheets: dict[str, pd.DataFrame], path: Path, units=None) -> None:
    """A workbook of long tables (with per-row metric formats where a `metric` column
    says which; `units` of the columns that are settings), then the Assumptions sheet."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, table in sheets.items():
        ws = wb.create_sheet(name)
        if "metric" in table.columns:
            metric_rows_sheet(ws, table, [c for c in table.columns if _is_stat(c)], units)
        else:
            long_sheet(ws, table, units=units)
    assumptions_sheet(wb.create_sheet("Assumptions"), scenario)
    wb.save(path)


def _is_stat(column: str) -> bool:
    return column in ("mean", "ci_low", "ci_high", "p10", "p50", "p90") or column.startswith("diff")


def write_sweep_xlsx(result, table: pd.DataFrame, path: Path) -> None:
    from sim.scenario.paths import unit_of as setting_unit

    units = {key: setting_unit(result.scenario, key) for key in result.axes}
    write_table_xlsx(result.scenario, {"Sweep": table}, path, units)


def write_budget_xlsx(result, analysis, table: pd.DataFrame, path: Path) -> None:
    """budget.xlsx: the budget table, the budgeted plans wide (summary, by year), the
    comparison at equal budget, every evaluation, and the budgeted scenario's settings."""
    plans = list(result.plans)
    wb = Workbook()
    ws = wb.active
    ws.title = "Budget"
    money = [c for c in table.columns if c.split("_ci_")[0] in ("revenue", "new_arr", "comp_cost")]
    money.append("ote")
    percent = [
        c
        for c in table.columns
        if c.startswith(("achieved", "target", "grr", "comp_cost_ratio", "operating_margin"))
    ]
    long_sheet(ws, table, money, percent, units={"scale": ""})
    wide_sheet(wb.create_sheet("Summary"), analysis.summary, plans)
    if not analysis.summary_by_year.empty:
        by_year_sheet(wb.create_sheet("By year"), analysis.summary_by_year, analysis.summary, plans)
    if len(analysis.comparison):
        comparison_sheet(wb.create_sheet("Comparison"), analysis.comparison, plans)
    statistic = {"scale": "", "statistic": unit_of(result.target.metric)}
    long_sheet(wb.create_sheet("Evaluations"), result.evaluation_table(), units=statistic)
    assumptions_sheet(wb.create_sheet("Assumptions"), result.budgeted)
    wb.save(path)
