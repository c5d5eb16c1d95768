"""The customer book: a growable column store, one row per customer ever won.

Rows are never deleted (a churned customer is marked inactive), so a row index
is a stable customer id that plan components can key deal-level state on.
"""

from __future__ import annotations

import numpy as np

COLUMNS: dict[str, type] = {
    "replication": np.int32,
    "seat": np.int32,  # account owner: the seat that won it
    "seller": np.int32,  # hire number of the selling rep; -1: house or former rep
    "fit": np.float64,
    "need": np.float64,  # true annual need at list price at signing, $/yr
    "discount": np.float64,
    "overforecast": np.float64,
    "term": np.int16,
    "usage_contract": np.bool_,
    "commitment": np.float64,  # committed $/yr at contract price
    "booked_acv": np.float64,  # ACV booked at signing, $/yr
    "price": np.float64,  # current price as a fraction of list
    "booked_month": np.int32,
    "contract_end": np.int32,
    "n_renewals": np.int16,
    "deploy_state": np.int8,  # 0 waiting or onboarding, 1 succeeded, 2 failed
    "queued_month": np.int32,
    "time_to_value": np.float64,  # months from close to go-live
    "onboarding_wait": np.float64,  # months queued before onboarding started
    "key": np.uint64,  # the account's random key (see sim.streams)
    "pay_class": np.int8,  # 0 on time, 1 late, 2 never
    "first_paid_month": np.int32,  # month the first invoice is paid; -1: never
    "csm": np.int32,  # the customer-success manager covering the account
    "drift": np.float32,  # own monthly log-growth of use at health 0.5
    "owner_key": np.int64,  # replication x n_seats + seat, for sums by seat
    "billing_key": np.int64,  # pay_class x n_replications x n_seats + owner_key
    "active": np.bool_,
    "usage_index": np.float64,  # cumulative growth of real use since signing
    "health": np.float32,
    "health_base": np.float32,  # health log-odds from fit, deployment and overforecast
    "use_scale": np.float64,  # need x adoption x price: real use = use_scale x usage_index
    "min_billing": np.float64,  # take-or-pay floor, $/yr (0: usage contract or churned)
    "cohort_arr": np.float64,  # ARR at the start of the current annual cohort
    "in_cohort": np.bool_,
    "in_report": np.bool_,  # booked in the reported period (not burn-in)
}


class CustomerBook:
    def __init__(self, capacity: int):
        self.n = 0
        self._capacity = max(int(capacity), 16)
        self.cols = {k: np.zeros(self._capacity, dtype=t) for k, t in COLUMNS.items()}
        self._expose()

    def _expose(self) -> None:
        """Each column's first n rows as a plain attribute (`book.fit`): read many times
        a month, so a view made once per append, not per read."""
        self.__dict__.update({name: col[: self.n] for name, col in self.cols.items()})

    def append(self, count: int, **values) -> np.ndarray:
        """Add `count` rows; `values` gives named columns (others start at zero)."""
        self._reserve(self.n + count)
        rows = slice(self.n, self.n + count)
        for name, value in values.items():
            self.cols[name][rows] = value
        self.n += count
        self._expose()
        return np.arange(rows.start, rows.stop)

    def _reserve(self, size: int) -> None:
        if size <= self._capacity:
            return
        new = max(size, 2 * self._capacity)
        for k, col in self.cols.items():
            grown = np.zeros(new, dtype=col.dtype)
            grown[: self.n] = col[: self.n]
            self.cols[k] = grown
        self._capacity = new
