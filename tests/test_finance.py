"""The finance model (operating margin, seat costs), per-year metrics and the
probability views FP&A budgets to."""

import numpy as np
import pandas as pd
import pytest
from helpers import sim_main, small_scenario, small_scenario_file

import sim
from sim.analysis import proportion_ci

NO_ATTRITION = {"base_monthly_hazard": 0.0, "pay_shortfall_coef": 0.0, "clawback_shock_coef": 0.0}


@pytest.fixture(scope="module")
def result():
    scenario = small_scenario(company={"months": 36})
    return sim.run(scenario, replications=12, seed=5)


def by_year(result, metric: str) -> np.ndarray:
    """(replications, years) of one metric."""
    table = result.by_year.pivot(index="replication", columns="year", values=metric)
    return table.sort_index().to_numpy()


def horizon(result, metric: str) -> np.ndarray:
    return result.replications.sort_values("replication")[metric].to_numpy()


@pytest.mark.parametrize("flow", ["revenue", "new_arr", "comp_cost", "comp_expense", "seat_cost"])
def test_flows_per_year_average_to_the_horizon_flow(result, flow):
    assert by_year(result, flow).shape == (12, 3)
    np.testing.assert_allclose(by_year(result, flow).mean(axis=1), horizon(result, flow), rtol=1e-9)


def test_ratios_per_year_pool_the_same_sums_as_the_horizon(result):
    comp, revenue = by_year(result, "comp_cost"), by_year(result, "revenue")
    np.testing.assert_allclose(by_year(result, "comp_cost_ratio"), comp / revenue, rtol=1e-9)
    pooled = comp.sum(axis=1) / revenue.sum(axis=1)
    np.testing.assert_allclose(horizon(result, "comp_cost_ratio"), pooled, rtol=1e-9)


def test_stocks_and_cohorts_per_year(result):
    np.testing.assert_allclose(by_year(result, "ending_arr")[:, -1], horizon(result, "ending_arr"))
    np.testing.assert_allclose(by_year(result, "grr").mean(axis=1), horizon(result, "grr"))
    arr = result.arr_by_month["standard"]
    np.testing.assert_allclose(by_year(result, "ending_arr")[:, 0], arr[:, 11])


def test_a_partial_last_year_is_annualized_and_has_no_cohort():
    scenario = small_scenario(company={"months": 18})
    result = sim.run(scenario, replications=4, seed=2)
    revenue = by_year(result, "revenue")
    # 12 months of year 1 and 6 of year 2, each per year of its own length
    np.testing.assert_allclose(
        (revenue[:, 0] + revenue[:, 1] / 2) / 1.5, horizon(result, "revenue")
    )
    assert np.isnan(by_year(result, "grr")[:, 1]).all()


def test_fixed_opex_lowers_operating_income_by_exactly_its_amount():
    """Same seed, so the same company-runs: only the cost line moves."""
    base = sim.run(small_scenario(), replications=6, seed=3)
    more = sim.run(
        small_scenario(finance={"other_opex_fixed": 1_000_000.0}), replications=6, seed=3
    )
    np.testing.assert_allclose(
        horizon(base, "operating_income") - horizon(more, "operating_income"), 1_000_000.0
    )
    np.testing.assert_allclose(horizon(base, "revenue"), horizon(more, "revenue"))
    drop = horizon(base, "operating_margin") - horizon(more, "operating_margin")
    np.testing.assert_allclose(drop, 1_000_000.0 / horizon(base, "revenue"))


def test_seat_costs_with_every_seat_always_filled():
    scenario = small_scenario(
        attrition=NO_ATTRITION, finance={"ae_seat_cost": 40_000.0, "csm_seat_cost": 10_000.0}
    )
    result = sim.run(scenario, replications=3, seed=1)
    expected = 6 * 40_000.0 + 2 * 10_000.0  # 6 AE seats and 2 CSMs, all year
    np.testing.assert_allclose(horizon(result, "seat_cost"), expected)
    np.testing.assert_allclose(by_year(result, "seat_cost"), expected)


def test_operating_margin_adds_up():
    scenario = small_scenario(finance={"other_opex_share": 0.3, "other_opex_fixed": 2e5})
    r = sim.run(scenario, replications=4, seed=8).replications
    fin = scenario.finance
    expected = (
        fin.gross_margin
        - fin.other_opex_share
        - r.comp_cost_ratio
        - (r.seat_cost + fin.other_opex_fixed) / r.revenue
    )
    np.testing.assert_allclose(r.operating_margin, expected, rtol=1e-9)
    on_expense = r.operating_margin + (r.comp_cost - r.comp_expense) / r.revenue
    np.testing.assert_allclose(r.operating_margin_expense, on_expense, rtol=1e-9)


def test_probability_views_count_company_runs_over_the_limit(result):
    r = result.replications
    limit = result.scenario.finance.comp_ratio_limit
    np.testing.assert_array_equal(r.over_comp_limit, (r.comp_cost_ratio > limit) * 1.0)
    floor = result.scenario.finance.margin_floor
    np.testing.assert_array_equal(r.below_margin_floor, (r.operating_margin < floor) * 1.0)
    # a limit at the median comp cost ratio: about half the company-runs are over it
    median = float(np.median(r.comp_cost_ratio))
    scenario = result.scenario.model_copy(
        update={"finance": result.scenario.finance.model_copy(update={"comp_ratio_limit": median})}
    )
    again = sim.run(scenario, replications=12, seed=5).summary().set_index("metric")
    assert again.at["over_comp_limit", "mean"] == pytest.approx(0.5, abs=1 / 12)


def test_wilson_interval_keeps_a_width_at_zero_and_one():
    p, low, high, n = proportion_ci(np.zeros(100))
    assert (p, low, n) == (0.0, 0.0, 100) and 0.03 < high < 0.045  # rule of three: ~3/n
    p, low, high, _ = proportion_ci(np.ones(100))
    assert p == 1.0 and high == 1.0 and 0.955 < low < 0.97
    p, low, high, _ = proportion_ci(np.r_[np.ones(30), np.zeros(70)])
    assert low < 0.3 < high and high - low == pytest.approx(2 * 1.96 * np.sqrt(0.21 / 100), 0.05)


def test_run_writes_the_per_year_tables(tmp_path):
    out = tmp_path / "res"
    small = small_scenario_file(tmp_path)  # 24 months
    done = sim_main("run", small, "-n", "4", "--seed", "2", "--out", out, "-q")
    assert done.returncode == 0, done.stderr
    rows = pd.read_csv(out / "by_year.csv")
    assert list(rows.columns[:3]) == ["plan", "replication", "year"]
    assert sorted(rows.year.unique()) == [1, 2] and len(rows) == 4 * 2
    summary = pd.read_csv(out / "summary_by_year.csv")
    assert list(summary.columns[:3]) == ["plan", "year", "metric"]
    assert {"operating_margin", "over_comp_limit"} <= set(summary.metric)
    report = (out / "report.html").read_text()
    assert "year by year" in report and "chance of breaking the budget" in report
