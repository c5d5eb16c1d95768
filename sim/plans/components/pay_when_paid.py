"""Source 003: commission earned at booking is paid when the customer pays its
first invoice; never-paying customers' commission is forfeited after a while.

It earns nothing itself: it routes what every deal component would pay now into
payroll's escrow (`sim.plans.escrow`) until the first invoice is paid. Paid
amounts are reported under the component that earned them.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans import escrow as esc
from sim.plans.base import ComponentConfig, OteBasis, PayContext, Timing
from sim.plans.registry import register


@register
class PayWhenPaidConfig(ComponentConfig):
    """Source 003: commission earned at booking is paid when the customer pays its
    first invoice; never-paying customers' commission is forfeited after a while."""

    type: Literal["pay_when_paid"]
    expiry_months: int = param(
        12, "months", "unpaid after this many months from booking: forfeited", ge=0
    )
    leaver: Literal["forfeit", "pay"] = param(
        "pay", "choice", "what happens if the rep has left when the invoice is paid"
    )

    once = True
    has_line = False
    restages_deal_pay = True
    variable_pay = ()

    def build(self, plan) -> list[PayWhenPaid]:
        return [PayWhenPaid(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """0: it pays nothing itself; held pay counts as released in full."""
        return 0.0

    def journey_cells(self, plan):
        return (("AE", "first use"), ("AE", "adoption"))

    def restage_deal_pay(self, plan, paid: float, means, put) -> float:
        """Every deal dollar not released at an earlier stage waited for the
        customer's first payment (first use and adoption)."""
        put(paid, self.journey_cells(plan))
        return 0.0

    def tail_months(self) -> int:
        return self.expiry_months


class PayWhenPaid(Timing):
    name = "pay_when_paid"
    before_deferral = False

    def hold(self, ctx: PayContext, escrow, earned, index: int) -> np.ndarray:
        p, k = self.config, ctx.ledger.index
        escrow.hold(ctx, earned, index, esc.INVOICE, k, k + p.expiry_months, p.leaver == "pay")
        return np.zeros_like(earned)
