"""Clawback: recover commission when a customer churns or de-books early (source 003).

When a customer leaves within `window_months` of booking, a fraction of the deal
commission already paid on it is recovered from the selling rep's future pay
(a negative balance carried by payroll). Method "all" recovers that fraction
whatever the timing; "pro_rata" scales it by the share of the window not
served. A rep who has left cannot be clawed back.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import DEAL_CELLS, ComponentConfig, OteBasis, PayContext, Recovery, seat_sum
from sim.plans.registry import register


@register
class ClawbackConfig(ComponentConfig):
    type: Literal["clawback"]
    window_months: int = param(12, "months", "churn within this long after booking", ge=1)
    fraction: float = param(1.0, "fraction", "share of paid commission recovered", ge=0, le=1)
    method: Literal["all", "pro_rata"] = param(
        "all", "choice", "recover the fraction, or scale it by the unserved share of the window"
    )

    once = True
    capitalized = True  # capitalized commission is net of clawbacks
    deal_pay = True  # recoveries net against deal pay
    variable_pay = ()

    def build(self, plan) -> list[Clawback]:
        return [Clawback(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """0: at 100% attainment no customer churns early."""
        return 0.0

    def journey_cells(self, plan):
        return DEAL_CELLS

    def tail_months(self) -> int:
        return self.window_months


class Clawback(Recovery):
    name = "clawback"

    def recover(self, ctx: PayContext, paid_on_customer: np.ndarray):
        """(R, S) recoveries (negative dollars) and the (R, S) mask of reps clawed back."""
        c, churns = self.config, ctx.ledger.churns
        months = churns.months_since_booking
        within = (months <= c.window_months) & (churns.seller >= 0)
        scale = c.fraction * (
            1.0 if c.method == "all" else np.clip(1.0 - months / c.window_months, 0.0, 1.0)
        )
        employed = ctx.still_employed(churns.replication, churns.seat, churns.seller)
        amount = np.where(within & employed, scale * paid_on_customer[churns.customer], 0.0)
        paid_on_customer[churns.customer] -= amount
        shape = ctx.ledger.shape
        recovered = seat_sum(churns.replication, churns.seat, amount, shape)
        return -recovered, recovered > 0
