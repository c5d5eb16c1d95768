"""Budgets: each plan's variable pay scaled to a comp-cost or margin target."""

import numpy as np
import pandas as pd
import pytest
from helpers import run_cli, sim_main, small_scenario, small_scenario_file, xlsx_formats

import sim
from sim.budget import CLOSE_ENOUGH, Target, _Evaluator, budget, max_scale
from sim.variants import merge_runs, run_plan

N = 24

# "rich" defers half its commission by 18 months: its tail sets the automatic warm-up,
# which a plan run alone (each scale is) must keep
TWO_PLANS = [
    {"name": "standard"},
    {
        "name": "rich",
        "components": [
            {
                "type": "bookings_commission",
                "rate": 0.2,
                "paid_at_booking": 0.5,
                "remainder_after_months": 18,
            }
        ],
    },
]


@pytest.fixture(scope="module")
def scenario():
    return small_scenario(plans=TWO_PLANS)


@pytest.fixture(scope="module")
def at_rate_one(scenario):
    """The plans as written: what their comp cost ratio is before any scaling."""
    return sim.run(scenario, replications=N, seed=4).summary().set_index(["plan", "metric"])


@pytest.fixture(scope="module")
def solved(scenario, at_rate_one):
    """A target between the two plans: one starts under it, the other over it."""
    low = at_rate_one.at[("standard", "comp_cost_ratio"), "mean"]
    high = at_rate_one.at[("rich", "comp_cost_ratio"), "mean"]
    assert low < high
    return budget(scenario, Target("comp_ratio", (low + high) / 2), replications=N, seed=4)


def test_budget_lands_on_the_target_from_under_and_over_it(solved):
    table = solved.table().set_index("plan")
    assert table.at["standard", "scale"] > 1 > table.at["rich", "scale"]
    for plan in ("standard", "rich"):
        row = table.loc[plan]
        assert row.achieved_ci_low <= row.target <= row.achieved_ci_high, plan
        assert row.achieved == pytest.approx(row.target, rel=0.01)
        # the search stopped on the target within a twentieth of the answer's own error
        half = (row.achieved_ci_high - row.achieved_ci_low) / 2
        assert abs(row.achieved - row.target) <= CLOSE_ENOUGH * half
        assert row.comp_cost_ratio == pytest.approx(row.achieved)  # the mean is the target


def test_scaled_plans_pay_the_same_design_at_other_rates(solved, scenario):
    for name, result in solved.plans.items():
        rate = solved.budgeted.plan(name).components[0].rate
        assert rate == pytest.approx(scenario.plan(name).components[0].rate * result.scale)
        assert solved.budgeted.plan(name).base_salary == scenario.plan(name).base_salary


def test_budgeted_toml_reproduces_the_budget(solved, tmp_path):
    from sim.scenario.writer import scenario_to_toml

    path = tmp_path / "budgeted.toml"
    path.write_text(scenario_to_toml(solved.budgeted))
    again = sim.run(sim.load_scenario(path), jobs=1)  # its own seed and replications
    pd.testing.assert_frame_equal(again.replications, solved.run.replications)


def test_plans_run_alone_keep_the_warm_up_they_have_together(scenario):
    """The automatic warm-up fits the longest tail of any plan ("rich": 18 months), so a
    plan run alone, as budgets, variants and optimizations do, keeps it: one-plan runs
    merge into exactly the run of all plans, and a budget's evaluation at scale 1 is
    the plan's numbers in that run."""
    auto = scenario.with_values({"company.burn_in_months": "auto"})
    together = sim.run(auto, replications=6, seed=2)
    alone = [run_plan(auto, p, replications=6, seed=2) for p in auto.plans]
    merged = merge_runs(auto, alone)
    pd.testing.assert_frame_equal(merged.replications, together.replications)
    pd.testing.assert_frame_equal(merged.by_year, together.by_year)
    assert merged.meta["warm_up"] == together.meta["warm_up"]
    evaluator = _Evaluator(auto, auto.plans[0], Target("comp_ratio", 0.1), 6, 2, 1, None)
    evaluator(1.0)
    at_one = evaluator.cache[1.0][1].replications
    standard = together.replications.query("plan == 'standard'").reset_index(drop=True)
    pd.testing.assert_frame_equal(at_one.reset_index(drop=True), standard)
    # on its own, "standard" would warm up for its own shorter tail: a younger company
    own = sim.run(auto.model_copy(update={"plans": [auto.plans[0]]}), 6, 2)
    assert own.meta["warm_up"]["months"] < together.meta["warm_up"]["months"]


def test_a_p90_target_holds_in_nine_runs_of_ten(scenario, at_rate_one):
    target = Target(
        "comp_ratio", at_rate_one.at[("standard", "comp_cost_ratio"), "p90"], quantile=0.9
    )
    result = budget(scenario, target, replications=40, seed=4, plans=["standard"])
    ratios = result.run.replications.comp_cost_ratio.to_numpy()
    share_under = np.mean(ratios <= target.value + 1e-12)
    assert 0.85 <= share_under <= 0.95
    row = result.table().iloc[0]
    assert row.achieved_ci_low <= target.value <= row.achieved_ci_high


def test_an_operating_margin_target(scenario, at_rate_one):
    margin = at_rate_one.at[("standard", "operating_margin"), "mean"] - 0.01
    result = budget(
        scenario, Target("operating_margin", margin), replications=N, seed=4, plans=["standard"]
    )
    row = result.table().iloc[0]
    assert row.scale > 1  # a lower margin leaves room for more variable pay
    assert row.achieved_ci_low <= margin <= row.achieved_ci_high


def test_a_budget_for_next_year_alone(scenario, solved):
    """Year 1's comp cost ratio is higher than the horizon's while ARR grows, so holding
    the same ratio in year 1 alone leaves a smaller scale; the year's numbers match."""
    target = Target("comp_ratio", solved.target.value, year=1)
    result = budget(scenario, target, replications=N, seed=4, plans=["standard"])
    row = result.table().iloc[0]
    assert row.scale < solved.plans["standard"].scale
    assert row.achieved_ci_low <= target.value <= row.achieved_ci_high
    year_1 = result.run.by_year.query("year == 1")
    assert row.revenue == pytest.approx(year_1.revenue.mean())
    with pytest.raises(sim.UserError, match="--year 3: the scenario reports 2 year"):
        budget(scenario, Target("comp_ratio", 0.1, year=3), replications=2)


def test_reps_reoptimize_at_every_scale():
    """With reps choosing (mode "dynamic"), each evaluation is a run of the scaled plan
    itself, its policy solved against the scaled rates: the budget's final numbers are
    exactly those of a run of the scaled plan."""
    from sim.plans.config import scale_variable_pay

    grid = {"discount": [0.0, 0.2], "overforecast": [0.0, 0.3], "fit_threshold": [0.0]}
    scenario = small_scenario(behavior={"mode": "dynamic", "skill_bins": 2, "grid": grid})
    result = budget(scenario, Target("comp_ratio", 0.2), replications=6, seed=1)
    solved = result.plans["standard"]
    scaled = scale_variable_pay(scenario.plans[0], solved.scale)
    alone = sim.run(scenario.model_copy(update={"plans": [scaled]}), replications=6, seed=1)
    pd.testing.assert_frame_equal(alone.replications, solved.result.replications)
    assert alone.replications.chosen_discount.notna().all()  # strategies were chosen
    row = result.table().iloc[0]
    assert row.achieved_ci_low <= 0.2 <= row.achieved_ci_high


def test_max_scale_stops_where_a_rate_reaches_100_percent(scenario):
    assert max_scale(scenario.plan("rich")) == pytest.approx(5.0, rel=1e-6)  # 0.2 x 5 = 1


@pytest.mark.parametrize(
    "target, message",
    [
        ("0.01", "infeasible: the mean comp cost / revenue (cash) is "),
        ("0.95", "out of reach: at the largest scale its settings allow"),
    ],
)
def test_an_infeasible_target_is_one_line_exit_2_and_writes_nothing(tmp_path, target, message):
    out = tmp_path / "results" / "budget"
    small = small_scenario_file(tmp_path)
    done = sim_main(
        "budget", small, "--comp-ratio", target,
        "-n", "3", "--out", out, "-q",
    )  # fmt: skip
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert not out.exists() and not list(out.parent.iterdir())


class _Curve:
    """A stand-in for `_Evaluator`: the target's statistic as a given function of the
    scale, with its gap signed as the evaluator signs it."""

    def __init__(self, target, statistic):
        self.target, self.statistic = target, statistic

    def __call__(self, scale):
        return self.statistic(scale)

    def gap(self, scale):
        sign = 1.0 if self.target.rises_with_pay else -1.0
        return sign * (self.statistic(scale) - self.target.value)


@pytest.mark.parametrize(
    "kind, value, curve, why",
    [
        # commission buys revenue: the margin is 19% on salaries alone, 20.5% as written
        ("operating_margin", 0.21, lambda s: 0.19 + 0.03 * s - 0.015 * s * s, "paying less"),
        ("comp_ratio", 0.07, lambda s: 0.079 - 0.004 * s + 0.002 * s * s, "paying less"),
        # pay that buys nothing: the cheapest end is base salaries alone
        ("comp_ratio", 0.01, lambda s: 0.05 + 0.02 * s, "base salaries alone cost more"),
        ("operating_margin", 0.5, lambda s: 0.2 - 0.02 * s, "leave less margin"),
    ],
)
def test_an_infeasible_target_names_both_ends_and_which_is_nearer(
    scenario, kind, value, curve, why
):
    """Variable pay also buys revenue, so the margin can be higher as written than on
    base salaries alone: the error gives both ends' statistic and does not send the
    reader towards paying less when that is further from the target."""
    from sim.budget import _bracket
    from sim.errors import UserError

    target = Target(kind, value)
    with pytest.raises(UserError) as raised:
        _bracket(_Curve(target, curve), scenario.plan("rich"), target)
    message = str(raised.value)
    assert f"is {100 * curve(1.0):.2f}% as written (scale 1)" in message, message
    assert f"and {100 * curve(0.0):.2f}% with no variable pay (scale 0)" in message, message
    assert why in message, message


TWO_PLANS_TOML = """
[[plans]]
name = "upfront_bookings"
[[plans.components]]
type = "bookings_commission"
rate = 0.07
basis = "tcv"
[[plans]]
name = "unused"
components = []
[[plans]]
name = "revenue_realization"
[[plans.components]]
type = "revenue_commission"
rate = 0.085
"""


def test_sim_budget_writes_its_folder(tmp_path):
    out = tmp_path / "budget"
    small = small_scenario_file(tmp_path, TWO_PLANS_TOML)
    done = run_cli(
        "budget", small, "--comp-ratio", "16%", "--plans",
        "upfront_bookings,revenue_realization", "-n", "4", "--out", out, "-j", "2", "--xlsx",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out / "budget.csv")
    assert list(table.columns[:6]) == [
        "plan", "scale", "target", "achieved", "achieved_ci_low", "achieved_ci_high",
    ]  # fmt: skip
    for name in ("revenue", "grr", "new_arr", "comp_cost", "operating_margin"):
        assert {name, f"{name}_ci_low", f"{name}_ci_high"} <= set(table.columns)
    assert list(table.plan) == ["upfront_bookings", "revenue_realization"]
    names = {p.name for p in out.iterdir()}
    assert {"budgeted.toml", "budget_evaluations.csv", "report.html", "budget.xlsx"} <= names
    budgeted = sim.load_scenario(out / "budgeted.toml")
    assert budgeted.simulation.replications == 4
    # each plan's description says it was scaled: the text as written is of scale 1
    for plan, scale in zip(budgeted.plans, table.scale, strict=True):
        assert f"scaled by sim budget: variable pay x{scale:.4g}" in plan.description
    assert "upfront_bookings" in done.stdout and "scale" in done.stdout
    # the operating margin shown beside the target is named by its basis, and the table
    # fits the console's 100 columns
    lines = done.stdout.splitlines()
    head = "plan scale achieved [95% CI] revenue new ARR GRR cash margin"
    assert lines[1].split() == head.split(), done.stdout
    assert [line.split()[0] for line in lines[3:5]] == list(table.plan), done.stdout
    assert max(len(line) for line in lines) <= 100, done.stdout
    evaluations = xlsx_formats(out / "budget.xlsx", "Evaluations")
    assert evaluations["statistic"] == "0.00%"  # a comp cost ratio, not 0.16 to 2 places
    assert xlsx_formats(out / "budget.xlsx", "Budget")["scale"] == "General"


def test_a_salary_only_plan_has_nothing_to_scale(tmp_path):
    small = small_scenario_file(tmp_path, TWO_PLANS_TOML)
    done = sim_main("budget", small, "--comp-ratio", "0.2", "-n", "2", "--out", tmp_path / "b")
    assert done.returncode == 2, done.stderr
    assert "plan 'unused': no variable pay to scale (leave it out with --plans)" in done.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--comp-ratio", "1.5"], "--comp-ratio 1.5: must be between 0 and 1"),
        (["--comp-ratio", "0.1", "--quantile", "2"], "--quantile 2.0: must be between 0 and 1"),
        (["--comp-ratio", "0.1", "--plans", "standrd"], "--plans 'standrd': no plan of that name"),
        (["--comp-ratio", "0.1", "--plans", "standrd"], "did you mean 'standard'?"),
        ([], "one of the arguments --comp-ratio --operating-margin is required"),
    ],
)
def test_sim_budget_bad_options(tmp_path, args, message):
    done = sim_main("budget", "scenarios/default.toml", *args, "--out", tmp_path / "b")
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert not list(tmp_path.iterdir())


def test_help_says_what_shares_the_seed():
    """Each FP&A command's --seed help names what runs on it (budget's said 'every
    point', sweep's word)."""
    shown = {c: " ".join(sim_main(c, "--help").stdout.split()) for c in ("budget", "optimize")}
    assert "the same for every evaluation (default" in shown["budget"]
    assert "every search evaluation (the recheck runs on the next seed)" in shown["optimize"]
