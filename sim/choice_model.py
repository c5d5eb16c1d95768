"""Each plan's choice model: what reps believe their strategies pay, by simulation.

Reps choose by comparing what their options pay. That is not a hand-written
formula: this module runs the project's own engine, world and payroll in the
world as reps believe it to be (`belief_world`: the scenario with
`behavior.beliefs.overrides` merged in, no quitting, already ramped), with every
seat of a belief-world company playing one pinned strategy, every strategy on
the same markets (common random numbers), and seats carrying skill values at
the quantiles of the skill distribution so one run covers every skill type.

- Mode "qbr": a `PayoffTable` (mean and variance of annual pay per strategy).
- Mode "dynamic": `DealEconomics` measured under the plan with its attainment
  schedule flattened (every band 1x, no threshold, cap, bonus or ratchet), then
  the monthly `Policy` solved on top (`sim.behavior.policy`), which puts the
  schedule back state by state.

Honest uncertainty: the choice model has Monte Carlo error of its own, shared by
every replication of a run. So its random numbers come from their own stream,
keyed by the scenario, the plan and `behavior.seed` (never the run's seed), and
it is estimated until that error no longer moves choices: the belief-world
markets are doubled until the choice probabilities estimated on the two halves
differ by less than `behavior.choice_tolerance` (or `max_payoff_replications`
is reached, with a warning). Choice models are built once per run, in the
parent process, and shipped to the workers.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
import warnings
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from scipy.special import ndtr

from sim.behavior import (
    DealEconomics,
    Grid,
    PayoffTable,
    PinnedStrategies,
    Policy,
    make_behavior,
)
from sim.behavior.policy import Settings, softmax, solve_policy
from sim.engine.batch import BatchEngine
from sim.market import draw_market
from sim.params import mean_of, sample
from sim.plans.config import scale_variable_pay
from sim.plans.payroll import Payroll
from sim.scenario.schema import Scenario

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the cache is not locked
    fcntl = None

BELIEF_REPLICATIONS_START = 2**40  # replication indices no real run uses
SIZE_STEP_FRACTION = 1 / 200  # deal-size grid step, as a share of the annual quota
SIZE_RANGE = 3.0  # largest deal on the size grid, in annual quotas
DEAL_LINES_EXTRA = ("clawback",)  # lines that recover deal pay


@dataclass
class ChoiceModel:
    """A plan's converged choice model and how it was estimated."""

    plan: str
    mode: str
    model: PayoffTable | Policy
    markets: int  # belief-world markets per strategy
    split_difference: float  # max choice-probability difference between the halves
    converged: bool
    seconds: float
    seed: int
    extra: dict = field(default_factory=dict)

    def record(self) -> dict:
        """What the manifest says about this choice model."""
        return {
            "mode": self.mode,
            "markets_per_strategy": self.markets,
            "split_half_difference": round(self.split_difference, 5),
            "remaining_choice_error": round(self.split_difference / 2, 5),
            "converged": self.converged,
            "seconds": round(self.seconds, 2),
            "behavior_seed": self.seed,
            **self.extra,
        }


# --- the belief world ----------------------------------------------------------------------


def belief_world(scenario: Scenario, months: int) -> Scenario:
    """The scenario as reps see it: their beliefs merged in; `months` long with no
    burn-in; no quitting (they evaluate pay while they stay); already ramped;
    strategies pinned."""
    b = scenario.behavior
    data = scenario.model_dump(mode="python", by_alias=True)
    for section, values in b.beliefs.overrides.items():
        data[section] = {**data.get(section, {}), **values}
    data["company"].update(months=max(12, months), burn_in_months=0)
    data["attrition"].update(
        base_monthly_hazard=0.0, pay_shortfall_coef=0.0, clawback_shock_coef=0.0
    )
    data["reps"].update(ramp_months=0)
    data["behavior"]["mode"] = "fixed"
    data["strategy"]["effort"] = b.max_effort  # so pinned strategies may show any grid effort
    return Scenario.model_validate(data)


def flat_plan(plan):
    """The plan with its attainment schedule flattened: every band pays 1x, and no
    threshold, attainment cap, variable cap, ratchet or attainment bonus."""
    data = plan.model_dump(mode="python", by_alias=True)
    data["quota"].update(
        tiers=[{"from": 0.0, "multiplier": 1.0}],
        threshold=0.0,
        cap=None,
        ratchet_up=0.0,
        ratchet_down=0.0,
    )
    data["variable_cap"] = None
    data["components"] = [c for c in data["components"] if c["type"] != "attainment_bonus"]
    return type(plan).model_validate(data)


# Sections only the events engine reads: the belief world (the batch engine) has no
# days and no support team, so they neither seed nor key a choice model.
EVENTS_ONLY = {"events", "support"}
# The belief world sets its own length and has no warm-up (`belief_world`), so the
# reported horizon and the warm-up do not change what reps choose: a longer warm-up
# or horizon reuses the same choice model.
REPORTING_ONLY = {"months", "burn_in_months"}


def believed_model(scenario: Scenario) -> dict:
    """What a plan's choice model depends on besides the plan: the scenario's model
    without its simulation settings, name, description, plans, the events engine's
    settings, or the company's reporting horizon and warm-up."""
    exclude = {"simulation", "plans", "name", "description", *EVENTS_ONLY}
    model = scenario.model_dump(mode="json", exclude=exclude)
    model["company"] = {k: v for k, v in model["company"].items() if k not in REPORTING_ONLY}
    return model


def plan_design(plan) -> dict:
    """What a plan (or its policies) pays and decides, without what it is called: its
    name and description change no rep's choice, so a renamed plan shares its choice
    model."""
    design = plan.model_dump(mode="json")
    for label in ("name", "description"):
        design.pop(label, None)
    return design


# How long a choice model is estimated, not what it estimates: left out of its seed, so
# raising `max_payoff_replications` (as a warning asks) only adds markets after those
# already used, and a plan that had converged keeps its choice model to the bit.
CONVERGENCE_SETTINGS = (
    "payoff_replications",
    "max_payoff_replications",
    "choice_tolerance",
    "equilibrium_iterations",
    "equilibrium_tolerance",
)


def behavior_seed(scenario: Scenario, plan) -> int:
    """The choice model's own seed: a hash of what the reps' world is made of
    (`believed_model` without the `CONVERGENCE_SETTINGS`), `behavior.seed`, and the
    plan's design (mode "qbr") or the plan's policies (mode "dynamic": plans with the
    same policies share markets)."""
    model = believed_model(scenario)
    for name in CONVERGENCE_SETTINGS:
        model["behavior"].pop(name)
    model["plans"] = plan_design(plan)
    digest = hashlib.sha256(json.dumps(model, sort_keys=True, default=str).encode()).digest()
    return int.from_bytes(digest[:8], "little") % 2**63


def quantile_bins(distribution, n_bins: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Edges and representative values of equal-probability bins of a parameter."""
    draws = sample(distribution, rng, 20_000)
    if np.ptp(draws) == 0 or n_bins == 1:
        return np.empty(0), np.array([float(np.median(draws))])
    edges = np.quantile(draws, np.arange(1, n_bins) / n_bins)
    values = np.quantile(draws, (np.arange(n_bins) + 0.5) / n_bins)
    return edges, values


class BeliefRuns:
    """Belief-world simulations of every grid strategy on the same markets, added a
    block of markets at a time; keeps per-market results so halves can be compared."""

    def __init__(self, scenario: Scenario, plan, grid: Grid, months: int, warmup: int, seed: int):
        self.plans = list(plan) if isinstance(plan, list) else [plan]
        self.scenario, self.plan, self.grid = scenario, self.plans[0], grid
        self.world = belief_world(scenario, warmup + months)
        self.months, self.warmup, self.seed = months, warmup, seed
        S = self.world.company.n_reps
        rng = np.random.default_rng(seed)
        b = scenario.behavior
        self.skill_edges, self.skill_values = quantile_bins(
            scenario.reps.skill, min(b.skill_bins, S), rng
        )
        self.patience_edges, self.patience_values = quantile_bins(
            scenario.reps.patience, b.patience_bins, rng
        )
        self.skill_bin = np.arange(S) % len(self.skill_values)
        self.blocks: list[dict] = []  # per block of markets: arrays with a market axis
        self.n_markets = 0

    def add(self, n: int, measure) -> None:
        """Simulate `n` more markets for every strategy; `measure(engine, G, n)` turns
        the runs into arrays with axes (strategy, market, ...)."""
        G = self.grid.size
        replications = BELIEF_REPLICATIONS_START + np.tile(
            np.arange(self.n_markets, self.n_markets + n), G
        )
        market = draw_market(self.world, self.seed, replications)
        strategy_of = np.repeat(np.arange(G), n)
        behavior = PinnedStrategies(market, self.grid, strategy_of)
        behavior.timing_period = 12
        engine = BatchEngine(self.world, self.plan, market, behavior=behavior)
        engine.traits["skill"][:] = self.skill_values[self.skill_bin]
        self.blocks.append(measure(engine, G, n))
        self.n_markets += n

    def stacked(self, markets: slice | None = None) -> dict:
        """The measures of all blocks joined along the market axis (axis 1)."""
        keys = self.blocks[0].keys()
        out = {k: np.concatenate([b[k] for b in self.blocks], axis=1) for k in keys}
        if markets is not None:
            out = {k: v[:, markets] for k, v in out.items()}
        return out


# --- mode "qbr": payoff tables ----------------------------------------------------------------


def _measure_pay(runs: BeliefRuns, plan):
    def measure(engine, G, n):
        S = engine.S
        horizon = runs.months
        pay = np.empty((horizon, G * n, S))
        for k in range(horizon):
            _, payslip = engine.step(k)
            pay[k] = payslip.ae
        return {"pay": pay.transpose(1, 0, 2).reshape(G, n, horizon, S)}

    return measure


def payoff_table_from(runs: BeliefRuns, plan, data: dict) -> PayoffTable:
    pay = data["pay"]  # (G, M, T, S)
    G, _, T, _ = pay.shape
    B, P = len(runs.skill_values), len(runs.patience_values)
    mean, var = np.zeros((G, B, P)), np.zeros((G, B, P))
    for j, patience in enumerate(runs.patience_values):
        weights = (1.0 + patience) ** -np.arange(T)
        ote = float(mean_of(runs.scenario.reps.market_ote))  # pay in units of the market's OTE
        x = np.einsum("gmts,t->gms", pay, weights) / weights.sum() * 12 / ote
        for bin_ in range(B):
            samples = x[:, :, runs.skill_bin == bin_].reshape(G, -1)
            mean[:, bin_, j] = samples.mean(axis=1)
            var[:, bin_, j] = samples.var(axis=1, ddof=1) if samples.shape[1] > 1 else 0.0
    return PayoffTable(
        plan.name,
        runs.grid,
        runs.skill_edges,
        runs.skill_values,
        runs.patience_edges,
        runs.patience_values,
        mean,
        var,
        effort_cost=runs.scenario.reps.effort_cost,
    )


def _qbr_probabilities(table: PayoffTable, scenario: Scenario) -> np.ndarray:
    """Choice probabilities of every rep type (skill x patience bin) at mean traits."""
    reps = scenario.reps
    skill = np.repeat(table.skill_values, len(table.patience_values))
    patience = np.tile(table.patience_values, len(table.skill_values))
    n = len(skill)
    ce = table.certainty_equivalent(
        skill,
        patience,
        np.full(n, mean_of(reps.risk_aversion)),
        np.full(n, mean_of(reps.integrity_cost)),
    )
    return softmax(scenario.behavior.rationality * ce)


# --- mode "dynamic": deal economics and the policy -------------------------------------------


class PeersAtPopulation:
    """How a rep weighing a unilateral deviation sees a result it shares with peers.

    In the belief world every seat of a company plays the strategy being valued, so
    a shared result (team or company CSAT, the company metric a team bonus pays on)
    is what all reps deviating *together* would make it. A rep deviating alone moves
    it by its share only: it sees its peers at the population's result (`levels`,
    from the choices solved in the previous round) plus 1/n of the difference its
    own strategy makes, n being its team's size or the number of reps. In the first
    round (no `levels` yet) it sees the result as measured. Either way it records
    each strategy's measured result per market, from which `population_levels`
    forms the population's result under solved choices: the fixed point's map."""

    def __init__(self, scenario: Scenario, levels: dict[str, float] | None):
        company = scenario.company
        self.share = {
            "team": 1 / min(company.team_size, company.n_reps),
            "company": 1 / company.n_reps,
        }
        self.levels = levels or {}
        self.recording = False
        self.blocks: list[dict[str, tuple[np.ndarray, np.ndarray]]] = []  # per block: sums, counts
        self.shapes: list[tuple[int, int]] = []  # per block: (strategies, markets)

    def start_block(self, G: int, n: int) -> None:
        """Rows of the next block: strategy g's markets are rows g*n .. g*n + n - 1."""
        self.shapes.append((G, n))
        self.blocks.append({})

    def __call__(self, key: str, level: str, result: np.ndarray) -> np.ndarray:
        name = f"{key}@{level}"
        if self.recording:
            self._record(name, result)
        if name not in self.levels:
            return result
        population = self.levels[name]
        return population + (result - population) * self.share[level]

    def _record(self, name: str, result: np.ndarray) -> None:
        rows = result if result.ndim == 1 else result.mean(axis=1)  # a team's seats alike
        seen = ~np.isnan(rows)
        shape = self.shapes[-1]
        total, count = self.blocks[-1].setdefault(name, (np.zeros(shape), np.zeros(shape)))
        total += np.where(seen, rows, 0.0).reshape(shape)
        count += seen.reshape(shape)

    def by_strategy(self, markets: int) -> dict[str, np.ndarray]:
        """Each shared result's mean per strategy over the first `markets` markets (NaN
        where never measured)."""
        names = {name for block in self.blocks for name in block}
        out = {}
        for name in sorted(names):
            parts = [
                b.get(name, (np.zeros(shape), np.zeros(shape)))
                for b, shape in zip(self.blocks, self.shapes, strict=True)
            ]
            total = np.concatenate([t for t, _ in parts], axis=1)[:, :markets].sum(axis=1)
            count = np.concatenate([c for _, c in parts], axis=1)[:, :markets].sum(axis=1)
            out[name] = np.divide(total, count, out=np.full_like(total, np.nan), where=count > 0)
        return out


def population_levels(peers: PeersAtPopulation, markets: int, mix: np.ndarray) -> dict[str, float]:
    """The shared results the population makes under choices `mix` (weight of each
    belief-world strategy): the mix-weighted mean of each strategy's result, with all
    reps playing it (a result is close to linear in the share of reps on a strategy)."""
    out = {}
    for name, result in peers.by_strategy(markets).items():
        seen = ~np.isnan(result)
        if seen.any() and mix[seen].sum() > 0:
            out[name] = float((mix[seen] * result[seen]).sum() / mix[seen].sum())
    return out


def _measure_deals(runs: BeliefRuns, plans: list, peers: list[PeersAtPopulation]):
    """Measure deal economics for several plans (same policies) on one belief-world run:
    the engine runs the first plan's payroll; the others' payrolls read the same ledgers.
    Each plan's payroll sees shared results through its own `peers`."""

    def split_lines(payroll):
        deal = {c.name for c in payroll.deal_components} | set(DEAL_LINES_EXTRA)
        accelerated = {c.name for c in payroll.deal_components if c.accelerated}
        return deal, accelerated

    def measure(engine, G, n):
        S, T, W = engine.S, runs.months, runs.warmup
        shape = (G * n, S)
        payrolls = [engine.payroll] + [
            Payroll(p, engine.shape, engine.s.company.n_csms) for p in plans[1:]
        ]
        lines = [split_lines(pr) for pr in payrolls]
        for payroll, view in zip(payrolls, peers, strict=True):
            payroll.peers = view
            view.start_block(G, n)
        out = {k: np.zeros(shape) for k in ("wins", "credit", "open", "months")}
        for i in range(len(plans)):
            for key in ("deal_pay", "acc_pay", "other_pay"):
                out[f"{key}/{i}"] = np.zeros(shape)
        engine.pipeline.record_expected = True
        engine.expected_surveys = True
        engine.behavior.effort[:] = 1.0
        out["arrivals"] = _arrivals(engine, W, W + T)
        for k in range(W + T):
            for view in peers:
                view.recording = k >= W
            ledger, payslip = engine.step(k)
            slips = [payslip] + [pr.run(ledger) for pr in payrolls[1:]]
            if k < W:
                continue
            # deals won in expectation over each close's win lottery (its probability,
            # not its luck): the same estimate with far less noise
            flat, booked, _ = engine.pipeline.expected
            out["wins"] += np.bincount(flat, weights=booked, minlength=G * n * S).reshape(shape)
            deals = ledger.deals
            out["credit"] += deals.by_seat(np.where(deals.seller >= 0, deals.acv, 0.0), shape)
            out["open"] += engine.pipeline.open_count
            out["months"] += 1
            for i, (slip, (deal, accelerated)) in enumerate(zip(slips, lines, strict=True)):
                for name, amount in slip.ae_lines.items():
                    if name in deal:
                        out[f"deal_pay/{i}"] += amount
                        if name in accelerated:
                            out[f"acc_pay/{i}"] += amount
                    else:
                        out[f"other_pay/{i}"] += amount
        return {key: v.reshape(G, n, S) for key, v in out.items()}

    return measure


def _arrivals(engine, start: int, stop: int) -> np.ndarray:
    """Opportunities a rep at normal effort meets in months [start, stop), per seat: the
    market's luck, used as a control variate (`economics_from`)."""
    opp = engine.m.opportunities
    rows = np.concatenate([opp.rows_of_month(k) for k in range(start, stop)])
    rows = rows[opp.u_ramp[rows] < 1.0 / engine.s.max_effort]
    size = engine.shape[0] * engine.S
    return np.bincount(opp.owner[rows], minlength=size).reshape(engine.shape).astype(float)


def deal_size_pmf(scenario: Scenario, overforecast, discount, step: float, n: int) -> np.ndarray:
    """Distribution of a won deal's credit (booked ACV, `world.booked_acv`) on a grid of
    `step` $: the market's need is lognormal and independent of whether the deal is
    won, so this is exact; (len(overforecast), len(discount), n)."""
    m = scenario.market
    scale = (1 + np.asarray(overforecast))[:, None] * (1 - np.asarray(discount))[None, :]
    edges = (np.arange(n + 1) - 0.5).clip(min=0) * step
    edges[-1] = np.inf
    # the lognormal CDF as scipy.stats.lognorm computes it, Phi(log(x / median) / sigma),
    # without importing scipy.stats (about a second)
    with np.errstate(divide="ignore"):  # the first edge is 0: log gives -inf, Phi 0
        z = np.log(edges / scale[..., None] / m.need_median) / max(m.need_sigma, 1e-9)
    return np.diff(ndtr(z), axis=-1)


def economics_from(
    runs: BeliefRuns, data: dict, static_index, discount_index, plan: int = 0
) -> DealEconomics:
    """Deal economics per (static choice, discount, skill bin) of the `plan`-th measured
    plan, from belief-world runs."""
    data = {**data, **{k: data[f"{k}/{plan}"] for k in ("deal_pay", "acc_pay", "other_pay")}}
    grid = runs.grid
    B = len(runs.skill_values)
    statics = _static_values(grid)
    discount = np.unique(grid.values["discount"])
    N, D = len(next(iter(statics.values()))), len(discount)
    sums = {}
    keys = ("wins", "credit", "deal_pay", "acc_pay", "other_pay", "open", "months", "arrivals")
    for key in keys:
        per_bin = np.stack(
            [data[key][:, :, runs.skill_bin == b].sum(axis=(1, 2)) for b in range(B)], axis=-1
        )  # (G, B)
        sums[key] = np.zeros((N, D, B))
        sums[key][static_index, discount_index] = per_bin
    months = np.maximum(sums["months"], 1)
    # Ratio control variate: how many opportunities arrived is market luck known in
    # expectation, and it moves every strategy alike: divide it out.
    expected = months * runs.scenario.market.opportunities_per_rep_month
    luck = np.divide(
        expected, sums["arrivals"], out=np.ones_like(expected), where=sums["arrivals"] > 0
    )
    wins = sums["wins"] * luck / months
    n_sizes = int(np.ceil(SIZE_RANGE / SIZE_STEP_FRACTION))
    size_pmf = deal_size_pmf(
        runs.scenario, statics["overforecast"], discount, runs.size_step, n_sizes
    )
    size_pmf = np.broadcast_to(size_pmf[:, :, None, :], (N, D, B, n_sizes)).copy()
    mean_size = (size_pmf * np.arange(n_sizes) * runs.size_step).sum(-1)
    credit = np.maximum(sums["credit"], 1e-9)
    per_credit = lambda key: np.where(sums["credit"] > 0, sums[key] / credit, 0.0)  # noqa: E731
    total_deal = sums["deal_pay"].sum()
    return DealEconomics(
        static=statics,
        discount=discount,
        skill_edges=runs.skill_edges,
        skill_values=runs.skill_values,
        wins=wins,
        size_pmf=size_pmf,
        size_step=runs.size_step,
        deal_pay_per_credit=per_credit("deal_pay"),
        accelerated_share=float(sums["acc_pay"].sum() / total_deal) if total_deal > 0 else 0.0,
        # other pay follows the rep's own bookings: per $ booked, times expected bookings
        other_pay=per_credit("other_pay") * wins * mean_size,
        pipeline=(sums["open"] * luck).sum(axis=1) / months.sum(axis=1),
        markets=runs.n_markets,
    )


def _static_values(grid: Grid) -> dict[str, np.ndarray]:
    levers = [lv for lv in ("overforecast", "fit_threshold", "forecast_bias") if lv in grid.values]
    rows = np.unique(np.stack([grid.values[lv] for lv in levers], axis=1), axis=0)
    return {lv: rows[:, i] for i, lv in enumerate(levers)}


def _dynamic_grid(behavior) -> tuple[Grid, np.ndarray, np.ndarray]:
    """The belief-world grid of mode "dynamic" (discount x static levers at normal
    effort, no timing) and each strategy's static-choice and discount index."""
    grid = Grid.from_behavior(
        behavior, levers=("discount", "overforecast", "fit_threshold", "forecast_bias")
    )
    statics = _static_values(grid)
    levers = list(statics)
    rows = np.stack([statics[lv] for lv in levers], axis=1)
    mine = np.stack([grid.values[lv] for lv in levers], axis=1)
    static_index = np.array([int(np.flatnonzero((rows == r).all(axis=1))[0]) for r in mine])
    discount_index = np.searchsorted(np.unique(grid.values["discount"]), grid.values["discount"])
    return grid, static_index, discount_index


def _typical_choices(policy: Policy, integrity: float) -> tuple[np.ndarray, np.ndarray]:
    """Per rep type (skill bin): its static choice probabilities at the year's start
    (B, N), and under each static choice its monthly action probabilities averaged
    over months and credit levels at a normal pipeline with nothing held (N, B, A)."""
    ck, econ = policy.clocks, policy.economics
    N, B = econ.n_static, len(econ.skill_values)
    p = int(np.abs(ck.pipeline - 1.0).argmin())
    v = policy.static_values(0, np.arange(B), 0, 0, p, 0)  # (B, N)
    static = softmax(policy.settings.rationality * (v - integrity * econ.static["overforecast"]))
    n, b, c = (
        x.ravel() for x in np.meshgrid(np.arange(N), np.arange(B), np.arange(ck.C), indexing="ij")
    )
    zero = np.zeros_like(n)
    monthly = (
        np.mean(
            [policy.choice_probabilities(m, n, b, c, zero, zero + p, zero) for m in range(12)],
            axis=0,
        )
        .reshape(N, B, ck.C, -1)
        .mean(axis=2)
    )
    return static, monthly


def _policy_summary(policy: Policy, integrity: float) -> np.ndarray:
    """The choice probabilities convergence is judged on, per rep type: its static
    choice and its typical monthly actions (`_typical_choices`)."""
    static, monthly = _typical_choices(policy, integrity)
    return np.concatenate([static, np.einsum("bn,nba->ba", static, monthly)], axis=1)


def _strategy_mix(policy: Policy, integrity: float, static_index, discount_index) -> np.ndarray:
    """The population's weight on each belief-world strategy (static choice x discount)
    under the policy, over rep types alike (skill bins hold equal shares of reps)."""
    static, monthly = _typical_choices(policy, integrity)
    D = len(policy.discount)
    by_discount = np.stack(
        [monthly[:, :, policy.actions[:, 1] == d].sum(axis=2) for d in range(D)], axis=2
    )  # (N, B, D)
    joint = np.einsum("bn,nbd->nd", static, by_discount) / static.shape[0]
    return joint[static_index, discount_index]


# --- building and converging -------------------------------------------------------------------


def build_choice_model(scenario: Scenario, plan) -> ChoiceModel | None:
    """The plan's choice model for the scenario's behaviour mode (None if reps do not
    choose from one), estimated until converged."""
    b = scenario.behavior
    if b.mode == "qbr":
        return _build_payoff_table(scenario, plan)
    if b.mode == "dynamic":
        return build_policies(scenario, [plan])[plan.name]
    return None


def _build_payoff_table(scenario: Scenario, plan) -> ChoiceModel:
    started = time.perf_counter()
    b = scenario.behavior
    seed = behavior_seed(scenario, plan)
    runs = BeliefRuns(scenario, plan, Grid.from_behavior(b), b.beliefs.horizon_months, 0, seed)

    def fit(markets=None):
        return payoff_table_from(runs, plan, runs.stacked(markets))

    def summary(model):
        return _qbr_probabilities(model, scenario)

    def difference(_, first, second):
        return float(np.max(np.abs(summary(fit(first)) - summary(fit(second)))))

    _, difference, converged = _converge(runs, _measure_pay(runs, plan), difference, b)[0]
    seconds = time.perf_counter() - started
    return ChoiceModel(
        plan.name, b.mode, fit(), runs.n_markets, difference, converged, seconds, seed
    )


def build_policies(scenario: Scenario, plans: list, jobs: int = 1) -> dict[str, ChoiceModel]:
    """Choice models of mode "dynamic" for several plans at once.

    Deal economics are measured in the belief world once per plan *design*: at a
    canonical scale of its variable pay (deal and other pay scale with it exactly; wins
    and deal sizes do not depend on it), so a budget's rescaled plans share them. Plans
    with the same policies (deal desk, veto) share the belief-world runs themselves:
    one engine, one payroll per plan on the same ledgers, every plan on the same
    markets. Each plan converges on its own: its estimate uses the first markets its
    own convergence needed, whatever other plans needed, so it does not depend on
    which other plans are in the scenario. The policy is then solved per plan."""
    settings = {p.name: Settings.from_scenario(scenario, p) for p in plans}
    canon = {p.name: canonical_plan(p) for p in plans}
    keys = {p.name: "economics-" + cache_key(scenario, canon[p.name][0]) for p in plans}
    stored = {name: _ECONOMICS.get(key) or _load(key) for name, key in keys.items()}
    missing = [p for p in plans if stored[p.name] is None]
    groups: dict[str, list] = {}
    for p in missing:
        groups.setdefault(
            json.dumps(p.policies.model_dump(mode="json"), sort_keys=True), []
        ).append(p)
    if jobs > 1 and len(groups) > 1:
        from joblib import Parallel, delayed

        measured = Parallel(n_jobs=jobs)(
            delayed(_measure_group)(scenario, g, canon, settings) for g in groups.values()
        )
    else:
        measured = [_measure_group(scenario, g, canon, settings) for g in groups.values()]
    for part in measured:
        stored.update(part)
    out = {}
    for p in plans:
        started = time.perf_counter()
        _ECONOMICS[keys[p.name]] = stored[p.name]
        _store(keys[p.name], stored[p.name])
        economics, markets, difference, converged, seed, seconds, record = stored[p.name]
        policy = solve_policy(scaled_economics(economics, canon[p.name][1]), p, settings[p.name])
        extra = {
            "policy_seconds": round(policy.seconds, 2),
            "policy_megabytes": round(policy.nbytes / 1e6, 1),
            "belief_world_seconds": round(seconds, 2),
            **record,
        }
        total = seconds + time.perf_counter() - started
        out[p.name] = ChoiceModel(
            p.name, "dynamic", policy, markets, difference, converged, total, seed, extra
        )
    return out


def _measure_group(scenario: Scenario, plans: list, canon: dict, settings: dict) -> dict:
    """Belief-world deal economics of plans sharing their policies, each converged, and
    for plans paying on shared results, iterated to the free-riding fixed point: the
    first round values strategies with all reps deviating together; each later round
    with peers at the population's shared results under the previous round's choices
    (`PeersAtPopulation`), until those results move by less than
    `behavior.equilibrium_tolerance` (a quantal response equilibrium)."""
    started = time.perf_counter()
    b = scenario.behavior
    seed = behavior_seed(scenario, plans[0].policies)
    levels: dict[int, dict | None] = dict.fromkeys(range(len(plans)))
    done: dict[int, tuple] = {}
    for round_ in range(1, b.equilibrium_iterations + 1):
        todo = [i for i in range(len(plans)) if i not in done]
        # a first round that only seeds the fixed point (its choices are re-solved
        # next round) need not converge: its first block of markets gives the levels
        rough = {
            j
            for j, i in enumerate(todo)
            if round_ == 1 < b.equilibrium_iterations and pays_on_shared_results(plans[i])
        }
        results = _measure_round(
            scenario,
            [plans[i] for i in todo],
            canon,
            settings,
            [levels[i] for i in todo],
            seed,
            rough,
        )
        for j, (i, (canonical, M, diff, converged, new)) in enumerate(
            zip(todo, results, strict=True)
        ):
            if j in rough and not new:
                continue  # no shared result seen after all: measure it properly next round
            change = _relative_change(levels[i], new)
            if not new or change < b.equilibrium_tolerance or round_ == b.equilibrium_iterations:
                record = {"equilibrium_rounds": round_}
                if new:
                    record |= {
                        "equilibrium_change": round(change, 5),
                        "shared_results": {k: round(v, 5) for k, v in new.items()},
                    }
                done[i] = (canonical, M, diff, converged, record)
            else:
                levels[i] = new
        if len(done) == len(plans):
            break
    seconds = (time.perf_counter() - started) / len(plans)
    out = {}
    for i, plan in enumerate(plans):
        canonical, M, diff, converged, record = done[i]
        out[plan.name] = (canonical, M, diff, converged, seed, seconds, record)
    return out


def _measure_round(
    scenario: Scenario,
    plans: list,
    canon: dict,
    settings: dict,
    levels: list,
    seed: int,
    rough: set[int] = frozenset(),
) -> list[tuple]:
    """One round of belief-world runs for plans sharing their policies, each plan's
    peers at its `levels`, each plan converged on its own (the plans in `rough` on the
    first block of markets only). Per plan: its economics at the canonical scale,
    markets used, split-half difference, whether converged, and the shared results its
    population makes under the solved choices."""
    b = scenario.behavior
    grid, static_index, discount_index = _dynamic_grid(b)
    designs = [canon[p.name][0] for p in plans]
    runs = BeliefRuns(
        scenario, [flat_plan(d) for d in designs], grid, b.beliefs.horizon_months,
        b.policy.warmup_months, seed,
    )  # fmt: skip
    runs.size_step = plans[0].annual_quota * SIZE_STEP_FRACTION
    integrity = float(mean_of(scenario.reps.integrity_cost))
    peers = [PeersAtPopulation(scenario, level) for level in levels]
    measure = _measure_deals(runs, runs.plans, peers)

    def economics(i, markets=None):
        econ = economics_from(runs, runs.stacked(markets), static_index, discount_index, i)
        return scaled_economics(econ, canon[plans[i].name][1])

    def policy(i, markets):
        return solve_policy(economics(i, markets), plans[i], settings[plans[i].name])

    def difference(i, first, second):
        one, two = (_policy_summary(policy(i, half), integrity) for half in (first, second))
        return float(np.max(np.abs(one - two)))

    status = _converge(runs, measure, difference, b, len(plans), rough)
    out = []
    for i, plan in enumerate(plans):
        M, diff, converged = status[i]
        canonical = scaled_economics(economics(i, slice(0, M)), 1.0 / canon[plan.name][1])
        new = {}
        if peers[i].blocks and any(peers[i].blocks):
            mix = _strategy_mix(policy(i, slice(0, M)), integrity, static_index, discount_index)
            new = population_levels(peers[i], M, mix)
        out.append((canonical, M, diff, converged, new))
    return out


def _relative_change(old: dict | None, new: dict) -> float:
    """The largest relative move of any shared result between two rounds (inf at first)."""
    if not old:
        return float("inf")
    return max(
        (abs(new[k] - old.get(k, np.nan)) / max(abs(old.get(k, np.nan)), 1e-12) for k in new),
        default=0.0,
    )


def problems(model: ChoiceModel, behavior) -> list[str]:
    """What a choice model fell short of, one line each: choices not converged within
    the markets allowed, or shared results still moving after the rounds allowed."""
    out = []
    short, unsettled = shortfalls(model.record(), behavior)
    if short:
        needed = markets_to_converge(model, behavior)
        out.append(
            f"plan '{model.plan}': the reps' choice model did not converge within "
            f"behavior.max_payoff_replications = {behavior.max_payoff_replications} markets "
            f"per strategy (choice probabilities of its halves differ by "
            f"{model.split_difference:.3f} > choice_tolerance {behavior.choice_tolerance}); "
            f"raise max_payoff_replications, to about {needed} if the difference shrinks "
            f"as 1/sqrt(markets) (a rough guess, a doubling or two either way; a build "
            f"about {needed / model.markets:.0f}x as long as this one's {model.seconds:.1f} s)"
        )
    if unsettled:
        change = model.extra["equilibrium_change"]
        out.append(
            f"plan '{model.plan}': reps' choices did not reach their free-riding fixed point "
            f"within behavior.equilibrium_iterations = {behavior.equilibrium_iterations} "
            f"rounds (shared results still move {change:.1%} > equilibrium_tolerance "
            f"{behavior.equilibrium_tolerance:.1%}); raise equilibrium_iterations"
        )
    return out


def shortfalls(record: dict, behavior) -> tuple[bool, bool]:
    """Whether a choice model, by its manifest record (`ChoiceModel.record`), fell short
    of convergence, and of its free-riding fixed point: what the console warns of and
    the report repeats."""
    unsettled = record.get("equilibrium_change", 0.0) >= behavior.equilibrium_tolerance
    return not record["converged"], unsettled


def markets_to_converge(model: ChoiceModel, behavior) -> int:
    """The markets per strategy at which a choice model short of convergence would
    likely meet `choice_tolerance`: the split-half difference of two independent
    estimates shrinks as 1/sqrt(markets), so it needs (difference / tolerance)^2 times
    the markets it used, rounded up to the doubling schedule `_converge` follows. A
    rough guess, as the difference is a maximum over states from one pair of halves:
    for the six plans of seed_designs short of convergence at 64 markets it was right
    for three, one doubling short for one and one or two doublings over for two."""
    wanted = model.markets * (model.split_difference / behavior.choice_tolerance) ** 2
    markets = behavior.payoff_replications
    while markets < wanted:
        markets *= 2
    return markets


def _converge(
    runs: BeliefRuns, measure, difference, behavior, n_plans: int = 1, rough=frozenset()
) -> dict[int, tuple[int, float, bool]]:
    """Add belief-world markets (doubling) until, for every plan, the choice
    probabilities estimated on the two halves differ by less than the tolerance
    (`difference(plan index, first half, second half)`), or the cap is reached. A plan
    counts as settled once it is; plans in `rough` after the first block. Per plan:
    (markets it used, split-half difference, converged)."""
    runs.add(behavior.payoff_replications, measure)
    status: dict[int, tuple[int, float, bool]] = {}
    while True:
        M = runs.n_markets
        for i in range(n_plans):
            if i in status and (status[i][2] or i in rough):
                continue
            diff = difference(i, slice(0, M // 2), slice(M // 2, M))
            status[i] = (M, diff, diff < behavior.choice_tolerance)
        settled = all(done or i in rough for i, (_, _, done) in status.items())
        if settled or M * 2 > behavior.max_payoff_replications:
            return status
        runs.add(M, measure)


def pays_on_shared_results(plan) -> bool:
    """Whether the plan pays AEs on results shared with a team or the company: its
    choice model is a free-riding fixed point, several rounds of belief-world runs."""
    return any(c.pays_ae_on_shared_results() for c in plan.components)


def variable_total(plan) -> float:
    """The sum of every variable-pay setting of the plan (rates and amounts alike): it
    scales exactly with `scale_variable_pay`, which is all it is for."""
    total = 0.0
    for component in plan.components:
        data = component.model_dump(by_alias=True)
        for path in type(component).variable_pay:
            total += _sum_path(data, path.split("."))
    return total


def _sum_path(node, path: list[str]) -> float:
    if isinstance(node, list):
        return sum(_sum_path(item, path) for item in node)
    if not path:
        return float(node or 0.0)
    return _sum_path(node.get(path[0], 0.0), path[1:]) if isinstance(node, dict) else 0.0


def canonical_plan(plan):
    """The plan's design at a canonical scale of its variable pay, and the scale: plans
    that differ only by `scale_variable_pay` share their canonical plan. Not plans that
    pay AEs on shared results: their free-riding fixed point moves with the scale."""
    total = variable_total(plan)
    if total <= 0 or pays_on_shared_results(plan):
        return plan, 1.0
    return scale_variable_pay(plan, 1.0 / total), total


def scaled_economics(econ: DealEconomics, factor: float) -> DealEconomics:
    """Deal economics with pay `factor` times as large (wins and sizes unchanged)."""
    if factor == 1.0:
        return econ
    return replace(
        econ,
        deal_pay_per_credit=econ.deal_pay_per_credit * factor,
        other_pay=econ.other_pay * factor,
    )


_ECONOMICS: dict[str, tuple] = {}


_CACHE: dict[str, ChoiceModel | None] = {}


def cache_key(scenario: Scenario, plan) -> str:
    """What a choice model depends on: `believed_model`, the plan's design (not its name
    or description), and the code that builds it. So a plan keeps its choice model
    whatever plans it is compared with and whatever it is called, and a budget's
    rescaled plans (each run on its own) share their design's deal economics."""
    content = _rounded([believed_model(scenario), plan_design(plan), _code_version()])
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _rounded(node):
    """Floats to 12 significant digits, so arithmetic noise does not split a key."""
    if isinstance(node, float):
        return float(f"{node:.12g}")
    if isinstance(node, dict):
        return {k: _rounded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_rounded(v) for v in node]
    return node


def _code_version() -> str:
    """A digest of the package's source, so a cached model never outlives its code."""
    global _CODE
    if _CODE is None:
        root = Path(__file__).resolve().parent
        digest = hashlib.sha256()
        for path in sorted(root.rglob("*.py")):
            digest.update(path.read_bytes())
        _CODE = digest.hexdigest()
    return _CODE


_CODE: str | None = None


def cache_folder() -> Path | None:
    """Where built choice models are kept between runs: $COMPSIM_CACHE, else
    ~/.cache/compsim; COMPSIM_CACHE=off keeps nothing on disk."""
    setting = os.environ.get("COMPSIM_CACHE", "")
    if setting.lower() in ("off", "0", "none"):
        return None
    return Path(setting) if setting else Path.home() / ".cache" / "compsim" / "choice-models"


def _cached(scenario: Scenario, plan) -> ChoiceModel | None:
    key = cache_key(scenario, plan)
    if key not in _CACHE:
        model = _load(key)
        if model is None:
            return None
        model.extra = {**model.extra, "from_cache": True}
        _CACHE[key] = model
    return _CACHE[key]


def choice_model(scenario: Scenario, plan) -> ChoiceModel | None:
    """`build_choice_model`, computed once per scenario and plan: kept in this process
    and on disk (`cache_folder`), so a rerun reuses it."""
    if scenario.behavior.mode not in ("qbr", "dynamic"):
        return None
    model = _cached(scenario, plan)
    if model is None:
        model = build_choice_model(scenario, plan)
        key = cache_key(scenario, plan)
        _store(key, model)
        _CACHE[key] = model
    if model is not None and model.plan != plan.name:  # built for the same design by another name
        model = replace(model, plan=plan.name, model=replace(model.model, plan=plan.name))
    return model


def _load(key: str):
    """A cached object by key, or None (absent, damaged or caching off)."""
    folder = cache_folder()
    path = folder / f"{key}.pkl" if folder is not None else None
    if path is None or not path.is_file():
        return None
    try:
        return pickle.loads(path.read_bytes())
    except Exception:  # a damaged cache entry is rebuilt, never trusted
        return None


def _store(key: str, value) -> None:
    folder = cache_folder()
    if folder is None:
        return
    path = folder / f"{key}.pkl"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    except OSError:  # a read-only home: just do not cache
        pass


def choice_models(
    scenario: Scenario, jobs: int = 1, announce=None
) -> dict[str, ChoiceModel | None]:
    """Every plan's choice model, built in parallel over plans with `jobs` workers;
    `announce(n)`, if given, is told how many are to be built before they are (none
    cached). Runs sharing the disk cache build a model once: one that another run is
    building is waited for, then read from the cache (`_building`)."""
    plans = scenario.plans
    missing = _uncached_plans(scenario)
    if missing and announce is not None:
        announce(len(missing))
    with _building([cache_key(scenario, p) for p in missing]):
        _build_missing(scenario, [p for p in missing if _cached(scenario, p) is None], jobs)
    models = {plan.name: choice_model(scenario, plan) for plan in plans}
    for model in models.values():  # here, in the calling process, cached or not
        for problem in problems(model, scenario.behavior) if model else ():
            warnings.warn(problem, stacklevel=2)
    return models


def _uncached_plans(scenario: Scenario) -> list:
    """The plans whose reps choose from a choice model not yet built (in this process
    or the disk cache): what `choice_models` will build."""
    if scenario.behavior.mode not in ("qbr", "dynamic"):
        return []
    return [p for p in scenario.plans if _cached(scenario, p) is None]


def _build_missing(scenario: Scenario, missing: list, jobs: int) -> None:
    """Build the choice models of the `missing` plans into both caches."""
    if scenario.behavior.mode == "dynamic" and missing:
        for name, model in build_policies(scenario, missing, jobs).items():
            key = cache_key(scenario, scenario.plan(name))
            _CACHE[key] = model
            _store(key, model)
    elif jobs > 1 and len(missing) > 1:
        from joblib import Parallel, delayed

        built = Parallel(n_jobs=jobs)(delayed(choice_model)(scenario, p) for p in missing)
        for plan, model in zip(missing, built, strict=True):
            _CACHE[cache_key(scenario, plan)] = model


@contextmanager
def _building(keys: list[str]):
    """Hold the disk cache's lock of each of `keys` (a `KEY.lock` file beside its
    entry, locked with flock), so that another process building the same model waits
    for this one and then reads its entry instead of building it again: concurrent
    runs of one scenario (a shell loop, a test suite on several processes) each
    spent the whole build. Locks are taken in sorted order, so two processes never
    wait on each other; they are released when the process exits, however it ends.
    Without a cache folder, a writable one, or flock (Windows), nothing is locked."""
    folder = cache_folder()
    with ExitStack() as held:
        if folder is not None and fcntl is not None:
            for key in sorted(set(keys)):
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    lock = held.enter_context(open(folder / f"{key}.lock", "a"))
                    fcntl.flock(lock, fcntl.LOCK_EX)
                except OSError:  # read-only or without locks: build unlocked
                    continue
        yield


def plan_behavior(scenario: Scenario, plan, market, model: ChoiceModel | None):
    """The behaviour model the engine runs for one plan on one chunk's market."""
    return make_behavior(scenario, market, plan, model.model if model is not None else None)
