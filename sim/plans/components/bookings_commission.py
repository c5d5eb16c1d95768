"""Commission on booked value, paid (partly) when the deal closes.

A plan may have several lines with distinct `name`s, each on the deals its filter
admits (contract kind, term, fit): "new business on commit contracts at 10%, on
usage contracts at 6%" is two lines. Quota credit counts every deal whatever the
lines' filters.
"""

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
    name: str = param(
        "bookings_commission", "text", "line name in reports (comp_cost_<name>); distinct per line"
    )
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
    contract: Literal["any", "commit", "usage"] = param(
        "any", "choice", "only deals on this contract kind earn on this line"
    )
    term: Literal["any", 12, 24] = param(
        "any", "months", "only deals of this contract term earn on this line"
    )
    min_fit: float = param(
        0.0, "fit score", "only deals with at least this ICP fit earn on this line", ge=0, le=1
    )

    capitalized = True
    deal_pay = True
    variable_pay = ("rate",)

    def build(self, plan) -> list[BookingsCommission]:
        return [BookingsCommission(self)]

    @property
    def line(self) -> str:
        return self.name

    def ote_pay(self, basis: OteBasis) -> float:
        """Rate x the part of a year's quota credit its filter admits, on the basis
        (TCV counts two-year terms twice), with the multi-year multiplier on two-year
        terms and, if accelerated, the tiers."""
        two_year = basis.two_year_share
        one_year_weight = (1.0 - two_year) if self.term in ("any", 12) else 0.0
        two_year_weight = two_year if self.term in ("any", 24) else 0.0
        term_value = 2.0 if self.basis == "tcv" else 1.0
        value = one_year_weight + two_year_weight * term_value * self.multi_year_multiplier
        usage = basis.usage_share
        contract = {"any": 1.0, "commit": 1.0 - usage, "usage": usage}[self.contract]
        scale = basis.tier_factor if self.accelerated else 1.0
        admitted = contract * basis.fit_share(self.min_fit)
        return self.rate * basis.credit * value * admitted * scale

    def journey_cells(self, plan):
        return DEAL_CELLS

    def tail_months(self) -> int:
        return self.remainder_after_months if self.paid_at_booking < 1 else 0


class BookingsCommission(DealComponent):
    def __init__(self, config: BookingsCommissionConfig):
        super().__init__(config)
        self.name = config.name
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
        return c.rate * multi_year * value * self.admits(deals)

    def admits(self, deals) -> np.ndarray:
        """Whether each deal earns on this line (its contract kind, term and fit)."""
        c = self.config
        ok = deals.fit >= c.min_fit
        if c.contract != "any":
            ok = ok & (deals.usage_contract.astype(bool) == (c.contract == "usage"))
        if c.term != "any":
            ok = ok & (deals.term_months == c.term)
        return ok
