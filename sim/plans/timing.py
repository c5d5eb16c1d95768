"""When deal earnings are paid: held to a successful deployment, or to the invoice.

These components earn nothing themselves: they route part or all of every deal
component's earnings (bookings commission, logo bonus) into payroll's escrow,
which releases or forfeits it (`sim.plans.escrow`). Paid amounts are reported
under the component that earned them; what is never paid shows in
`holdback_forfeited`.
"""

from __future__ import annotations

from typing import Literal

from sim.params import Section, param
from sim.plans.base import Timing


class DeploymentHoldbackConfig(Section):
    """Seed 003: a share of variable pay is paid only once the customer deploys
    successfully within a window from booking."""

    type: Literal["deployment_holdback"]
    share: float = param(0.5, "fraction", "share of deal earnings held to deployment", ge=0, le=1)
    window_months: int = param(
        6, "months", "deployment must succeed within this many months of booking", ge=0
    )
    leaver: Literal["forfeit", "pay"] = param(
        "forfeit", "choice", "what happens to a held amount if the rep has left by release"
    )

    def build(self) -> DeploymentHoldback:
        return DeploymentHoldback(self)


class DeploymentHoldback(Timing):
    name = "deployment_holdback"


class PayWhenPaidConfig(Section):
    """Seed 003: commission earned at booking is paid when the customer pays its
    first invoice; never-paying customers' commission is forfeited after a while."""

    type: Literal["pay_when_paid"]
    expiry_months: int = param(
        12, "months", "unpaid after this many months from booking: forfeited", ge=0
    )
    leaver: Literal["forfeit", "pay"] = param(
        "pay", "choice", "what happens if the rep has left when the invoice is paid"
    )

    def build(self) -> PayWhenPaid:
        return PayWhenPaid(self)


class PayWhenPaid(Timing):
    name = "pay_when_paid"
