"""The strategies reps choose among, as a grid of lever values.

A strategy is one value per lever: discount (fraction off list), overforecast
(commitment booked at (1 + o) x true need), fit threshold (pursue only
opportunities at least this good a fit), effort (opportunities created and
worked, x normal activity), timing game and forecast bias. Levers a scenario
switches off have a single neutral value, so the grid only spans what reps
may actually choose.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

TIMING = ("none", "pull", "push", "both")  # static timing strategies (modes qbr, adaptive)
ACTIONS = ("none", "pull", "push")  # what a rep does with timing in one month
NONE, PULL, PUSH = range(3)
STATIC_LEVERS = ("discount", "overforecast", "fit_threshold", "effort", "timing", "forecast_bias")


def effort_levels(behavior) -> list[float]:
    """Effort levels reps may choose (see `Behavior.effort_levels`)."""
    return behavior.effort_levels


@dataclass(frozen=True)
class Grid:
    """The strategies reps choose among: one row per strategy, one array per lever."""

    values: dict[str, np.ndarray]  # lever -> (G,)

    @classmethod
    def from_behavior(cls, behavior, levers=STATIC_LEVERS) -> Grid:
        g, on = behavior.grid, behavior.levers
        axes = {
            "discount": g.discount,
            "overforecast": g.overforecast,
            "fit_threshold": g.fit_threshold,
            "effort": effort_levels(behavior),
            "timing": [TIMING.index(t) for t in g.timing] if on.timing else [0],
            "forecast_bias": g.forecast_bias if on.forecast else [0.0],
        }
        axes = {lever: values for lever, values in axes.items() if lever in levers}
        rows = np.array(list(itertools.product(*axes.values())), dtype=float)
        values = {lever: rows[:, i] for i, lever in enumerate(axes)}
        if "timing" in values:
            values["timing"] = values["timing"].astype(np.int64)
        return cls(values)

    @property
    def size(self) -> int:
        return len(next(iter(self.values.values())))

    def nearest(self, given: dict[str, np.ndarray]) -> np.ndarray:
        """Index of the grid strategy closest to given lever values (a dict of arrays),
        among strategies that play no timing game and have no forecast bias."""
        v = self.values
        gap = 0.0
        for lever, value in given.items():
            if lever in v:
                gap = gap + np.abs(np.asarray(value)[..., None] - v[lever])
        neutral = np.ones(self.size, dtype=bool)
        if "timing" in v:
            neutral &= v["timing"] == 0
        if "forecast_bias" in v:
            neutral &= v["forecast_bias"] == 0
        return (gap + 10.0 * ~neutral).argmin(axis=-1)
