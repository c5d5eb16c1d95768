"""Rate multiplier schedule by discount: deeper discounts earn a lower rate.

A deal multiplier: it applies to every deal component (bookings commission, logo
bonus) and to revenue commission account by account.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

import numpy as np
from pydantic import model_validator

from sim.params import Section, param
from sim.plans.base import DealMultiplier, DealMultiplierConfig
from sim.plans.registry import register


class DiscountBand(Section):
    max_discount: float = param(1.0, "fraction of list", "band covers discounts up to this", ge=0)
    multiplier: float = param(1.0, "x rate", "rate multiplier in the band", ge=0)


@register
class DiscountAdjustedRateConfig(DealMultiplierConfig):
    """Rate multiplier schedule by discount: deeper discounts earn a lower rate."""

    type: Literal["discount_adjusted_rate"]
    bands: list[DiscountBand] = param(
        [
            DiscountBand(max_discount=0.1, multiplier=1.0),
            DiscountBand(max_discount=0.2, multiplier=0.8),
            DiscountBand(max_discount=1.0, multiplier=0.5),
        ],
        "table",
        "bands in increasing order of max_discount; the last must reach 1",
    )

    @model_validator(mode="after")
    def _ordered(self):
        edges = [b.max_discount for b in self.bands]
        if any(b <= a for a, b in pairwise(edges)):
            raise ValueError(f"bands out of order: max_discount must increase, got {edges}")
        if not edges or edges[-1] < 1.0:
            raise ValueError("the last band must have max_discount = 1")
        return self

    def build(self, plan) -> list[DiscountAdjustedRate]:
        return [DiscountAdjustedRate(self)]


class DiscountAdjustedRate(DealMultiplier):
    name = "discount_adjusted_rate"

    def factor(self, fit, discount) -> np.ndarray:
        edges = np.array([b.max_discount for b in self.config.bands])
        mults = np.array([b.multiplier for b in self.config.bands])
        band = np.minimum(np.searchsorted(edges, discount, side="left"), len(edges) - 1)
        return mults[band]
