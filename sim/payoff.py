"""Payoff tables: what each strategy pays each rep type under a plan, by simulation.

Reps choose by comparing certainty equivalents of their pay under every strategy
on the grid. Those are not a hand-written formula: `build_payoff_table` runs the
project's own engine, world and payroll in the world as reps believe it to be
(the scenario with `behavior.beliefs.overrides` merged in), over the horizon a
rep expects to stay, with every seat of a replication playing one grid
strategy. All strategies are simulated on the same markets (common random
numbers), so their differences are precise. Seats carry skill values at the
quantiles of the skill distribution, so one run covers every skill type.

For each strategy, skill bin and patience bin the table keeps the mean and
variance of x = discounted average monthly pay x 12 / OTE (annual pay in OTE
units). A rep's certainty equivalent is then
mean - risk_aversion / 2 x variance - integrity_cost x overforecast.
Tables are computed once per (scenario, plan, seed) and cached per process.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.behavior import TIMING, Grid, PinnedStrategies
from sim.market import draw_market
from sim.params import sample
from sim.scenario.schema import Scenario

PAYOFF_REPLICATIONS_START = 2**40  # replication indices no real run uses


@dataclass
class PayoffTable:
    plan: str
    grid: Grid
    skill_edges: np.ndarray  # (B - 1,) bin edges
    skill_values: np.ndarray  # (B,)
    patience_edges: np.ndarray  # (P - 1,)
    patience_values: np.ndarray  # (P,)
    mean: np.ndarray  # (G, B, P) mean annualized pay / OTE
    var: np.ndarray  # (G, B, P)

    def certainty_equivalent(self, skill, patience, risk_aversion, integrity) -> np.ndarray:
        """(n, G) certainty equivalents, in OTE units, for n reps."""
        b = np.searchsorted(self.skill_edges, skill)
        p = np.searchsorted(self.patience_edges, patience)
        mean, var = self.mean[:, b, p].T, self.var[:, b, p].T
        overforecast = self.grid.values["overforecast"][None, :]
        return (
            mean
            - 0.5 * np.asarray(risk_aversion)[:, None] * var
            - np.asarray(integrity)[:, None] * overforecast
        )

    def median_rep_rows(self, scenario: Scenario) -> pd.DataFrame:
        """One row per grid strategy: its levers, the certainty equivalent (OTE units)
        it gives a median rep, and the share of such reps who would choose it."""
        ce, share = self.for_median_rep(scenario)
        rows = pd.DataFrame({lever: values for lever, values in self.grid.values.items()})
        rows["timing"] = [TIMING[i] for i in rows["timing"]]
        rows["certainty_equivalent"] = ce
        rows["choice_share"] = share
        return rows.sort_values("certainty_equivalent", ascending=False, ignore_index=True)

    def for_median_rep(self, scenario: Scenario):
        """The table for the median rep type, as rows: strategy levers, CE, choice share."""
        from sim.params import mean_of

        reps = scenario.reps
        ce = self.certainty_equivalent(
            np.array([np.median(self.skill_values)]),
            np.array([mean_of(reps.patience)]),
            np.array([mean_of(reps.risk_aversion)]),
            np.array([mean_of(reps.integrity_cost)]),
        )[0]
        z = scenario.behavior.rationality * (ce - ce.max())
        share = np.exp(z) / np.exp(z).sum()
        return ce, share


def belief_world(scenario: Scenario) -> Scenario:
    """The scenario as reps see it: their beliefs merged in; over their horizon; no
    quitting (they evaluate pay while they stay); already ramped; strategies pinned."""
    b = scenario.behavior
    data = scenario.model_dump(mode="python", by_alias=True)
    for section, values in b.beliefs.overrides.items():
        data[section] = {**data.get(section, {}), **values}
    data["company"].update(months=max(12, b.beliefs.horizon_months), burn_in_months=0)
    data["attrition"].update(
        base_monthly_hazard=0.0, pay_shortfall_coef=0.0, clawback_shock_coef=0.0
    )
    data["reps"].update(ramp_months=0)
    data["behavior"]["mode"] = "fixed"
    return Scenario.model_validate(data)


def quantile_bins(distribution, n_bins: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Edges and representative values of equal-probability bins of a parameter."""
    draws = sample(distribution, rng, 20_000)
    if np.ptp(draws) == 0 or n_bins == 1:
        return np.empty(0), np.array([float(np.median(draws))])
    edges = np.quantile(draws, np.arange(1, n_bins) / n_bins)
    values = np.quantile(draws, (np.arange(n_bins) + 0.5) / n_bins)
    return edges, values


def build_payoff_table(scenario: Scenario, plan, seed: int) -> PayoffTable:
    from sim.engine.batch import BatchEngine

    b = scenario.behavior
    world = belief_world(scenario)
    grid = Grid.from_behavior(b)
    G, M, S = grid.size, b.payoff_replications, world.company.n_reps
    rng = np.random.default_rng(seed)
    skill_edges, skill_values = quantile_bins(scenario.reps.skill, min(b.skill_bins, S), rng)
    patience_edges, patience_values = quantile_bins(scenario.reps.patience, b.patience_bins, rng)
    replications = PAYOFF_REPLICATIONS_START + np.tile(np.arange(M), G)
    market = draw_market(world, seed, replications)
    strategy_of = np.repeat(np.arange(G), M)
    engine = BatchEngine(world, plan, market, behavior=PinnedStrategies(market, grid, strategy_of))
    B = len(skill_values)
    skill_bin = np.arange(S) % B
    engine.traits["skill"][:] = skill_values[skill_bin]
    horizon = b.beliefs.horizon_months
    pay = np.empty((horizon, G * M, S))
    for k in range(horizon):
        engine.step(k)
        pay[k] = engine.last_payslip.ae
    P = len(patience_values)
    mean, var = np.zeros((G, B, P)), np.zeros((G, B, P))
    for j, patience in enumerate(patience_values):
        weights = (1.0 + patience) ** -np.arange(horizon)
        x = np.tensordot(weights, pay, axes=1) / weights.sum() * 12 / plan.ote  # (G*M, S)
        x = x.reshape(G, M, S)
        for bin_ in range(B):
            samples = x[:, :, skill_bin == bin_].reshape(G, -1)
            mean[:, bin_, j] = samples.mean(axis=1)
            var[:, bin_, j] = samples.var(axis=1, ddof=1) if samples.shape[1] > 1 else 0.0
    return PayoffTable(
        plan.name, grid, skill_edges, skill_values, patience_edges, patience_values, mean, var
    )


_CACHE: dict[str, PayoffTable] = {}


def payoff_table(scenario: Scenario, plan, seed: int) -> PayoffTable:
    """The plan's payoff table, computed once per process for a scenario and seed."""
    key = hashlib.sha256(
        json.dumps(
            [scenario.model_dump(mode="json"), plan.model_dump(mode="json"), seed],
            sort_keys=True,
            default=str,
        ).encode()
    ).hexdigest()
    if key not in _CACHE:
        _CACHE[key] = build_payoff_table(scenario, plan, seed)
    return _CACHE[key]
