"""The engine's `Accounts` view of its customer book, for pay components."""

from __future__ import annotations

import numpy as np

from sim.ledger import Accounts

MONTHS_PER_YEAR = 12


class BookAccounts(Accounts):
    """Columns of the customer book as the ledger's read-only accounts view."""

    def __init__(self, book, billed_history: dict[int, np.ndarray], month: int, delays):
        for name in (
            "replication",
            "seat",
            "seller",
            "csm",
            "booked_month",
            "active",
            "fit",
            "discount",
            "booked_acv",
            "first_paid_month",
        ):
            setattr(self, name, getattr(book, name))
        self._pay_class = book.pay_class
        self._history, self._month, self._delays = billed_history, month, delays
        self.billed = billed_history[month] / MONTHS_PER_YEAR
        self._book = book

    @property
    def used(self) -> np.ndarray:
        """$ of real use this month at the contract price (computed when asked)."""
        return self._book.use_scale * self._book.usage_index / MONTHS_PER_YEAR

    def cash(self) -> np.ndarray:
        """$ collected from each customer this month: on-time payers pay the invoice of
        `payment_delay_months` ago, late payers that of `late_delay_months` ago, bad
        debts never."""
        out = np.zeros(len(self.billed))
        for pay_class, delay in enumerate(self._delays):
            billed = self._history.get(self._month - delay)
            if billed is None:
                continue
            n = len(billed)
            mask = self._pay_class[:n] == pay_class
            out[:n][mask] = billed[mask] / MONTHS_PER_YEAR
        return out
