"""How reps choose their strategy: discount, overforecast and fit threshold.

A behaviour model holds one strategy per seat, shape (R, S) per lever, and
updates it at decision epochs: when a rep is hired and at each quarter start.
The engine calls `decide` every month; a model that only changes at epochs
simply returns early. Mode "fixed" gives every new hire the scenario's given
strategy (a value or a draw from a distribution, drawn from the market's
`strategy` stream so that every plan gives the same rep the same strategy).
Choosing by quantal best response and learning come with later modes behind
this same interface.
"""

from __future__ import annotations

import numpy as np

from sim.market import LEVERS, Market


class FixedStrategies:
    """Behaviour mode "fixed": the given strategies, drawn at hire and kept."""

    def __init__(self, market: Market):
        self._draws = market.reps.strategy
        for lever in LEVERS:
            setattr(self, lever, self._draws[lever][:, :, 0].copy())
        self.forecast_bias = np.zeros(self.discount.shape)  # forecasts are honest

    discount: np.ndarray  # (R, S) fraction off list
    overforecast: np.ndarray  # (R, S) commitment booked at (1 + o) x need
    fit_threshold: np.ndarray  # (R, S) pursue only opportunities with fit >= this
    forecast_bias: np.ndarray  # (R, S) forecast = (1 + bias) x expected bookings

    def decide(self, month_index: int, hired: np.ndarray) -> None:
        if not hired.any():
            return
        for lever in LEVERS:
            getattr(self, lever)[hired] = self._draws[lever][:, :, month_index][hired]


def make_behavior(scenario, market: Market):
    if scenario.behavior.mode == "fixed":
        return FixedStrategies(market)
    raise ValueError(f"unknown behaviour mode {scenario.behavior.mode!r}")
