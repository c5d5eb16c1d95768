"""Pay for customer-success managers (seed 004): a bonus on gross revenue
retention and a commission on expansion.

Each customer is covered by one CSM (drawn once per account, so the same in
every plan). GRR for a CSM's book (or the whole company, for a team bonus) is
measured per plan year on the accounts active at its start: ARR a year later,
each capped at its starting value, over starting ARR.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import Section, param
from sim.plans.base import MONTHS_PER_YEAR, CsmComponent, PayContext, csm_sum
from sim.plans.bonuses import payout_curve


class GrrBonusConfig(Section):
    type: Literal["grr_bonus"]
    level: Literal["individual", "team"] = param(
        "individual", "choice", "each CSM's own book, or the whole company's"
    )
    target_bonus: float = param(15_000.0, "$/yr per CSM", "bonus at target GRR", ge=0)
    target_grr: float = param(0.92, "fraction", "GRR paying 100%", gt=0, le=1)
    threshold: float = param(0.9, "fraction of target", "GRR paying 0", ge=0, lt=1)
    cap: float = param(1.5, "x target bonus", "largest payout", ge=1)

    def build(self) -> GrrBonus:
        return GrrBonus(self)


class GrrBonus(CsmComponent):
    name = "grr_bonus"

    def __init__(self, config: GrrBonusConfig):
        super().__init__(config)
        self.start_arr = None  # per account, at the start of the plan year

    def pay(self, ctx: PayContext) -> np.ndarray:
        ledger, c = ctx.ledger, self.config
        R, C = ledger.shape[0], ctx.n_csms
        out = np.zeros((R, C))
        acc = ledger.accounts
        arr = np.where(acc.active, acc.billed * MONTHS_PER_YEAR, 0.0)
        first_month_seen = self.start_arr is None
        if first_month_seen:  # the first year is measured from the first month seen
            self.start_arr = arr
        if ledger.month % MONTHS_PER_YEAR != MONTHS_PER_YEAR - 1:
            return out
        if not first_month_seen and C:
            start = self.start_arr
            end = np.minimum(arr[: len(start)], start)
            rep, csm = acc.replication[: len(start)], acc.csm[: len(start)]
            if c.level == "team":
                csm = np.zeros_like(csm)
            s = csm_sum(rep, csm, start, R, C)
            e = csm_sum(rep, csm, end, R, C)
            grr = np.divide(e, s, out=np.zeros_like(e), where=s > 0)
            if c.level == "team":
                grr = np.repeat(grr[:, :1], C, axis=1)
            out = c.target_bonus * payout_curve(grr, c.target_grr, c.threshold, c.cap)
        self.start_arr = arr
        return out


class ExpansionCommissionConfig(Section):
    type: Literal["expansion_commission"]
    rate: float = param(
        0.05, "fraction of expansion ARR", "rate on ARR added at renewal", ge=0, le=1
    )

    def build(self) -> ExpansionCommission:
        return ExpansionCommission(self)


class ExpansionCommission(CsmComponent):
    name = "expansion_commission"

    def pay(self, ctx: PayContext) -> np.ndarray:
        rn = ctx.ledger.renewals
        gain = np.where(rn.renewed, np.maximum(rn.new_arr - rn.prior_arr, 0.0), 0.0)
        return csm_sum(
            rn.replication, rn.csm, self.config.rate * gain, ctx.ledger.shape[0], ctx.n_csms
        )
