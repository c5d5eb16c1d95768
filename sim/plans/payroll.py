"""Payroll: base salary plus every component, with negative balances carried forward."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.ledger import MonthLedger
from sim.plans.base import PayContext
from sim.plans.config import Plan
from sim.plans.quota import QuotaTracker

MONTHS_PER_YEAR = 12


@dataclass(slots=True)
class Payslip:
    """One month of pay. `ae` is cash paid per seat; `by_component` and `by_role` are
    per-replication totals in dollars; `year_end_attainment` is set in the last month
    of a plan year."""

    ae: np.ndarray  # (R, S)
    by_component: dict[str, np.ndarray]  # name -> (R,)
    by_role: dict[str, np.ndarray]  # "ae", "csm" -> (R,)
    year_end_attainment: np.ndarray | None = None
    clawed_back: np.ndarray | None = None  # (R, S) bool: a clawback hit the rep this month

    @property
    def total(self) -> np.ndarray:
        return sum(self.by_role.values())


class Payroll:
    """Runs a plan month by month for all reps of all replications in a chunk."""

    def __init__(self, plan: Plan, shape: tuple[int, int], n_csms: int):
        self.plan = plan
        self.shape = shape
        self.n_csms = n_csms
        self.quota = QuotaTracker(plan.annual_quota, shape)
        self.components = [c.build(shape) for c in plan.components]
        self.balance = np.zeros(shape)  # negative: owed back by the rep, recovered from pay

    def run(self, ledger: MonthLedger) -> Payslip:
        self.quota.update(ledger)
        ctx = PayContext(ledger=ledger, quota=self.quota)
        occupied = ledger.roster.occupied
        base = np.where(occupied, self.plan.base_salary / MONTHS_PER_YEAR, 0.0)
        owed = base.copy()
        by_component = {"base_salary": base.sum(axis=1)}
        for component in self.components:
            amount = component.pay(ctx)
            owed += amount
            by_component[component.name] = by_component.get(component.name, 0) + amount.sum(1)
        paid = self._net_against_balance(owed, occupied)
        csm = np.full(self.shape[0], self.n_csms * self.plan.csm_base_salary / MONTHS_PER_YEAR)
        attainment = self.quota.attainment.copy() if self.quota.is_year_end(ledger) else None
        return Payslip(paid, by_component, {"ae": paid.sum(axis=1), "csm": csm}, attainment)

    def _net_against_balance(self, owed: np.ndarray, occupied: np.ndarray) -> np.ndarray:
        """Pay what is owed net of any carried negative balance; carry the rest."""
        net = owed + self.balance
        self.balance = np.where(occupied, np.minimum(net, 0.0), 0.0)
        return np.maximum(net, 0.0)

    def forgive(self, departed: np.ndarray) -> None:
        """A rep who leaves takes an unrecovered negative balance with them."""
        self.balance[departed] = 0.0
