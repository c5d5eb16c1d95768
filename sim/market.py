"""The market: every random draw that does not depend on a decision.

`draw_market` draws, for each replication from its own streams, the
opportunities every seat will meet in every month (arrival month, ICP fit, a
thinning uniform and a 64-bit key), the installed base, the starting reps and
the traits of every possible hire, the given strategies and the attrition
uniforms. An opportunity's other attributes and its luck are
derived from its key when the engine needs them (`Accounts.details`), so they
too are fixed in advance: every plan run on this market meets the same
opportunities with the same luck (common random numbers).

Arrivals are drawn at the rate of a fully ramped rep at the highest effort any
rep may show, and thinned later: an opportunity exists only if the seat is
filled and its `u_ramp` is below ramp fraction x effort / highest effort, which
is exactly Poisson(rate x ramp x effort) whatever the tenure and effort turn out
to be. A rep's extra effort adds opportunities without reshuffling the others
(each keeps its own uniform): common random numbers across effort levels.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from sim import world
from sim.params import sample
from sim.scenario.schema import Scenario
from sim.streams import DRAW, draw_keys, keyed_uniform, keyed_uniforms, stream, to_normal

_I = np.int64
TRAITS = ("skill", "risk_aversion", "patience", "integrity_cost", "market_ote")
LEVERS = ("discount", "overforecast", "fit_threshold", "effort")
DRAWN_FIRST = LEVERS[:3]  # given strategies drawn before the choice uniforms (stream order)


@dataclass(slots=True)
class AccountDetails:
    """What an opportunity turns out to be, derived from its key."""

    need: np.ndarray  # true annual need at list price, $/yr
    term: np.ndarray  # contract term, months (12 or 24)
    usage_contract: np.ndarray  # bool: billed on real use, not the commitment


def account_details(keys: np.ndarray, scenario: Scenario, discount=0.0) -> AccountDetails:
    """Need, term and contract kind of opportunities; a discount makes customers more
    willing to sign for two years (`world.two_year_term_probability`)."""
    m = scenario.market
    p_24 = world.two_year_term_probability(discount, m)
    u_need, u_term, u_usage = keyed_uniforms(
        keys, DRAW["need"], DRAW["term"], DRAW["usage_contract"]
    )
    return AccountDetails(
        need=m.need_median * np.exp(m.need_sigma * to_normal(u_need)),
        term=np.where(u_term < p_24, 24, 12),
        usage_contract=u_usage < m.share_usage_contracts,
    )


def sales_cycle(keys: np.ndarray, mean_months: float) -> np.ndarray:
    """Months from pursuit to close: geometric on 1, 2, ... with the given mean."""
    if mean_months <= 1.0:
        return np.ones(len(keys), dtype=np.int64)
    months = keyed_uniform(keys, DRAW["cycle"])
    # ceil(log(1 - u) / log1p(-1/mean)), at least 1, computed in place (1 - u is exact
    # for u on numpy's grid of 2^-53, and log is several times faster than log1p)
    np.subtract(1.0, months, out=months)
    np.log(months, out=months)
    months /= np.log1p(-1.0 / mean_months)
    np.ceil(months, out=months)
    np.maximum(months, 1.0, out=months)
    return months.astype(np.int64)


MAX_ORDER_STATISTIC = 8  # uniforms per draw, at most, of the order-statistic Beta sampler


def beta_draws(rng: np.random.Generator, a: float, b: float, n: int) -> np.ndarray:
    """n draws of Beta(a, b). For whole-number shapes with a + b - 1 <= 8 (the default
    fit is Beta(2, 2)), the a-th smallest of a + b - 1 uniforms, which is exactly
    Beta(a, b) distributed, found by a sorting network of elementwise min and max:
    about 5x faster than `Generator.beta` (two gamma variates by rejection). Other
    shapes: `Generator.beta`."""
    m = a + b - 1
    if not (float(a).is_integer() and float(b).is_integer() and m <= MAX_ORDER_STATISTIC):
        return rng.beta(a, b, n)
    rows = list(rng.random((int(m), n)))
    for top in range(len(rows) - 1, 0, -1):  # bubble network: row `top` ends the largest
        for j in range(top):
            rows[j], rows[j + 1] = (
                np.minimum(rows[j], rows[j + 1]),
                np.maximum(rows[j], rows[j + 1]),
            )
    return np.array(rows[int(a) - 1])


class Opportunities:
    """All opportunities of the chunk in arrival order: month by month, and within a
    month replication by replication and seat by seat (each replication's own rows
    keep the order it drew them in). The rows arriving in month k are
    `arrival_offsets[k]:arrival_offsets[k + 1]`, so a month's arrivals are slices of
    the columns, not gathers.

    An opportunity's sales cycle (months from arrival to close) is derived from its
    key (`sales_cycle`) when the engine pursues it: many arrivals (two in five in the
    default scenario) never are.
    `close_month` and `rows_closing` give it for every row, computed on first use,
    for the events engine."""

    def __init__(self, replication, seat, fit, u_ramp, key, arrival_offsets, n_seats, cycle_months):
        self.replication = replication  # int32: the chunk's local replication index
        self.seat = seat  # int32
        self.fit = fit  # ICP fit in [0, 1]
        self.u_ramp = u_ramp  # the thinning uniform (`sim.engine.pipeline.pursues`)
        self.key = key  # uint64 (see `sim.streams`)
        self.owner = replication.astype(np.int64) * n_seats + seat  # flat (replication, seat)
        self.arrival_offsets = arrival_offsets  # (T + 1,)
        self.cycle_months = cycle_months  # mean sales cycle, months
        self._close_index = None
        self._arrival_month = None

    def __len__(self) -> int:
        return len(self.fit)

    def rows_of_month(self, k: int) -> np.ndarray:
        """Rows arriving in month k, replication by replication."""
        return np.arange(self.arrival_offsets[k], self.arrival_offsets[k + 1])

    def arriving_in(self, k: int, name: str) -> np.ndarray:
        """`name` (owner, u_ramp or fit) of `rows_of_month(k)`: a view."""
        return getattr(self, name)[self.arrival_offsets[k] : self.arrival_offsets[k + 1]]

    def close_months(self, rows: np.ndarray, arrival_month) -> np.ndarray:
        """Month in which opportunities `rows`, arriving in `arrival_month`, close."""
        return arrival_month + sales_cycle(self.key[rows], self.cycle_months)

    @property
    def arrival_month(self) -> np.ndarray:
        """Every row's arrival month, int16 (computed on first use)."""
        if self._arrival_month is None:
            n_months = len(self.arrival_offsets) - 1
            months = np.arange(n_months, dtype=np.int16 if n_months < 2**15 else np.int64)
            self._arrival_month = np.repeat(months, np.diff(self.arrival_offsets))
        return self._arrival_month

    @property
    def close_month(self) -> np.ndarray:
        """Every row's close month (computed on first use)."""
        return self._closing()[0]

    @property
    def close_offsets(self) -> np.ndarray:
        return self._closing()[2]

    def rows_closing(self, k: int) -> np.ndarray:
        _, by_close, offsets = self._closing()
        return by_close[offsets[k] : offsets[k + 1]]

    def _closing(self) -> tuple:
        if self._close_index is None:
            n_months = len(self.arrival_offsets) - 1
            month = self.close_months(np.arange(len(self)), self.arrival_month.astype(np.int64))
            self._close_index = (month, *_month_index(month, n_months))
        return self._close_index


def _month_index(month: np.ndarray, n_months: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows ordered by month (stable) and where each month starts, for months 0..n."""
    small = month.max(initial=0) < np.iinfo(np.int16).max and month.min(initial=0) >= 0
    # a stable sort of 16-bit integers is a radix sort: several times faster
    order = np.argsort(month.astype(np.int16) if small else month, kind="stable")
    return order, np.searchsorted(month[order], np.arange(n_months + 1))


@dataclass(slots=True)
class InstalledBase:
    replication: np.ndarray
    seat: np.ndarray
    fit: np.ndarray
    key: np.ndarray
    age_months: np.ndarray  # months into the current contract at the start


@dataclass(slots=True)
class RepDraws:
    initial_tenure: np.ndarray  # (R, S) months in seat at the start
    traits: dict[str, np.ndarray]  # name -> (R, S, T): traits of a rep hired in month k
    strategy: dict[str, np.ndarray]  # lever -> (R, S, T): given strategy of a hire
    u_attrition: np.ndarray  # (R, S, T)
    u_choice: np.ndarray  # (R, S, T): decides the strategy a rep picks in month k
    u_imitate: np.ndarray  # (R, S, T): decides whether it imitates a peer (adaptive)
    u_peer: np.ndarray  # (R, S, T): decides which peer it meets
    u_action: np.ndarray  # (R, S, T): decides the monthly action (mode "dynamic")


@dataclass(slots=True)
class Market:
    replications: np.ndarray  # global replication indices of this chunk
    n_months: int  # simulated months including burn-in
    opportunities: Opportunities
    installed_base: InstalledBase
    reps: RepDraws
    seed: int = 0

    @property
    def n_replications(self) -> int:
        return len(self.replications)


def draw_market(scenario: Scenario, seed: int, replications) -> Market:
    replications = np.asarray(replications, dtype=np.int64)
    n_months = scenario.warm_up_months + scenario.company.months
    drawn = {
        g: _draw_one(scenario, seed, g, n_months) for g in dict.fromkeys(replications.tolist())
    }
    opps, bases, reps = zip(*(drawn[g] for g in replications.tolist()), strict=True)
    local = np.arange(len(replications), dtype=np.int32)
    return Market(
        seed=seed,
        replications=replications,
        n_months=n_months,
        opportunities=_arrival_order(opps, scenario),
        installed_base=InstalledBase(
            replication=np.repeat(local, [len(b.fit) for b in bases]),
            **_stack_rows(bases, "seat fit key age_months"),
        ),
        reps=RepDraws(
            initial_tenure=np.stack([r.initial_tenure for r in reps]),
            traits={t: np.stack([r.traits[t] for r in reps]) for t in TRAITS},
            strategy={v: np.stack([r.strategy[v] for r in reps]) for v in LEVERS},
            u_attrition=np.stack([r.u_attrition for r in reps]),
            u_choice=np.stack([r.u_choice for r in reps]),
            u_imitate=np.stack([r.u_imitate for r in reps]),
            u_peer=np.stack([r.u_peer for r in reps]),
            u_action=np.stack([r.u_action for r in reps]),
        ),
    )


REUSED_MARKETS = 2  # markets `reused_market` keeps per process (~60 MB per 100 company-runs)
_recent: OrderedDict = OrderedDict()


def reused_market(scenario: Scenario, seed: int, replications) -> Market:
    """`draw_market`, or one of the last `REUSED_MARKETS` markets this function drew in
    this process for the same world (every setting but the plans, and the warm-up),
    seed and replications. For runs that repeat the same company-runs with other
    plans (budget scales, plan variants, sweep points): drawing the market is about a
    third of a one-plan run. Safe because the engine never writes into a market (the
    plans of one chunk already share one)."""
    world = scenario.model_dump_json(exclude={"plans"}).encode()
    replications = np.asarray(replications, dtype=np.int64)
    key = (
        hashlib.sha256(world).hexdigest(),
        scenario.warm_up_months,
        int(seed),
        replications.tobytes(),
    )
    market = _recent.pop(key, None)
    if market is None:
        market = draw_market(scenario, seed, replications)
    _recent[key] = market
    while len(_recent) > REUSED_MARKETS:
        _recent.popitem(last=False)
    return market


def _stack_rows(parts, names: str) -> dict[str, np.ndarray]:
    return {n: np.concatenate([getattr(p, n) for p in parts]) for n in names.split()}


def _draw_one(scenario: Scenario, seed: int, replication: int, n_months: int):
    """One replication's draws (a replication drawn twice in a chunk is drawn once)."""
    return (
        _draw_opportunities(scenario, stream(seed, replication, "opportunities"), n_months),
        _draw_installed_base(scenario, stream(seed, replication, "initial_book")),
        _draw_reps(scenario, seed, replication, n_months),
    )


def _draw_opportunities(scenario, rng, n_months: int) -> _Arrivals:
    m, n_seats = scenario.market, scenario.company.n_reps
    rate = m.opportunities_per_rep_month * scenario.max_effort
    counts = rng.poisson(rate, size=(n_months, n_seats))
    n = int(counts.sum())
    seats = np.repeat(np.tile(np.arange(n_seats, dtype=np.int32), n_months), counts.ravel())
    keys = draw_keys(rng, n)
    return _Arrivals(
        counts.sum(axis=1), seats, beta_draws(rng, m.fit_a, m.fit_b, n), rng.random(n), keys
    )


@dataclass(slots=True)
class _Arrivals:
    """One replication's opportunities in arrival order (month, then seat)."""

    per_month: np.ndarray  # (T,) arrivals per month
    seat: np.ndarray
    fit: np.ndarray
    u_ramp: np.ndarray
    key: np.ndarray


def _arrival_order(parts: list[_Arrivals], scenario: Scenario) -> Opportunities:
    """The chunk's opportunities from each replication's (month by month, then
    replication by replication: a month's arrivals are one slice)."""
    per_month = np.stack([p.per_month for p in parts])  # (R, T)
    n_replications, n_months = per_month.shape
    starts = np.concatenate([[0], np.cumsum(per_month.sum(axis=1))[:-1]])  # replication-major
    first = starts[:, None] + np.cumsum(per_month, axis=1) - per_month  # (R, T)
    counts = per_month.T.ravel()  # month-major
    before = np.cumsum(counts) - counts
    order = np.arange(counts.sum()) + np.repeat(first.T.ravel() - before, counts)
    local = np.repeat(np.tile(np.arange(n_replications, dtype=np.int32), n_months), counts)
    return Opportunities(
        replication=local,
        **{
            name: np.concatenate([getattr(p, name) for p in parts]).take(order) for name in _COLUMNS
        },
        arrival_offsets=np.concatenate([[0], np.cumsum(per_month.sum(axis=0))]),
        n_seats=scenario.company.n_reps,
        cycle_months=scenario.market.sales_cycle_months,
    )


_COLUMNS = ("seat", "fit", "u_ramp", "key")


def _draw_installed_base(scenario, rng) -> InstalledBase:
    """Customers a going concern has: fit as among won deals, mid-contract ages."""
    n = scenario.initial_book.customers
    if n == 0:  # nothing to draw (a start-up): skip the calls' fixed cost
        return InstalledBase(
            None, np.empty(0, np.int32), np.empty(0), np.empty(0, np.uint64), np.empty(0, _I)
        )
    fit = _won_fit(scenario, rng, n)
    seats = rng.integers(0, scenario.company.n_reps, n).astype(np.int32)
    keys = draw_keys(rng, n)
    term = account_details(keys, scenario, scenario.initial_book.discount).term
    age = np.floor(rng.random(n) * term).astype(np.int64)
    return InstalledBase(None, seats, fit, keys, age)


def _won_fit(scenario, rng, n: int) -> np.ndarray:
    """Fit scores distributed as among deals won at the installed base's terms
    (rejection sampling on the win probability of an average rep)."""
    m, b = scenario.market, scenario.initial_book
    out = np.empty(0)
    p_max = world.win_probability(b.discount, 1.0, 0.0, b.overforecast, 1.0, scenario.win)
    while len(out) < n:
        fit = beta_draws(rng, m.fit_a, m.fit_b, 2 * n + 16)
        p = world.win_probability(b.discount, fit, 0.0, b.overforecast, 1.0, scenario.win)
        out = np.concatenate([out, fit[rng.random(len(fit)) * p_max < p]])
    return out[:n]


def _draw_reps(scenario, seed: int, replication: int, n_months: int) -> RepDraws:
    shape = (scenario.company.n_reps, n_months)
    rng = stream(seed, replication, "reps")
    hazard = max(scenario.attrition.base_monthly_hazard, 1e-6)
    tenure = np.minimum(rng.geometric(hazard, shape[0]) - 1, 120)
    traits = {t: sample(getattr(scenario.reps, t), rng, shape) for t in TRAITS}
    strategy_rng = stream(seed, replication, "strategy")
    strategy = {v: sample(getattr(scenario.strategy, v), strategy_rng, shape) for v in DRAWN_FIRST}
    u_attrition = stream(seed, replication, "attrition").random(shape)
    choice = strategy_rng.random((3, *shape))  # drawn after the given strategies
    # later additions come after, so earlier draws keep their numbers
    strategy["effort"] = sample(scenario.strategy.effort, strategy_rng, shape)
    u_action = strategy_rng.random(shape)
    return RepDraws(tenure, traits, strategy, u_attrition, *choice, u_action)
