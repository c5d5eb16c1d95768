"""The monthly ledger: what happened in one month, for every rep of every replication.

The engine fills one `MonthLedger` per simulated month; payroll and metrics read
it and never look inside the engine. Arrays shaped (R, S) are indexed by
replication (within the chunk) and AE seat; event tables are flat, one row per
event, with `replication` and `seat` columns. Money is in dollars; ARR and ACV
are annual, revenue and cash are for the month.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from sim.subsets import rows_where

DAYS_PER_MONTH = 365.0 / 12.0  # a month of the events engine, whose deals have days


def sum_by(index: np.ndarray, values, size: int) -> np.ndarray:
    """Sum `values` into `size` bins by `index`; always float, even when empty."""
    weights = np.broadcast_to(np.asarray(values, dtype=float), np.shape(index))
    return np.bincount(index, weights=weights, minlength=size).astype(float, copy=False)


@dataclass(slots=True)
class EventTable:
    """Flat columns, one row per event; subclasses name the columns."""

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))

    def take(self, mask: np.ndarray):
        return type(self)(*rows_where(mask, *(getattr(self, f.name) for f in fields(self))))

    @classmethod
    def concat(cls, tables: list, empty):
        """One table of the rows of `tables` (all of this type), in order; `empty`
        (a table of this type with no rows) when there are none."""
        if not tables:
            return empty
        columns = (f.name for f in fields(cls))
        return cls(**{c: np.concatenate([getattr(t, c) for t in tables]) for c in columns})

    def by_seat(self, values: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
        """Sum `values` (one per row) into an (R, S) array by replication and seat."""
        flat = np.asarray(self.replication, np.int64) * shape[1] + self.seat
        return sum_by(flat, values, shape[0] * shape[1]).reshape(shape)

    def by_replication(self, values: np.ndarray, n_replications: int) -> np.ndarray:
        return sum_by(self.replication, values, n_replications)


@dataclass(slots=True)
class Deals(EventTable):
    """Deals won and booked this month. `seller` is the hire number of the rep in the
    seat at close, or -1 if the seat was vacant (a house deal nobody is paid for)."""

    replication: np.ndarray
    seat: np.ndarray
    seller: np.ndarray
    customer: np.ndarray
    acv: np.ndarray  # $/yr booked: need x (1 + overforecast) x (1 - discount)
    tcv: np.ndarray  # $ over the term
    term_months: np.ndarray
    fit: np.ndarray
    discount: np.ndarray
    overforecast: np.ndarray
    usage_contract: np.ndarray  # bool: billed on actual use rather than the commitment


@dataclass(slots=True)
class Deployments(EventTable):
    """Onboardings that finished this month, successfully or not."""

    replication: np.ndarray
    seat: np.ndarray
    seller: np.ndarray
    customer: np.ndarray
    acv: np.ndarray
    success: np.ndarray  # bool
    wait_months: np.ndarray  # months in the onboarding queue before starting
    months_since_booking: np.ndarray


@dataclass(slots=True)
class Renewals(EventTable):
    """Contracts that reached term end this month: renewed or churned."""

    replication: np.ndarray
    seat: np.ndarray  # account owner (the seat that sold it)
    seller: np.ndarray  # hire number of the rep who sold the original deal
    customer: np.ndarray
    prior_arr: np.ndarray  # $/yr just before term end
    new_arr: np.ndarray  # $/yr after renewal (0 if churned)
    renewed: np.ndarray  # bool
    p_renew: np.ndarray  # the model's probability for this renewal
    months_since_booking: np.ndarray
    csm: np.ndarray  # the customer's CSM


@dataclass(slots=True)
class Churns(EventTable):
    """Customers lost this month: not renewed at term end, or de-booked (cancelled
    after a failed deployment)."""

    replication: np.ndarray
    seat: np.ndarray  # account owner
    seller: np.ndarray
    customer: np.ndarray
    csm: np.ndarray  # the customer's CSM
    lost_arr: np.ndarray  # $/yr billed just before leaving
    months_since_booking: np.ndarray
    debooked: np.ndarray  # bool: cancelled after a failed deployment, not a non-renewal


class Accounts:
    """Read-only view of every customer ever won (one row each; ids are stable).
    Engines provide it; components read columns such as `seller`, `booked_month`,
    `active`, `fit` and `billed` (this month's billing, $) and may ask for `cash()`."""

    replication: np.ndarray
    seat: np.ndarray
    seller: np.ndarray
    csm: np.ndarray
    booked_month: np.ndarray  # engine month index of the original booking
    active: np.ndarray
    fit: np.ndarray
    discount: np.ndarray
    booked_acv: np.ndarray
    first_paid_month: np.ndarray  # engine month the first invoice is paid; -1: never
    billed: np.ndarray  # $ billed this month
    used: np.ndarray  # $ of real use this month at the contract price (consumption)

    def cash(self) -> np.ndarray:  # pragma: no cover - interface
        """$ collected from each customer this month."""
        raise NotImplementedError


@dataclass(slots=True)
class Roster:
    """The AE seats this month. `tenure` is months in seat (0 in the month of hire)."""

    occupied: np.ndarray  # (R, S) bool
    hire_no: np.ndarray  # (R, S) int: 0 for the starting rep, +1 per hire
    tenure: np.ndarray  # (R, S) int
    hired: np.ndarray  # (R, S) bool: joined this month
    departed: np.ndarray  # (R, S) bool: quit at the end of this month
    skill: np.ndarray | None = None  # (R, S) skill of the rep in each seat


@dataclass(slots=True)
class SurveyWave:
    """A CSAT survey: share of respondents satisfied, per account-owner seat."""

    satisfied: np.ndarray  # (R, S) satisfied respondents
    responses: np.ndarray  # (R, S) respondents
    months: int = 3  # months since the previous wave

    def measured(self) -> np.ndarray:
        """(R, S) measured CSAT per seat; NaN where nobody answered."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.responses > 0, self.satisfied / self.responses, np.nan)

    def company(self) -> np.ndarray:
        """(R,) measured CSAT over all respondents."""
        n = self.responses.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, self.satisfied.sum(axis=1) / n, np.nan)


@dataclass(slots=True)
class MonthLedger:
    """Everything payroll and metrics may know about one month."""

    month: int  # reporting month; negative during burn-in
    index: int  # engine month index (0 = first simulated month)
    roster: Roster
    deals: Deals
    pursuits_closed: np.ndarray  # (R, S) pursued opportunities that closed, won or lost
    deployments: Deployments
    renewals: Renewals
    churns: Churns
    revenue: np.ndarray  # (R, S) revenue recognized this month, by account owner
    cash: np.ndarray  # (R, S) cash collected this month, by account owner
    arr: np.ndarray  # (R,) annual recurring revenue at month end
    customers: np.ndarray  # (R,) active customers at month end
    first_year_booked: np.ndarray  # (R,) committed $ due this month in contracts' first year
    first_year_realized: np.ndarray  # (R,) real use, in $ at contract price, of the same
    survey: SurveyWave | None = None
    accounts: Accounts | None = None
    forecast: np.ndarray | None = None  # (R, S) bookings each rep forecast for this quarter
    team: np.ndarray | None = None  # (S,) team index of each seat
    n_csms: int = 0
    strategy: dict | None = None  # lever -> (R, S) strategy in force at each seat
    pulled: np.ndarray | None = None  # (R,) won deals booked early by a timing game
    pulled_discount: np.ndarray | None = None  # (R,) sum of those deals' discounts
    held: np.ndarray | None = None  # (R,) won deals held for the next period
    # day of the month (0 to DAYS_PER_MONTH) each of `deals` closed on: events engine only
    deal_days: np.ndarray | None = None
    extra: dict = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.roster.occupied.shape
