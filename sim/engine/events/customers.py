"""Customers in the events engine: each is a process from its close day.

Onboarding is a simpy `Resource`: the team has capacity_per_month x duration_months
onboarders (rounded, at least 1), each busy duration_months x 365/12 days per
customer, so it starts capacity_per_month onboardings a month when busy, like the
batch engine's team; customers queue first come first served by their close day,
and the wait is measured in days. A customer then deploys (or fails) by its own
keyed uniform, and renews or leaves on the same day of the month its contract ends.

The optional support team (`support.agents` > 0) is a second `Resource`: an active
customer raises tickets at `support.tickets_per_customer_month` (exponential gaps,
drawn from its key), each waits for a free agent and holds one for an exponential
handling time; the days a customer's tickets waited in a month lower its health
log-odds by `support.wait_coef` per day at the month's end (`world.support_strain`).
"""

from __future__ import annotations

import numpy as np
import simpy

from sim.engine.events.calendar import DAYS_PER_MONTH, day_in_month
from sim.streams import DRAW, keyed_uniform

_I = np.int64


class CustomerService:
    def __init__(self, engine):
        self.e, self.env, self.s = engine, engine.env, engine.s
        ob = self.s.onboarding
        self.onboarding_days = ob.duration_months * DAYS_PER_MONTH
        onboarders = max(1, round(ob.capacity_per_month * ob.duration_months))
        self.team = None  # duration 0: onboarding is instant, nobody queues
        if ob.duration_months > 0:
            self.team = simpy.Resource(self.env, capacity=onboarders)
        self.no_team = ob.capacity_per_month <= 0  # nobody is ever onboarded
        agents = self.s.support.agents
        self.support = simpy.Resource(self.env, capacity=agents) if agents else None
        self.closed_day = np.zeros(0)  # by customer id: the day it closed (booked)
        self.ticket_wait = np.zeros(0)  # by customer id: days its tickets waited this month

    def _grow(self) -> None:
        n = self.e.book.n
        if len(self.closed_day) < n:
            extra = max(n, 2 * len(self.closed_day)) - len(self.closed_day)
            self.closed_day = np.concatenate([self.closed_day, np.zeros(extra)])
            self.ticket_wait = np.concatenate([self.ticket_wait, np.zeros(extra)])

    # --- arrivals ---------------------------------------------------------------------

    def start_installed_base(self) -> None:
        """The customers a going concern starts with: live already, mid-contract."""
        b, ids = self.e.book, self.e.installed
        self._grow()
        fraction = keyed_uniform(b.key[ids], DRAW["arrival_day"])
        for cid, f in zip(ids.tolist(), fraction.tolist(), strict=True):
            self.closed_day[cid] = (b.booked_month[cid] + f) * DAYS_PER_MONTH
            self._follow(cid)

    def admit(self, ids: np.ndarray, day: float) -> None:
        """Customers `ids` closed on `day`: onboard them, then follow them."""
        self._grow()
        for cid in ids.tolist():
            self.closed_day[cid] = day
            self.env.process(self._onboard(cid))
            self._follow(cid)

    def _follow(self, cid: int) -> None:
        self.env.process(self._renewals(cid))
        if self.support is not None:
            self.env.process(self._tickets(cid))

    # --- one customer -----------------------------------------------------------------

    def _onboard(self, cid: int):
        e, ids = self.e, np.array([cid], dtype=_I)
        if self.no_team:
            return
        if self.team is not None:
            with self.team.request() as turn:
                yield turn
                e.book.onboarding_wait[cid] = (self.env.now - self.closed_day[cid]) / DAYS_PER_MONTH
                yield self.env.timeout(self.onboarding_days)
        since_close = (self.env.now - self.closed_day[cid]) / DAYS_PER_MONTH
        done = e.finish_onboarding(e.k, ids, np.round(since_close, 9))
        e.month.deployments.append(done)

    def _renewals(self, cid: int):
        """At each term end, on the day of the month it closed: renew or leave."""
        e, b, ids = self.e, self.e.book, np.array([cid], dtype=_I)
        fraction = self.closed_day[cid] / DAYS_PER_MONTH - b.booked_month[cid]
        while True:
            day = day_in_month(b.contract_end[cid], fraction)
            yield self.env.timeout(day - self.env.now)
            if not b.active[cid]:
                return
            renewals, kept = e.renew(e.k, ids)
            e.month.renewals.append(renewals)
            if not len(kept):
                return

    def _tickets(self, cid: int):
        """Support tickets while the customer is active: exponential gaps from its key."""
        b, sp = self.e.book, self.s.support
        rate = sp.tickets_per_customer_month / DAYS_PER_MONTH  # per day
        if rate <= 0:
            return
        n = 0
        while True:
            u = keyed_uniform(b.key[cid : cid + 1], DRAW["ticket"] + 2 * n)[0]
            yield self.env.timeout(-np.log1p(-u) / rate)
            if not b.active[cid]:
                return
            self.env.process(self._ticket(cid, n))
            n += 1

    def _ticket(self, cid: int, n: int):
        b, sp = self.e.book, self.s.support
        raised = self.env.now
        with self.support.request() as agent:
            yield agent
            waited = self.env.now - raised
            self.ticket_wait[cid] += waited
            self.e.month.support_wait_days += waited
            self.e.month.tickets += 1
            u = keyed_uniform(b.key[cid : cid + 1], DRAW["ticket"] + 2 * n + 1)[0]
            yield self.env.timeout(-np.log1p(-u) * sp.handle_days)

    def end_month(self) -> None:
        """A new month: the waits that strain health start again."""
        self.ticket_wait[:] = 0.0
