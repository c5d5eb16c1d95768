"""Pay plans: base salary, pay components and payroll.

A plan component is a small object with one job: turn a month's ledger into
dollars per rep for all replications at once. Components know nothing about
engines; they read `sim.ledger.MonthLedger` and their own state.
"""

from sim.plans.config import Plan
from sim.plans.payroll import Payroll, Payslip
from sim.plans.quota import Quota

__all__ = ["Payroll", "Payslip", "Plan", "Quota"]
