"""What pay components share: the monthly context they read, their kinds, and the
contract every component's configuration fulfils.

A pay component is one file in `sim/plans/components/` (named after its `type`)
holding its scenario table (a `ComponentConfig` registered with
`sim.plans.registry.register`) and its runtime object(s). The configuration
answers every question the rest of the code asks about a component: what it pays
each month (`build()`), what it pays at 100% attainment (`ote_pay`, the OTE
check), which journey-stage cells its pay belongs to (`journey_cells`, source 001's
ownership matrix), whether FP&A capitalizes it (`capitalized`, ASC 340-40), which
settings are variable pay (`variable_pay`, scaled by a budget) and how long its
tail is (`tail_months`, for warm-up). Runtime objects come in kinds that payroll
runs in order:

- `DealComponent`: earns an amount per deal won this month (bookings
  commission, logo bonus). Payroll scales it by the deal multipliers and the
  quota tiers, then pays it now or holds it in escrow per the plan's timing rules.
- `DealMultiplier`: scales deal earnings by a deal's fit or discount.
- `Timing`: holds part of every deal's earnings in escrow (holdback, pay when paid).
- `SeatComponent`: pays AEs directly per seat, (R, S) dollars (revenue
  commission, renewal commission, SPIFFs, forecast accuracy, team bonus).
- `CsmComponent`: pays CSMs, (R, C) dollars.
- `Adjuster`: changes the month's AE variable pay after everything else (CSAT
  modifier, draw).
- `Recovery`: takes back deal pay already paid (clawback).

Negative amounts are recoveries; payroll nets them against future pay.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from sim.ledger import MonthLedger, sum_by
from sim.params import Section
from sim.plans.quota import QuotaTracker

MONTHS_PER_YEAR = 12

# Source 001's customer journey: who is paid at each stage (the ownership matrix).
STAGES = ("conversion", "onboarding", "first use", "adoption", "renewal", "expansion")
ROLES = ("AE", "CSM", "onboarding", "support")
Cell = tuple[str, str]  # (role, stage)
DEAL_CELLS: tuple[Cell, ...] = (("AE", "conversion"),)  # deal pay nobody holds back


@dataclass(slots=True)
class PayContext:
    """What a component may read when computing one month's pay."""

    ledger: MonthLedger
    quota: QuotaTracker
    target_variable: float  # AE annual variable pay at 100% attainment (OTE - base), $
    n_csms: int
    variable_owed: np.ndarray | None = None  # (R, S) AE variable owed so far this month
    scratch: dict = field(default_factory=dict)
    peers: Callable[[str, str, np.ndarray], np.ndarray] | None = None

    def shared(self, key: str, level: str, result: np.ndarray) -> np.ndarray:
        """A result a seat shares with its team or the whole company (`level`), as pay
        sees it: as measured in a real run; in the reps' belief world, where every
        seat weighs a unilateral deviation, through `peers` (its peers held at the
        population's result, `sim.choice_model.PeersAtPopulation`). `key` names the
        measure (e.g. "csat")."""
        return result if self.peers is None else self.peers(key, level, result)

    @property
    def employed(self) -> np.ndarray:
        return self.ledger.roster.occupied

    def multiplier(self, fit, discount) -> np.ndarray:
        """The plan's deal multipliers (discount-adjusted rate, fit) for these accounts."""
        return self.scratch["multiplier"](fit, discount)

    def still_employed(self, replication, seat, seller) -> np.ndarray:
        """Whether the rep who sold (hire number `seller`) is still in its seat."""
        roster = self.ledger.roster
        # one flat index, taken twice: much faster than two 2-d fancy indexes
        at = np.asarray(replication, dtype=np.int64) * roster.occupied.shape[1] + seat
        in_seat = roster.occupied.ravel().take(at)
        return (seller >= 0) & in_seat & (roster.hire_no.ravel().take(at) == seller)


@dataclass(frozen=True, slots=True)
class OteBasis:
    """What "100% attainment" means for the OTE check (`sim.plans.ote`): the rep books
    `credit` of ACV in the plan year, evenly over its quota periods."""

    attainment: float  # fraction of annual quota
    annual_quota: float  # $ ACV/yr, the plan's commission quota
    credit: float  # $ ACV booked in the year (attainment x annual quota)
    tier_factor: float  # accelerated commission's tier multiplier at this attainment
    two_year_share: float  # share of deals on 24-month terms, at the mean discount
    usage_share: float  # share of deals on usage contracts
    mean_acv: float  # $/yr booked per deal, at the mean strategy
    target_variable: float  # $/yr AE variable pay at 100% (OTE - base)
    period_months: int  # months in the plan's quota period
    fit_shape: tuple[float, float]  # ICP fit ~ Beta(a, b)
    fit_threshold: float  # reps pursue deals with fit above this (mean strategy)

    def fit_share(self, min_fit: float) -> float:
        """Share of deals with fit >= `min_fit` among those pursued (fit above the
        mean threshold); win odds' rise with fit is ignored."""
        a, b = self.fit_shape
        pursued = _beta_sf(self.fit_threshold, a, b)
        return _beta_sf(max(min_fit, self.fit_threshold), a, b) / pursued if pursued else 0.0


def _beta_sf(x: float, a: float, b: float) -> float:
    """P(Beta(a, b) > x): the same numbers as `scipy.stats.beta.sf`, without importing
    scipy.stats (about a second, which every run would pay); scipy.special is imported
    here, not with the plans, so that `sim validate` and `sim schema` need none of scipy."""
    from scipy.special import betaincc

    return float(betaincc(a, b, min(max(x, 0.0), 1.0)))


class ComponentConfig(Section):
    """The scenario table of one pay component, and everything the rest of the code
    needs to know about it. Each subclass narrows `type` to a `Literal`, sets the
    class-level declarations below and implements `build`, `ote_pay`, `journey_cells`
    and `tail_months`; `sim.plans.registry.register` makes it a valid
    `[[plans.components]]` table."""

    type: str

    once: ClassVar[bool] = False  # at most one per plan
    capitalized: ClassVar[bool] = False  # FP&A capitalizes its pay (ASC 340-40)
    deal_pay: ClassVar[bool] = False  # its line is deal pay, placed where the plan's timing puts it
    unstaged: ClassVar[bool] = False  # its pay belongs to no journey stage (e.g. a draw)
    has_line: ClassVar[bool] = True  # False: pays nothing itself (multipliers, timing)
    restages_deal_pay: ClassVar[bool] = False  # timing: releases deal pay at a later stage
    variable_pay: ClassVar[tuple[str, ...]]  # settings a budget scales ("steps.amount": in a list)

    @property
    def line(self) -> str:
        """The `by_component` line (`comp_cost_<line>`) its pay is reported under."""
        return self.type

    def build(self, plan) -> list[Component]:  # pragma: no cover - interface
        """Runtime object(s) for one payroll of `plan`."""
        raise NotImplementedError

    def ote_pay(self, basis: OteBasis) -> float:  # pragma: no cover - interface
        """AE pay per year at `basis.attainment`, $/yr, before the variable cap; 0 for
        pay that does not depend on attainment (say so in the override's docstring)."""
        raise NotImplementedError

    def journey_cells(self, plan) -> tuple[Cell, ...]:  # pragma: no cover - interface
        """The (role, stage) cells of the ownership matrix its line is split across."""
        raise NotImplementedError

    def place_pay(self, plan, cost, put) -> None:
        """Put its simulated pay (`cost(line)`, $/yr) in the ownership matrix's cells
        (`put(amount, cells)`). Deal pay is placed by the plan's timing instead."""
        cells = self.journey_cells(plan)
        if cells and self.has_line and not self.deal_pay:
            put(cost(self.line), cells)

    def restage_deal_pay(self, plan, paid: float, means, put) -> float:
        """Timing components: place the part of the plan's deal pay ($/yr) that was
        released at a later journey stage; return what is left for conversion."""
        return paid

    def pays(self, plan) -> tuple[str, ...]:
        """Roles it pays ("ae", "csm")."""
        return ("ae",)

    def pays_ae_on_shared_results(self) -> bool:
        """Whether an AE's pay from it depends on results the AE shares with a team or
        the company (read through `PayContext.shared`): reps free-ride on those."""
        return False

    def pays_on_installed_base(self) -> bool:
        """Whether it pays on what the whole customer book does (renewals, expansion,
        retention, CSAT of the accounts): its cost grows with the book, so it keeps
        moving as long as the company's book does (docs/model.md, "Time line and steady state")."""
        return False

    def tail_months(self) -> int:  # pragma: no cover - interface
        """The longest delay, in months, between the events it pays on (a booking, a
        hire, a measurement period's start) and the last pay or recovery they cause;
        0 when it pays in the month of the event. Contract terms and survey waves are
        the world's, not the component's."""
        raise NotImplementedError

    def scaled(self, factor: float) -> ComponentConfig:
        """The same component with every `variable_pay` setting multiplied by `factor`."""
        data = self.model_dump(by_alias=True)
        for path in self.variable_pay:
            _scale_path(data, path.split("."), factor)
        return type(self).model_validate(data)


class DealMultiplierConfig(ComponentConfig):
    """A deal multiplier's table: it pays nothing itself, so it has no line, no journey
    cells, no tail and no variable pay, and counts as 1 at 100% attainment."""

    once = True
    has_line = False
    variable_pay = ()

    def ote_pay(self, basis: OteBasis) -> float:
        return 0.0

    def journey_cells(self, plan):
        return ()

    def tail_months(self) -> int:
        return 0


def _scale_path(node: Any, path: list[str], factor: float) -> None:
    if isinstance(node, list):
        for item in node:
            _scale_path(item, path, factor)
    elif len(path) == 1:
        node[path[0]] = node[path[0]] * factor
    else:
        _scale_path(node[path[0]], path[1:], factor)


def payout_curve(result, target, threshold_share, cap) -> np.ndarray:
    """0 at threshold_share x target, 1 at target, rising with the same slope to cap."""
    floor = threshold_share * target
    return np.clip((np.asarray(result) - floor) / (target - floor), 0.0, cap)


class Component:
    name: str = "component"

    def __init__(self, config):
        self.config = config

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.config!r})"


class DealComponent(Component):
    accelerated = False  # scaled by the quota tiers
    paid_at_booking = 1.0  # the rest is deferred
    deferred_months = 0

    def earn(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        """Amount earned on each deal of `ctx.ledger.deals`, before multipliers."""
        raise NotImplementedError


class DealMultiplier(Component):
    def factor(self, fit: np.ndarray, discount: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError


class SeatComponent(Component):
    def pay(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        """(R, S) dollars owed to the AE in each seat this month."""
        raise NotImplementedError


class CsmComponent(Component):
    def pay(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        """(R, C) dollars owed to each CSM this month."""
        raise NotImplementedError


class Adjuster(Component):
    def adjust(self, ctx: PayContext) -> np.ndarray:  # pragma: no cover - interface
        """(R, S) dollars added to (or removed from) this month's AE variable pay."""
        raise NotImplementedError


class Timing(Component):
    """Holds part of every deal's earnings in payroll's escrow until a release rule.
    Timings with `before_deferral` act on what a deal earned; the others on what is
    left to pay now after a component's own deferral."""

    before_deferral = True

    def hold(self, ctx: PayContext, escrow, earned, index: int) -> np.ndarray:  # pragma: no cover
        """Put part of `earned` (one amount per deal of component `index`) in `escrow`;
        return what is left."""
        raise NotImplementedError


class Recovery(Component):
    """Takes back deal pay already paid (clawback), after the cap."""

    def recover(self, ctx: PayContext, paid_on_customer: np.ndarray):  # pragma: no cover
        """(R, S) recoveries (negative dollars) and the (R, S) mask of reps affected."""
        raise NotImplementedError


class PeriodCredit:
    """Each seat's quota credit since the start of the current period of `months`
    (periods align with the plan year) or since the rep's hire."""

    def __init__(self, months: int):
        self.months = months
        self.credit: np.ndarray | None = None  # (R, S) $ ACV

    def add(self, ctx: PayContext) -> bool:
        """Add this month's credit; True in the period's last month."""
        ledger = ctx.ledger
        if self.credit is None or ledger.month % self.months == 0:
            self.credit = np.zeros(ledger.shape)
        self.credit[ledger.roster.hired] = 0.0
        self.credit += ctx.quota.month_credit(ledger)
        return ledger.month % self.months == self.months - 1


def seat_sum(replication, seat, values, shape) -> np.ndarray:
    flat = np.asarray(replication, np.int64) * shape[1] + seat
    return sum_by(flat, values, shape[0] * shape[1]).reshape(shape)


def csm_sum(replication, csm, values, n_replications: int, n_csms: int) -> np.ndarray:
    if n_csms == 0:
        return np.zeros((n_replications, 0))
    flat = np.asarray(replication, np.int64) * n_csms + csm
    return sum_by(flat, values, n_replications * n_csms).reshape(n_replications, n_csms)
