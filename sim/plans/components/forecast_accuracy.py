"""Pay for forecast accuracy: a Gonik-style grid (Gonik 1978, HBR "Tie salesmen's
bonuses to their forecasts").

Each quarter the rep forecasts its bookings F; at quarter end it has booked A.
With f = F/Q and a = A/Q in units of the quarter's quota, the payout is
`target_bonus / 4` x (f x base + (a - f) x over) when a >= f, and
x (f x base - (f - a) x under) when a < f, never below 0. With
over < base < under, a rep who expects to book A earns most by forecasting A.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import model_validator

from sim.params import param
from sim.plans.base import ComponentConfig, OteBasis, PayContext, PeriodCredit, SeatComponent
from sim.plans.registry import register

QUARTER_MONTHS = 3


@register
class ForecastAccuracyConfig(ComponentConfig):
    type: Literal["forecast_accuracy"]
    target_bonus: float = param(10_000.0, "$/yr", "paid when forecast = bookings = quota", ge=0)
    base_weight: float = param(1.0, "x per unit of forecast", "pay per unit forecast", ge=0)
    over_weight: float = param(0.5, "x per unit", "pay per unit booked above forecast", ge=0)
    under_weight: float = param(1.5, "x per unit", "loss per unit booked below forecast", ge=0)
    max_payout: float = param(2.0, "x quarterly target", "largest quarterly payout", ge=0)

    variable_pay = ("target_bonus",)

    @model_validator(mode="after")
    def _truthful(self):
        if not self.over_weight <= self.base_weight <= self.under_weight:
            raise ValueError("need over_weight <= base_weight <= under_weight for honest forecasts")
        return self

    def build(self, plan) -> list[ForecastAccuracy]:
        return [ForecastAccuracy(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """The target bonus (an exact forecast of bookings at quota)."""
        return self.target_bonus

    def journey_cells(self, plan):
        return (("AE", "conversion"),)

    def tail_months(self) -> int:
        return QUARTER_MONTHS


def gonik_payout(forecast, actual, c: ForecastAccuracyConfig) -> np.ndarray:
    """Quarterly payout in units of the quarterly target, for f = F/Q and a = A/Q."""
    f, a = np.asarray(forecast, float), np.asarray(actual, float)
    over = f * c.base_weight + (a - f) * c.over_weight
    under = f * c.base_weight - (f - a) * c.under_weight
    return np.clip(np.where(a >= f, over, under), 0.0, c.max_payout)


class ForecastAccuracy(SeatComponent):
    name = "forecast_accuracy"

    def __init__(self, config: ForecastAccuracyConfig):
        super().__init__(config)
        self.booked = PeriodCredit(QUARTER_MONTHS)

    def pay(self, ctx: PayContext) -> np.ndarray:
        ledger = ctx.ledger
        if not self.booked.add(ctx):
            return np.zeros(ledger.shape)
        quarter_quota = ctx.quota.annual_quota / 4
        booked = self.booked.credit
        g = gonik_payout(ledger.forecast / quarter_quota, booked / quarter_quota, self.config)
        return np.where(ledger.roster.occupied, g * self.config.target_bonus / 4, 0.0)
