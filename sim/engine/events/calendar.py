"""Days and months in the events engine. A month is 365/12 days; month k (warm-up
included) spans [k x 365/12, (k + 1) x 365/12) days from the start of the
simulation. Something that happens "on a day within the month" sits at a fraction
of that span drawn from its account's own keyed uniform, so it falls on the same
day under every plan (common random numbers)."""

from __future__ import annotations

import numpy as np

from sim.ledger import DAYS_PER_MONTH

__all__ = ["DAYS_PER_MONTH", "day_in_month", "first_days", "last_days", "month_start"]
_EDGE = 1e-6  # days: keeps a day strictly inside its month, before the month-end epoch


def month_start(k) -> float | np.ndarray:
    """Day month k starts on."""
    return np.asarray(k) * DAYS_PER_MONTH


def day_in_month(k, fraction) -> float:
    """The day `fraction` (0 to 1) of the way through month k, kept strictly inside it
    so that the month-end epoch always comes after the month's events."""
    start = month_start(k)
    return float(np.clip(start + fraction * DAYS_PER_MONTH, start, start + DAYS_PER_MONTH - _EDGE))


def last_days(k, window_days: float, fraction) -> float:
    """A day within the last `window_days` of month k, `fraction` of the way through
    that window."""
    return day_in_month(k, 1.0 - window_days / DAYS_PER_MONTH * (1.0 - fraction))


def first_days(k, window_days: float, fraction) -> float:
    """A day within the first `window_days` of month k."""
    return day_in_month(k, window_days / DAYS_PER_MONTH * fraction)
