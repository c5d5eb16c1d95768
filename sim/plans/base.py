"""What every pay component shares: the monthly context it reads and its interface."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.ledger import MonthLedger
from sim.plans.quota import QuotaTracker


@dataclass(slots=True)
class PayContext:
    """What a component may read when computing one month's pay."""

    ledger: MonthLedger
    quota: QuotaTracker


class Component:
    """One pay rule. `pay` returns (R, S) dollars owed to AEs this month (negative
    amounts are recoveries, netted by payroll against future pay)."""

    name: str = "component"

    def pay(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})" if hasattr(self, "config") else self.name
