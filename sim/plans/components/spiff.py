"""A special incentive (source 000: "spiffs targeting specific behaviours"): pays
`amount` per unit of a metric the rep produces, for events meeting the
condition, during a window of reported months."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import model_validator

from sim.params import param
from sim.plans.base import ComponentConfig, OteBasis, PayContext, SeatComponent, seat_sum
from sim.plans.registry import register

STAGE_OF_METRIC = {
    "deals": "conversion",
    "acv": "conversion",
    "successful_deployments": "onboarding",
    "renewed_arr": "renewal",
}


@register
class SpiffConfig(ComponentConfig):
    """A special incentive (source 000: "spiffs targeting specific behaviours"): pays
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

    variable_pay = ("amount",)

    @model_validator(mode="after")
    def _window(self):
        if self.end_month is not None and self.end_month < self.start_month:
            raise ValueError("end_month is before start_month")
        return self

    @property
    def line(self) -> str:
        return self.name

    def build(self, plan) -> list[Spiff]:
        return [Spiff(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """0: a SPIFF is a temporary incentive outside the on-target promise."""
        return 0.0

    def journey_cells(self, plan):
        return (("AE", STAGE_OF_METRIC[self.metric]),)

    def tail_months(self) -> int:
        return 0


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
