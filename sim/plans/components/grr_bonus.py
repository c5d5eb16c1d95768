"""A bonus for customer-success managers on gross revenue retention (source 004).

Each customer is covered by one CSM (drawn once per account, so the same in
every plan). GRR for a CSM's book (or the whole company's) is measured per plan
year on the accounts active at its start: ARR a year later, each capped at its
starting value, over starting ARR.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import (
    MONTHS_PER_YEAR,
    ComponentConfig,
    CsmComponent,
    OteBasis,
    PayContext,
    csm_sum,
    payout_curve,
)
from sim.plans.registry import register


@register
class GrrBonusConfig(ComponentConfig):
    type: Literal["grr_bonus"]
    level: Literal["individual", "team"] = param(
        "individual", "choice", "each CSM's own book, or the whole company's"
    )
    target_bonus: float = param(15_000.0, "$/yr per CSM", "bonus at target GRR", ge=0)
    target_grr: float = param(0.92, "fraction", "GRR paying 100%", gt=0, le=1)
    threshold: float = param(0.9, "fraction of target", "GRR paying 0", ge=0, lt=1)
    cap: float = param(1.5, "x target bonus", "largest payout", ge=1)

    variable_pay = ("target_bonus",)

    def build(self, plan) -> list[GrrBonus]:
        return [GrrBonus(self)]

    def pays(self, plan) -> tuple[str, ...]:
        return ("csm",)

    def ote_pay(self, basis: OteBasis) -> float:
        """0: CSM pay, not part of the AE's OTE."""
        return 0.0

    def journey_cells(self, plan):
        return (("CSM", "renewal"),)

    def pays_on_installed_base(self) -> bool:
        return True

    def tail_months(self) -> int:
        return MONTHS_PER_YEAR


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
