"""Bonuses: SPIFFs on a named metric, and team bonuses on a company result."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import model_validator

from sim.params import Section, param
from sim.plans.base import MONTHS_PER_YEAR, CsmComponent, PayContext, SeatComponent, seat_sum


class SpiffConfig(Section):
    """A special incentive (seed 000: "spiffs targeting specific behaviours"): pays
    `amount` per unit of a metric the rep produces, for events meeting the
    condition, during a window of reported months."""

    type: Literal["spiff"]
    name: str = param("spiff", "text", "label used in reports (comp_cost_<name>)")
    metric: Literal["deals", "acv", "successful_deployments", "renewed_arr"] = param(
        "deals", "choice", "what is rewarded"
    )
    amount: float = param(
        500.0, "$ per unit ($ per $ for acv, renewed_arr)", "pay per unit of the metric", ge=0
    )
    min_fit: float = param(0.0, "fit score", "only customers with at least this fit", ge=0, le=1)
    max_discount: float = param(
        1.0, "fraction of list", "only deals discounted at most this", ge=0, le=1
    )
    start_month: int = param(0, "reported month", "first month of the window (0 = start)")
    end_month: int | None = param(None, "reported month", "last month of the window (none: end)")

    @model_validator(mode="after")
    def _window(self):
        if self.end_month is not None and self.end_month < self.start_month:
            raise ValueError("end_month is before start_month")
        return self

    def build(self) -> Spiff:
        return Spiff(self)


class Spiff(SeatComponent):
    def __init__(self, config: SpiffConfig):
        super().__init__(config)
        self.name = config.name

    def pay(self, ctx: PayContext) -> np.ndarray:
        c, ledger = self.config, ctx.ledger
        shape = ledger.shape
        if ledger.month < c.start_month or (c.end_month is not None and ledger.month > c.end_month):
            return np.zeros(shape)
        acc = ledger.accounts
        if c.metric in ("deals", "acv"):
            ev = ledger.deals
            fit, disc, value = ev.fit, ev.discount, ev.acv if c.metric == "acv" else 1.0
        elif c.metric == "successful_deployments":
            ev = ledger.deployments.take(ledger.deployments.success)
            fit, disc, value = acc.fit[ev.customer], acc.discount[ev.customer], 1.0
        else:
            ev = ledger.renewals.take(ledger.renewals.renewed)
            fit, disc, value = acc.fit[ev.customer], acc.discount[ev.customer], ev.new_arr
        ok = (fit >= c.min_fit) & (disc <= c.max_discount)
        ok &= ctx.still_employed(ev.replication, ev.seat, ev.seller)
        return seat_sum(ev.replication, ev.seat, np.where(ok, c.amount * value, 0.0), shape)


class TeamBonusConfig(Section):
    """A bonus pool on a company result for every member of a role (seed 004's team
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

    def build(self) -> list:
        return [TeamBonusAE(self) if self.role == "ae" else TeamBonusCSM(self)]


def payout_curve(result, target, threshold_share, cap) -> np.ndarray:
    """0 at threshold_share x target, 1 at target, rising with the same slope to cap."""
    floor = threshold_share * target
    return np.clip((np.asarray(result) - floor) / (target - floor), 0.0, cap)


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
