"""Commission on booked value, paid (partly) when the deal closes."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import (
    DEAL_CELLS,
    MONTHS_PER_YEAR,
    ComponentConfig,
    DealComponent,
    OteBasis,
    PayContext,
)
from sim.plans.registry import register


@register
class BookingsCommissionConfig(ComponentConfig):
    """Commission on booked value, paid (partly) when the deal closes."""

    type: Literal["bookings_commission"]
    rate: float = param(0.10, "fraction of basis", "commission rate on booked value", ge=0, le=1)
    basis: Literal["acv", "tcv", "first_year"] = param(
        "acv", "choice", "annual value, whole-term value, or value of the first 12 months"
    )
    multi_year_multiplier: float = param(
        1.0, "x rate", "rate multiplier for contracts longer than 12 months", ge=0
    )
    paid_at_booking: float = param(
        1.0, "fraction", "share paid at close; the rest after `remainder_after_months`", ge=0, le=1
    )
    remainder_after_months: int = param(
        12, "months", "when the rest is paid, if the customer is still active", ge=0
    )
    accelerated: bool = param(True, "flag", "scaled by the quota's attainment tiers")

    capitalized = True
    deal_pay = True
    variable_pay = ("rate",)

    def build(self, plan) -> list[BookingsCommission]:
        return [BookingsCommission(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """Rate x a year's quota credit, on the basis (TCV counts two-year terms twice),
        with the multi-year multiplier and, if accelerated, the tiers."""
        value = {"acv": 1.0, "first_year": 1.0, "tcv": 1.0 + basis.two_year_share}[self.basis]
        multi_year = 1.0 + basis.two_year_share * (self.multi_year_multiplier - 1.0)
        scale = basis.tier_factor if self.accelerated else 1.0
        return self.rate * basis.credit * value * multi_year * scale

    def journey_cells(self, plan):
        return DEAL_CELLS

    def tail_months(self) -> int:
        return self.remainder_after_months if self.paid_at_booking < 1 else 0


class BookingsCommission(DealComponent):
    name = "bookings_commission"

    def __init__(self, config: BookingsCommissionConfig):
        super().__init__(config)
        self.accelerated = config.accelerated
        self.paid_at_booking = config.paid_at_booking
        self.deferred_months = config.remainder_after_months

    def earn(self, ctx: PayContext) -> np.ndarray:
        c, deals = self.config, ctx.ledger.deals
        value = {
            "acv": deals.acv,
            "tcv": deals.tcv,
            "first_year": deals.acv
            * np.minimum(deals.term_months, MONTHS_PER_YEAR)
            / MONTHS_PER_YEAR,
        }[c.basis]
        multi_year = np.where(deals.term_months > MONTHS_PER_YEAR, c.multi_year_multiplier, 1.0)
        return c.rate * multi_year * value
