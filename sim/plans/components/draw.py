"""Draws: a guaranteed minimum of variable pay for a new rep's first months.

When a rep's variable pay in a draw month falls short of the draw, payroll pays
the difference. A recoverable draw is an advance: the top-ups are recovered
later from variable pay above the draw (after the draw period, from all of it);
what is still owed when the rep leaves is written off. A non-recoverable draw
is a guarantee.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import Adjuster, ComponentConfig, OteBasis, PayContext
from sim.plans.registry import register


@register
class DrawConfig(ComponentConfig):
    type: Literal["draw"]
    amount_per_month: float = param(5_000.0, "$/month", "guaranteed variable pay per month", ge=0)
    months: int = param(3, "months", "draw period from hire", ge=1)
    recoverable: bool = param(True, "flag", "top-ups are advances recovered from later pay")

    once = True
    unstaged = True  # tied to a hire, not to a stage of the customer journey
    # a draw is sized to the variable pay it advances, so it scales with it
    variable_pay = ("amount_per_month",)

    def build(self, plan) -> list[Draw]:
        return [Draw(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """0: at 100% attainment variable pay exceeds any draw."""
        return 0.0

    def journey_cells(self, plan):
        return ()

    def tail_months(self) -> int:
        return self.months


class Draw(Adjuster):
    name = "draw"

    def __init__(self, config: DrawConfig):
        super().__init__(config)
        self.owed = None

    def adjust(self, ctx: PayContext) -> np.ndarray:
        c, roster = self.config, ctx.ledger.roster
        if self.owed is None:
            self.owed = np.zeros(roster.occupied.shape)
        self.owed[roster.hired | ~roster.occupied] = 0.0
        variable = ctx.variable_owed
        in_draw = roster.occupied & (roster.tenure < c.months)
        top_up = np.where(in_draw, np.maximum(c.amount_per_month - variable, 0.0), 0.0)
        if not c.recoverable:
            return top_up
        floor = np.where(in_draw, c.amount_per_month, 0.0)
        recovery = np.minimum(self.owed, np.maximum(variable - floor, 0.0))
        self.owed += top_up - recovery
        return top_up - recovery
