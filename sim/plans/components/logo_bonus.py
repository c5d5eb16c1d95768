"""A fixed amount per new customer won (source 000: paid per new logo)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import DEAL_CELLS, ComponentConfig, DealComponent, OteBasis, PayContext
from sim.plans.registry import register


@register
class LogoBonusConfig(ComponentConfig):
    """A fixed amount per new customer won (source 000: paid per new logo)."""

    type: Literal["logo_bonus"]
    amount: float = param(1_000.0, "$ per logo", "bonus per new customer won", ge=0)
    min_acv: float = param(0.0, "$/yr", "only deals of at least this ACV count", ge=0)

    capitalized = True
    deal_pay = True
    variable_pay = ("amount",)

    def build(self, plan) -> list[LogoBonus]:
        return [LogoBonus(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """The amount per deal, for a year's quota credit in deals of the mean ACV."""
        return self.amount * basis.credit / basis.mean_acv

    def journey_cells(self, plan):
        return DEAL_CELLS

    def tail_months(self) -> int:
        return 0


class LogoBonus(DealComponent):
    name = "logo_bonus"

    def earn(self, ctx: PayContext) -> np.ndarray:
        deals = ctx.ledger.deals
        return np.where(deals.acv >= self.config.min_acv, self.config.amount, 0.0)
