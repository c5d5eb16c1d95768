"""Pay earned on deals won: commission on booked value, and a bonus per new logo."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import Section, param
from sim.plans.base import MONTHS_PER_YEAR, DealComponent, PayContext


class BookingsCommissionConfig(Section):
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

    def build(self) -> BookingsCommission:
        return BookingsCommission(self)


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


class LogoBonusConfig(Section):
    """A fixed amount per new customer won (seed 000: paid per new logo)."""

    type: Literal["logo_bonus"]
    amount: float = param(1_000.0, "$ per logo", "bonus per new customer won", ge=0)
    min_acv: float = param(0.0, "$/yr", "only deals of at least this ACV count", ge=0)

    def build(self) -> LogoBonus:
        return LogoBonus(self)


class LogoBonus(DealComponent):
    name = "logo_bonus"

    def earn(self, ctx: PayContext) -> np.ndarray:
        deals = ctx.ledger.deals
        return np.where(deals.acv >= self.config.min_acv, self.config.amount, 0.0)
