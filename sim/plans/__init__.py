"""Pay plans: base salary, pay components and payroll.

A plan component is a small object with one job: turn a month's ledger into
dollars per rep for all replications at once. Components know nothing about
engines; they read `sim.ledger.MonthLedger` and their own state. Each lives in
one file of `sim/plans/components/` and registers once (`sim.plans.registry`).
"""

from sim.plans.config import Plan, plan_tail_months, scale_variable_pay
from sim.plans.payroll import Payroll, Payslip
from sim.plans.quota import Quota

__all__ = ["Payroll", "Payslip", "Plan", "Quota", "plan_tail_months", "scale_variable_pay"]
