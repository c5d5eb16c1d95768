"""Payroll on hand-built ledgers, with answers worked out by hand."""

import numpy as np

from sim.ledger import Churns, Deals, Deployments, MonthLedger, Renewals, Roster
from sim.plans.config import Plan
from sim.plans.payroll import Payroll

COMMISSION = [{"type": "bookings_commission", "rate": 0.10}]  # 10% of ACV


def _empty(table, **extra):
    return table(
        **{name: np.array(extra.get(name, []), dtype=float) for name in table.__dataclass_fields__}
    )


def ledger(month: int, deals=None, occupied=None, hired=None) -> MonthLedger:
    shape = (1, 2)
    occupied = np.ones(shape, bool) if occupied is None else occupied
    z = np.zeros(shape)
    deals = deals or _empty(Deals)
    for name in ("replication", "seat", "seller", "customer"):
        setattr(deals, name, getattr(deals, name).astype(int))
    return MonthLedger(
        month=month,
        index=month,
        roster=Roster(
            occupied,
            np.zeros(shape, int),
            np.full(shape, 20),
            np.zeros(shape, bool) if hired is None else hired,
            np.zeros(shape, bool),
        ),
        deals=deals,
        pursuits_closed=z,
        deployments=_empty(Deployments),
        renewals=_empty(Renewals),
        churns=_empty(Churns),
        revenue=z,
        cash=z,
        arr=np.zeros(1),
        customers=np.zeros(1),
        first_year_booked=np.zeros(1),
        first_year_realized=np.zeros(1),
    )


def deals(seats, sellers, acv):
    n = len(seats)
    return _empty(
        Deals,
        replication=[0] * n,
        seat=seats,
        seller=sellers,
        acv=acv,
        customer=range(n),
        tcv=acv,
        term_months=[12] * n,
        fit=[0.5] * n,
        discount=[0.1] * n,
        overforecast=[0] * n,
        usage_contract=[0] * n,
    )


def test_base_plus_commission_by_hand():
    plan = Plan(name="p", base_salary=60_000, ote=120_000, components=COMMISSION)
    payroll = Payroll(plan, (1, 2), n_csms=3)
    slip = payroll.run(ledger(0, deals([0, 0, 1], [0, 0, -1], [30_000, 50_000, 40_000])))
    # seat 0: 5,000 base + 10% of 80,000; seat 1: base only (its deal was a house deal)
    np.testing.assert_allclose(slip.ae, [[13_000, 5_000]])
    np.testing.assert_allclose(slip.by_component["bookings_commission"], [8_000])
    np.testing.assert_allclose(slip.by_role["csm"], [3 * 85_000 / 12])
    np.testing.assert_allclose(slip.total, [18_000 + 3 * 85_000 / 12])


def test_vacant_seat_is_paid_nothing():
    payroll = Payroll(Plan(name="p", components=COMMISSION), (1, 2), n_csms=0)
    slip = payroll.run(ledger(0, occupied=np.array([[True, False]])))
    np.testing.assert_allclose(slip.ae, [[75_000 / 12, 0]])


def test_quota_attainment_accumulates_over_the_year_and_resets():
    plan = Plan(name="p", ote=100_000, components=COMMISSION)  # quota 5 x OTE = 500,000
    payroll = Payroll(plan, (1, 2), n_csms=0)
    for month in range(12):
        slip = payroll.run(ledger(month, deals([0], [0], [50_000])))
    np.testing.assert_allclose(slip.year_end_attainment, [[1.2, 0.0]])
    payroll.run(ledger(12, deals([0], [0], [50_000])))
    np.testing.assert_allclose(payroll.quota.attainment, [[0.1, 0.0]])


def test_negative_balance_is_carried_and_recovered():
    payroll = Payroll(Plan(name="p", base_salary=12_000, components=COMMISSION), (1, 2), n_csms=0)
    payroll.balance[:] = [[-1_500.0, -500.0]]
    slip = payroll.run(ledger(0))
    np.testing.assert_allclose(slip.ae, [[0.0, 500.0]])
    np.testing.assert_allclose(payroll.balance, [[-500.0, 0.0]])
    payroll.forgive(np.array([[True, False]]))
    np.testing.assert_allclose(payroll.balance, [[0.0, 0.0]])
