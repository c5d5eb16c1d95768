"""Quota credit and attainment over the plan year."""

from __future__ import annotations

import numpy as np

from sim.ledger import MonthLedger

MONTHS_PER_YEAR = 12


class QuotaTracker:
    """Year-to-date quota credit per seat. Credit is booked ACV of deals the rep in
    the seat closed; it resets at each plan-year start and when a new rep is hired."""

    def __init__(self, annual_quota: float, shape: tuple[int, int]):
        self.annual_quota = float(annual_quota)
        self.ytd_credit = np.zeros(shape)

    def update(self, ledger: MonthLedger) -> None:
        if ledger.month % MONTHS_PER_YEAR == 0:
            self.ytd_credit[:] = 0.0
        self.ytd_credit[ledger.roster.hired] = 0.0
        deals = ledger.deals
        credited = deals.seller >= 0
        self.ytd_credit += deals.by_seat(np.where(credited, deals.acv, 0.0), self.ytd_credit.shape)

    @property
    def attainment(self) -> np.ndarray:
        """(R, S) year-to-date credit as a fraction of the annual quota."""
        return self.ytd_credit / self.annual_quota

    @staticmethod
    def is_year_end(ledger: MonthLedger) -> bool:
        return ledger.month % MONTHS_PER_YEAR == MONTHS_PER_YEAR - 1
