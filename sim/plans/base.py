"""What pay components share: the monthly context they read and their kinds.

Every component is configured from a scenario table (a pydantic `Section` with a
`type`) whose `build()` returns the runtime object. Runtime objects come in
kinds that payroll runs in order:

- `DealComponent`: earns an amount per deal won this month (bookings
  commission, logo bonus). Payroll scales it by the deal multipliers and the
  quota tiers, then pays it now or holds it in escrow per the plan's timing rules.
- `DealMultiplier`: scales deal earnings by a deal's fit or discount.
- `SeatComponent`: pays AEs directly per seat, (R, S) dollars (revenue
  commission, renewal commission, SPIFFs, forecast accuracy, team bonus).
- `CsmComponent`: pays CSMs, (R, C) dollars.
- `Adjuster`: changes the month's AE variable pay after everything else (CSAT
  modifier, draw).

Negative amounts are recoveries; payroll nets them against future pay.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.ledger import MonthLedger, sum_by
from sim.plans.quota import QuotaTracker

MONTHS_PER_YEAR = 12


@dataclass(slots=True)
class PayContext:
    """What a component may read when computing one month's pay."""

    ledger: MonthLedger
    quota: QuotaTracker
    target_variable: float  # AE annual variable pay at 100% attainment (OTE - base), $
    n_csms: int
    variable_owed: np.ndarray | None = None  # (R, S) AE variable owed so far this month
    scratch: dict = field(default_factory=dict)

    @property
    def employed(self) -> np.ndarray:
        return self.ledger.roster.occupied

    def multiplier(self, fit, discount) -> np.ndarray:
        """The plan's deal multipliers (discount-adjusted rate, fit) for these accounts."""
        return self.scratch["multiplier"](fit, discount)

    def still_employed(self, replication, seat, seller) -> np.ndarray:
        """Whether the rep who sold (hire number `seller`) is still in its seat."""
        roster = self.ledger.roster
        return (
            (seller >= 0)
            & roster.occupied[replication, seat]
            & (roster.hire_no[replication, seat] == seller)
        )


class Component:
    name: str = "component"

    def __init__(self, config):
        self.config = config

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"


class DealComponent(Component):
    accelerated = False  # scaled by the quota tiers
    paid_at_booking = 1.0  # the rest is deferred
    deferred_months = 0

    def earn(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        """Amount earned on each deal of `ctx.ledger.deals`, before multipliers."""
        raise NotImplementedError


class DealMultiplier(Component):
    def factor(self, fit: np.ndarray, discount: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class SeatComponent(Component):
    def pay(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        """(R, S) dollars owed to the AE in each seat this month."""
        raise NotImplementedError


class CsmComponent(Component):
    def pay(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        """(R, C) dollars owed to each CSM this month."""
        raise NotImplementedError


class Adjuster(Component):
    def adjust(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        """(R, S) dollars added to (or removed from) this month's AE variable pay."""
        raise NotImplementedError


class Timing(Component):
    """Configures when deal earnings are paid; payroll's escrow does the holding."""


def seat_sum(replication, seat, values, shape) -> np.ndarray:
    flat = np.asarray(replication, np.int64) * shape[1] + seat
    return sum_by(flat, values, shape[0] * shape[1]).reshape(shape)


def csm_sum(replication, csm, values, n_replications: int, n_csms: int) -> np.ndarray:
    if n_csms == 0:
        return np.zeros((n_replications, 0))
    flat = np.asarray(replication, np.int64) * n_csms + csm
    return sum_by(flat, values, n_replications * n_csms).reshape(n_replications, n_csms)
