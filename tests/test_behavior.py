"""Reps as agents: the choice rule, fixed mode, and the directions the sources predict.

Direction tests run several plans on the same seed (common random numbers) and
compare per-replication metrics paired by replication; each asserts the mean
paired difference exceeds 4 standard errors of that mean (fixed seeds: no flakes).
"""

import numpy as np
import pytest
from helpers import make_engine, small_scenario

import sim
from sim.behavior import Grid, PayoffTable, QuantalResponse, RepView
from sim.choice_model import choice_models
from sim.market import LEVERS, draw_market

GATE = [{"min_fit": 0.0, "multiplier": 0.0}, {"min_fit": 0.35, "multiplier": 1.0}]
PLANS = [
    {"name": "standard"},
    {
        "name": "upfront_tcv",
        "components": [{"type": "bookings_commission", "basis": "tcv", "rate": 0.075}],
    },
    {
        "name": "revenue_usage",
        "components": [
            {"type": "revenue_commission", "basis": "usage", "rate": 0.065, "months": 24}
        ],
    },
    {
        "name": "icp_gate",
        "components": [{"type": "bookings_commission"}, {"type": "fit_multiplier", "bands": GATE}],
    },
    {
        "name": "clawback",
        "components": [{"type": "bookings_commission"}, {"type": "clawback", "window_months": 12}],
    },
    {
        "name": "discount_adjusted",
        "components": [{"type": "bookings_commission"}, {"type": "discount_adjusted_rate"}],
    },
    {"name": "logo", "components": [{"type": "logo_bonus", "amount": 4000.0}]},
]
QBR = {
    "mode": "qbr",
    "levers": {"effort": False},
    "max_payoff_replications": 32,
    "payoff_replications": 6,
    "skill_bins": 2,
    "patience_bins": 1,
    "grid": {"discount": [0.0, 0.15, 0.3], "overforecast": [0.0, 0.3], "fit_threshold": [0.0, 0.4]},
}
COMPANY = {"n_reps": 10, "months": 24, "burn_in_months": 3}


@pytest.fixture(scope="module")
def rows():
    scenario = small_scenario(
        company=COMPANY, initial_book={"customers": 120}, behavior=QBR, plans=PLANS
    )
    table = sim.run(scenario, replications=40, seed=3).replications
    table["acv_per_logo"] = table["new_arr"] / table["new_logos"]
    return {plan: g.reset_index(drop=True) for plan, g in table.groupby("plan")}


def assert_lower(rows, metric, lower, higher):
    diff = rows[higher][metric] - rows[lower][metric]
    se = diff.std(ddof=1) / np.sqrt(len(diff))
    assert diff.mean() > 4 * se, f"{metric}: {lower} not below {higher} ({diff.mean()}, se {se})"


def test_revenue_realization_lowers_overforecast_and_discount(rows):
    assert_lower(rows, "chosen_overforecast", "revenue_usage", "upfront_tcv")
    assert_lower(rows, "chosen_discount", "revenue_usage", "upfront_tcv")
    assert_lower(rows, "overforecast_gap", "revenue_usage", "upfront_tcv")


def test_icp_gate_raises_fit_threshold_and_fit_of_won_deals(rows):
    assert_lower(rows, "chosen_fit_threshold", "standard", "icp_gate")
    assert_lower(rows, "low_fit_share", "icp_gate", "standard")


def test_clawback_curbs_overpromising(rows):
    # Clawbacks bite when over-promised deployments fail and are de-booked: reps
    # overforecast less. (They barely move the fit threshold: under a clawback of at
    # most 100%, a low-fit deal still pays in expectation - source 003: "claw backs are
    # less effective as they are after-the-fact".)
    assert_lower(rows, "chosen_overforecast", "clawback", "standard")


def test_discount_adjusted_rate_lowers_discount(rows):
    assert_lower(rows, "chosen_discount", "discount_adjusted", "standard")
    assert_lower(rows, "avg_discount", "discount_adjusted", "standard")


def test_logo_bonus_brings_more_smaller_deals(rows):
    assert_lower(rows, "new_logos", "standard", "logo")
    assert_lower(rows, "acv_per_logo", "logo", "standard")


def test_accelerating_quarterly_tiers_bunch_closes_at_quarter_end():
    tiers = [
        {"from": 0.0, "multiplier": 0.5},
        {"from": 0.8, "multiplier": 1.0},
        {"from": 1.0, "multiplier": 2.0},
    ]
    plans = [
        {"name": "linear", "quota": {"period": "quarter"}},
        {"name": "accelerated", "quota": {"period": "quarter", "tiers": tiers}},
    ]
    behavior = {
        **QBR,
        "levers": {"timing": True, "effort": False},
        "grid": {**QBR["grid"], "fit_threshold": [0.0]},
    }
    scenario = small_scenario(
        company=COMPANY, initial_book={"customers": 120}, behavior=behavior, plans=plans
    )
    table = sim.run(scenario, replications=30, seed=4).replications
    share = {p: g["quarter_end_share"].to_numpy() for p, g in table.groupby("plan")}
    linear, accelerated = share["linear"], share["accelerated"]
    se = linear.std(ddof=1) / np.sqrt(len(linear))
    assert abs(linear.mean() - 1 / 3) < 4 * se  # no bunching under a linear plan
    diff = accelerated - linear
    assert diff.mean() > 4 * diff.std(ddof=1) / np.sqrt(len(diff))


# --- the choice rule --------------------------------------------------------------------


def synthetic_choice(rationality: float, n_reps: int = 4000):
    """QuantalResponse on a synthetic payoff table where strategy 0 is best."""
    scenario = small_scenario(
        company={"n_reps": 20, "months": 24, "burn_in_months": 0}, behavior={"mode": "qbr"}
    )
    market = draw_market(scenario, 1, np.arange(n_reps // 20))
    grid = Grid.from_behavior(scenario.behavior)
    G = grid.size
    mean = np.linspace(1.0, 0.9, G)[:, None, None]
    table = PayoffTable(
        "p",
        grid,
        np.empty(0),
        np.array([0.0]),
        np.empty(0),
        np.array([0.01]),
        mean,
        np.zeros((G, 1, 1)),
    )
    model = QuantalResponse(market, grid, rationality, table)
    shape = model.discount.shape
    traits = {
        "skill": np.zeros(shape),
        "patience": np.full(shape, 0.01),
        "risk_aversion": np.ones(shape),
        "integrity_cost": np.zeros(shape),
    }
    model.decide(RepView(0, 0, np.ones(shape, bool), np.zeros(shape, bool), traits))
    return model.choice.ravel(), G


def test_zero_rationality_chooses_uniformly():
    choice, G = synthetic_choice(0.0)
    counts = np.bincount(choice, minlength=G)
    expected = len(choice) / G
    assert np.all(np.abs(counts - expected) < 4 * np.sqrt(expected * (1 - 1 / G)))


def test_high_rationality_picks_the_best_response():
    choice, _ = synthetic_choice(1e6)
    assert (choice == 0).all()


def test_no_pay_for_overforecast_and_integrity_cost_drive_overforecast_to_zero():
    plans = [
        {
            "name": "usage",
            "components": [
                {"type": "revenue_commission", "basis": "usage", "rate": 0.065, "months": 24}
            ],
        }
    ]
    scenario = small_scenario(
        company=COMPANY,
        initial_book={"customers": 120},
        behavior={**QBR, "rationality": 2000.0},
        reps={"integrity_cost": 0.05},
        plans=plans,
    )
    rows = sim.run(scenario, replications=10, seed=5).replications
    assert rows["chosen_overforecast"].max() == 0.0


def test_fixed_mode_reproduces_the_given_strategies_exactly():
    scenario = small_scenario(
        strategy={
            "discount": {"dist": "uniform", "low": 0.0, "high": 0.3},
            "overforecast": {"dist": "choice", "values": [0.0, 0.1]},
            "fit_threshold": 0.2,
        }
    )
    market = draw_market(scenario, 7, np.arange(4))
    engine = make_engine(scenario, scenario.plans[0], market)
    hired_at = np.zeros(engine.shape, dtype=int)
    for k in range(engine.T):
        ledger, _ = engine.step(k)
        hired_at[ledger.roster.hired] = k
        rr, ss = np.indices(engine.shape)
        for lever in LEVERS:
            given = market.reps.strategy[lever][rr, ss, hired_at]
            np.testing.assert_array_equal(ledger.strategy[lever], given)


def test_clawbacks_raise_attrition_through_the_shock_alone():
    plans = [
        {"name": "plain"},
        {
            "name": "clawback",
            "components": [
                {"type": "bookings_commission"},
                {"type": "clawback", "window_months": 12},
            ],
        },
    ]
    scenario = small_scenario(
        attrition={"pay_shortfall_coef": 0.0, "clawback_shock_coef": 2.0}, plans=plans
    )
    rows = sim.run(scenario, replications=30, seed=6).replications
    by = {p: g["rep_attrition"].to_numpy() for p, g in rows.groupby("plan")}
    diff = by["clawback"] - by["plain"]
    assert diff.mean() > 4 * diff.std(ddof=1) / np.sqrt(len(diff))


def test_payoff_tables_are_deterministic_and_shared_by_workers():
    scenario = small_scenario(
        company=COMPANY, initial_book={"customers": 60}, behavior=QBR, plans=PLANS[:2]
    )
    one = sim.run(scenario, replications=4, seed=8, chunk_size=2, jobs=1).replications
    two = sim.run(scenario, replications=4, seed=8, chunk_size=2, jobs=2).replications
    np.testing.assert_array_equal(
        one.drop(columns="plan").to_numpy(), two.drop(columns="plan").to_numpy()
    )


def test_adaptive_reps_learn_away_from_discounts_that_cut_their_rate():
    cut = [{"max_discount": 0.05, "multiplier": 1.0}, {"max_discount": 1.0, "multiplier": 0.3}]
    plans = [
        {"name": "standard"},
        {
            "name": "discount_adjusted",
            "components": [
                {"type": "bookings_commission"},
                {"type": "discount_adjusted_rate", "bands": cut},
            ],
        },
    ]
    scenario = small_scenario(
        company={"n_reps": 10, "months": 36, "burn_in_months": 3},
        initial_book={"customers": 120},
        strategy={"discount": {"dist": "choice", "values": [0.0, 0.3]}},  # the prior
        behavior={
            "mode": "adaptive",
            "grid": {"discount": [0.0, 0.3], "overforecast": [0.0], "fit_threshold": [0.0]},
        },
        plans=plans,
    )
    rows = sim.run(scenario, replications=30, seed=2).replications
    by = {p: g["chosen_discount"].to_numpy() for p, g in rows.groupby("plan")}
    diff = by["standard"] - by["discount_adjusted"]
    assert diff.mean() > 4 * diff.std(ddof=1) / np.sqrt(len(diff))
    assert abs(by["standard"].mean() - 0.15) < 0.03  # no pressure: stays near the prior


def test_a_renamed_plan_shares_its_choice_model_and_results():
    # a plan's name and description change no rep's choice: the same design under two
    # names gets one choice model (same seed), each named for its own plan, and the
    # same numbers on common random numbers
    plans = [
        {"name": "standard"},
        {"name": "standard_copy", "description": "the default plan under another name"},
    ]
    scenario = small_scenario(company=COMPANY, behavior=QBR, plans=plans)
    models = choice_models(scenario)
    assert models["standard"].seed == models["standard_copy"].seed
    names = [(m.plan, m.model.plan) for m in models.values()]
    assert names == [("standard", "standard"), ("standard_copy", "standard_copy")]
    table = sim.run(scenario, replications=6, seed=2).replications
    a, b = (g.drop(columns="plan").reset_index(drop=True) for _, g in table.groupby("plan"))
    assert a.equals(b)


def test_raising_the_markets_cap_keeps_a_converged_choice_model_and_its_numbers():
    # how long a choice model is estimated is not part of its random numbers: raising
    # max_payoff_replications, as its warning asks, only adds markets after those used,
    # so a plan that had converged keeps its choice model and the run its numbers
    low = small_scenario(company=COMPANY, behavior={"mode": "dynamic"}, plans=PLANS[:1])
    cap = 4 * low.behavior.max_payoff_replications
    high = low.model_copy(
        update={"behavior": low.behavior.model_copy(update={"max_payoff_replications": cap})}
    )
    before, after = choice_models(low)["standard"], choice_models(high)["standard"]
    assert before.converged
    assert (after.seed, after.markets) == (before.seed, before.markets)
    one = sim.run(low, replications=4, seed=3).replications
    two = sim.run(high, replications=4, seed=3).replications
    assert one.equals(two)


def test_the_warning_asks_for_the_markets_the_difference_shrinks_to_the_tolerance_at():
    # a split-half difference of independent halves shrinks as 1/sqrt(markets): at
    # twice the tolerance it needs 4x the markets, rounded up to the doubling schedule
    from sim.choice_model import ChoiceModel, markets_to_converge, problems
    from sim.scenario.schema import Behavior

    behavior = Behavior(payoff_replications=8, max_payoff_replications=64, choice_tolerance=0.05)

    def model(difference):
        return ChoiceModel("p", "dynamic", None, 64, difference, False, 2.0, 0)

    assert markets_to_converge(model(0.100), behavior) == 256  # 64 x 2^2, on the schedule
    assert markets_to_converge(model(0.101), behavior) == 512  # 261 rounds up
    assert markets_to_converge(model(0.050), behavior) == 64
    (line,) = problems(model(0.1), behavior)
    assert "raise max_payoff_replications, to about 256 if" in line
    assert "about 4x as long as this one's 2.0 s" in line
