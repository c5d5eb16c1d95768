"""A lump-sum bonus when a rep's quota credit in a period reaches a hurdle of the
bonus's own quota: "a quarterly bonus quota beside the annual commission quota"
(Chung, Steenburgh & Sudhir 2014 compare exactly that), or an annual
President's-Club-style bonus.

- Credit is the plan's quota credit (booked ACV, plus renewed ARR where the quota
  credits renewals), counted from the period's first month (or the rep's hire).
- The bonus quota is `quota_amount` dollars per period, or `quota_multiple` x the
  period's share of the rep's annual commission quota (the default, 1 x: it
  follows a ratcheted quota).
- `steps` are stepped hurdles: each step whose `at` (fraction of the bonus quota)
  the period's credit reaches pays its `amount`, once per period, so crossing 1.25
  with steps at 1.0 and 1.25 pays both.
- Paid in the period's last month, to the rep in seat then: the result is known
  only at period end, and a rep who leaves before it forfeits the bonus (the usual
  plan rule, and the one that makes a hurdle worth staying for).
- A rep hired during the period (`prorate_new_hires = true`, the default) faces the
  quota scaled by the share of the period's months in seat, and is paid the
  amounts scaled the same way; otherwise the full quota and amounts apply. Ramp
  is not allowed for.
- The plan's variable cap applies; quota tiers do not (a bonus is not commission).
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

import numpy as np
from pydantic import model_validator

from sim.params import Section, param
from sim.plans.base import (
    MONTHS_PER_YEAR,
    ComponentConfig,
    OteBasis,
    PayContext,
    PeriodCredit,
    SeatComponent,
)
from sim.plans.quota import PERIOD_MONTHS
from sim.plans.registry import register


class BonusStep(Section):
    at: float = param(1.0, "fraction of bonus quota", "credit that earns this step", gt=0)
    amount: float = param(5_000.0, "$ per period", "paid once per period on reaching it", ge=0)


@register
class AttainmentBonusConfig(ComponentConfig):
    type: Literal["attainment_bonus"]
    name: str = param(
        "attainment_bonus", "text", "line name in reports (comp_cost_<name>); distinct per line"
    )
    period: Literal["month", "quarter", "year"] = param(
        "quarter", "choice", "the bonus period: credit counts from its start, pay at its end"
    )
    quota_amount: float | None = param(
        None, "$ ACV per period", "the bonus quota in dollars (instead of quota_multiple)", gt=0
    )
    quota_multiple: float | None = param(
        None,
        "x period share of annual quota",
        "the bonus quota as a multiple of the period's share of the commission quota (default 1)",
        gt=0,
    )
    steps: list[BonusStep] = param(
        [BonusStep(at=1.0, amount=5_000.0)],
        "table",
        "hurdles in increasing order of `at`, each paid once per period when reached",
        min_length=1,
    )
    prorate_new_hires: bool = param(
        True, "flag", "a rep hired mid-period: quota and amounts x share of the period in seat"
    )

    capitalized = True  # earned only by booking contracts: an incremental cost of obtaining them
    variable_pay = ("steps.amount",)

    @model_validator(mode="after")
    def _consistent(self):
        if self.quota_amount is not None and self.quota_multiple is not None:
            raise ValueError("give quota_amount or quota_multiple, not both")
        hurdles = [s.at for s in self.steps]
        if any(b <= a for a, b in pairwise(hurdles)):
            raise ValueError(f"steps out of order: 'at' must increase, got {hurdles}")
        return self

    @property
    def line(self) -> str:
        return self.name

    @property
    def period_months(self) -> int:
        return PERIOD_MONTHS[self.period]

    def bonus_quota(self, annual_quota):
        """The period's bonus quota, $ ACV, for an annual commission quota."""
        if self.quota_amount is not None:
            return np.full(np.shape(annual_quota), self.quota_amount)
        multiple = 1.0 if self.quota_multiple is None else self.quota_multiple
        return multiple * np.asarray(annual_quota) * self.period_months / MONTHS_PER_YEAR

    def earned(self, attainment) -> np.ndarray:
        """Bonus per period for the period's credit / bonus quota, $."""
        a = np.asarray(attainment, float)
        return sum(np.where(a >= s.at, s.amount, 0.0) for s in self.steps)

    def build(self, plan) -> list[AttainmentBonus]:
        return [AttainmentBonus(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """The steps reached by a year's credit spread evenly over the periods, times
        the periods in a year."""
        credit = basis.credit * self.period_months / MONTHS_PER_YEAR
        attainment = credit / float(self.bonus_quota(basis.annual_quota))
        return float(self.earned(attainment)) * MONTHS_PER_YEAR / self.period_months

    def journey_cells(self, plan):
        return (("AE", "conversion"),)

    def tail_months(self) -> int:
        return self.period_months


class AttainmentBonus(SeatComponent):
    def __init__(self, config: AttainmentBonusConfig):
        super().__init__(config)
        self.name = config.name
        self.credit = PeriodCredit(config.period_months)

    def pay(self, ctx: PayContext) -> np.ndarray:
        c, ledger = self.config, ctx.ledger
        if not self.credit.add(ctx):
            return np.zeros(ledger.shape)
        share = 1.0
        if c.prorate_new_hires:
            share = np.minimum(ledger.roster.tenure + 1, c.period_months) / c.period_months
        attainment = self.credit.credit / (c.bonus_quota(ctx.quota.annual_quota) * share)
        return np.where(ledger.roster.occupied, c.earned(attainment) * share, 0.0)
