"""Engine mechanics: the onboarding queue, ledgers, time series."""

from collections import defaultdict

import numpy as np
from helpers import make_engine, small_scenario

from sim.engine.batch import _rank_within
from sim.engine.due import file_by_month, pop_due
from sim.market import draw_market


def test_rank_within_groups_is_fifo():
    groups = np.array([1, 0, 1, 1, 0, 2])
    np.testing.assert_array_equal(_rank_within(groups, 3), [0, 0, 1, 2, 1, 0])


def test_due_lists_keep_filing_order_and_drop_rows_past_the_horizon():
    table = defaultdict(list)
    rows = np.array([10, 11, 12, 13, 14, 15, 16])
    file_by_month(table, [5, 3, 5, 9, 3, 40, 5], rows, horizon=10)
    file_by_month(table, [5], np.array([2]), horizon=10)
    file_by_month(table, [20, 20, 21], (rows[:3], rows[3:6]))  # a tuple: rows of each
    np.testing.assert_array_equal(pop_due(table, 5), [10, 12, 16, 2])
    np.testing.assert_array_equal(pop_due(table, 3), [11, 14])
    assert pop_due(table, 5).size == 0 and 40 not in table
    assert [list(part) for part in table[20][0]] == [[10, 11], [13, 14]]


def run_engine(scenario, n=4, seed=1):
    engine = make_engine(scenario, scenario.plans[0], draw_market(scenario, seed, np.arange(n)))
    return engine, [engine.step(k)[0] for k in range(engine.T)]


def test_onboarding_capacity_limits_starts_and_a_backlog_builds():
    scenario = small_scenario(onboarding={"capacity_per_month": 1.0, "duration_months": 1})
    engine, ledgers = run_engine(scenario)
    done = np.concatenate(
        [np.bincount(led.deployments.replication, minlength=4) for led in ledgers]
    ).reshape(len(ledgers), 4)
    assert done.max() <= 1  # never more than one onboarding finishes per month
    waits = np.concatenate([led.deployments.wait_months for led in ledgers])
    assert waits.max() > 3  # a backlog builds when capacity is short
    assert len(engine.queue) > 0


def test_deployment_success_falls_when_the_queue_is_long():
    import sim

    fast = small_scenario(onboarding={"capacity_per_month": 100.0})
    slow = small_scenario(onboarding={"capacity_per_month": 3.0})
    rate = [
        sim.run(s, replications=6, seed=2).replications["deployment_success"].mean()
        for s in (fast, slow)
    ]
    assert rate[1] < rate[0]


def test_cash_lags_revenue_and_never_exceeds_it():
    scenario = small_scenario(billing={"payment_delay_months": 2, "late_delay_months": 4})
    _, ledgers = run_engine(scenario)
    revenue = np.array([led.revenue.sum() for led in ledgers])
    cash = np.array([led.cash.sum() for led in ledgers])
    assert cash[:2].sum() == 0  # the first on-time payment arrives after two months
    assert cash.sum() < revenue.sum()


def test_arr_time_series_is_recorded_for_reported_months():
    import sim

    result = sim.run(small_scenario(), replications=3, seed=1)
    arr = result.arr_by_month["standard"]
    assert arr.shape == (3, 24) and (arr > 0).all()
    np.testing.assert_allclose(arr[:, -1], result.replications["ending_arr"])
