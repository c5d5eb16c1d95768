"""Renewal commission: a rate on renewed ARR, to the roles the plan credits with
renewals (policies.renewal_credit): the AE (the original rep if still employed,
or the account owner) and/or the account's CSM. Crediting both is seed 001's
overlapping incentive."""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import Section, param
from sim.plans.base import CsmComponent, PayContext, SeatComponent, csm_sum, seat_sum


class RenewalCommissionConfig(Section):
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

    def build(self, roles=("ae",)) -> list:
        parts = []
        if "ae" in roles:
            parts.append(RenewalCommissionAE(self))
        if "csm" in roles:
            parts.append(RenewalCommissionCSM(self))
        return parts


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
