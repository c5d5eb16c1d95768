"""Behaviour models that hold one strategy per seat: fixed, quantal best response
(one choice per quarter) and adaptive learning.

A behaviour model holds the levers in force at every seat, an (R, S) array per
lever, and updates them at decision epochs. The engine calls `decide` at the
start of every month, reads the levers, asks `timing_action` what each rep does
with timing this month, and calls `observe` with every payslip.

- "fixed": every new hire gets the scenario's given strategy (a value or a draw
  from a distribution) and keeps it.
- "qbr" (quantal best response): at each quarter start and on hire a rep weighs
  every strategy on the grid by its certainty equivalent under the plan, read
  from the plan's payoff table, and picks one with probability proportional to
  exp(lambda x CE).
- "adaptive": reps start from the given strategy, score the strategies they
  play by the pay they realize each quarter, choose by the same logit rule on
  those scores, and sometimes imitate a better-paid peer.

The state-dependent policy of mode "dynamic" lives in `sim.behavior.dynamic`.
Random choices use uniforms drawn up front per seat and month (the market's
`strategy` stream), so every plan gives the same rep the same luck.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.behavior.grid import NONE, PULL, PUSH, STATIC_LEVERS, TIMING, Grid
from sim.market import LEVERS, Market


@dataclass(slots=True)
class RepView:
    """What a behaviour model may know about the reps this month. Engines fill the
    state a rep would know of itself: its open pipeline, its quota, the deals it holds
    for the next period, and (timing lever) whether this period's last month pays more
    at the margin than the next period's first; `credit` is set after deals close."""

    month_index: int  # engine month
    month: int  # reporting month (negative in burn-in); plan years start at 0, 12, ...
    occupied: np.ndarray  # (R, S)
    hired: np.ndarray  # (R, S)
    traits: dict[str, np.ndarray]  # name -> (R, S)
    pipeline: np.ndarray | None = None  # (R, S) pursued opportunities not yet closed
    quota_factor: np.ndarray | None = None  # (R, S) annual quota / the plan's base quota
    held: np.ndarray | None = None  # (R, S) $ ACV of won deals held for the next period
    incentive: np.ndarray | None = None  # (R, S) +1 pull pays, -1 push pays, 0 neither
    credit: np.ndarray | None = None  # (R, S) $ quota credit booked this month


class Strategies:
    """Base: the strategy in force at every seat."""

    discount: np.ndarray
    overforecast: np.ndarray
    fit_threshold: np.ndarray
    effort: np.ndarray
    timing: np.ndarray  # (R, S) index into TIMING (the static timing strategy)
    forecast_bias: np.ndarray

    def __init__(self, market: Market):
        self._given = market.reps.strategy
        shape = self._given["discount"].shape[:2]
        for lever in LEVERS:
            setattr(self, lever, self._given[lever][:, :, 0].copy())
        self.timing = np.zeros(shape, dtype=np.int64)
        self.forecast_bias = np.zeros(shape)
        self.action = np.zeros(shape, dtype=np.int64)  # this month's timing action

    def decide(self, view: RepView) -> None:
        """Update strategies at the month's decision epochs."""

    def timing_action(self, view: RepView) -> np.ndarray:
        """(R, S) what each rep does with timing this month (NONE, PULL or PUSH): a
        static timing strategy pulls when the period's end pays more at the margin and
        pushes when the next period pays more."""
        self.action = np.zeros(self.timing.shape, dtype=np.int64)
        if view.incentive is None or not view.incentive.any():
            return self.action
        pulls = np.isin(self.timing, (TIMING.index("pull"), TIMING.index("both")))
        pushes = np.isin(self.timing, (TIMING.index("push"), TIMING.index("both")))
        self.action[(view.incentive > 0) & pulls] = PULL
        self.action[(view.incentive < 0) & pushes] = PUSH
        return self.action

    def observe(self, pay: np.ndarray, view: RepView) -> None:
        """See the month's pay per seat, $ (used by learning models)."""

    def _give(self, mask: np.ndarray, k: int) -> None:
        for lever in LEVERS:
            getattr(self, lever)[mask] = self._given[lever][:, :, k][mask]

    def snapshot(self) -> dict[str, np.ndarray]:
        """The levers in force at every seat; `timing` is this month's action."""
        out = {lever: getattr(self, lever).copy() for lever in STATIC_LEVERS}
        out["timing"] = self.action.copy()
        return out


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
        pick = logit_pick(self.rationality * scores, self.u_choice[:, :, k][mask])
        self._apply(mask, pick)

    def _apply(self, mask: np.ndarray, pick: np.ndarray) -> None:
        self.choice[mask] = pick
        for lever, values in self.grid.values.items():
            getattr(self, lever)[mask] = values[pick]


def logit_pick(z: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Index drawn from softmax(z) along the last axis, by inverting uniforms `u`."""
    z = z - z.max(axis=-1, keepdims=True)
    cdf = np.cumsum(np.exp(z), axis=-1)
    cdf /= cdf[..., -1:]
    return np.minimum((cdf < u[..., None]).sum(axis=-1), z.shape[-1] - 1)


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
        start = self.grid.nearest({lever: self._given[lever][:, :, k][mask] for lever in LEVERS})
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
    (used to simulate the belief world)."""

    def __init__(self, market: Market, grid: Grid, strategy_of: np.ndarray):
        super().__init__(market)
        shape = self.discount.shape
        for lever, values in grid.values.items():
            setattr(self, lever, np.broadcast_to(values[strategy_of][:, None], shape).copy())


__all__ = [
    "NONE",
    "PULL",
    "PUSH",
    "Adaptive",
    "FixedStrategies",
    "PinnedStrategies",
    "QuantalResponse",
    "RepView",
    "Strategies",
    "logit_pick",
]
