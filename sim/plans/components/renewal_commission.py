"""Renewal commission: a rate on renewed ARR, to the roles the plan credits with
renewals (policies.renewal_credit): the AE (the original rep if still employed,
or the account owner) and/or the account's CSM. Crediting both is source 001's
overlapping incentive."""

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
class RenewalCommissionConfig(ComponentConfig):
    type: Literal["renewal_commission"]
    rate: float = param(
        0.02, "fraction of renewed ARR", "AE rate (if AEs are credited)", ge=0, le=1
    )
    csm_rate: float = param(
        0.02, "fraction of renewed ARR", "CSM rate (if CSMs are credited)", ge=0, le=1
    )
    recipient: Literal["original_rep", "account_owner"] = param(
        "original_rep",
        "choice",
        "AE paid: the rep who sold it (nothing if gone), or whoever holds the account's seat",
    )

    capitalized = True
    variable_pay = ("rate", "csm_rate")

    def build(self, plan) -> list:
        roles = self.pays(plan)
        parts = []
        if "ae" in roles:
            parts.append(RenewalCommissionAE(self))
        if "csm" in roles:
            parts.append(RenewalCommissionCSM(self))
        return parts

    def pays(self, plan) -> tuple[str, ...]:
        return tuple(plan.policies.renewal_credit)

    def ote_pay(self, basis: OteBasis) -> float:
        """0: renewals do not depend on this year's attainment."""
        return 0.0

    def journey_cells(self, plan):
        return tuple((role.upper(), "renewal") for role in self.pays(plan))

    def place_pay(self, plan, cost, put) -> None:
        """Split between AE and CSM by what each role was paid: the CSMs' share is
        their pay less base salary and their other components."""
        total = cost(self.line)
        credited = self.pays(plan)
        if total == 0:
            return
        if "ae" not in credited:
            put(total, [("CSM", "renewal")])
            return
        if "csm" not in credited:
            put(total, [("AE", "renewal")])
            return
        other_csm = sum(
            cost(c.line) for c in plan.components if c is not self and "csm" in c.pays(plan)
        )
        csm_part = cost("role_csm") - cost("csm_base_salary") - other_csm
        csm_part = float(np.clip(csm_part, 0.0, total))
        put(csm_part, [("CSM", "renewal")])
        put(total - csm_part, [("AE", "renewal")])

    def pays_on_installed_base(self) -> bool:
        return True

    def tail_months(self) -> int:
        return 0


def _renewed(ctx: PayContext):
    rn = ctx.ledger.renewals
    return rn.take(rn.renewed)


class RenewalCommissionAE(SeatComponent):
    name = "renewal_commission"

    def pay(self, ctx: PayContext) -> np.ndarray:
        rn = _renewed(ctx)
        if self.config.recipient == "original_rep":
            paid = ctx.still_employed(rn.replication, rn.seat, rn.seller)
        else:
            paid = ctx.ledger.roster.occupied[rn.replication, rn.seat]
        amount = np.where(paid, self.config.rate * rn.new_arr, 0.0)
        return seat_sum(rn.replication, rn.seat, amount, ctx.ledger.shape)


class RenewalCommissionCSM(CsmComponent):
    name = "renewal_commission"

    def pay(self, ctx: PayContext) -> np.ndarray:
        rn = _renewed(ctx)
        return csm_sum(
            rn.replication,
            rn.csm,
            self.config.csm_rate * rn.new_arr,
            ctx.ledger.shape[0],
            ctx.n_csms,
        )
