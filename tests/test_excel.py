"""The FP&A workbook: wide sheets with number formats, every setting listed."""

import openpyxl
import pytest
from helpers import small_scenario

import sim
from sim.analysis import analyze
from sim.excel import MONEY, PERCENT, POINTS, settings, write_run_xlsx
from sim.scenario.paths import get_value


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    scenario = small_scenario(
        plans=[
            {"name": "standard"},
            {"name": "rich", "components": [{"type": "bookings_commission", "rate": 0.15}]},
        ]
    )
    result = sim.run(scenario, replications=4, seed=3)
    path = tmp_path_factory.mktemp("xlsx") / "results.xlsx"
    write_run_xlsx(result, analyze(result), path)
    return openpyxl.load_workbook(path), result


def rows(ws):
    return {ws.cell(row=r, column=1).value: r for r in range(1, ws.max_row + 1)}


def test_summary_is_wide_with_number_formats(workbook):
    wb, result = workbook
    ws = wb["Summary"]
    assert [ws.cell(row=1, column=c).value for c in (3, 4)] == ["standard mean", "rich mean"]
    at = rows(ws)
    revenue, ratio = (
        ws.cell(row=at["revenue"], column=3),
        ws.cell(row=at["comp_cost_ratio"], column=4),
    )
    assert revenue.number_format == MONEY and ratio.number_format == PERCENT
    expected = (
        result.summary().set_index(["plan", "metric"]).at[("rich", "comp_cost_ratio"), "mean"]
    )
    assert ratio.value == pytest.approx(expected)


def test_by_year_has_a_column_per_plan_and_year(workbook):
    wb, result = workbook
    ws = wb["By year"]
    assert ws.cell(row=1, column=3).value == "standard"
    assert [ws.cell(row=2, column=c).value for c in range(3, 6)] == [
        "year 1",
        "year 2",
        "all years",
    ]
    cell = ws.cell(row=rows(ws)["revenue"], column=3)
    expected = result.summary_by_year().set_index(["plan", "year", "metric"])
    assert cell.value == pytest.approx(expected.at[("standard", 1, "revenue"), "mean"])


def test_comparison_changes_in_points_for_rates(workbook):
    wb, result = workbook
    ws = wb["Comparison"]
    cell = ws.cell(row=rows(ws)["comp_cost_ratio"], column=3)
    assert cell.number_format == POINTS
    diff = result.compare().set_index(["plan", "metric"]).at[("rich", "comp_cost_ratio"), "diff"]
    assert cell.value == pytest.approx(100 * diff)


def test_assumptions_list_every_setting_by_a_path_with_values_accepts(workbook):
    wb, result = workbook
    listed = {r[0]: r[1] for r in wb["Assumptions"].iter_rows(min_row=2, values_only=True)}
    assert listed["finance.margin_floor"] == result.scenario.finance.margin_floor
    assert listed["plans.rich.components.bookings_commission.rate"] == 0.15
    for path, value, _, _ in settings(result.scenario):
        current = get_value(result.scenario, path)  # every listed path resolves
        if not isinstance(current, dict | list):  # distributions and lists are shown as text
            assert current == value, path


def test_a_big_run_s_replications_sheet_holds_the_first_runs_of_every_plan(monkeypatch, tmp_path):
    import pandas as pd
    from openpyxl import Workbook

    from sim import excel

    monkeypatch.setattr(excel, "REPLICATION_ROWS", 6)
    table = pd.DataFrame(
        {"plan": ["a"] * 5 + ["b"] * 5, "replication": list(range(5)) * 2, "revenue": 1.0}
    )
    ws = Workbook().active
    excel.replications_sheet(ws, table)
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    shown = [tuple(r[:2]) for r in cells[1:7]]
    assert shown == [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1), ("b", 2)]
    assert "6 of 10 rows" in cells[-1][0] and "replications.csv" in cells[-1][0]
    small = Workbook().active
    excel.replications_sheet(small, table.head(4))  # within the cap: every row, no note
    assert small.max_row == 5
