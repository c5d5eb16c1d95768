"""Commission on bookings: a rate on each deal's booked value, paid at close."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.plans.base import Component, PayContext
from sim.scenario.params import Section, param


class BookingsCommissionConfig(Section):
    """Pays `rate` x booked ACV to the rep in the seat when a deal closes."""

    type: Literal["bookings_commission"]
    rate: float = param(0.10, "fraction of ACV", "commission rate on booked value", ge=0, le=1)

    def build(self, shape: tuple[int, int]) -> BookingsCommission:
        return BookingsCommission(self)


class BookingsCommission(Component):
    name = "bookings_commission"

    def __init__(self, config: BookingsCommissionConfig):
        self.config = config

    def pay(self, ctx: PayContext) -> np.ndarray:
        deals = ctx.ledger.deals
        earned = np.where(deals.seller >= 0, self.config.rate * deals.acv, 0.0)
        return deals.by_seat(earned, ctx.ledger.shape)
