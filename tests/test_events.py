"""The events engine (simpy, in days) against the batch engine (monthly).

The cross-check. Both engines run the same company on the same draws (common random
numbers): the same opportunities, the same keyed uniform deciding each win,
deployment, renewal and survey answer, the reps deciding at the same epochs. Where
the monthly discretization is not binding (an onboarding team that never queues,
no support team), every deal closes, deploys and renews in the same month under
both, so the engines must agree replication by replication, not only on average.
The statistics, for every headline metric over the replications of a fixed seed:

- within Monte Carlo error: the difference of the two engines' means is within 4
  standard errors of that difference (two-sample, each engine's replication
  standard deviation over sqrt(n));
- replication by replication: the paired difference is below 1e-6 of the metric's
  scale (floating-point order of sums is all that may differ).

Where they differ by design (docs/events.md): deals have days (last_week_share is
the events engine's alone), and the onboarding team is a queue of onboarders in
days rather than a monthly quota of starts.
"""

import json

import numpy as np
import pandas as pd
import pytest
from helpers import DEFAULT, sim_main, small_scenario, small_scenario_file
from test_response import STEEP, plan
from test_response import scenario as responsive_scenario

import sim
from sim.ledger import DAYS_PER_MONTH
from sim.metrics import HEADLINE

# Onboarding capacity the small company never reaches: the discretization is not binding.
AMPLE = {"onboarding": {"capacity_per_month": 200.0}}


def both(scenario, replications: int, seed: int):
    """The replications tables of both engines, rows in the same (plan, replication) order."""
    batch = sim.run(scenario, replications=replications, seed=seed).replications
    events = sim.run(scenario, replications=replications, seed=seed, engine="events")
    return batch, events.replications


def assert_agree(batch: pd.DataFrame, events: pd.DataFrame, metrics=HEADLINE) -> None:
    for name, b in batch.groupby("plan"):
        e = events[events.plan == name]
        for metric in metrics:
            x, y = b[metric].to_numpy(float), e[metric].to_numpy(float)
            n = len(x)
            se = np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / n)
            gap = abs(y.mean() - x.mean())
            assert gap <= 4 * se + 1e-12, f"{name} {metric}: {gap:.4g} > 4 x {se:.4g}"
            scale = np.abs(x).max() + 1e-12
            worst = np.abs(y - x).max() / scale
            assert worst < 1e-6, f"{name} {metric}: replications differ by {worst:.2g}"


@pytest.fixture(scope="module")
def timing_runs():
    """Reps following the monthly policy with timing games (they pull and hold) under
    a linear and an accelerating quarterly plan (the choice models of
    tests/test_response.py: built once per session)."""
    plans = [
        plan("linear", quota={"period": "quarter"}),
        plan("accelerated", quota={"period": "quarter", "tiers": STEEP}),
    ]
    return both(responsive_scenario(plans, levers={"timing": True}), replications=6, seed=5)


def test_engines_agree_where_months_do_not_bind(timing_runs):
    assert_agree(*timing_runs)


def test_engines_agree_on_timing_games_and_their_discounts(timing_runs):
    batch, events = timing_runs
    assert batch.pulled_share.max() > 0 and batch.pushed_share.max() > 0  # they were played
    metrics = ["pulled_share", "pushed_share", "quarter_end_share", "avg_discount", "win_rate"]
    assert_agree(batch, events, metrics)


def test_deals_have_days_only_in_the_events_engine(timing_runs):
    batch, events = timing_runs
    assert batch.last_week_share.isna().all() and batch.last_day_share.isna().all()
    assert events.last_week_share.notna().all() and events.last_day_share.notna().all()


def test_without_timing_games_a_quarters_last_week_holds_its_share_of_days():
    """Close days are uniform within the month when nobody plays timing games: the
    last 7 days of a quarter get 7 / (3 x 365/12) = 7.7% of its deals, the last day
    1.1% (binomial standard error over the pooled deals, 4 of them)."""
    scenario = small_scenario(**AMPLE, behavior={"mode": "fixed"})
    rows = sim.run(scenario, replications=4, seed=8, engine="events").replications
    deals = rows.new_logos.sum() * scenario.years
    for metric, days in (("last_week_share", 7.0), ("last_day_share", 1.0)):
        expected = days / (3 * DAYS_PER_MONTH)
        se = np.sqrt(expected * (1 - expected) / deals)
        share = np.average(rows[metric], weights=rows.new_logos)
        assert abs(share - expected) < 4 * se, f"{metric} {share:.4f} vs {expected:.4f}"


def test_pulled_deals_crowd_the_quarters_last_week(timing_runs):
    """Pulled deals close in the month's last days (events.pull_window_days): a plan
    that pays more at the quarter's end puts more of its deals in the last week
    (Oyer 1998; Larkin 2014), paired by replication, beyond 4 standard errors."""
    _, events = timing_runs
    by = {p: g.last_week_share.to_numpy() for p, g in events.groupby("plan")}
    diff = by["accelerated"] - by["linear"]
    assert diff.mean() > 4 * diff.std(ddof=1) / np.sqrt(len(diff))
    assert by["accelerated"].mean() > 7 / (3 * DAYS_PER_MONTH) + 0.02


def test_onboarding_waits_are_in_days_when_the_team_is_short():
    """A short team queues customers in both engines; the batch engine counts whole
    months (every wait a multiple of 365/12 days), the events engine days."""
    scenario = small_scenario(onboarding={"capacity_per_month": 1.5, "duration_months": 2})
    batch, events = both(scenario, replications=2, seed=3)
    assert (batch.onboarding_wait_days > DAYS_PER_MONTH).all()
    assert (events.onboarding_wait_days > DAYS_PER_MONTH).all()
    whole = events.onboarding_wait_days / DAYS_PER_MONTH
    assert not np.allclose(whole, np.round(whole))


def test_a_short_support_team_makes_customers_wait_and_hurts_health():
    """Support tickets queue for agents: with one agent they wait days, with many
    none; the waits lower health, so fewer survey respondents are satisfied and fewer
    customers renew (paired by replication, beyond 4 standard errors)."""
    support = {"tickets_per_customer_month": 1.0, "handle_days": 1.0, "wait_coef": 0.2}
    rows = {}
    for agents in (1, 20):
        scenario = small_scenario(
            **AMPLE, company={"months": 12}, support={**support, "agents": agents}
        )
        rows[agents] = sim.run(scenario, replications=4, seed=6, engine="events").replications
    short, ample = rows[1], rows[20]
    assert (short.support_wait_days > 1.0).all() and (ample.support_wait_days < 0.01).all()
    for metric in ("csat", "grr"):
        diff = ample[metric].to_numpy() - short[metric].to_numpy()
        assert diff.mean() > 4 * diff.std(ddof=1) / np.sqrt(len(diff)), metric


def test_engine_results_do_not_depend_on_chunks():
    """Each replication runs on its own market in its own environment: the chunks it
    is cut into (and so the workers they go to) change nothing."""
    scenario = small_scenario(**AMPLE)
    one = sim.run(scenario, replications=3, seed=2, engine="events", chunk_size=3)
    two = sim.run(scenario, replications=3, seed=2, engine="events", chunk_size=2)
    pd.testing.assert_frame_equal(one.replications, two.replications)


def test_sim_run_engine_events_end_to_end(tmp_path):
    out = tmp_path / "res"
    path = small_scenario_file(tmp_path)
    result = sim_main("run", path, "-n", "1", "--seed", "4", "--engine", "events", "--out", out)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["engine"] == "events"
    rows = pd.read_csv(out / "replications.csv")
    assert rows.last_week_share.between(0, 1).all() and len(rows) == 1
    assert "events engine" in result.stdout


def test_resuming_batch_chunks_with_the_events_engine_is_a_one_line_error(tmp_path):
    """Checkpointed chunks remember their engine: an events run never mixes in a batch
    run's company-runs (they agree only where months do not bind)."""
    from sim.cli import open_checkpoints

    path = small_scenario_file(tmp_path)
    out = tmp_path / "res"
    scenario = sim.load_scenario(path)
    open_checkpoints(out, scenario, scenario.simulation.seed, resume=False)  # a batch run's
    result = sim_main("run", path, "-n", "1", "--engine", "events", "--resume", "--out", out)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "engine differs" in result.stderr


def test_support_team_needs_the_events_engine(tmp_path):
    path = tmp_path / "support.toml"
    path.write_text(f'extends = "{DEFAULT.as_posix()}"\n[support]\nagents = 3\n')
    result = sim_main("run", path, "-n", "1", "--out", tmp_path / "res")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "support.agents" in result.stderr
    assert str(path) in result.stderr and "--engine events" in result.stderr
    assert not (tmp_path / "res").exists()


def test_unknown_engine_is_one_line(tmp_path):
    result = sim_main("run", DEFAULT, "--engine", "monthly", "--out", tmp_path / "res")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "--engine" in result.stderr and "events" in result.stderr


@pytest.mark.slow
def test_engines_agree_on_the_default_company_with_reps_who_respond():
    """The heavy cross-check: the default company (20 AEs, the monthly policy, the
    automatic warm-up) under the literature's plans, 8 replications."""
    from sim.scenario import load_scenario

    scenario = load_scenario(DEFAULT.parent / "literature.toml")
    scenario = scenario.with_values({"onboarding.capacity_per_month": 200.0})
    assert_agree(*both(scenario, replications=8, seed=12))
