"""Quota: credit, attainment, accelerator/decelerator tiers, threshold, cap, ratchet.

Quota credit is the booked ACV of deals a rep closes (plus renewed ARR where a
plan credits renewals to quota). Commission that is `accelerated` is scaled by
the tier schedule: `tiers` lists attainment breakpoints and rate multipliers,
e.g. [{from = 0, multiplier = 0.8}, {from = 0.5, multiplier = 1}, {from = 1,
multiplier = 1.5}]. Marginal tiers pay each slice of credit at its own band's
multiplier; retroactive tiers pay all credit of the period at the multiplier of
the band finally reached (crossing a break trues up earlier credit). Attainment
below `threshold` earns nothing; above `cap` it earns nothing more. Attainment
resets each period (month, quarter or year); the ratchet sets next year's quota
from this year's result.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from sim.ledger import MonthLedger
from sim.params import Section, param

MONTHS_PER_YEAR = 12
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


class Tier(Section):
    """Multiplier on accelerated commission for attainment from `from_` upward."""

    from_: float = Field(
        0.0,
        alias="from",
        ge=0,
        description="attainment where the band starts",
        json_schema_extra={"unit": "fraction of period quota"},
    )
    multiplier: float = param(1.0, "x rate", "rate multiplier within the band", ge=0)


class Quota(Section):
    """The quota and the attainment-based commission schedule."""

    amount: float | None = param(
        None, "$ ACV/yr", "annual quota; if unset, multiple_of_ote x OTE", gt=0
    )
    multiple_of_ote: float = param(5.0, "x annual OTE", "annual quota as a multiple of OTE", gt=0)
    period: Literal["month", "quarter", "year"] = param(
        "year", "choice", "attainment period: tiers, threshold and cap apply per period"
    )
    tiers: list[Tier] = param(
        [Tier(**{"from": 0.0, "multiplier": 1.0})],
        "table",
        "rate multipliers by attainment band, in increasing order of `from`",
    )
    tier_mode: Literal["marginal", "retroactive"] = param(
        "marginal", "choice", "pay each slice at its band's rate, or all at the final band's"
    )
    threshold: float = param(0.0, "fraction of quota", "attainment below this earns nothing", ge=0)
    cap: float | None = param(
        None, "fraction of quota", "attainment above this earns nothing", gt=0
    )
    credit_renewals: bool = param(False, "flag", "renewed ARR counts as quota credit (relief)")
    ratchet_up: float = param(
        0.0, "fraction", "next quota rises by this x (attainment - 1) above 100%", ge=0, le=1
    )
    ratchet_down: float = param(
        0.0, "fraction", "next quota falls by this x (1 - attainment) below 100%", ge=0, lt=1
    )

    @model_validator(mode="after")
    def _tiers_in_order(self):
        starts = [t.from_ for t in self.tiers]
        if not starts or starts[0] != 0:
            raise ValueError("tiers must start with a band from 0")
        if any(b <= a for a, b in pairwise(starts)):
            raise ValueError(f"tiers out of order: 'from' must increase, got {starts}")
        if self.cap is not None and self.cap <= self.threshold:
            raise ValueError(f"cap ({self.cap}) must exceed threshold ({self.threshold})")
        return self

    def annual(self, ote: float) -> float:
        return self.amount if self.amount is not None else self.multiple_of_ote * ote

    def schedule(self) -> tuple[np.ndarray, np.ndarray]:
        """Breakpoints (attainment) and band multipliers after threshold and cap."""
        breaks = [t.from_ for t in self.tiers]
        mults = [t.multiplier for t in self.tiers]
        for edge, inside in ((self.threshold, False), (self.cap, True)):
            if edge is None or edge == 0:
                continue
            i = int(np.searchsorted(breaks, edge, side="right"))
            if not breaks or breaks[i - 1] != edge:
                breaks.insert(i, edge)
                mults.insert(i, mults[i - 1])
            j = breaks.index(edge)
            if inside:  # above the cap: nothing
                mults[j:] = [0.0] * (len(mults) - j)
            else:  # below the threshold: nothing
                mults[:j] = [0.0] * j
        return np.asarray(breaks, float), np.asarray(mults, float)


def earned_multiple(attainment: np.ndarray, quota: Quota) -> np.ndarray:
    """Commission earned over a period, in units of (rate x period quota), for the
    period-to-date attainment: the integral of the band multipliers (marginal) or
    the final band's multiplier times attainment (retroactive)."""
    breaks, mults = quota.schedule()
    a = np.asarray(attainment, float)
    if quota.tier_mode == "retroactive":
        band = np.searchsorted(breaks, a, side="right") - 1
        earned = mults[band] * a
        if quota.cap is not None:  # nothing beyond the cap, even retroactively
            cap_band = np.searchsorted(breaks, quota.cap, side="right") - 2
            capped = mults[max(cap_band, 0)] * quota.cap
            earned = np.where(a >= quota.cap, capped, earned)
        return earned
    widths = np.diff(np.append(breaks, np.inf))
    inside = np.clip(a[..., None] - breaks, 0.0, widths)
    return (inside * mults).sum(axis=-1)


class QuotaTracker:
    """Quota credit per seat: period-to-date (for tiers) and year-to-date (for annual
    attainment and the ratchet), and each seat's annual quota."""

    def __init__(self, quota: Quota, ote: float, shape: tuple[int, int]):
        self.config = quota
        self.base_annual = quota.annual(ote)
        self.annual_quota = np.full(shape, self.base_annual)
        self.period_months = PERIOD_MONTHS[quota.period]
        self.period_credit = np.zeros(shape)
        self.ytd_credit = np.zeros(shape)
        self.credit_before = np.zeros(shape)  # period credit before this month's deals

    @property
    def period_quota(self) -> np.ndarray:
        return self.annual_quota * self.period_months / MONTHS_PER_YEAR

    def update(self, ledger: MonthLedger) -> None:
        if ledger.month % self.period_months == 0:
            self.period_credit[:] = 0.0
        if ledger.month % MONTHS_PER_YEAR == 0:
            self.ytd_credit[:] = 0.0
        hired = ledger.roster.hired
        self.period_credit[hired] = self.ytd_credit[hired] = 0.0
        self.annual_quota[hired] = self.base_annual
        credit = self.month_credit(ledger)
        self.credit_before = self.period_credit.copy()
        self.period_credit += credit
        self.ytd_credit += credit

    def month_credit(self, ledger: MonthLedger) -> np.ndarray:
        deals, shape = ledger.deals, ledger.shape
        credit = deals.by_seat(np.where(deals.seller >= 0, deals.acv, 0.0), shape)
        if self.config.credit_renewals:
            rn = ledger.renewals
            roster = ledger.roster
            owner = roster.occupied[rn.replication, rn.seat]
            credit += rn.by_seat(np.where(owner & rn.renewed, rn.new_arr, 0.0), shape)
        return credit

    def accelerated_factor(self) -> np.ndarray:
        """(R, S) effective multiplier on this month's accelerated commission: what the
        schedule earns between the credit before and after, per unit of credit."""
        q = self.period_quota
        before, after = self.credit_before / q, self.period_credit / q
        gained = earned_multiple(after, self.config) - earned_multiple(before, self.config)
        delta = after - before
        return np.divide(gained, delta, out=np.ones_like(delta), where=delta > 0)

    def band_multiplier(self, attainment: np.ndarray) -> np.ndarray:
        """Rate multiplier of the band each attainment falls in (the marginal rate)."""
        breaks, mults = self.config.schedule()
        return mults[np.searchsorted(breaks, attainment, side="right") - 1]

    @property
    def attainment(self) -> np.ndarray:
        """(R, S) year-to-date credit as a fraction of the annual quota."""
        return self.ytd_credit / self.annual_quota

    @staticmethod
    def is_year_end(ledger: MonthLedger) -> bool:
        return ledger.month % MONTHS_PER_YEAR == MONTHS_PER_YEAR - 1

    def ratchet(self) -> None:
        """At year end: next year's quota from this year's attainment."""
        c, a = self.config, self.attainment
        change = c.ratchet_up * np.maximum(a - 1.0, 0.0) - c.ratchet_down * np.maximum(1.0 - a, 0)
        self.annual_quota = self.annual_quota * (1.0 + change)
