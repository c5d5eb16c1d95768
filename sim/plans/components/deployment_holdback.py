"""Source 003: a share of variable pay is paid only once the customer deploys
successfully within a window from booking.

It earns nothing itself: it routes that share of every deal component's earnings
(bookings commission, logo bonus) into payroll's escrow (`sim.plans.escrow`),
which releases or forfeits it. Paid amounts are reported under the component
that earned them; what is never paid shows in `holdback_forfeited`.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans import escrow as esc
from sim.plans.base import ComponentConfig, OteBasis, PayContext, Timing
from sim.plans.registry import register


@register
class DeploymentHoldbackConfig(ComponentConfig):
    """Source 003: a share of variable pay is paid only once the customer deploys
    successfully within a window from booking."""

    type: Literal["deployment_holdback"]
    share: float = param(0.5, "fraction", "share of deal earnings held to deployment", ge=0, le=1)
    window_months: int = param(
        6, "months", "deployment must succeed within this many months of booking", ge=0
    )
    leaver: Literal["forfeit", "pay"] = param(
        "forfeit", "choice", "what happens to a held amount if the rep has left by release"
    )

    once = True
    has_line = False
    restages_deal_pay = True
    variable_pay = ()

    def build(self, plan) -> list[DeploymentHoldback]:
        return [DeploymentHoldback(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """0: it pays nothing itself; held pay counts as released in full."""
        return 0.0

    def journey_cells(self, plan):
        return (("AE", "onboarding"),)

    def restage_deal_pay(self, plan, paid: float, means, put) -> float:
        """Deal pay earned = paid + forfeited; (1 - share) of it was paid at booking,
        the rest on deployment (onboarding)."""
        earned = paid + float(means.get("holdback_forfeited", 0.0) or 0.0)
        after_deploy = float(np.clip(paid - (1 - self.share) * earned, 0.0, paid))
        put(after_deploy, self.journey_cells(plan))
        return paid - after_deploy

    def tail_months(self) -> int:
        return self.window_months


class DeploymentHoldback(Timing):
    name = "deployment_holdback"
    before_deferral = True

    def hold(self, ctx: PayContext, escrow, earned, index: int) -> np.ndarray:
        h, k = self.config, ctx.ledger.index
        escrow.hold(
            ctx, earned * h.share, index, esc.DEPLOY, k, k + h.window_months, h.leaver == "pay"
        )
        return earned * (1.0 - h.share)
