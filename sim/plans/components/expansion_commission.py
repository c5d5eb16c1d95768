"""Commission on expansion: a rate on ARR added at renewal (new ARR above the
prior ARR) on the accounts a CSM covers (source 004), or on an AE's own accounts
(the account owner's seat: "new business at 10%, expansion at 5%" is a bookings
line and an AE expansion line)."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import (
    ComponentConfig,
    CsmComponent,
    OteBasis,
    PayContext,
    SeatComponent,
    csm_sum,
    seat_sum,
)
from sim.plans.registry import register


@register
class ExpansionCommissionConfig(ComponentConfig):
    type: Literal["expansion_commission"]
    name: str = param(
        "expansion_commission", "text", "line name in reports (comp_cost_<name>); distinct per line"
    )
    role: Literal["csm", "ae"] = param(
        "csm", "choice", "paid to the account's CSM, or to the AE holding the account's seat"
    )
    rate: float = param(
        0.05, "fraction of expansion ARR", "rate on ARR added at renewal", ge=0, le=1
    )

    variable_pay = ("rate",)

    @property
    def line(self) -> str:
        return self.name

    def build(self, plan) -> list:
        return [ExpansionCommissionAE(self) if self.role == "ae" else ExpansionCommission(self)]

    def pays(self, plan) -> tuple[str, ...]:
        return (self.role,)

    def ote_pay(self, basis: OteBasis) -> float:
        """0: expansion at renewal does not depend on this year's attainment (and CSM
        pay is not part of the AE's OTE)."""
        return 0.0

    def journey_cells(self, plan):
        return ((self.role.upper(), "expansion"),)

    def pays_on_installed_base(self) -> bool:
        return True

    def tail_months(self) -> int:
        return 0


def expansion(ctx: PayContext):
    """This month's renewals and the ARR each added ($/yr, 0 if none or churned)."""
    rn = ctx.ledger.renewals
    return rn, np.where(rn.renewed, np.maximum(rn.new_arr - rn.prior_arr, 0.0), 0.0)


class ExpansionCommission(CsmComponent):
    def __init__(self, config: ExpansionCommissionConfig):
        super().__init__(config)
        self.name = config.name

    def pay(self, ctx: PayContext) -> np.ndarray:
        rn, gain = expansion(ctx)
        return csm_sum(
            rn.replication, rn.csm, self.config.rate * gain, ctx.ledger.shape[0], ctx.n_csms
        )


class ExpansionCommissionAE(SeatComponent):
    def __init__(self, config: ExpansionCommissionConfig):
        super().__init__(config)
        self.name = config.name

    def pay(self, ctx: PayContext) -> np.ndarray:
        rn, gain = expansion(ctx)
        owner = ctx.ledger.roster.occupied[rn.replication, rn.seat]
        amount = np.where(owner, self.config.rate * gain, 0.0)
        return seat_sum(rn.replication, rn.seat, amount, ctx.ledger.shape)
