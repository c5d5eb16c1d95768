"""Paired comparison against a baseline: exact zeros, exact shifts, P(better), errors."""

import numpy as np
import pandas as pd
import pytest
from helpers import sim_main, small_scenario

import sim
from sim.analysis import COMPARISON_COLUMNS, compare, p_better, paired_difference
from sim.errors import UserError

REQUIRED = [
    "plan",
    "baseline",
    "metric",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "rel_change",
    "p_better",
    "n",
]


def test_identical_plans_differ_by_exactly_zero_with_zero_width_intervals():
    result = sim.run(small_scenario(plans=[{"name": "a"}, {"name": "b"}]), replications=6, seed=2)
    table = result.compare()
    assert list(table.columns[: len(REQUIRED)]) == REQUIRED
    assert set(table.plan) == {"b"} and set(table.baseline) == {"a"}
    assert set(table.metric) == set(result.metrics)
    defined = table[table.n > 0]
    assert len(defined) > 20
    for column in ("diff", "diff_ci_low", "diff_ci_high"):
        assert (defined[column] == 0.0).all(), column
    assert (defined.rel_change.dropna() == 0.0).all()
    assert (defined.p_better.dropna() == 0.5).all()  # ties count half
    pay = result.winners_losers()
    assert (pay.loc[pay.n > 0, "pay_diff"] == 0.0).all()
    assert (result.crn_gain().paired_se == 0.0).all()


def test_a_base_salary_raise_shows_as_exactly_that_comp_cost_and_no_revenue_change():
    raise_ = 12_000.0
    scenario = small_scenario(
        attrition={"pay_shortfall_coef": 0.0},
        plans=[{"name": "a"}, {"name": "raise", "base_salary": 75_000.0 + raise_}],
    )
    result = sim.run(scenario, replications=6, seed=3)
    table = result.compare().set_index("metric")
    for name in ("revenue", "new_arr", "ending_arr", "grr"):
        row = table.loc[name]
        assert row["diff"] == row.diff_ci_low == row.diff_ci_high == 0.0, name
    rows = result.replications
    a, b = (rows[rows.plan == p].set_index("replication") for p in ("a", "raise"))
    expected = a.comp_cost_base_salary * raise_ / 75_000.0  # the same seats, paid more
    np.testing.assert_allclose(b.comp_cost - a.comp_cost, expected, rtol=1e-9)
    assert table.loc["comp_cost", "diff"] == pytest.approx(expected.mean(), rel=1e-9)
    assert table.loc["ae_pay", "diff"] == pytest.approx(raise_, rel=1e-9)
    assert table.loc["comp_cost", "p_better"] == 0.0  # dearer in every company-run
    pay = result.winners_losers()
    np.testing.assert_allclose(pay.loc[pay.n > 0, "pay_diff"], raise_, rtol=1e-9)
    assert (pay.loc[pay.n > 0, "share_losing"] == 0).all()


def test_p_better_is_the_share_of_paired_runs_the_plan_wins_with_ties_half():
    plan, base = np.array([3.0, 1.0, 2.0, 5.0]), np.array([1.0, 2.0, 2.0, 4.0])
    assert p_better(plan, base, +1.0) == pytest.approx((2 + 0.5) / 4)
    assert p_better(plan, base, -1.0) == pytest.approx((1 + 0.5) / 4)
    assert np.isnan(p_better(plan, base, np.nan))


def test_paired_interval_is_the_t_interval_of_the_differences():
    rng = np.random.default_rng(0)
    base = rng.normal(100, 10, 40)
    plan = base * 1.05 + rng.normal(0, 1, 40)
    row = paired_difference(plan, base, +1.0)
    d = plan - base
    half = 2.022690911734728 * d.std(ddof=1) / np.sqrt(40)  # t(0.975, 39)
    assert row["diff"] == pytest.approx(d.mean())
    assert row["diff_ci_high"] - row["diff"] == pytest.approx(half)
    assert row["rel_change"] == pytest.approx(plan.mean() / base.mean() - 1)
    assert row["rel_ci_low"] < row["rel_change"] < row["rel_ci_high"]


def test_compare_table_from_any_replications_frame():
    frame = pd.DataFrame(
        {
            "plan": ["a"] * 3 + ["b"] * 3,
            "replication": [0, 1, 2] * 2,
            "revenue": [1.0, 2.0, 3.0, 2.0, 3.0, 4.5],
        }
    )
    table = compare(frame, "a")
    assert list(table.columns) == COMPARISON_COLUMNS
    row = table.iloc[0]
    assert row["diff"] == pytest.approx(7 / 6) and row.p_better == 1.0 and row.n == 3


def test_an_unknown_baseline_is_a_one_line_error_naming_it(tmp_path):
    result = sim.run(small_scenario(plans=[{"name": "a"}, {"name": "b"}]), replications=2, seed=1)
    with pytest.raises(UserError, match="nope"):
        result.compare(baseline="nope")
    cli = sim_main(
        "run",
        "scenarios/seed_designs.toml",
        "-n",
        "2",
        "--baseline",
        "clawbak",
        "--out",
        tmp_path / "x",
    )
    assert cli.returncode == 2
    lines = cli.stderr.strip().splitlines()
    assert len(lines) == 1 and "clawbak" in lines[0] and "clawback" in lines[0]
    assert not (tmp_path / "x").exists()
