"""Escrow: deal earnings that are earned but not yet paid.

Each held item remembers the deal (replication, seat, seller, customer), the
component that earned it, the amount and its release rule:

- `DEFERRED`: paid at month `due` if the customer is still active;
- `DEPLOY`: paid when the customer's deployment succeeds within the window;
  forfeited if it fails or the window passes;
- `INVOICE`: paid once the customer's first invoice is paid; forfeited after
  `expiry` if it never is.

An item whose customer leaves first is forfeited. If the rep who sold has left
by release time, the item is paid to the leaver or forfeited, per its rule.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from sim.plans.base import PayContext
from sim.subsets import rows_where

DEFERRED, DEPLOY, INVOICE = 0, 1, 2


@dataclass(slots=True)
class Held:
    replication: np.ndarray
    seat: np.ndarray
    seller: np.ndarray
    customer: np.ndarray
    amount: np.ndarray
    component: np.ndarray  # index into payroll's list of deal components
    kind: np.ndarray
    due: np.ndarray  # engine month of release (DEFERRED)
    expiry: np.ndarray  # engine month after which the item is forfeited
    pay_leaver: np.ndarray  # bool

    @classmethod
    def empty(cls) -> Held:
        return cls(
            *(
                np.zeros(0, dtype=t)
                for t in (
                    np.int64,
                    np.int64,
                    np.int64,
                    np.int64,
                    float,
                    np.int64,
                    np.int64,
                    np.int64,
                    np.int64,
                    bool,
                )
            )
        )

    def take(self, mask) -> Held:
        return Held(*rows_where(mask, *(getattr(self, f.name) for f in fields(self))))

    def extend(self, other: Held) -> Held:
        return Held(
            *(np.concatenate([getattr(self, f.name), getattr(other, f.name)]) for f in fields(self))
        )

    def __len__(self) -> int:
        return len(self.amount)


@dataclass(slots=True)
class Settlement:
    paid: Held  # items paid this month (to the rep in seat or to a leaver)
    to_leaver: np.ndarray  # bool per paid item
    forfeited: Held


class Escrow:
    def __init__(self):
        self.items = Held.empty()

    def hold(
        self, ctx: PayContext, amount, component: int, kind: int, due, expiry, pay_leaver: bool
    ) -> None:
        deals = ctx.ledger.deals
        keep = amount > 0
        n = int(keep.sum())
        if n == 0:
            return
        self.items = self.items.extend(
            Held(
                replication=deals.replication[keep].astype(np.int64),
                seat=deals.seat[keep].astype(np.int64),
                seller=deals.seller[keep].astype(np.int64),
                customer=deals.customer[keep].astype(np.int64),
                amount=amount[keep],
                component=np.full(n, component),
                kind=np.full(n, kind),
                due=np.broadcast_to(due, (len(amount),))[keep].astype(np.int64),
                expiry=np.broadcast_to(expiry, (len(amount),))[keep].astype(np.int64),
                pay_leaver=np.full(n, pay_leaver),
            )
        )

    @property
    def balance(self) -> float:
        return float(self.items.amount.sum())

    def settle(self, ctx: PayContext) -> Settlement:
        items, ledger = self.items, ctx.ledger
        k, acc = ledger.index, ledger.accounts
        active = acc.active[items.customer]
        deployed_ok = np.zeros(len(acc.active), dtype=bool)
        deployed_bad = np.zeros(len(acc.active), dtype=bool)
        dep = ledger.deployments
        deployed_ok[dep.customer[dep.success]] = True
        deployed_bad[dep.customer[~dep.success]] = True
        first_paid = acc.first_paid_month[items.customer]
        kind = items.kind
        ready = (
            np.select(
                [kind == DEFERRED, kind == DEPLOY, kind == INVOICE],
                [
                    items.due <= k,
                    deployed_ok[items.customer] & (k <= items.expiry),
                    (first_paid >= 0) & (first_paid <= k),
                ],
                default=False,
            ).astype(bool)
            & active
        )
        lapsed = ~ready & (
            ~active | (k >= items.expiry) | ((kind == DEPLOY) & deployed_bad[items.customer])
        )
        employed = ctx.still_employed(items.replication, items.seat, items.seller)
        paid = ready & (employed | items.pay_leaver)
        forfeited = lapsed | (ready & ~paid)
        self.items = items.take(~(paid | forfeited))
        return Settlement(items.take(paid), ~employed[paid], items.take(forfeited))
