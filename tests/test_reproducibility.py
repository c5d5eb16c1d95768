"""Common random numbers and determinism."""

import numpy as np
import pandas as pd
from helpers import make_engine, run_cli, sim_main, small_scenario

import sim
from sim.market import draw_market, reused_market

MARKET_METRICS = [
    "new_arr",
    "new_logos",
    "revenue",
    "ending_arr",
    "grr",
    "nrr",
    "logo_churn",
    "win_rate",
    "avg_discount",
    "overforecast_gap",
    "low_fit_share",
    "deployment_success",
    "csat",
    "share_at_quota",
    "rep_attrition",
]


def test_identical_plans_give_identical_rows():
    scenario = small_scenario(plans=[{"name": "a"}, {"name": "b"}])
    rows = sim.run(scenario, replications=6, seed=2).replications
    a = rows[rows.plan == "a"].drop(columns="plan").reset_index(drop=True)
    b = rows[rows.plan == "b"].drop(columns="plan").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_changing_only_pay_leaves_the_market_untouched():
    # With pay-insensitive attrition, a plan that pays more base salary must see
    # exactly the same market and outcomes; only comp differs.
    scenario = small_scenario(
        attrition={"pay_shortfall_coef": 0.0},
        plans=[{"name": "a"}, {"name": "rich", "base_salary": 100_000.0}],
    )
    rows = sim.run(scenario, replications=6, seed=3).replications
    a, rich = (rows[rows.plan == p].reset_index(drop=True) for p in ("a", "rich"))
    pd.testing.assert_frame_equal(a[MARKET_METRICS], rich[MARKET_METRICS])
    assert (rich["comp_cost"] > a["comp_cost"]).all()


def test_pay_changes_outcomes_only_through_reps_when_attrition_reacts():
    scenario = small_scenario(
        plans=[{"name": "a"}, {"name": "poor", "base_salary": 30_000.0}],
    )
    rows = sim.run(scenario, replications=20, seed=4).replications
    a, poor = (rows[rows.plan == p].reset_index(drop=True) for p in ("a", "poor"))
    assert poor["rep_attrition"].mean() > a["rep_attrition"].mean()


def test_results_do_not_depend_on_chunk_size_or_run_length():
    scenario = small_scenario()
    whole = sim.run(scenario, replications=6, seed=5, chunk_size=6).replications
    chunked = sim.run(scenario, replications=6, seed=5, chunk_size=2).replications
    pd.testing.assert_frame_equal(whole, chunked)
    longer = sim.run(scenario, replications=9, seed=5, chunk_size=4).replications
    pd.testing.assert_frame_equal(whole, longer[longer.replication < 6].reset_index(drop=True))


def test_different_seeds_differ():
    scenario = small_scenario()
    a = sim.run(scenario, replications=3, seed=1).replications
    b = sim.run(scenario, replications=3, seed=2).replications
    assert not np.allclose(a["new_arr"], b["new_arr"])


def test_jobs_1_and_2_write_byte_identical_replications(tmp_path):
    for jobs, command in ((1, sim_main), (2, run_cli)):  # in this process, and a `sim` process
        result = command(
            "run",
            "scenarios/default.toml",
            "-n",
            "8",
            "--chunk-size",
            "2",
            "--jobs",
            jobs,
            "--seed",
            "9",
            "--out",
            tmp_path / f"j{jobs}",
            "-q",
        )
        assert result.returncode == 0, result.stderr
    one = (tmp_path / "j1" / "replications.csv").read_bytes()
    two = (tmp_path / "j2" / "replications.csv").read_bytes()
    assert one == two


def _arrays(value, prefix="") -> dict:
    """Every array of a market (dataclasses and dicts of arrays), by dotted name."""
    if isinstance(value, np.ndarray):
        return {prefix: value}
    if isinstance(value, dict):
        items = value.items()
    elif hasattr(value, "__dataclass_fields__"):
        items = ((name, getattr(value, name)) for name in value.__dataclass_fields__)
    else:
        return {}
    return {k: v for name, item in items for k, v in _arrays(item, f"{prefix}.{name}").items()}


def test_a_plan_run_never_writes_into_its_market():
    # What makes reusing markets safe (sim.market.reused_market): reps choosing by the
    # monthly policy, timing games on, every array of the market as it was drawn.
    scenario = small_scenario(behavior={"mode": "dynamic", "levers": {"timing": True}})
    market = draw_market(scenario, 3, np.arange(4))
    before = {k: v.copy() for k, v in _arrays(market).items()}
    make_engine(scenario, scenario.plans[0], market).run()
    after = _arrays(market)
    assert before.keys() == after.keys() and len(before) > 20
    assert [k for k in before if not np.array_equal(before[k], after[k])] == []


def test_runs_reusing_markets_give_the_same_numbers():
    # Budgets, plan variants and sweeps run one plan at a time on the same company-runs
    # and reuse the markets drawn for the previous plan: same numbers as drawing them.
    scenario = small_scenario(plans=[{"name": "a"}, {"name": "b", "base_salary": 90_000}])
    alone = [scenario.model_copy(update={"plans": [p]}) for p in scenario.plans]
    fresh = [sim.run(s, replications=6, seed=4).replications for s in alone]
    reused = [sim.run(s, replications=6, seed=4, reuse_markets=True).replications for s in alone]
    for a, b in zip(fresh, reused, strict=True):
        pd.testing.assert_frame_equal(a, b)
    first = reused_market(alone[0], 4, np.arange(6))
    assert reused_market(alone[1], 4, np.arange(6)) is first  # the world is the same
    other = small_scenario(market={"opportunities_per_rep_month": 5.0})
    assert reused_market(other, 4, np.arange(6)) is not first
