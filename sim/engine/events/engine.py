"""The events engine: one replication as a simpy Environment, in days.

The company (`sim.engine.company.Company`) is the batch engine's: the same seats,
customer book, payroll, behaviour and metrics. What differs is time. A month is
365/12 days. The calendar process takes the month's two epochs, the batch engine's:
at the start, hiring, the reps' decisions and forecasts, timing actions and the
month's pursuits; at the end, billing and collections, surveys, cohorts, the
ledger, payroll, learning and attrition. Between them, the sales floer's deal
processes (`sales`) close and book deals on their days, and the customers'
processes (`customers`) queue for onboarding, deploy, renew and raise support
tickets on theirs. The month's events are gathered into the same `MonthLedger`
the batch engine writes, with the day each deal closed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from sim import world
from sim.engine.company import Company, PlanOutcome
from sim.engine.events.calendar import month_start
from sim.engine.events.customers import CustomerService
from sim.engine.events.sales import SalesFloor
from sim.ledger import Deals, Deployments, Renewals
from sim.market import Market
from sim.plans.config import Plan
from sim.scenario.schema import Scenario

_I = np.int64


@dataclass
class MonthEvents:
    """What happened in the month so far, for its ledger."""

    n_seats: int
    deals: list = field(default_factory=list)  # Deals, one table per booking
    deal_days: list = field(default_factory=list)  # day of the month each closed on
    deployments: list = field(default_factory=list)
    renewals: list = field(default_factory=list)
    pulled: float = 0.0  # won deals booked early by a pull
    pulled_discount: float = 0.0  # sum of their discounts
    held: float = 0.0  # won deals held for the next period (slipped ones included)
    support_wait_days: float = 0.0  # days tickets waited for an agent
    tickets: float = 0.0  # tickets that reached an agent

    def __post_init__(self):
        self.pursuits_closed = np.zeros((1, self.n_seats))


class EventEngine(Company):
    """One replication of one plan (a market of one replication)."""

    def __init__(self, scenario: Scenario, plan: Plan, market: Market, behavior):
        if market.n_replications != 1:
            raise ValueError("the events engine runs one replication per environment")
        super().__init__(scenario, plan, market, behavior)
        self.env = simpy.Environment()
        self.k = 0  # the current month
        self.month = MonthEvents(self.S)
        self.service = CustomerService(self)
        self.sales = SalesFloor(self)

    def run(self) -> PlanOutcome:
        self.service.start_installed_base()
        calendar = self.env.process(self._calendar())
        self.env.run(until=calendar)
        return self.outcome()

    def _calendar(self):
        for k in range(self.T):
            view = self._begin(k)
            yield self.env.timeout(month_start(k + 1) - self.env.now)
            self._end(k, view)

    def _begin(self, k: int):
        """Month k's first epoch: hiring, the reps' decisions and forecasts, timing
        actions and pursuits."""
        self.k, t = k, k - self.burn_in
        hired = self.begin_month(k)
        view = self.view(k, t, hired, self.sales.open_count.copy(), self.sales.held_acv.copy())
        self.behavior.decide(view)
        self.update_forecast(t, hired)
        self.month = MonthEvents(self.S)
        self.sales.begin_month(k, t, view)
        return view

    def _end(self, k: int, view) -> None:
        """Month k's last epoch: the ledger, payroll, learning, attrition, metrics."""
        m, none = self.month, np.empty(0, dtype=_I)
        deals = Deals.concat(m.deals, self.book_deals(k, none, none * 1.0, none * 1.0))
        view.credit = self.credit_bookings(k, deals)
        one = np.ones(1)
        closed = dict(
            deals=deals,
            pursuits_closed=m.pursuits_closed,
            deployments=Deployments.concat(m.deployments, self.finish_onboarding(k, none, none)),
            renewals=Renewals.concat(m.renewals, self.renew(k, none)[0]),
            pulled=m.pulled * one,
            pulled_discount=m.pulled_discount * one,
            held=m.held * one,
            deal_days=np.asarray(m.deal_days, dtype=float),
        )
        if self.service.support is not None:
            closed["extra"] = {"support": (m.support_wait_days * one, m.tickets * one)}
        self.settle(k, view, closed)
        self.service.end_month()

    def health_logit(self) -> np.ndarray:
        """Health log-odds, less the strain of the month's waits for support."""
        base = self.book.health_base
        if self.service.support is None:
            return base
        wait = self.service.ticket_wait[: self.book.n]
        return (base - world.support_strain(wait, self.s.support)).astype(base.dtype)
