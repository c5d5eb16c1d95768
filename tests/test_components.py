"""Every pay component on small hand-built ledgers, with each expected dollar amount
worked out by hand in a comment.

`World` (below) is a hand-driven company of a few seats: a test sells, deploys,
renews, churns, hires and quits month by month, and `world.step(payroll)` builds
that month's `MonthLedger` (month = index = the world's month), runs payroll on it,
then applies departures the way the engine does (`payroll.forgive`). Customers
bill ARR / 12 a month while active; cash is only what a test `collect`s.
`test_properties.py` reuses these builders.

Unless a test says otherwise: base $75K against $150K OTE (target variable $75K,
so base is $6,250 a month), an annual quota of $1.2M, one tier at 1.0x.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.errors import ScenarioError
from sim.ledger import (
    Accounts,
    Churns,
    Deals,
    Deployments,
    MonthLedger,
    Renewals,
    Roster,
    SurveyWave,
)
from sim.plans.config import Plan
from sim.plans.payroll import Payroll
from sim.scenario import validate_scenario

BASE = 75_000 / 12  # default AE base salary per month
QUOTA = {"amount": 1_200_000}  # $100K a month, $300K a quarter
INT_COLUMNS = {"replication", "seat", "seller", "customer", "csm", "term_months"}
BOOL_COLUMNS = {"usage_contract", "success", "renewed", "debooked"}


# --- builders ---------------------------------------------------------------------------


def table(cls, rows: list[dict]):
    """An event table (Deals, Deployments, ...) from row dicts; no rows: an empty table."""
    columns = {}
    for name in cls.__dataclass_fields__:
        dtype = int if name in INT_COLUMNS else bool if name in BOOL_COLUMNS else float
        columns[name] = np.array([row[name] for row in rows], dtype=dtype)
    return cls(**columns)


class FakeAccounts(Accounts):
    """The ledger's accounts view over plain arrays, plus this month's cash collected."""

    def __init__(self, columns: dict[str, np.ndarray], cash: np.ndarray):
        for name, values in columns.items():
            setattr(self, name, values)
        self._cash = cash

    def cash(self) -> np.ndarray:
        return self._cash


class World:
    """A hand-driven company: events of the current month, then `step(payroll)`."""

    def __init__(self, seats=2, replications=1, n_csms=0, start=0, team=None, occupied=None):
        self.shape = (replications, seats)
        self.n_csms = n_csms
        self.k = start
        self.team = np.zeros(seats, int) if team is None else np.asarray(team)
        self.occupied = np.ones(self.shape, bool) if occupied is None else np.array(occupied)
        self.hire_no = np.zeros(self.shape, int)
        self.tenure = np.full(self.shape, 24)
        self.hired = np.zeros(self.shape, bool)
        self.customers: list[dict] = []
        self._new_month()

    def _new_month(self):
        self.deals, self.deployments, self.renewals, self.churns = [], [], [], []
        self.collected: dict[int, float] = {}
        self.departing = np.zeros(self.shape, bool)
        self.survey: SurveyWave | None = None
        self.forecast: np.ndarray | None = None
        self.extra: dict = {}

    # events of the current month

    def sell(self, seat, acv, *, rep=0, term=12, tcv=None, fit=0.5, discount=0.0, csm=0,
             seller=None) -> int:  # fmt: skip
        """A deal won by whoever holds `seat` (a house deal if vacant); its customer id."""
        if seller is None:
            seller = int(self.hire_no[rep, seat]) if self.occupied[rep, seat] else -1
        cid = len(self.customers)
        self.customers.append(
            {
                "replication": rep,
                "seat": seat,
                "seller": seller,
                "csm": csm,
                "booked_month": self.k,
                "active": True,
                "fit": fit,
                "discount": discount,
                "booked_acv": acv,
                "first_paid_month": -1,
                "arr": acv,
            }
        )
        self.deals.append(
            {
                "replication": rep,
                "seat": seat,
                "seller": seller,
                "customer": cid,
                "acv": acv,
                "tcv": acv * term / 12 if tcv is None else tcv,
                "term_months": term,
                "fit": fit,
                "discount": discount,
                "overforecast": 0.0,
                "usage_contract": False,
            }
        )
        return cid

    def _event(self, cid: int, **columns) -> dict:
        c = self.customers[cid]
        row = {k: c[k] for k in ("replication", "seat", "seller", "csm")}
        row.update(customer=cid, months_since_booking=self.k - c["booked_month"], **columns)
        return row

    def deploy(self, cid: int, success=True):
        acv = self.customers[cid]["booked_acv"]
        self.deployments.append(self._event(cid, acv=acv, success=success, wait_months=0.0))

    def churn(self, cid: int, debooked=False):
        lost = self.customers[cid]["arr"]
        self.churns.append(self._event(cid, lost_arr=lost, debooked=debooked))
        self.customers[cid]["active"] = False

    def renew(self, cid: int, new_arr: float):
        """Term end: renewed at `new_arr`, or churned if `new_arr` is 0."""
        c = self.customers[cid]
        renewed = new_arr > 0
        self.renewals.append(
            self._event(cid, prior_arr=c["arr"], new_arr=new_arr, renewed=renewed, p_renew=0.8)
        )
        if renewed:
            c["arr"] = new_arr
        else:
            self.churn(cid)

    def pay_invoice(self, cid: int):
        self.customers[cid]["first_paid_month"] = self.k

    def collect(self, cid: int, amount: float):
        self.collected[cid] = self.collected.get(cid, 0.0) + amount

    def quit(self, seat, rep=0):
        """The rep in `seat` leaves at the end of this month."""
        self.departing[rep, seat] = True

    def hire(self, seat, rep=0):
        """A new rep (next hire number) joins the vacant `seat` this month."""
        assert not self.occupied[rep, seat]
        self.occupied[rep, seat] = True
        self.hire_no[rep, seat] += 1
        self.tenure[rep, seat] = 0
        self.hired[rep, seat] = True

    def set_survey(self, satisfied, responses, months=3):
        self.survey = SurveyWave(np.asarray(satisfied, float), np.asarray(responses, float), months)

    # the month's ledger

    def accounts(self) -> FakeAccounts:
        n, cs = len(self.customers), self.customers
        column = lambda name, dtype: np.array([c[name] for c in cs], dtype=dtype).reshape(n)  # noqa: E731
        cols = {
            name: column(name, int)
            for name in ("replication", "seat", "seller", "csm", "booked_month", "first_paid_month")
        }
        cols.update({name: column(name, float) for name in ("fit", "discount", "booked_acv")})
        cols["active"] = column("active", bool)
        cols["billed"] = np.where(cols["active"], column("arr", float) / 12, 0.0)
        cols["used"] = cols["billed"].copy()  # customers use exactly what they commit to
        cash = np.zeros(n)
        for cid, amount in self.collected.items():
            cash[cid] = amount
        return FakeAccounts(cols, cash)

    def ledger(self) -> MonthLedger:
        acc = self.accounts()
        R, S = self.shape
        by_owner = lambda v: np.bincount(  # noqa: E731
            acc.replication * S + acc.seat, weights=v, minlength=R * S
        ).reshape(self.shape)
        return MonthLedger(
            month=self.k,
            index=self.k,
            roster=Roster(
                self.occupied.copy(),
                self.hire_no.copy(),
                self.tenure.copy(),
                self.hired.copy(),
                self.departing.copy(),
            ),
            deals=table(Deals, self.deals),
            pursuits_closed=np.zeros(self.shape),
            deployments=table(Deployments, self.deployments),
            renewals=table(Renewals, self.renewals),
            churns=table(Churns, self.churns),
            revenue=by_owner(acc.billed),
            cash=by_owner(acc.cash()),
            arr=np.zeros(R),
            customers=np.zeros(R),
            first_year_booked=np.zeros(R),
            first_year_realized=np.zeros(R),
            survey=self.survey,
            accounts=acc,
            forecast=self.forecast,
            team=self.team,
            n_csms=self.n_csms,
            extra=self.extra,
        )

    def step(self, payroll: Payroll):
        """Run this month's payroll, apply departures, and move on to the next month."""
        return self.step_all([payroll])[0]

    def step_all(self, payrolls: list[Payroll]) -> list:
        """`step` for several payrolls (plans) on the same month."""
        slips = [payroll.run(self.ledger()) for payroll in payrolls]
        for payroll in payrolls:
            payroll.forgive(self.departing)
        self.occupied &= ~self.departing
        self.tenure[self.occupied] += 1
        self.hired[:] = False
        self.k += 1
        self._new_month()
        return slips

    def idle(self, payroll: Payroll, months: int) -> list:
        """Run `months` months with nothing happening."""
        return [self.step(payroll) for _ in range(months)]


def make_payroll(world: World, *components: dict, **plan) -> Payroll:
    """A payroll for `world` on a plan of these components (defaults as in the module doc)."""
    plan.setdefault("name", "p")
    plan.setdefault("quota", QUOTA)
    return Payroll(Plan(components=list(components), **plan), world.shape, world.n_csms)


def commission(rate=0.1, **extra) -> dict:
    return {"type": "bookings_commission", "rate": rate, **extra}


def line(slip, name: str) -> float:
    """One replication's dollars on a `by_component` line (0 if absent)."""
    return float(np.asarray(slip.by_component.get(name, 0.0)).reshape(-1)[0])


def event(slip, name: str) -> float:
    return float(slip.events[name][0])


def variable(slip) -> np.ndarray:
    """Seat pay above base for one replication (every seat occupied)."""
    return slip.ae[0] - BASE


# --- bookings commission -------------------------------------------------------------------


@pytest.mark.parametrize(
    "basis, expected",
    [
        # seat 0: $60K ACV for 24 months (TCV $120K); seat 1: $60K ACV for 6 months (TCV $30K)
        ("acv", [6_000, 6_000]),  # 10% of 60K, 10% of 60K
        ("tcv", [12_000, 3_000]),  # 10% of 120K, 10% of 30K
        ("first_year", [6_000, 3_000]),  # 10% of 60K x 12/12, 10% of 60K x 6/12
    ],
)
def test_bookings_commission_basis(basis, expected):
    world = World(seats=2)
    pay = make_payroll(world, commission(basis=basis))
    world.sell(0, 60_000, term=24)
    world.sell(1, 60_000, term=6)
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), expected)
    np.testing.assert_allclose(line(slip, "bookings_commission"), sum(expected))


def test_multi_year_multiplier_applies_only_beyond_12_months():
    world = World(seats=3)
    pay = make_payroll(world, commission(multi_year_multiplier=1.5))
    world.sell(0, 60_000, term=24)  # 10% x 1.5 x 60K = 9,000
    world.sell(1, 60_000, term=12)  # exactly 12 months: 10% x 60K = 6,000
    world.sell(2, 60_000, term=36, seller=-1)  # house deal: nobody is paid
    np.testing.assert_allclose(variable(world.step(pay)), [9_000, 6_000, 0])


def test_paid_at_booking_remainder_released_only_if_customer_still_active():
    world = World(seats=2)
    pay = make_payroll(world, commission(paid_at_booking=0.25, remainder_after_months=3))
    a = world.sell(0, 100_000)  # earns 10,000: 2,500 now, 7,500 at month 3
    b = world.sell(1, 100_000)  # same, but churns at month 2
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [2_500, 2_500])
    assert pay.escrow.balance == pytest.approx(15_000)
    np.testing.assert_allclose(variable(world.step(pay)), [0, 0])  # month 1
    world.churn(b)
    slip = world.step(pay)  # month 2: b's remainder is forfeited when b leaves
    assert event(slip, "escrow_forfeited") == pytest.approx(7_500)
    np.testing.assert_allclose(variable(slip), [0, 0])
    slip = world.step(pay)  # month 3: a is still a customer, its 7,500 is paid
    np.testing.assert_allclose(variable(slip), [7_500, 0])
    assert pay.escrow.balance == 0
    assert world.customers[a]["active"]


def test_deferred_remainder_is_forfeited_if_the_rep_has_left():
    world = World(seats=1)
    pay = make_payroll(world, commission(paid_at_booking=0.5, remainder_after_months=2))
    world.sell(0, 100_000)  # 5,000 now, 5,000 at month 2
    world.quit(0)
    assert variable(world.step(pay))[0] == pytest.approx(5_000)
    world.hire(0)  # month 1: a new rep in the seat
    world.step(pay)
    slip = world.step(pay)  # month 2: the seller is gone, deferred pay never goes to leavers
    assert variable(slip)[0] == pytest.approx(0)
    assert event(slip, "escrow_forfeited") == pytest.approx(5_000)
    assert event(slip, "paid_to_leavers") == 0


# --- quota tiers -------------------------------------------------------------------------

TIERS = [
    {"from": 0.0, "multiplier": 0.5},
    {"from": 0.5, "multiplier": 1.0},
    {"from": 1.0, "multiplier": 2.0},
]


@pytest.mark.parametrize(
    "mode, expected",
    [
        # Annual quota 1.2M, rate 10%; bookings 480K, 360K, 480K: attainment 0.4, 0.7, 1.1.
        # marginal: month 0: 480K x 10% x 0.5 = 24,000
        #   month 1: 120K up to 0.5 at 0.5x = 6,000 + 240K at 1x = 24,000 -> 30,000
        #   month 2: 360K up to 1.0 at 1x = 36,000 + 120K at 2x = 24,000 -> 60,000
        ("marginal", [24_000, 30_000, 60_000]),
        # retroactive: all period credit at the band reached, less what was paid:
        #   month 0: 480K x 10% x 0.5 = 24,000
        #   month 1: 840K x 10% x 1 = 84,000 - 24,000 = 60,000 (true-up of month 0)
        #   month 2: 1.32M x 10% x 2 = 264,000 - 84,000 = 180,000
        ("retroactive", [24_000, 60_000, 180_000]),
    ],
)
def test_quota_tiers_marginal_vs_retroactive(mode, expected):
    world = World(seats=1)
    pay = make_payroll(world, commission(), quota={**QUOTA, "tiers": TIERS, "tier_mode": mode})
    paid = []
    for acv in (480_000, 360_000, 480_000):
        world.sell(0, acv)
        paid.append(line(world.step(pay), "bookings_commission"))
    np.testing.assert_allclose(paid, expected)


@pytest.mark.parametrize(
    "mode, expected",
    [
        # threshold 0.5, cap 1.0, one band at 1x; bookings 480K, 360K, 480K (0.4, 0.7, 1.1)
        # marginal: 0 below 0.5; month 1 pays the 240K above 0.5 = 24,000;
        #   month 2 pays the 360K up to 1.0 = 36,000 and nothing on the 120K above the cap
        ("marginal", [0, 24_000, 36_000]),
        # retroactive: crossing the threshold pays all 840K x 10% = 84,000;
        #   beyond the cap all credit is worth the cap: 1.2M x 10% = 120,000 - 84,000 = 36,000
        ("retroactive", [0, 84_000, 36_000]),
    ],
)
def test_quota_threshold_and_cap(mode, expected):
    world = World(seats=1)
    quota = {**QUOTA, "threshold": 0.5, "cap": 1.0, "tier_mode": mode}
    pay = make_payroll(world, commission(), quota=quota)
    paid = []
    for acv in (480_000, 360_000, 480_000):
        world.sell(0, acv)
        paid.append(line(world.step(pay), "bookings_commission"))
    np.testing.assert_allclose(paid, expected)


def test_retroactive_attainment_exactly_at_the_cap_earns_the_cap():
    world = World(seats=1)
    pay = make_payroll(world, commission(), quota={**QUOTA, "cap": 1.0, "tier_mode": "retroactive"})
    world.sell(0, 480_000)  # attainment 0.4: 48,000
    assert line(world.step(pay), "bookings_commission") == pytest.approx(48_000)
    world.sell(0, 720_000)  # attainment exactly 1.0: 1.2M x 10% = 120,000 - 48,000 = 72,000
    assert line(world.step(pay), "bookings_commission") == pytest.approx(72_000)


def test_renewals_count_as_quota_credit_when_the_plan_says_so():
    # credit_renewals: seat 0's renewal at 600K counts: 500K + 600K + 100K deal = 1.2M
    # (attainment 1.0); seat 1 is vacant when its account renews: 500K only (5/12)
    world = World(seats=2)
    pay = make_payroll(world, quota={**QUOTA, "credit_renewals": True})
    a, b = world.sell(0, 500_000), world.sell(1, 500_000)
    world.quit(1)
    world.step(pay)
    world.renew(a, 600_000)
    world.renew(b, 600_000)
    world.sell(0, 100_000)
    world.step(pay)
    np.testing.assert_allclose(pay.quota.attainment, [[1.0, 5 / 12]])


def test_renewal_credit_in_a_month_without_deals():
    world = World(seats=1)
    pay = make_payroll(world, quota={**QUOTA, "credit_renewals": True})
    cid = world.sell(0, 100_000)
    world.step(pay)
    world.renew(cid, 120_000)  # month 1: a renewal and no deal anywhere
    world.step(pay)
    np.testing.assert_allclose(pay.quota.attainment, [[220_000 / 1_200_000]])


def test_quota_period_quarter_resets_the_tiers():
    # quarterly quota 300K, 2x above 100%: month 2 crosses (200K + 200K: 100K at 1x, 100K
    # at 2x = 30,000); month 3 starts a new quarter, 200K is at 1x again = 20,000
    world = World(seats=1)
    tiers = [{"from": 0.0, "multiplier": 1.0}, {"from": 1.0, "multiplier": 2.0}]
    pay = make_payroll(world, commission(), quota={**QUOTA, "period": "quarter", "tiers": tiers})
    paid = []
    for acv in (0, 200_000, 200_000, 200_000):
        if acv:
            world.sell(0, acv)
        paid.append(line(world.step(pay), "bookings_commission"))
    np.testing.assert_allclose(paid, [0, 20_000, 30_000, 20_000])


def test_quota_ratchet_up_and_down_at_year_end_and_reset_on_hire():
    world = World(seats=2)
    quota = {**QUOTA, "ratchet_up": 0.5, "ratchet_down": 0.5}
    pay = make_payroll(world, commission(), quota=quota)
    world.sell(0, 1_800_000)  # attainment 1.5
    world.sell(1, 600_000)  # attainment 0.5
    slips = world.idle(pay, 12)  # months 0..11
    np.testing.assert_allclose(slips[-1].year_end_attainment, [[1.5, 0.5]])
    assert all(s.year_end_attainment is None for s in slips[:-1])
    # seat 0: 1.2M x (1 + 0.5 x (1.5 - 1)) = 1.5M; seat 1: 1.2M x (1 - 0.5 x (1 - 0.5)) = 0.9M
    np.testing.assert_allclose(pay.quota.annual_quota, [[1_500_000, 900_000]])
    world.sell(0, 150_000)  # month 12: 150K / 1.5M = 0.1
    world.sell(1, 90_000)  # 90K / 0.9M = 0.1
    world.quit(1)
    world.step(pay)
    np.testing.assert_allclose(pay.quota.attainment, [[0.1, 0.1]])
    world.hire(1)  # month 13: a new rep starts on the base quota
    world.step(pay)
    np.testing.assert_allclose(pay.quota.annual_quota, [[1_500_000, 1_200_000]])


# --- logo bonus and deal multipliers ----------------------------------------------------------


def test_logo_bonus_min_acv_and_not_accelerated():
    world = World(seats=2)
    tiers = [{"from": 0.0, "multiplier": 3.0}]  # would triple accelerated pay
    pay = make_payroll(
        world,
        {"type": "logo_bonus", "amount": 1_000, "min_acv": 50_000},
        quota={**QUOTA, "tiers": tiers},
    )
    world.sell(0, 40_000)  # below min_acv: 0
    world.sell(0, 50_000)  # at min_acv: 1,000
    world.sell(1, 80_000)  # 1,000
    world.sell(1, 90_000, seller=-1)  # house deal: 0
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [1_000, 1_000])
    assert line(slip, "logo_bonus") == pytest.approx(2_000)


def test_discount_adjusted_rate_default_bands():
    # bands: discount <= 0.1: 1x, <= 0.2: 0.8x, <= 1: 0.5x; each deal 100K at 10% = 10,000
    world = World(seats=4)
    pay = make_payroll(world, commission(), {"type": "discount_adjusted_rate"})
    world.sell(0, 100_000, discount=0.1)  # 10,000 (band edge is inclusive)
    world.sell(1, 100_000, discount=0.15)  # 8,000
    world.sell(2, 100_000, discount=0.2)  # 8,000
    world.sell(3, 100_000, discount=0.3)  # 5,000
    np.testing.assert_allclose(variable(world.step(pay)), [10_000, 8_000, 8_000, 5_000])


FIT_BANDS = [
    {"min_fit": 0.0, "multiplier": 0.5},
    {"min_fit": 0.4, "multiplier": 1.0},
    {"min_fit": 0.8, "multiplier": 1.2},
]


@pytest.mark.parametrize(
    "mode, expected",
    [
        # each deal 100K at 10% = 10,000; fit 0.3 -> 0.5x, fit 0.4 -> 1x, fit 0.9 -> 1.2x
        ("multiplier", [5_000, 10_000, 12_000]),
        # gate: a multiplier below 1 becomes 0
        ("gate", [0, 10_000, 12_000]),
    ],
)
def test_fit_multiplier_modes(mode, expected):
    world = World(seats=3)
    pay = make_payroll(
        world, commission(), {"type": "fit_multiplier", "bands": FIT_BANDS, "mode": mode}
    )
    for seat, fit in enumerate((0.3, 0.4, 0.9)):
        world.sell(seat, 100_000, fit=fit)
    np.testing.assert_allclose(variable(world.step(pay)), expected)


def test_fit_and_discount_multipliers_compose_and_scale_logo_bonus():
    # fit 0.9 (1.2x) and discount 0.15 (0.8x): 0.96 x (10,000 + 1,000 logo) = 10,560
    world = World(seats=1)
    pay = make_payroll(
        world,
        commission(),
        {"type": "logo_bonus", "amount": 1_000},
        {"type": "fit_multiplier", "bands": FIT_BANDS},
        {"type": "discount_adjusted_rate"},
    )
    world.sell(0, 100_000, fit=0.9, discount=0.15)
    slip = world.step(pay)
    assert line(slip, "bookings_commission") == pytest.approx(9_600)
    assert line(slip, "logo_bonus") == pytest.approx(960)


# --- timing: deployment holdback and pay when paid -----------------------------------------


def test_deployment_holdback_release_and_forfeit():
    # share 0.5, window 3; four 100K deals at month 0, each 10,000: 5,000 now, 5,000 held
    world = World(seats=2)
    pay = make_payroll(
        world, commission(), {"type": "deployment_holdback", "share": 0.5, "window_months": 3}
    )
    a, b = world.sell(0, 100_000), world.sell(0, 100_000)
    c, d = world.sell(1, 100_000), world.sell(1, 100_000)
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [10_000, 10_000])
    assert pay.escrow.balance == pytest.approx(20_000)
    world.step(pay)  # month 1: nothing deployed yet
    world.deploy(a, success=True)  # month 2: a releases 5,000 to seat 0
    world.deploy(b, success=False)  # b's 5,000 is forfeited
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [5_000, 0])
    assert event(slip, "holdback_forfeited") == pytest.approx(5_000)
    world.deploy(c, success=True)  # month 3 = booking + window: still in time, 5,000
    slip = world.step(pay)  # d has not deployed by the end of the window: forfeited
    np.testing.assert_allclose(variable(slip), [0, 5_000])
    assert event(slip, "holdback_forfeited") == pytest.approx(5_000)
    world.deploy(d, success=True)  # month 4: too late, nothing left to pay
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [0, 0])
    assert pay.escrow.balance == 0


@pytest.mark.parametrize("leaver", ["forfeit", "pay"])
def test_deployment_holdback_leaver_rule(leaver):
    # 100K at 10%, half held; the seller quits at the end of month 0, a new rep joins
    # at month 1, the customer deploys at month 2: the 5,000 goes to the leaver or nobody
    world = World(seats=1)
    pay = make_payroll(world, commission(), {"type": "deployment_holdback", "leaver": leaver})
    cid = world.sell(0, 100_000)
    world.quit(0)
    world.step(pay)
    world.hire(0)
    world.step(pay)
    world.deploy(cid)
    slip = world.step(pay)
    assert variable(slip)[0] == pytest.approx(0)  # never to the new rep
    assert event(slip, "holdback_forfeited") == pytest.approx(5_000 if leaver == "forfeit" else 0)
    assert event(slip, "paid_to_leavers") == pytest.approx(5_000 if leaver == "pay" else 0)
    assert slip.by_role["ae"][0] == pytest.approx(BASE + event(slip, "paid_to_leavers"))


def test_pay_when_paid_released_at_first_paid_month_or_forfeited_at_expiry():
    # expiry 3; 100K at 10% = 10,000 each, all held to the first paid invoice
    world = World(seats=3)
    pay = make_payroll(world, commission(), {"type": "pay_when_paid", "expiry_months": 3})
    a, _ = world.sell(0, 100_000), world.sell(1, 100_000)  # the second never pays
    c = world.sell(2, 100_000)
    world.pay_invoice(c)  # paid in the month of booking: released at once
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [0, 0, 10_000])
    world.step(pay)  # month 1
    world.pay_invoice(a)  # month 2
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [10_000, 0, 0])
    slip = world.step(pay)  # month 3 = booking + expiry: the unpaid one is forfeited
    assert event(slip, "escrow_forfeited") == pytest.approx(10_000)
    np.testing.assert_allclose(variable(slip), [0, 0, 0])
    assert pay.escrow.balance == 0


def test_holdback_and_pay_when_paid_together():
    # 100K at 10%: 5,000 held to deployment, the other 5,000 to the first invoice
    world = World(seats=1)
    pay = make_payroll(
        world, commission(), {"type": "deployment_holdback"}, {"type": "pay_when_paid"}
    )
    cid = world.sell(0, 100_000)
    assert variable(world.step(pay))[0] == pytest.approx(0)
    world.pay_invoice(cid)
    assert variable(world.step(pay))[0] == pytest.approx(5_000)
    world.deploy(cid)
    assert variable(world.step(pay))[0] == pytest.approx(5_000)


def test_paid_to_leavers_appears_in_by_component():
    # pay_when_paid's default leaver rule is "pay": 12,000 is paid to the departed seller,
    # and that cash must show on a by_component line (it did not at commit 59d5cc1)
    world = World(seats=1)
    pay = make_payroll(world, commission(), {"type": "pay_when_paid"})
    cid = world.sell(0, 120_000)
    world.quit(0)
    world.step(pay)
    world.pay_invoice(cid)
    slip = world.step(pay)  # month 1: seat vacant, 12,000 to the leaver
    assert event(slip, "paid_to_leavers") == pytest.approx(12_000)
    assert slip.total[0] == pytest.approx(12_000)
    assert sum(slip.by_component.values())[0] == pytest.approx(slip.total[0])


# --- clawback ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method, fraction, recovered",
    [
        ("all", 1.0, 12_000),  # all of the 12,000 paid
        ("all", 0.5, 6_000),  # half of it
        ("pro_rata", 1.0, 9_000),  # churn at month 3 of 12: 12,000 x (1 - 3/12)
    ],
)
def test_clawback_methods(method, fraction, recovered):
    world = World(seats=2)
    claw = {"type": "clawback", "window_months": 12, "method": method, "fraction": fraction}
    pay = make_payroll(world, commission(), claw)
    cid = world.sell(0, 120_000)  # 12,000 paid at month 0
    world.sell(1, 120_000)  # stays: never clawed back
    world.idle(pay, 3)
    world.churn(cid)  # month 3
    slip = world.step(pay)
    assert line(slip, "clawback") == pytest.approx(-recovered)
    assert event(slip, "clawbacks_recovered") == pytest.approx(recovered)
    np.testing.assert_array_equal(slip.clawed_back, [[True, False]])


def test_clawback_outside_window_recovers_nothing():
    world = World(seats=1)
    pay = make_payroll(world, commission(), {"type": "clawback", "window_months": 3})
    cid = world.sell(0, 120_000)
    world.idle(pay, 4)
    world.churn(cid)  # month 4: 4 months after booking, window is 3
    slip = world.step(pay)
    assert line(slip, "clawback") == 0
    assert variable(slip)[0] == pytest.approx(0)


def test_clawback_is_carried_as_a_negative_balance():
    # base 60K (5,000 a month); 12,000 paid at month 0; churn at month 3 claws back 12,000
    # month 3: 5,000 - 12,000 = -7,000 -> paid 0, carried -7,000
    # month 4: 5,000 - 7,000 = -2,000 -> paid 0, carried -2,000; month 5: 5,000 - 2,000 = 3,000
    world = World(seats=1)
    pay = make_payroll(world, commission(), {"type": "clawback"}, base_salary=60_000)
    cid = world.sell(0, 120_000)
    assert world.step(pay).ae[0, 0] == pytest.approx(17_000)
    world.idle(pay, 2)
    world.churn(cid)
    slips = world.idle(pay, 3)
    np.testing.assert_allclose([s.ae[0, 0] for s in slips], [0, 0, 3_000])
    np.testing.assert_allclose([line(s, "balance_carried") for s in slips], [7_000, -5_000, -2_000])
    assert pay.balance[0, 0] == 0


def test_clawback_does_not_recover_from_a_rep_who_left():
    world = World(seats=1)
    pay = make_payroll(world, commission(), {"type": "clawback"})
    cid = world.sell(0, 120_000)
    world.quit(0)
    world.step(pay)
    world.hire(0)  # month 1: a new rep
    world.step(pay)
    world.churn(cid)  # month 2: the seller is gone, the new rep owes nothing
    slip = world.step(pay)
    assert line(slip, "clawback") == 0
    assert slip.ae[0, 0] == pytest.approx(BASE)
    assert not slip.clawed_back.any()


def test_clawback_on_escrowed_pay_recovers_only_what_was_released():
    # 100K at 10%, half held to deployment: 5,000 paid; the customer churns before
    # deploying, so the held 5,000 is forfeited and only the 5,000 paid is clawed back
    world = World(seats=1)
    pay = make_payroll(world, commission(), {"type": "deployment_holdback"}, {"type": "clawback"})
    cid = world.sell(0, 100_000)
    world.step(pay)
    world.churn(cid)
    slip = world.step(pay)
    assert event(slip, "holdback_forfeited") == pytest.approx(5_000)
    assert line(slip, "clawback") == pytest.approx(-5_000)


def test_clawback_after_the_cap_recovers_only_what_was_paid():
    # cap 1 x 75K target variable; month 0: 40,000 paid; month 1: 40,000 earned but only
    # 35,000 fits under the cap; the month-1 customer churns: at most 35,000 was paid on it
    world = World(seats=1)
    pay = make_payroll(world, commission(), {"type": "clawback"}, variable_cap=1.0)
    world.sell(0, 400_000)
    world.step(pay)
    cid = world.sell(0, 400_000)
    slip = world.step(pay)
    assert event(slip, "cap_forfeited") == pytest.approx(5_000)
    world.churn(cid)
    slip = world.step(pay)
    assert event(slip, "clawbacks_recovered") == pytest.approx(35_000)


# --- revenue and renewal commission --------------------------------------------------------


def test_revenue_commission_recognized_for_n_months():
    # 120K ACV bills 10,000 a month; 10% for months 0, 1, 2 after booking, then nothing
    world = World(seats=1)
    pay = make_payroll(world, {"type": "revenue_commission", "rate": 0.1, "months": 3})
    world.sell(0, 120_000)
    slips = world.idle(pay, 4)
    np.testing.assert_allclose([variable(s)[0] for s in slips], [1_000, 1_000, 1_000, 0])
    assert all(line(s, "bookings_commission") == 0 for s in slips)


def test_revenue_commission_on_cash_collected():
    # cash basis: 10% of what is collected while the account is under 3 months old
    world = World(seats=1)
    pay = make_payroll(world, {"type": "revenue_commission", "basis": "cash", "months": 3})
    cid = world.sell(0, 120_000)
    paid = [variable(world.step(pay))[0]]  # month 0: billed, nothing collected
    for amount in (10_000, 4_000, 10_000):  # months 1, 2, 3 (month 3 is too late)
        world.collect(cid, amount)
        paid.append(variable(world.step(pay))[0])
    np.testing.assert_allclose(paid, [0, 1_000, 400, 0])


def test_revenue_commission_only_while_the_seller_is_employed():
    # months 0, 1: 1,000 each (with fit 0.3 at 0.5x: 500); the seller quits after month 1,
    # the new rep in the seat is not paid on the old rep's account
    world = World(seats=1)
    pay = make_payroll(
        world,
        {"type": "revenue_commission", "months": 12},
        {"type": "fit_multiplier", "bands": FIT_BANDS},
    )
    world.sell(0, 120_000, fit=0.3)
    paid = [variable(world.step(pay))[0]]
    world.quit(0)
    paid.append(variable(world.step(pay))[0])
    world.hire(0)
    paid.append(variable(world.step(pay))[0])
    np.testing.assert_allclose(paid, [500, 500, 0])


@pytest.mark.parametrize(
    "recipient, credit, ae, csm",
    [
        # a: 100K, sold by seat 0's first rep (gone), CSM 1; b: 50K, seat 1's rep, CSM 0
        # AE rate 5%, CSM rate 2%; both renew at month 2
        ("original_rep", ["ae"], [0, 2_500], [0, 0]),
        ("account_owner", ["ae"], [5_000, 2_500], [0, 0]),
        ("original_rep", ["ae", "csm"], [0, 2_500], [1_000, 2_000]),
        ("account_owner", ["csm"], [0, 0], [1_000, 2_000]),
    ],
)
def test_renewal_commission_recipients(recipient, credit, ae, csm):
    world = World(seats=2, n_csms=2)
    pay = make_payroll(
        world,
        {"type": "renewal_commission", "rate": 0.05, "csm_rate": 0.02, "recipient": recipient},
        policies={"renewal_credit": credit},
    )
    a = world.sell(0, 90_000, csm=1)
    b, c = world.sell(1, 40_000, csm=0), world.sell(1, 40_000, csm=0)
    world.quit(0)
    world.step(pay)
    world.hire(0)
    world.step(pay)
    world.renew(a, 100_000)
    world.renew(b, 50_000)
    world.renew(c, 0)  # not renewed: no commission
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), ae)
    np.testing.assert_allclose(slip.csm[0] - 85_000 / 12, csm)
    assert line(slip, "renewal_commission") == pytest.approx(sum(ae) + sum(csm))


def test_renewal_commission_is_capitalized_once():
    # 5% of a 100K renewal = 5,000, capitalized once (it was counted twice at 59d5cc1)
    world = World(seats=1)
    pay = make_payroll(world, {"type": "renewal_commission", "rate": 0.05})
    cid = world.sell(0, 100_000)
    world.step(pay)
    world.renew(cid, 100_000)
    slip = world.step(pay)
    assert line(slip, "renewal_commission") == pytest.approx(5_000)
    assert event(slip, "capitalized") == pytest.approx(5_000)


def test_bookings_commission_is_capitalized():
    world = World(seats=1)
    pay = make_payroll(world, commission(), {"type": "logo_bonus", "amount": 500})
    world.sell(0, 100_000)  # 10,000 commission + 500 logo bonus, both capitalized
    assert event(world.step(pay), "capitalized") == pytest.approx(10_500)


def test_capitalized_commission_is_what_the_cap_lets_through():
    # cap 1 x 75K: month 0 pays 40,000; month 1 earns 40,000 of which 35,000 is paid
    world = World(seats=1)
    pay = make_payroll(world, commission(), variable_cap=1.0)
    world.sell(0, 400_000)
    world.step(pay)
    world.sell(0, 400_000)
    slip = world.step(pay)
    assert line(slip, "bookings_commission") == pytest.approx(35_000)
    assert event(slip, "capitalized") == pytest.approx(35_000)


# --- SPIFFs and team bonus ----------------------------------------------------------------


def _spiff_world(metric):
    """Seat 0 produces one qualifying unit of `metric` at month 1 and several that fail a
    condition (fit < 0.5, discount > 0.2, house deal, failed deployment, churn)."""
    world = World(seats=2)
    spiff = {
        "type": "spiff",
        "name": "push",
        "metric": metric,
        "amount": 0.01 if metric in ("acv", "renewed_arr") else 500,
        "min_fit": 0.5,
        "max_discount": 0.2,
    }
    pay = make_payroll(world, spiff)
    ok = world.sell(0, 100_000, fit=0.6, discount=0.1)
    low_fit = world.sell(0, 100_000, fit=0.4)
    deep = world.sell(0, 100_000, fit=0.6, discount=0.3)
    house = world.sell(1, 100_000, fit=0.6, seller=-1)
    first = world.step(pay)
    for cid in (ok, low_fit, deep, house):
        if metric == "successful_deployments":
            world.deploy(cid)
        if metric == "renewed_arr":
            world.renew(cid, 80_000)
    failed = world.sell(1, 100_000, fit=0.9)
    if metric == "successful_deployments":
        world.deploy(failed, success=False)
    return first, world.step(pay)


@pytest.mark.parametrize(
    "metric, at_booking, later",
    [
        # month 0 deals: ok (fit .6, disc .1), low fit, deep discount, house deal; month 1: one
        # deal by seat 1 (fit .9) whose deployment fails
        ("deals", [500, 0], [0, 500]),  # 500 per qualifying deal: ok; then seat 1's deal
        ("acv", [1_000, 0], [0, 1_000]),  # 0.01 x 100K ACV
        ("successful_deployments", [0, 0], [500, 0]),  # ok deploys at month 1
        ("renewed_arr", [0, 0], [800, 0]),  # 0.01 x 80K renewed ARR
    ],
)
def test_spiff_metrics_and_conditions(metric, at_booking, later):
    first, second = _spiff_world(metric)
    np.testing.assert_allclose(variable(first), at_booking)
    np.testing.assert_allclose(variable(second), later)
    assert line(second, "push") == pytest.approx(sum(later))


def test_spiff_window_uses_reported_months():
    # 500 per deal in months 2..3 only; one deal a month for months 0..5
    world = World(seats=1)
    pay = make_payroll(world, {"type": "spiff", "start_month": 2, "end_month": 3})
    paid = []
    for _ in range(6):
        world.sell(0, 10_000)
        paid.append(line(world.step(pay), "spiff"))
    np.testing.assert_allclose(paid, [0, 0, 500, 500, 0, 0])


def test_team_bonus_for_aes_on_new_arr():
    # target 1.2M new ARR, 10,000 per AE at target, payout 0 at 0.5 x target:
    # booked 1.08M (house deals count too) -> (1.08M - 0.6M) / (1.2M - 0.6M) = 0.8 -> 8,000,
    # paid at year end (month 11) to each AE in seat: seat 1 is vacant by then
    world = World(seats=2)
    bonus = {
        "type": "team_bonus",
        "role": "ae",
        "metric": "new_arr",
        "target": 1_200_000,
        "amount": 10_000,
        "threshold": 0.5,
    }
    pay = make_payroll(world, bonus)
    world.sell(0, 480_000)
    world.sell(1, 600_000, seller=-1)
    world.quit(1)
    slips = world.idle(pay, 12)
    assert all(line(s, "team_bonus") == 0 for s in slips[:-1])
    np.testing.assert_allclose(slips[-1].ae, [[BASE + 8_000, 0]])


def test_team_bonus_for_csms_on_grr_from_the_cohort():
    # GRR = end ARR capped / start ARR = 0.91M / 1M = 0.91; target 0.92, payout 0 at
    # 0.9 x 0.92 = 0.828: (0.91 - 0.828) / (0.92 - 0.828) = 0.082 / 0.092 -> x 10,000 each
    world = World(seats=1, n_csms=3, start=11)
    pay = make_payroll(world, {"type": "team_bonus", "role": "csm", "amount": 10_000})
    world.extra["cohort"] = {
        "start_arr": np.array([1_000_000.0]),
        "end_arr": np.array([1_050_000.0]),
        "end_arr_capped": np.array([910_000.0]),
    }
    slip = world.step(pay)
    np.testing.assert_allclose(slip.csm[0] - 85_000 / 12, [10_000 * 0.082 / 0.092] * 3)
    slips = world.idle(pay, 12)  # next year end (month 23) has no cohort: nothing
    assert all(line(s, "team_bonus") == 0 for s in slips)


# --- forecast accuracy, draw -----------------------------------------------------------------


def test_forecast_accuracy_gonik_grid():
    # quarter quota 300K, 12,000 a year -> 3,000 a quarter; each rep forecasts 300K (f = 1)
    # seat 0 books 450K (a = 1.5 >= f): 1 + 0.5 x 0.5 = 1.25 -> 3,750
    # seat 1 books 150K (a = 0.5 <  f): 1 - 1.5 x 0.5 = 0.25 -> 750
    # seat 2 books 300K (a = f):        1                   -> 3,000
    # paid at quarter end (month 2) only
    world = World(seats=3)
    pay = make_payroll(world, {"type": "forecast_accuracy", "target_bonus": 12_000})
    paid = []
    for month in range(3):
        world.forecast = np.full((1, 3), 300_000.0)
        world.sell(0, 150_000)
        if month == 0:
            world.sell(1, 150_000)
            world.sell(2, 300_000)
        paid.append(variable(world.step(pay)))
    np.testing.assert_allclose(paid, [[0, 0, 0], [0, 0, 0], [3_750, 750, 3_000]])


def test_forecast_accuracy_payout_floor_and_max():
    # forecast 600K (f = 2), books 0: 2 - 1.5 x 2 < 0 -> 0; forecast 0, books 1.5M (a = 5):
    # 0 + 0.5 x 5 = 2.5 -> max_payout 2 -> 6,000
    world = World(seats=2)
    pay = make_payroll(world, {"type": "forecast_accuracy", "target_bonus": 12_000})
    world.forecast = np.array([[600_000.0, 0.0]])
    world.sell(1, 1_500_000, seller=-1)  # a house deal is no credit...
    world.step(pay)
    world.forecast = np.array([[600_000.0, 0.0]])
    world.sell(1, 1_500_000)  # ...this one is
    world.step(pay)
    world.forecast = np.array([[600_000.0, 0.0]])
    np.testing.assert_allclose(variable(world.step(pay)), [0, 6_000])


@pytest.mark.parametrize(
    "recoverable, expected",
    [
        # draw 5,000 a month for 3 months from hire; commission 0, 2K, 9K, 3K, 10K
        # recoverable: month 0 +5,000 (owed 5K); month 1 +3,000 (owed 8K);
        #   month 2: 9K - 5K floor = 4K recovered -> -4,000 (owed 4K);
        #   month 3 (draw over): 3K recovered -> -3,000 (owed 1K); month 4: -1,000
        (True, [5_000, 3_000, -4_000, -3_000, -1_000]),
        # guarantee: top-ups only
        (False, [5_000, 3_000, 0, 0, 0]),
    ],
)
def test_draw(recoverable, expected):
    world = World(seats=1, occupied=[[False]])
    draw = {"type": "draw", "amount_per_month": 5_000, "months": 3, "recoverable": recoverable}
    pay = make_payroll(world, commission(), draw)
    world.hire(0)
    lines = []
    for acv in (0, 20_000, 90_000, 30_000, 100_000):
        if acv:
            world.sell(0, acv)
        lines.append(line(world.step(pay), "draw"))
    np.testing.assert_allclose(lines, expected)


def test_recoverable_draw_is_written_off_when_the_rep_leaves():
    # draw 5,000 for 2 months: the first rep takes 5,000 twice and leaves owing 10,000;
    # the next rep earns 10,000 in its first month, above the 5,000 floor, and owes nothing:
    # no recovery (the old debt would have taken min(10,000, 10,000 - 5,000) = 5,000)
    world = World(seats=1, occupied=[[False]])
    pay = make_payroll(world, commission(), {"type": "draw", "months": 2})
    world.hire(0)
    lines = [line(world.step(pay), "draw")]
    world.quit(0)
    lines.append(line(world.step(pay), "draw"))
    world.hire(0)  # month 2
    world.sell(0, 100_000)
    lines.append(line(world.step(pay), "draw"))
    np.testing.assert_allclose(lines, [5_000, 5_000, 0])


# --- CSAT modifier ------------------------------------------------------------------------

# seats 0, 1 in team 0, seat 2 in team 1. Variable since the last wave: seat 0 20,000,
# seats 1 and 2 10,000. Survey (month 2, a 3-month wave): seat 0 9/10 = 0.9, seat 1 6/10 =
# 0.6, seat 2 no respondents; team 0 15/20 = 0.75, team 1 nobody; company 15/20 = 0.75.
# modifier: 1 + 2 (csat - 0.8) clipped to [0.8, 1.2]: 0.9 -> 1.2, 0.6 -> 0.8, 0.75 -> 0.9
#   paid: (multiplier - 1) x variable since the wave
# share_of_target: 0.2 x 75K x 3/12 = 3,750 x (csat - 0.6) / (0.8 - 0.6), clipped to
#   [0, 1.5]: 0.9 -> 1.5 (5,625), 0.6 -> 0, 0.75 -> 0.75 (2,812.50)
CSAT_CASES = [
    ("individual", "modifier", [0.2 * 20_000, -0.2 * 10_000, -0.1 * 10_000]),
    ("team", "modifier", [-0.1 * 20_000, -0.1 * 10_000, -0.1 * 10_000]),
    ("company", "modifier", [-0.1 * 20_000, -0.1 * 10_000, -0.1 * 10_000]),
    ("individual", "share_of_target", [5_625, 0, 2_812.5]),
    ("team", "share_of_target", [2_812.5, 2_812.5, 2_812.5]),
    ("company", "share_of_target", [2_812.5, 2_812.5, 2_812.5]),
]


@pytest.mark.parametrize("level, mode, expected", CSAT_CASES)
def test_csat_modifier(level, mode, expected):
    world = World(seats=3, team=[0, 0, 1])
    pay = make_payroll(world, commission(), {"type": "csat_modifier", "level": level, "mode": mode})
    world.sell(0, 100_000)
    world.sell(1, 100_000)
    world.sell(2, 100_000)
    first = world.step(pay)  # no survey: no adjustment
    world.sell(0, 100_000)
    world.step(pay)
    world.set_survey([[9, 6, 0]], [[10, 10, 0]])
    slip = world.step(pay)
    assert line(first, "csat_modifier") == 0
    np.testing.assert_allclose(variable(slip), expected)
    world.set_survey([[9, 6, 0]], [[10, 10, 0]])  # the next wave (nothing earned since)
    slip = world.step(pay)
    assert line(slip, "csat_modifier") == pytest.approx(0 if mode == "modifier" else sum(expected))


def test_csat_team_level_prefers_the_team_over_the_company():
    # team 1 (seat 2) now has respondents: 2/10 = 0.2 -> modifier 0.8 (clipped)
    world = World(seats=3, team=[0, 0, 1])
    pay = make_payroll(world, commission(), {"type": "csat_modifier", "level": "team"})
    for seat in range(3):
        world.sell(seat, 100_000)  # 10,000 each
    world.set_survey([[9, 6, 2]], [[10, 10, 10]])
    # team 0: 15/20 = 0.75 -> 0.9: -1,000 each; team 1: 0.2 -> 0.8: -2,000
    np.testing.assert_allclose(variable(world.step(pay)), [9_000, 9_000, 8_000])


def test_csat_modifier_pays_nothing_to_a_vacant_seat():
    world = World(seats=2)
    pay = make_payroll(world, commission(), {"type": "csat_modifier", "level": "company"})
    world.sell(0, 100_000)  # 10,000 to seat 0's rep, who then leaves
    world.quit(0)
    world.step(pay)
    world.set_survey([[9, 9]], [[10, 10]])  # company 0.9 -> 1.2x
    slip = world.step(pay)
    assert slip.ae[0, 0] == 0


# --- CSM pay ------------------------------------------------------------------------------

# Book at the start of the plan year (month 11): CSM 0 has a (600K) and b (400K), CSM 1
# has c (200K). During the year b renews down to 300K, c up to 250K (capped at its start
# 200K), and d (CSM 1, sold in the year) churns; d is not in the starting book.
# CSM 0: 900K / 1M = 0.9; CSM 1: 200K / 200K = 1.0; company: 1.1M / 1.2M.
# payout = 15,000 x clip((grr - 0.828) / (0.92 - 0.828), 0, 1.5)
GRR_CASES = [
    ("individual", [15_000 * (0.9 - 0.828) / 0.092, 15_000 * 1.5]),
    ("team", [15_000 * (1.1 / 1.2 - 0.828) / 0.092] * 2),
]


@pytest.mark.parametrize("level, expected", GRR_CASES)
def test_grr_bonus(level, expected):
    world = World(seats=1, n_csms=2, start=11)
    pay = make_payroll(world, {"type": "grr_bonus", "level": level})
    world.sell(0, 600_000, csm=0, seller=-1)
    b = world.sell(0, 400_000, csm=0, seller=-1)
    c = world.sell(0, 200_000, csm=1, seller=-1)
    slips = [world.step(pay)]  # month 11: the year starts, nothing to pay yet
    d = world.sell(0, 100_000, csm=1, seller=-1)  # month 12
    slips.append(world.step(pay))
    world.renew(b, 300_000)  # month 13
    world.renew(c, 250_000)
    world.churn(d)
    slips += world.idle(pay, 11)  # months 13..23
    assert all(line(s, "grr_bonus") == 0 for s in slips[:-1])
    np.testing.assert_allclose(slips[-1].csm[0] - 85_000 / 12, expected)


def test_grr_bonus_with_no_book():
    # no customers at month 11; one sold during the year: GRR is undefined, nothing paid
    world = World(seats=1, n_csms=2, start=11)
    pay = make_payroll(world, {"type": "grr_bonus"})
    world.step(pay)
    world.sell(0, 100_000, seller=-1)
    slips = world.idle(pay, 12)
    np.testing.assert_allclose(slips[-1].csm[0] - 85_000 / 12, [0, 0])


def test_expansion_commission():
    # 5% of ARR added at renewal: c (CSM 1) 100K -> 130K: 1,500; a (CSM 0) 100K -> 80K: 0;
    # b (CSM 0) not renewed: 0
    world = World(seats=1, n_csms=2)
    pay = make_payroll(world, {"type": "expansion_commission", "rate": 0.05})
    a, b = world.sell(0, 100_000, csm=0), world.sell(0, 100_000, csm=0)
    c = world.sell(0, 100_000, csm=1)
    world.step(pay)
    world.renew(a, 80_000)
    world.renew(b, 0)
    world.renew(c, 130_000)
    slip = world.step(pay)
    np.testing.assert_allclose(slip.csm[0] - 85_000 / 12, [0, 1_500])
    assert line(slip, "expansion_commission") == pytest.approx(1_500)


# --- variable cap -----------------------------------------------------------------------------


def test_variable_cap_per_plan_year_and_hire():
    # cap 1 x 75K. Months 10, 11: 50K then 50K earned -> 50K and 25K paid (25K forfeited);
    # month 12 starts a plan year: 10K paid. Seat 1: 80K at month 10 -> 75K paid; its rep
    # leaves and the new rep (month 11) has a fresh cap: 60K paid.
    world = World(seats=2, start=10)
    pay = make_payroll(world, commission(), variable_cap=1.0)
    world.sell(0, 500_000)
    world.sell(1, 800_000)
    world.quit(1)
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [50_000, 75_000])
    assert event(slip, "cap_forfeited") == pytest.approx(5_000)
    world.sell(0, 500_000)
    world.hire(1)
    world.sell(1, 600_000)
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [25_000, 60_000])
    assert event(slip, "cap_forfeited") == pytest.approx(25_000)
    world.sell(0, 100_000)
    slip = world.step(pay)
    np.testing.assert_allclose(variable(slip), [10_000, 0])


def test_by_component_sums_to_total_with_every_kind_of_line():
    # a month with base, commission, a clawback, escrow release, a SPIFF, CSM pay
    world = World(seats=2, n_csms=2)
    pay = make_payroll(
        world,
        commission(),
        {"type": "deployment_holdback", "leaver": "forfeit"},
        {"type": "clawback"},
        {"type": "spiff", "metric": "successful_deployments"},
        {"type": "renewal_commission"},
        {"type": "expansion_commission"},
        policies={"renewal_credit": ["ae", "csm"]},
    )
    a, b = world.sell(0, 100_000), world.sell(1, 300_000, csm=1)
    world.step(pay)
    world.deploy(b)
    world.churn(a)
    world.renew(b, 400_000)
    slip = world.step(pay)
    assert line(slip, "clawback") == pytest.approx(-5_000)
    np.testing.assert_allclose(sum(slip.by_component.values()), slip.total)


# --- bad plan settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "plan, needles",
    [
        (
            {"components": [{"type": "bonus_for_all"}]},
            ['plans["p"].components', "unknown type", "bonus_for_all", "bookings_commission"],
        ),
        (
            {"quota": {"tiers": [{"from": 0, "multiplier": 1}, {"from": 1.0}, {"from": 0.5}]}},
            ['plans["p"].quota', "tiers out of order", "[0.0, 1.0, 0.5]"],
        ),
        (
            {"quota": {"tiers": [{"from": 0.2, "multiplier": 1}]}},
            ['plans["p"].quota', "tiers must start with a band from 0"],
        ),
        (
            {"components": [{"type": "deployment_holdback", "share": 1.5}]},
            [
                'plans["p"].components["deployment_holdback"].share',
                "less than or equal to 1",
                "1.5",
            ],
        ),
        (
            {"quota": {"threshold": 0.8, "cap": 0.5}},
            ['plans["p"].quota', "cap (0.5) must exceed threshold (0.8)"],
        ),
        (
            {"components": [{"type": "discount_adjusted_rate", "bands": [{"max_discount": 0.5}]}]},
            ['plans["p"].components["discount_adjusted_rate"]', "max_discount = 1"],
        ),
        (
            {"components": [{"type": "fit_multiplier", "bands": [{"min_fit": 0.3}]}]},
            ['plans["p"].components["fit_multiplier"]', "min_fit = 0"],
        ),
        (
            {"components": [{"type": "forecast_accuracy", "over_weight": 2.0}]},
            ['plans["p"].components["forecast_accuracy"]', "over_weight <= base_weight"],
        ),
        (
            {"components": [{"type": "clawback"}, {"type": "clawback"}]},
            ['plans["p"]', "'clawback' appears more than once"],
        ),
        (
            {"components": [{"type": "spiff"}, {"type": "spiff"}]},
            ['plans["p"]', "distinct names", "spiff"],
        ),
        (
            {"components": [{"type": "bookings_commission", "rat": 0.1}]},
            ['plans["p"].components["bookings_commission"].rat', "did you mean 'rate'"],
        ),
        (
            {"policies": {"renewal_credit": ["ae", "cfo"]}},
            ['plans["p"].policies.renewal_credit[1]', "'cfo'"],
        ),
    ],
)
def test_bad_plan_settings_name_the_key(plan, needles):
    with pytest.raises(ScenarioError) as err:
        validate_scenario({"plans": [{"name": "p", **plan}]}, "x.toml")
    message = str(err.value)
    assert message.startswith("x.toml: plans[")
    for needle in needles:
        assert needle in message, (needle, message)
