"""How reps choose their strategy: discount, overforecast, fit threshold, and the
optional timing and forecast levers.

A behaviour model holds one strategy per seat, an (R, S) array per lever, and
updates it at decision epochs: when a rep is hired and at each quarter start.
The engine calls `decide` every month and `observe` with every payslip.

- "fixed": every new hire gets the scenario's given strategy (a value or a draw
  from a distribution) and keeps it.
- "qbr" (quantal best response): at each epoch a rep weighs every strategy on
  the grid by its certainty equivalent under the plan, read from the plan's
  payoff table (`sim.payoff`), and picks one with probability proportional to
  exp(lambda x CE / OTE).
- "adaptive": reps start from the given strategy, score the strategies they
  play by the pay they realize each quarter, choose by the same logit rule on
  those scores, and sometimes imitate a better-paid peer.

Random choices use uniforms drawn up front per seat and month (the market's
`strategy` stream), so every plan gives the same rep the same luck.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sim.market import LEVERS, Market

TIMING = ("none", "pull", "push", "both")
ALL_LEVERS = (*LEVERS, "timing", "forecast_bias")


@dataclass(frozen=True)
class Grid:
    """The strategies reps choose among: one row per strategy, one array per lever."""

    values: dict[str, np.ndarray]  # lever -> (G,)

    @classmethod
    def from_behavior(cls, behavior) -> Grid:
        g, levers = behavior.grid, behavior.levers
        axes = {
            "discount": g.discount,
            "overforecast": g.overforecast,
            "fit_threshold": g.fit_threshold,
            "timing": [TIMING.index(t) for t in g.timing] if levers.timing else [0],
            "forecast_bias": g.forecast_bias if levers.forecast else [0.0],
        }
        rows = np.array(list(itertools.product(*axes.values())), dtype=float)
        values = {lever: rows[:, i] for i, lever in enumerate(axes)}
        values["timing"] = values["timing"].astype(np.int64)
        return cls(values)

    @property
    def size(self) -> int:
        return len(self.values["discount"])

    def nearest(self, discount, overforecast, fit_threshold) -> np.ndarray:
        """Index of the grid strategy closest to given (discount, overforecast, fit)."""
        v = self.values
        timing_ok = (v["timing"] == 0) & (v["forecast_bias"] == 0)
        gap = (
            np.abs(discount[..., None] - v["discount"])
            + np.abs(overforecast[..., None] - v["overforecast"])
            + np.abs(fit_threshold[..., None] - v["fit_threshold"])
            + 10.0 * ~timing_ok
        )
        return gap.argmin(axis=-1)


@dataclass(slots=True)
class RepView:
    """What a behaviour model may know about the reps this month."""

    month_index: int  # engine month
    month: int  # reporting month (negative in burn-in)
    occupied: np.ndarray  # (R, S)
    hired: np.ndarray  # (R, S)
    traits: dict[str, np.ndarray]  # name -> (R, S)


class Strategies:
    """Base: the strategy in force at every seat."""

    discount: np.ndarray
    overforecast: np.ndarray
    fit_threshold: np.ndarray
    timing: np.ndarray  # (R, S) index into TIMING
    forecast_bias: np.ndarray

    def __init__(self, market: Market):
        self._given = market.reps.strategy
        shape = self._given["discount"].shape[:2]
        for lever in LEVERS:
            setattr(self, lever, self._given[lever][:, :, 0].copy())
        self.timing = np.zeros(shape, dtype=np.int64)
        self.forecast_bias = np.zeros(shape)

    def decide(self, view: RepView) -> None:
        """Update strategies at the month's decision epochs."""

    def observe(self, pay: np.ndarray, view: RepView) -> None:
        """See the month's pay per seat, $ (used by learning models)."""

    def _give(self, mask: np.ndarray, k: int) -> None:
        for lever in LEVERS:
            getattr(self, lever)[mask] = self._given[lever][:, :, k][mask]

    def snapshot(self) -> dict[str, np.ndarray]:
        return {lever: getattr(self, lever).copy() for lever in ALL_LEVERS}


class FixedStrategies(Strategies):
    """Behaviour mode "fixed": the given strategies, drawn at hire and kept."""

    def decide(self, view: RepView) -> None:
        if view.hired.any():
            self._give(view.hired, view.month_index)


class _GridChooser(Strategies):
    """Shared by the choosing modes: set levers from a grid index per seat."""

    def __init__(self, market: Market, grid: Grid, rationality: float):
        super().__init__(market)
        self.grid, self.rationality = grid, rationality
        self.u_choice = market.reps.u_choice
        self.choice = np.zeros(self.discount.shape, dtype=np.int64)

    def _epoch(self, view: RepView) -> np.ndarray:
        quarter_start = view.month % 3 == 0
        return view.hired | (view.occupied if quarter_start else np.zeros_like(view.hired))

    def _choose(self, mask: np.ndarray, scores: np.ndarray, k: int) -> None:
        """Logit choice among grid strategies, by scores (n, G) in OTE units."""
        z = self.rationality * (scores - scores.max(axis=1, keepdims=True))
        cdf = np.cumsum(np.exp(z), axis=1)
        cdf /= cdf[:, -1:]
        u = self.u_choice[:, :, k][mask]
        pick = np.minimum((cdf < u[:, None]).sum(axis=1), self.grid.size - 1)
        self._apply(mask, pick)

    def _apply(self, mask: np.ndarray, pick: np.ndarray) -> None:
        self.choice[mask] = pick
        for lever, values in self.grid.values.items():
            getattr(self, lever)[mask] = values[pick]


class QuantalResponse(_GridChooser):
    """Behaviour mode "qbr": choice probabilities proportional to exp(lambda x CE/OTE)."""

    def __init__(self, market: Market, grid: Grid, rationality: float, table):
        super().__init__(market, grid, rationality)
        self.table = table

    def decide(self, view: RepView) -> None:
        mask = self._epoch(view)
        if not mask.any():
            return
        t = view.traits
        ce = self.table.certainty_equivalent(
            t["skill"][mask],
            t["patience"][mask],
            t["risk_aversion"][mask],
            t["integrity_cost"][mask],
        )
        self._choose(mask, ce, view.month_index)


class Adaptive(_GridChooser):
    """Behaviour mode "adaptive": reinforcement of strategies that paid, and imitation.

    Each seat keeps a score per grid strategy. A new rep's scores start at 0 with a
    head start of `prior_weight` on the grid strategy nearest its given strategy.
    At each quarter's end the strategy just played moves its score towards the
    quarter's pay (annualized, in OTE units, minus 1: 0 means paid at target) by
    `learning_rate`. At each epoch a rep imitates, with probability
    `imitation_rate`, a randomly met peer of its company who was paid more last
    quarter; otherwise it chooses by the logit rule on its scores."""

    def __init__(self, market: Market, grid: Grid, behavior, ote: float):
        super().__init__(market, grid, behavior.rationality)
        self.config, self.ote = behavior, ote
        shape = self.discount.shape
        self.scores = np.zeros((*shape, grid.size))
        self.quarter_pay = np.zeros(shape)
        self.last_quarter_pay = np.zeros(shape)
        self.u_imitate, self.u_peer = market.reps.u_imitate, market.reps.u_peer
        self._reset(np.ones(shape, dtype=bool), 0)

    def _reset(self, mask: np.ndarray, k: int) -> None:
        given = [self._given[lever][:, :, k][mask] for lever in LEVERS]
        start = self.grid.nearest(*given)
        self.scores[mask] = 0.0
        self.scores[mask, start] = self.config.prior_weight
        self._apply(mask, start)
        self.quarter_pay[mask] = self.last_quarter_pay[mask] = 0.0

    def observe(self, pay: np.ndarray, view: RepView) -> None:
        self.quarter_pay += np.where(view.occupied, pay, 0.0)
        if view.month % 3 != 2:
            return
        payoff = self.quarter_pay * 4 / self.ote - 1.0
        R, S = pay.shape
        played = self.scores[np.arange(R)[:, None], np.arange(S)[None, :], self.choice]
        updated = played + self.config.learning_rate * (payoff - played)
        rr, ss = np.nonzero(view.occupied)
        self.scores[rr, ss, self.choice[rr, ss]] = updated[rr, ss]
        self.last_quarter_pay = self.quarter_pay.copy()
        self.quarter_pay[:] = 0.0

    def decide(self, view: RepView) -> None:
        k = view.month_index
        if view.hired.any():
            self._reset(view.hired, k)
        mask = self._epoch(view) & ~view.hired
        if not mask.any():
            return
        R, S = mask.shape
        peer = np.minimum((self.u_peer[:, :, k] * S).astype(np.int64), S - 1)
        rows = np.arange(R)[:, None]
        better = (self.last_quarter_pay[rows, peer] > self.last_quarter_pay) & view.occupied[
            rows, peer
        ]
        imitate = mask & better & (self.u_imitate[:, :, k] < self.config.imitation_rate)
        if imitate.any():
            self._apply(imitate, self.choice[rows, peer][imitate])
        rest = mask & ~imitate
        if rest.any():
            self._choose(rest, self.scores[rest], k)


class PinnedStrategies(Strategies):
    """Every seat of replication r plays grid strategy `strategy_of[r]` throughout
    (used to simulate payoff tables)."""

    def __init__(self, market: Market, grid: Grid, strategy_of: np.ndarray):
        super().__init__(market)
        shape = self.discount.shape
        for lever, values in grid.values.items():
            setattr(self, lever, np.broadcast_to(values[strategy_of][:, None], shape).copy())


def make_behavior(scenario, market: Market, plan=None, table=None) -> Strategies:
    b = scenario.behavior
    if b.mode == "fixed":
        return FixedStrategies(market)
    grid = Grid.from_behavior(b)
    if b.mode == "qbr":
        if table is None:
            raise ValueError("behaviour mode 'qbr' needs the plan's payoff table")
        return QuantalResponse(market, grid, b.rationality, table)
    return Adaptive(market, grid, b, plan.ote if plan is not None else 1.0)
