"""Commission on expansion (seed 004): a rate on ARR added at renewal on the
accounts a CSM covers."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import ComponentConfig, CsmComponent, OteBasis, PayContext, csm_sum
from sim.plans.registry import register


@register
class ExpansionCommissionConfig(ComponentConfig):
    type: Literal["expansion_commission"]
    rate: float = param(
        0.05, "fraction of expansion ARR", "rate on ARR added at renewal", ge=0, le=1
    )

    variable_pay = ("rate",)

    def build(self, plan) -> list[ExpansionCommission]:
        return [ExpansionCommission(self)]

    def pays(self, plan) -> tuple[str, ...]:
        return ("csm",)

    def ote_pay(self, basis: OteBasis) -> float:
        """0: CSM pay, not part of the AE's OTE."""
        return 0.0

    def journey_cells(self, plan):
        return (("CSM", "expansion"),)

    def tail_months(self) -> int:
        return 0


class ExpansionCommission(CsmComponent):
    name = "expansion_commission"

    def pay(self, ctx: PayContext) -> np.ndarray:
        rn = ctx.ledger.renewals
        gain = np.where(rn.renewed, np.maximum(rn.new_arr - rn.prior_arr, 0.0), 0.0)
        return csm_sum(
            rn.replication, rn.csm, self.config.rate * gain, ctx.ledger.shape[0], ctx.n_csms
        )
