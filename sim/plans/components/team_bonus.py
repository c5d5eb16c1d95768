"""A bonus pool on a company result for every member of a role (source 004's team
bonus): paid at plan-year end as `amount` x payout, where payout rises linearly
from 0 at `threshold` x target to 1 at target, and on to `cap` above it."""

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
    SeatComponent,
    payout_curve,
)
from sim.plans.registry import register

STAGES_OF_METRIC = {
    "new_arr": ("conversion",),
    "revenue": ("first use", "adoption"),
    "grr": ("renewal",),
    "nrr": ("renewal", "expansion"),
    "csat": ("adoption",),
}


@register
class TeamBonusConfig(ComponentConfig):
    """A bonus pool on a company result for every member of a role (source 004's team
    bonus): paid at plan-year end as `amount` x payout, where payout rises linearly
    from 0 at `threshold` x target to 1 at target, and on to `cap` above it."""

    type: Literal["team_bonus"]
    role: Literal["ae", "csm"] = param("csm", "choice", "who receives it")
    metric: Literal["new_arr", "revenue", "grr", "nrr", "csat"] = param(
        "grr", "choice", "the company result it pays on (per plan year)"
    )
    target: float = param(0.92, "metric's unit", "result that pays 100%", gt=0)
    amount: float = param(10_000.0, "$/yr per person", "bonus at 100% payout", ge=0)
    threshold: float = param(0.9, "fraction of target", "result paying 0", ge=0, lt=1)
    cap: float = param(1.5, "x amount", "largest payout", ge=1)

    variable_pay = ("amount",)

    def build(self, plan) -> list:
        return [TeamBonusAE(self) if self.role == "ae" else TeamBonusCSM(self)]

    def pays(self, plan) -> tuple[str, ...]:
        return (self.role,)

    def ote_pay(self, basis: OteBasis) -> float:
        """The amount, for AEs (at target, the company result is on target)."""
        return self.amount if self.role == "ae" else 0.0

    def journey_cells(self, plan):
        return tuple((self.role.upper(), stage) for stage in STAGES_OF_METRIC[self.metric])

    def tail_months(self) -> int:
        return MONTHS_PER_YEAR

    def pays_on_installed_base(self) -> bool:
        return self.metric != "new_arr"

    def pays_ae_on_shared_results(self) -> bool:
        return self.role == "ae"


class _TeamResult:
    """Accumulates the company result a team bonus pays on over the plan year."""

    def __init__(self, config: TeamBonusConfig):
        self.config = config
        self.sum = None
        self.n = None

    def year_payout(self, ctx: PayContext) -> np.ndarray | None:
        ledger, metric = ctx.ledger, self.config.metric
        if ledger.month % MONTHS_PER_YEAR == 0 or self.sum is None:
            self.sum, self.n = np.zeros(ledger.shape[0]), np.zeros(ledger.shape[0])
        if metric == "new_arr":
            self.sum += ledger.deals.by_replication(ledger.deals.acv, ledger.shape[0])
        elif metric == "revenue":
            self.sum += ledger.revenue.sum(axis=1)
        elif metric == "csat" and ledger.survey is not None:
            self.sum += ledger.survey.satisfied.sum(axis=1)
            self.n += ledger.survey.responses.sum(axis=1)
        if ledger.month % MONTHS_PER_YEAR != MONTHS_PER_YEAR - 1:
            return None
        cohort = ledger.extra.get("cohort")
        if metric in ("grr", "nrr"):
            if cohort is None:
                return None
            end = cohort["end_arr_capped" if metric == "grr" else "end_arr"]
            result = np.divide(
                end, cohort["start_arr"], out=np.zeros_like(end), where=cohort["start_arr"] > 0
            )
        elif metric == "csat":
            result = np.divide(self.sum, self.n, out=np.zeros_like(self.sum), where=self.n > 0)
        else:
            result = self.sum
        result = ctx.shared(f"team_bonus.{metric}", "company", result)
        c = self.config
        return c.amount * payout_curve(result, c.target, c.threshold, c.cap)


class _TeamBonus:
    name = "team_bonus"

    def __init__(self, config):
        self.config = config
        self.result = _TeamResult(config)


class TeamBonusAE(_TeamBonus, SeatComponent):
    def pay(self, ctx: PayContext) -> np.ndarray:
        payout = self.result.year_payout(ctx)
        if payout is None:
            return np.zeros(ctx.ledger.shape)
        return payout[:, None] * ctx.ledger.roster.occupied


class TeamBonusCSM(_TeamBonus, CsmComponent):
    def pay(self, ctx: PayContext) -> np.ndarray:
        payout = self.result.year_payout(ctx)
        if payout is None:
            return np.zeros((ctx.ledger.shape[0], ctx.n_csms))
        return np.repeat(payout[:, None], ctx.n_csms, axis=1)
