"""How reps choose: strategies per seat, the choice rules, and the monthly policy.

- `grid`: the strategies reps choose among.
- `strategies`: behaviour models holding one strategy per seat (fixed, quantal
  best response per quarter, adaptive learning).
- `tables`: what reps believe their strategies pay (measured in the belief world
  by `sim.choice_model`).
- `schedule`, `policy`: the plan's attainment-shaped pay and the monthly policy
  solved by backward induction over where a rep stands.
- `dynamic`: the behaviour model that follows that policy (mode "dynamic").

Nothing here runs the engine: `sim.choice_model` (above the engine) measures the
tables, and the runner hands each plan's behaviour to the engine.
"""

from __future__ import annotations

from sim.behavior.dynamic import StatePolicy
from sim.behavior.grid import ACTIONS, STATIC_LEVERS, TIMING, Grid
from sim.behavior.policy import Policy
from sim.behavior.strategies import (
    Adaptive,
    FixedStrategies,
    PinnedStrategies,
    QuantalResponse,
    RepView,
    Strategies,
)
from sim.behavior.tables import DealEconomics, PayoffTable
from sim.market import Market
from sim.plans.quota import PERIOD_MONTHS


def make_behavior(scenario, market: Market, plan, model=None) -> Strategies:
    """The scenario's behaviour model for one plan on one chunk's market. `model` is
    what the choosing modes read: the plan's payoff table (mode "qbr") or its solved
    policy (mode "dynamic"), built by `sim.choice_model`."""
    b = scenario.behavior
    if b.mode == "fixed":
        out = FixedStrategies(market)
    elif b.mode == "adaptive":
        out = Adaptive(market, Grid.from_behavior(b), b, plan.ote)
    elif model is None:
        raise ValueError(f"behaviour mode '{b.mode}' needs the plan's choice model")
    elif b.mode == "qbr":
        out = QuantalResponse(market, Grid.from_behavior(b), b.rationality, model)
    else:
        out = StatePolicy(market, model)
    out.timing_period = (
        model.clocks.period if isinstance(model, Policy) else PERIOD_MONTHS[plan.quota.period]
    )
    return out


__all__ = [
    "ACTIONS",
    "STATIC_LEVERS",
    "TIMING",
    "Adaptive",
    "DealEconomics",
    "FixedStrategies",
    "Grid",
    "PayoffTable",
    "PinnedStrategies",
    "Policy",
    "QuantalResponse",
    "RepView",
    "StatePolicy",
    "Strategies",
    "make_behavior",
]
