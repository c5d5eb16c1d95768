"""The batch engine: one vectorized monthly loop over replications x reps x customers.

Python loops over months only; every step inside a month is an array operation
over all seats and customers of all replications in the chunk. Each month the
engine hires into vacant seats, lets reps (re)decide, opens and closes deals,
renews or churns contracts at term end, runs the onboarding queue, bills and
collects, surveys customers, records annual cohorts, calls payroll, and lets
reps quit; it emits a `MonthLedger` and feeds it to the metrics. What happens is
the `Company`'s (shared with the events engine); when, month by month, is this
engine's: renewals and onboardings fall due by month, and the onboarding team
starts up to its monthly capacity in first-in-first-out order.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from sim import world
from sim.behavior import RepView
from sim.engine.company import Company, PlanOutcome
from sim.engine.due import file_by_month, pop_due
from sim.engine.pipeline import Pipeline
from sim.ledger import Deals, Deployments, MonthLedger, Renewals
from sim.market import Market
from sim.plans.config import Plan
from sim.plans.payroll import Payslip
from sim.scenario.schema import Scenario
from sim.subsets import split_where

_I = np.int64

__all__ = ["BatchEngine", "PlanOutcome", "simulate_plan"]


class BatchEngine(Company):
    def __init__(self, scenario: Scenario, plan: Plan, market: Market, behavior):
        super().__init__(scenario, plan, market, behavior)
        self.pipeline = Pipeline(scenario, market, self.shape)
        self.deploy_due: dict[int, list] = defaultdict(list)
        self.renew_due: dict[int, list] = defaultdict(list)
        self.queue = np.empty(0, dtype=_I)
        self.onboarding_credit = np.zeros(market.n_replications)
        file_by_month(self.renew_due, self.book.contract_end[self.installed], self.installed)

    # --- the monthly loop -----------------------------------------------------------

    def run(self) -> PlanOutcome:
        for k in range(self.T):
            self.step(k)
        return self.outcome()

    def step(self, k: int) -> tuple[MonthLedger, Payslip]:
        """Simulate month k: returns the month's ledger and the plan's payslip."""
        t = k - self.burn_in
        hired = self.begin_month(k)
        view = self.view(k, t, hired, self.pipeline.open_count, self.pipeline.held_acv)
        self.behavior.decide(view)
        self.update_forecast(t, hired)
        deals, closed = self._close_deals(k, t, view)
        view.credit = self.credit_bookings(k, deals)
        ramp = world.ramp_fraction(self.tenure, self.s.reps)
        self.pipeline.open(k, self.occupied, ramp, self.behavior, self.traits["skill"])
        renewals = self._renew(k)
        deployments = self._onboard(k)
        return self.settle(
            k,
            view,
            dict(
                deals=deals,
                pursuits_closed=closed.pursuits_closed,
                deployments=deployments,
                renewals=renewals,
                pulled=closed.pulled,
                pulled_discount=closed.pulled_discount,
                held=closed.held,
            ),
        )

    # --- deals ----------------------------------------------------------------------

    def _close_deals(self, k: int, t: int, view: RepView) -> tuple[Deals, object]:
        action = None
        months_left = None
        if self.s.behavior.levers.timing and k + 1 < self.T:
            action = self.behavior.timing_action(view)
            period = self.behavior.timing_period
            months_left = np.full(self.shape, period - t % period)
        closed = self.pipeline.close(
            k, self.occupied, self.behavior, action, months_left, self.policies
        )
        deals = self.book_deals(k, closed.rows, closed.discount, closed.overforecast)
        self.queue = np.concatenate([self.queue, deals.customer])
        file_by_month(
            self.renew_due, self.book.contract_end[deals.customer].astype(_I), deals.customer
        )
        return deals, closed

    # --- customers ------------------------------------------------------------------

    def _renew(self, k: int) -> Renewals:
        ids = pop_due(self.renew_due, k)
        renewals, kept = self.renew(k, ids)
        file_by_month(self.renew_due, self.book.contract_end[kept].astype(_I), kept)
        return renewals

    def _onboard(self, k: int) -> Deployments:
        b, ob = self.book, self.s.onboarding
        credit = self.onboarding_credit + ob.capacity_per_month
        self.onboarding_credit = credit % 1.0
        if len(self.queue):
            rank = _rank_within(b.replication[self.queue], self.shape[0])
            start = rank < np.floor(credit)[b.replication[self.queue]]
            started, self.queue = split_where(start, self.queue)
            b.onboarding_wait[started] = k - b.queued_month[started]
            file_by_month(self.deploy_due, np.full(len(started), k + ob.duration_months), started)
        done = pop_due(self.deploy_due, k)
        return self.finish_onboarding(k, done, k - b.booked_month[done])


def _rank_within(groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Position of each element among earlier elements of the same group (FIFO rank)."""
    order = np.argsort(groups, kind="stable")
    counts = np.bincount(groups, minlength=n_groups)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(len(groups), dtype=_I)
    rank[order] = np.arange(len(groups)) - first[groups[order]]
    return rank


def simulate_plan(scenario: Scenario, plan: Plan, market: Market, behavior) -> PlanOutcome:
    """Run one plan on one chunk's market with the given behaviour model."""
    return BatchEngine(scenario, plan, market, behavior=behavior).run()
