"""Payroll: runs a plan month by month for all reps and CSMs of all replications.

Each month, in order: quota credit; deal earnings (scaled by deal multipliers and
quota tiers) paid now or held in escrow; escrow releases and forfeits; seat and
CSM components; clawbacks; adjusters (CSAT modifier, draw); the annual variable
cap; and netting against negative balances carried from earlier recoveries.
Every dollar paid is attributed to one line of `by_component`, so the lines sum
to the cash comp cost (`balance_carried` is the line where recoveries that
could not yet be netted, or were written off when a rep left, show up).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.ledger import MonthLedger
from sim.plans import escrow as esc
from sim.plans.base import (
    MONTHS_PER_YEAR,
    Adjuster,
    CsmComponent,
    DealComponent,
    DealMultiplier,
    PayContext,
    Recovery,
    SeatComponent,
    Timing,
    seat_sum,
)
from sim.plans.config import Plan
from sim.plans.quota import QuotaTracker


@dataclass(slots=True)
class Payslip:
    """One month of pay. `ae` is cash paid per seat to the rep in it; the rest are
    per-replication dollars. `year_end_attainment` is set in a plan year's last month."""

    ae: np.ndarray  # (R, S)
    csm: np.ndarray  # (R, C)
    by_component: dict[str, np.ndarray]
    by_role: dict[str, np.ndarray]
    year_end_attainment: np.ndarray | None = None
    clawed_back: np.ndarray | None = None  # (R, S) bool
    events: dict[str, np.ndarray] = field(default_factory=dict)  # (R,) forfeits, recoveries
    ae_lines: dict[str, np.ndarray] = field(default_factory=dict)  # component -> (R, S) owed

    @property
    def total(self) -> np.ndarray:
        return sum(self.by_role.values())


class Payroll:
    def __init__(self, plan: Plan, shape: tuple[int, int], n_csms: int):
        self.plan, self.shape, self.n_csms = plan, shape, n_csms
        self.quota = QuotaTracker(plan.quota, plan.ote, shape)
        parts = [part for config in plan.components for part in config.build(plan)]
        pick = lambda kind: [p for p in parts if isinstance(p, kind)]  # noqa: E731
        self.deal_components = pick(DealComponent)
        self.multipliers = pick(DealMultiplier)
        self.seat_components = pick(SeatComponent)
        self.csm_components = pick(CsmComponent)
        self.adjusters = pick(Adjuster)
        self.timings = pick(Timing)
        self.clawback = next(iter(pick(Recovery)), None)
        # FP&A capitalizes commissions that win or renew contracts, net of clawbacks
        self.capitalized = tuple(dict.fromkeys(c.line for c in plan.components if c.capitalized))
        self.escrow = esc.Escrow()
        self.paid_on_customer = np.zeros(0)  # deal pay received on each customer, $
        self.balance = np.zeros(shape)  # negative: owed back by the rep
        self.ytd_variable = np.zeros(shape)
        self.peers = None  # how shared results are seen (`PayContext.shared`)

    def __repr__(self) -> str:
        return f"Payroll(plan={self.plan.name!r}, shape={self.shape})"

    def multiplier(self, fit, discount) -> np.ndarray:
        out = np.ones(np.shape(fit))
        for m in self.multipliers:
            out = out * m.factor(fit, discount)
        return out

    # --- the month --------------------------------------------------------------------

    def run(self, ledger: MonthLedger) -> Payslip:
        R = self.shape[0]
        self.quota.update(ledger)
        ctx = PayContext(
            ledger, self.quota, self.plan.target_variable, self.n_csms, peers=self.peers
        )
        ctx.scratch["multiplier"] = self.multiplier
        self._grow_customers(ledger)
        occupied = ledger.roster.occupied
        if ledger.month % MONTHS_PER_YEAR == 0:
            self.ytd_variable[:] = 0.0
        self.ytd_variable[ledger.roster.hired] = 0.0

        ae: dict[str, np.ndarray] = {}
        events = {
            k: np.zeros(R)
            for k in (
                "holdback_forfeited",
                "escrow_forfeited",
                "clawbacks_recovered",
                "cap_forfeited",
                "paid_to_leavers",
                "capitalized",
            )
        }
        add = lambda name, amount: ae.__setitem__(name, ae.get(name, 0.0) + amount)  # noqa: E731

        self._leaver_lines: dict[str, np.ndarray] = {}  # pay released to reps who left
        self._deal_pay: list[tuple] = []  # (customer, replication, seat, amount, to_seat)
        self._deal_earnings(ctx, add)
        self._escrow(ctx, add, events)
        for component in self.seat_components:
            add(component.name, component.pay(ctx))
        for adjuster in self.adjusters:
            ctx.variable_owed = sum(ae.values()) if ae else np.zeros(self.shape)
            add(adjuster.name, adjuster.adjust(ctx))
        self._record_deal_pay(self._apply_cap(ae, events))
        clawed = None
        if self.clawback is not None and ledger.accounts is not None:
            # after the cap, so only pay that reached the rep is recovered (the recovery
            # is netted against later pay through the carried balance)
            recovered, clawed = self.clawback.recover(ctx, self.paid_on_customer)
            add("clawback", recovered)
            events["clawbacks_recovered"] = -recovered.sum(axis=1)

        base = np.where(occupied, self.plan.base_salary / MONTHS_PER_YEAR, 0.0)
        owed = base + (sum(ae.values()) if ae else 0.0)
        paid = self._net_against_balance(owed, occupied)
        self.ytd_variable += np.maximum(paid - base, 0.0)

        csm, csm_lines = self._csm_pay(ctx)
        by_component = {"base_salary": base.sum(axis=1)}
        for name, amount in ae.items():
            by_component[name] = by_component.get(name, 0.0) + amount.sum(axis=1)
        for name, amount in (*csm_lines.items(), *self._leaver_lines.items()):
            by_component[name] = by_component.get(name, 0.0) + amount
        events["capitalized"] = sum(
            (by_component[n] for n in self.capitalized if n in by_component), np.zeros(R)
        )
        leavers = events["paid_to_leavers"]
        by_component["balance_carried"] = (paid - owed).sum(axis=1)
        attainment = self.quota.attainment.copy() if self.quota.is_year_end(ledger) else None
        if attainment is not None:
            self.quota.ratchet()
        return Payslip(
            ae=paid,
            csm=csm,
            by_component=by_component,
            by_role={"ae": paid.sum(axis=1) + leavers, "csm": csm.sum(axis=1)},
            year_end_attainment=attainment,
            clawed_back=clawed,
            events=events,
            ae_lines=ae,
        )

    def timing_incentive(self, month: int) -> np.ndarray:
        """(R, S): +1 where, in the last month of a quota period, accelerated commission
        pays more at the margin now than at the start of the next period; -1 where it
        pays less (a cap or decelerating tier); 0 elsewhere and in other months."""
        q = self.quota
        zero = np.zeros(self.shape)
        if month % q.period_months != q.period_months - 1:
            return zero
        if not any(c.accelerated for c in self.deal_components):
            return zero
        now = q.band_multiplier(q.period_credit / q.period_quota)
        fresh = q.band_multiplier(np.zeros(self.shape))
        return np.sign(now - fresh)

    # --- steps ----------------------------------------------------------------------

    def _grow_customers(self, ledger: MonthLedger) -> None:
        n = len(ledger.accounts.active) if ledger.accounts is not None else 0
        if len(ledger.deals):
            n = max(n, int(ledger.deals.customer.max()) + 1)
        if n > len(self.paid_on_customer):  # grow by doubling: not a copy every month
            grown = np.zeros(max(n, 2 * len(self.paid_on_customer)))
            grown[: len(self.paid_on_customer)] = self.paid_on_customer
            self.paid_on_customer = grown

    def _deal_earnings(self, ctx: PayContext, add) -> None:
        deals = ctx.ledger.deals
        if not self.deal_components or len(deals) == 0:
            return
        scale = self.multiplier(deals.fit, deals.discount) * (deals.seller >= 0)
        accel = self.quota.accelerated_factor()[deals.replication, deals.seat]
        for index, component in enumerate(self.deal_components):
            earned = component.earn(ctx) * scale * (accel if component.accelerated else 1.0)
            now = self._hold(ctx, earned, index, component)
            add(component.name, deals.by_seat(now, self.shape))
            self._deal_pay.append((deals.customer, deals.replication, deals.seat, now, True))

    def _hold(self, ctx: PayContext, earned, index: int, component: DealComponent):
        """Split a component's deal earnings into what is paid now and what is held."""
        for timing in self.timings:
            if timing.before_deferral:
                earned = timing.hold(ctx, self.escrow, earned, index)
        deferred = earned * (1.0 - component.paid_at_booking)
        if deferred.any():
            due = ctx.ledger.index + component.deferred_months
            self.escrow.hold(ctx, deferred, index, esc.DEFERRED, due, due, False)
        now = earned * component.paid_at_booking
        for timing in self.timings:
            if not timing.before_deferral:
                now = timing.hold(ctx, self.escrow, now, index)
        return now

    def _escrow(self, ctx: PayContext, add, events) -> None:
        """Pay what escrow releases this month, to the rep in seat or to a leaver, and
        record what it forfeits."""
        if ctx.ledger.accounts is None or len(self.escrow.items) == 0:
            return
        settled = self.escrow.settle(ctx)
        paid, leaving, R = settled.paid, settled.to_leaver, self.shape[0]
        per_replication = lambda mask: np.bincount(  # noqa: E731
            paid.replication[mask], weights=paid.amount[mask], minlength=R
        )
        for index, component in enumerate(self.deal_components):
            mine = paid.component == index
            staying = mine & ~leaving
            add(
                component.name,
                seat_sum(
                    paid.replication[staying], paid.seat[staying], paid.amount[staying], self.shape
                ),
            )
            if (mine & leaving).any():
                lines = self._leaver_lines
                lines[component.name] = lines.get(component.name, 0.0) + per_replication(
                    mine & leaving
                )
        events["paid_to_leavers"] += per_replication(leaving)
        self._deal_pay.append((paid.customer, paid.replication, paid.seat, paid.amount, ~leaving))
        lost = settled.forfeited
        deploy = lost.kind == esc.DEPLOY
        events["holdback_forfeited"] += np.bincount(
            lost.replication[deploy], weights=lost.amount[deploy], minlength=R
        )
        events["escrow_forfeited"] += np.bincount(
            lost.replication[~deploy], weights=lost.amount[~deploy], minlength=R
        )

    def _apply_cap(self, ae: dict, events) -> np.ndarray:
        """Scale positive variable pay so the plan year's total stays within the cap;
        return the (R, S) scale applied (1 where the cap does not bind)."""
        if self.plan.variable_cap is None or not ae:
            return np.ones(self.shape)
        room = np.maximum(
            self.plan.variable_cap * self.plan.target_variable - self.ytd_variable, 0.0
        )
        positive = sum(np.maximum(v, 0.0) for v in ae.values())
        scale = np.divide(room, positive, out=np.ones_like(room), where=positive > room)
        for name in ae:
            cut = np.maximum(ae[name], 0.0) * (1.0 - scale)
            ae[name] = ae[name] - cut
            events["cap_forfeited"] += cut.sum(axis=1)
        return scale

    def _record_deal_pay(self, cap_scale: np.ndarray) -> None:
        """Add this month's deal pay, as the cap let it through, to what each customer
        has paid out (what a clawback may recover)."""
        for customer, replication, seat, amount, to_seat in self._deal_pay:
            scale = np.where(to_seat, cap_scale[replication, seat], 1.0)
            np.add.at(self.paid_on_customer, customer, amount * scale)

    def _csm_pay(self, ctx: PayContext) -> tuple[np.ndarray, dict]:
        R, C = self.shape[0], self.n_csms
        base = np.full((R, C), self.plan.csm_base_salary / MONTHS_PER_YEAR)
        lines = {"csm_base_salary": base.sum(axis=1)}
        total = base.copy()
        for component in self.csm_components:
            amount = component.pay(ctx)
            total += amount
            lines[component.name] = lines.get(component.name, 0.0) + amount.sum(axis=1)
        return total, lines

    def _net_against_balance(self, owed: np.ndarray, occupied: np.ndarray) -> np.ndarray:
        """Pay what is owed net of any carried negative balance; carry the rest."""
        net = owed + self.balance
        self.balance = np.where(occupied, np.minimum(net, 0.0), 0.0)
        return np.maximum(net, 0.0)

    def forgive(self, departed: np.ndarray) -> None:
        """A rep who leaves takes an unrecovered negative balance with them."""
        self.balance[departed] = 0.0
