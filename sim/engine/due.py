"""Due lists: rows filed under the month they fall due, for engines that step by month.

A due list is a `dict` month -> list of parts; each part holds some rows, in the
order they were filed. Filing keeps the rows' order within a month, so whatever
is processed month by month keeps each replication's own order.
"""

from __future__ import annotations

import numpy as np


def file_by_month(table: dict, months, payload, horizon: int | None = None) -> None:
    """Append the rows of `payload` (an array, or a tuple of arrays of the same rows)
    to `table[month]`, each under its entry of `months`; rows due at or after
    `horizon` (if given) never fall due and are dropped."""
    months = np.asarray(months, dtype=np.int64)
    if len(months) == 0:
        return
    if isinstance(payload, tuple):
        pick = lambda rows: tuple(p[rows] for p in payload)  # noqa: E731
    else:
        pick = payload.__getitem__
    first, last = int(months.min()), int(months.max())
    if horizon is not None:
        last = min(last, horizon - 1)
    if last - first <= 1:  # the usual case for contracts (one term, or 12 and 24 apart)
        for month in range(first, last + 1):
            rows = months == month
            if rows.any():
                table[month].append(pick(rows))
        return
    offset = months - first
    # a stable sort of 16-bit integers is a radix sort: several times faster
    small = int(months.max()) - first < np.iinfo(np.int16).max
    order = np.argsort(offset.astype(np.int16) if small else offset, kind="stable")
    counts = np.bincount(offset)
    bounds = np.cumsum(counts)
    for i in np.flatnonzero(counts[: last - first + 1]).tolist():
        table[first + i].append(pick(order[bounds[i] - counts[i] : bounds[i]]))


def pop_due(table: dict, month: int) -> np.ndarray:
    """The rows filed under `month` (an int64 array, in filing order), removed from the
    table."""
    parts = table.pop(month, [])
    if len(parts) == 1:
        return parts[0].astype(np.int64, copy=False)
    return np.concatenate(parts).astype(np.int64, copy=False) if parts else np.empty(0, np.int64)
