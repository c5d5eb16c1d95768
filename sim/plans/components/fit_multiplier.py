"""Rate multiplier or gate by ICP-fit band (source 003: commission conditioned on fit).

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


class FitBand(Section):
    min_fit: float = param(0.0, "fit score", "band covers fit from this upward", ge=0, le=1)
    multiplier: float = param(1.0, "x rate", "rate multiplier within the band", ge=0)


@register
class FitMultiplierConfig(DealMultiplierConfig):
    """Rate multiplier or gate by ICP-fit band (source 003: commission conditioned on fit)."""

    type: Literal["fit_multiplier"]
    bands: list[FitBand] = param(
        [FitBand(min_fit=0.0, multiplier=0.0), FitBand(min_fit=0.4, multiplier=1.0)],
        "table",
        "bands in increasing order of min_fit; the first must start at 0",
    )
    mode: Literal["multiplier", "gate"] = param(
        "multiplier", "choice", "gate: any multiplier below 1 becomes 0"
    )

    @model_validator(mode="after")
    def _ordered(self):
        starts = [b.min_fit for b in self.bands]
        if not starts or starts[0] != 0:
            raise ValueError("bands must start with min_fit = 0")
        if any(b <= a for a, b in pairwise(starts)):
            raise ValueError(f"bands out of order: min_fit must increase, got {starts}")
        return self

    def build(self, plan) -> list[FitMultiplier]:
        return [FitMultiplier(self)]


class FitMultiplier(DealMultiplier):
    name = "fit_multiplier"

    def factor(self, fit, discount) -> np.ndarray:
        starts = np.array([b.min_fit for b in self.config.bands])
        mults = np.array([b.multiplier for b in self.config.bands])
        if self.config.mode == "gate":
            mults = np.where(mults < 1.0, 0.0, mults)
        return mults[np.searchsorted(starts, fit, side="right") - 1]
