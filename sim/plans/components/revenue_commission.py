"""Commission on revenue realization (source 000's "after"): pay on what customers
are really billed, or on cash collected, from the rep's own accounts for a
number of months after booking, instead of on the commitment at signing."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import (
    MONTHS_PER_YEAR,
    ComponentConfig,
    OteBasis,
    PayContext,
    SeatComponent,
    seat_sum,
)
from sim.plans.registry import register


@register
class RevenueCommissionConfig(ComponentConfig):
    type: Literal["revenue_commission"]
    rate: float = param(0.10, "fraction of revenue", "commission rate", ge=0, le=1)
    basis: Literal["recognized", "usage", "cash"] = param(
        "recognized",
        "choice",
        "revenue recognized (billed, commitments included), real consumption at the "
        "contract price, or cash collected",
    )
    months: int = param(12, "months", "paid on each account for this long after booking", ge=1)

    variable_pay = ("rate",)

    def build(self, plan) -> list[RevenueCommission]:
        return [RevenueCommission(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """Rate x revenue equal to a year's booked ACV, for at most 12 of its months."""
        return self.rate * basis.credit * min(self.months, MONTHS_PER_YEAR) / MONTHS_PER_YEAR

    def journey_cells(self, plan):
        return (("AE", "first use"), ("AE", "adoption"))

    def tail_months(self) -> int:
        return self.months


class RevenueCommission(SeatComponent):
    name = "revenue_commission"

    def pay(self, ctx: PayContext) -> np.ndarray:
        c, acc, k = self.config, ctx.ledger.accounts, ctx.ledger.index
        age = k - acc.booked_month
        eligible = (acc.seller >= 0) & (age >= 0) & (age < c.months)
        ids = np.flatnonzero(eligible)
        if len(ids) == 0:
            return np.zeros(ctx.ledger.shape)
        rep, seat, seller = acc.replication[ids], acc.seat[ids], acc.seller[ids]
        employed = ctx.still_employed(rep, seat, seller)
        base = {
            "cash": lambda: acc.cash()[ids],
            "usage": lambda: acc.used[ids],
            "recognized": lambda: acc.billed[ids],
        }[c.basis]()
        amount = c.rate * base * ctx.multiplier(acc.fit[ids], acc.discount[ids]) * employed
        return seat_sum(rep, seat, amount, ctx.ledger.shape)
