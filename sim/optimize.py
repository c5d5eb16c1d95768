"""Plan optimization: the lever settings of one plan that do best on an objective
within constraints, honest about Monte Carlo noise.

Levers are numeric settings of the plan (dotted paths, `sim.scenario.paths`)
with bounds. Every evaluation is a whole simulation of the plan at those
settings, reps choosing their strategies against it, on the same seed and
replications (common random numbers): the objective and constraints are then
deterministic functions of the levers, and two settings are compared on the same
futures. The search:

1. a scrambled Sobol design (seeded) over the lever box, evaluated in parallel;
2. COBYLA (scipy: derivative-free, bounds and inequality constraints) from the
   best design point, in coordinates scaled to [0, 1], until the evaluation
   budget is spent or it converges;
3. a recheck: the best few feasible settings and the plan as written are
   simulated again on fresh company-runs (the next seed) with more replications,
   paired with each other. Picking the best of many noisy evaluations favours
   lucky ones (the winner's curse); the recheck's numbers are unbiased, and the
   best setting is chosen on them among those whose constraints the recheck does
   not clearly break.
"""

from __future__ import annotations

import itertools
import re
import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.analysis import mean_ci, paired_difference, quantile_ci
from sim.errors import UserError
from sim.metrics import known_metric
from sim.scenario.paths import check_paths, get_value, unit_of
from sim.search_sizes import OPTIMIZE_EVALS as DEFAULT_EVALS
from sim.search_sizes import OPTIMIZE_REPLICATIONS as DEFAULT_REPLICATIONS
from sim.variants import fixed_warm_up, merge_runs, run_plans

RECHECK_CANDIDATES = 3


# --- What is optimized ------------------------------------------------------------------


@dataclass(frozen=True)
class Lever:
    """A numeric setting of the plan and its bounds; `path` is the full dotted path."""

    key: str  # as the user wrote it
    path: str
    low: float
    high: float
    integer: bool = False
    unit: str = ""  # the schema's unit of the setting ('$/yr'), '' if it has none

    def value(self, u: float) -> float:
        """The setting at position u in [0, 1] of its range."""
        x = self.low + float(np.clip(u, 0.0, 1.0)) * (self.high - self.low)
        return round(x) if self.integer else x

    def position(self, x: float) -> float:
        return (x - self.low) / (self.high - self.low)


@dataclass(frozen=True)
class Criterion:
    """A statistic of a metric over company-runs (its mean, or a percentile with
    `quantile`), optionally bounded: `metric <= bound` or `metric >= bound`."""

    metric: str
    quantile: float | None = None
    op: str | None = None
    bound: float | None = None

    @property
    def label(self) -> str:
        head = self.metric if self.quantile is None else f"p{100 * self.quantile:g}:{self.metric}"
        return head if self.op is None else f"{head}{self.op}{self.bound:.12g}"  # as typed

    @property
    def name(self) -> str:
        """The statistic's column name: 'comp_cost_ratio' or 'p90:comp_cost_ratio'."""
        return self.label.split("<")[0].split(">")[0]

    def statistic(self, values: np.ndarray) -> float:
        x = values[np.isfinite(values)]
        if not len(x):
            return np.nan
        return float(x.mean() if self.quantile is None else np.quantile(x, self.quantile))

    def interval(self, values: np.ndarray) -> tuple[float, float]:
        """95% CI of the statistic (Student-t; order statistics for a percentile)."""
        x = values[np.isfinite(values)]
        return mean_ci(x)[1:3] if self.quantile is None else quantile_ci(x, self.quantile)

    def slack(self, value: float) -> float:
        """How far inside the bound (positive) or outside (negative)."""
        return (self.bound - value) if self.op == "<=" else (value - self.bound)

    def clearly_broken(self, low: float, high: float) -> bool:
        """The whole 95% CI lies on the wrong side of the bound."""
        return low > self.bound if self.op == "<=" else high < self.bound


_CRITERION = re.compile(r"^\s*(?:p(\d+(?:\.\d+)?):)?\s*([a-z0-9_]+)\s*(?:(<=|>=)\s*(\S+))?\s*$")


def parse_criterion(text: str, option: str, bounded: bool, plans=None) -> Criterion:
    """'[pNN:]METRIC' for an objective, '[pNN:]METRIC<=X' (or >=) for a constraint; X a
    number or a percentage ('9%'). METRIC: one a run of `plans` reports (their pay lines
    included); it needs no better direction (the command says which way to go)."""
    match = _CRITERION.match(text)
    if not match or bool(match.group(3)) != bounded:
        form = "[pNN:]METRIC<=X or >=X" if bounded else "METRIC or pNN:METRIC"
        raise UserError(f"{option} {text!r}: expected {form}, e.g. p90:comp_cost_ratio<=0.09")
    percentile, name, op, bound = match.groups()
    known_metric(name, option, plans)
    quantile = None
    if percentile is not None:
        quantile = float(percentile) / 100
        if not 0 < quantile < 1:
            raise UserError(f"{option} {text!r}: the percentile must be between p1 and p99")
    value = None
    if bound is not None:
        try:
            value = float(bound.rstrip("%")) / (100 if bound.endswith("%") else 1)
        except ValueError:
            raise UserError(f"{option} {text!r}: {bound!r} is not a number") from None
    return Criterion(name, quantile, op, value)


def make_levers(scenario, plan: str, bounds: dict[str, tuple[float, float]]) -> list[Lever]:
    """Levers from {key: (low, high)}: a key is a path inside the plan
    (`components.0.rate`) or a full path (`plans.NAME.components.0.rate`)."""
    levers = []
    for key, (low, high) in bounds.items():
        path = key if key.startswith("plans.") else f"plans.{plan}.{key}"
        check_paths(scenario, [path], "--lever")
        current = get_value(scenario, path)
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise UserError(f"--lever {key}: is {current!r}, not a number")
        if not low < high:
            raise UserError(f"--lever {key}={low:g}:{high:g}: LOW must be below HIGH")
        for end in (low, high):
            scenario.with_values({path: end}, source=f"--lever {key}={low:g}:{high:g}")
        integer = isinstance(current, int)
        levers.append(Lever(key, path, float(low), float(high), integer, unit_of(scenario, path)))
    if not levers:
        raise UserError("give at least one --lever KEY=LOW:HIGH")
    return levers


def parse_levers(texts: list[str]) -> dict[str, tuple[float, float]]:
    from sim.sweep import split_assignment

    out = {}
    for text in texts:
        key, values = split_assignment(text, "--lever")
        parts = values.split(":")
        try:
            low, high = (float(p) for p in parts)
        except ValueError:
            raise UserError(
                f"--lever {text!r}: expected KEY=LOW:HIGH, e.g. components.0.rate=0.05:0.15"
            ) from None
        out[key] = (low, high)
    return out


# --- Evaluations --------------------------------------------------------------------------


@dataclass
class Evaluation:
    index: int
    phase: str  # design, search, recheck, as_written
    levers: dict[str, float]
    stats: dict[str, float]  # objective and constraint statistics, comp cost ratio
    intervals: dict[str, tuple[float, float]]
    feasible: bool
    replications: int
    seed: int
    result: object = field(repr=False, default=None)


class Problem:
    """One plan, its levers, the objective and constraints, and how to simulate."""

    def __init__(self, scenario, plan, levers, objective, maximize, constraints, runs):
        self.scenario, self.plan, self.levers = scenario, plan, levers
        self.objective, self.maximize, self.constraints = objective, maximize, constraints
        self.runs = runs  # replications, seed, jobs, chunk_size
        self.evaluations: list[Evaluation] = []
        self.cache: dict[tuple, Evaluation] = {}

    def variant(self, x: list[float], name: str):
        values = {lever.path: v for lever, v in zip(self.levers, x, strict=True)}
        changed = self.scenario.with_values(values, source="--lever")
        return changed.plan(self.plan).model_copy(update={"name": name})

    def evaluate(self, points: list[list[float]], phase: str, runs=None) -> list[Evaluation]:
        """Simulate every point not seen yet (in parallel), then return all of them."""
        replications, seed, jobs, chunk = runs or self.runs
        keys = [(replications, seed, *(round(v, 12) for v in x)) for x in points]
        todo = [i for i, k in enumerate(keys) if k not in self.cache and k not in keys[:i]]
        first = len(self.evaluations) + 1
        plans = [self.variant(points[i], f"{self.plan}#{first + j}") for j, i in enumerate(todo)]
        results = run_plans(self.scenario, plans, replications, seed, jobs, chunk) if plans else []
        for i, result in zip(todo, results, strict=True):
            levers = {lv.key: v for lv, v in zip(self.levers, points[i], strict=True)}
            record = self._record(result, phase, levers, replications, seed)
            self.cache[keys[i]] = record
        return [self.cache[k] for k in keys]

    def _record(self, result, phase, levers, replications, seed) -> Evaluation:
        rows = result.replications
        criteria = [self.objective, *self.constraints, Criterion("comp_cost_ratio")]
        values, intervals = {}, {}
        for c in criteria:
            data = rows[c.metric].to_numpy(float)
            values[c.name], intervals[c.name] = c.statistic(data), c.interval(data)
        feasible = all(c.slack(values[c.name]) >= 0 for c in self.constraints)
        record = Evaluation(
            len(self.evaluations) + 1, phase, levers, values, intervals, feasible,
            replications, seed, result,
        )  # fmt: skip
        self.evaluations.append(record)
        return record

    def score(self, e: Evaluation) -> tuple[float, float]:
        """Sort key, best first: feasible before infeasible (less violation first),
        then the objective."""
        violation = sum(max(0.0, -c.slack(e.stats[c.name])) for c in self.constraints)
        objective = e.stats[self.objective.name]
        return (violation, -objective if self.maximize else objective)


# --- The search ---------------------------------------------------------------------------


@dataclass
class OptimizeResult:
    problem: Problem
    best: Evaluation  # rechecked
    rechecked: list[Evaluation]  # candidates and the plan as written, on the recheck seed
    as_written: Evaluation
    best_scenario: object
    wall_seconds: float
    converged: str = ""
    meta: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """optimize.csv: every evaluation with its levers, statistics and feasibility."""
        p = self.problem
        rows = []
        for e in p.evaluations:
            row = {"evaluation": e.index, "phase": e.phase}
            row |= {"replications": e.replications, "seed": e.seed}
            row |= e.levers
            for name, value in e.stats.items():
                low, high = e.intervals[name]
                row |= {name: value, f"{name}_ci_low": low, f"{name}_ci_high": high}
            row |= {"feasible": e.feasible, "best": e is self.best}
            rows.append(row)
        return pd.DataFrame(rows)

    def recheck_table(self) -> pd.DataFrame:
        """The rechecked settings on fresh company-runs: each criterion with its 95% CI,
        and the paired change of the objective against the plan as written."""
        p, base = self.problem, self.as_written
        base_values = base.result.replications[p.objective.metric].to_numpy(float)
        rows = []
        for e in self.rechecked:
            row = {"evaluation": e.index, "phase": e.phase, **e.levers}
            for name, value in e.stats.items():
                low, high = e.intervals[name]
                row |= {name: value, f"{name}_ci_low": low, f"{name}_ci_high": high}
            values = e.result.replications[p.objective.metric].to_numpy(float)
            d = paired_difference(values, base_values)
            row |= {
                "objective_vs_as_written": d["diff"],
                "objective_vs_as_written_ci_low": d["diff_ci_low"],
                "objective_vs_as_written_ci_high": d["diff_ci_high"],
                "feasible": e.feasible,
                "best": e is self.best,
                "as_written": e is self.as_written,
            }
            rows.append(row)
        return pd.DataFrame(rows)


def optimize(
    scenario,
    plan: str,
    levers: dict[str, tuple[float, float]],
    objective: str,
    maximize: bool = True,
    constraints: list[str] = (),
    budget_evals: int = DEFAULT_EVALS,
    replications: int = DEFAULT_REPLICATIONS,
    recheck_replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    chunk_size: int | None = None,
    progress: bool = False,
) -> OptimizeResult:
    """Search the plan's levers (see the module). `objective` is 'METRIC' or
    'pNN:METRIC'; `constraints` are '[pNN:]METRIC<=X' or '>=X'."""
    from sim.analysis import resolve_baseline

    started = time.perf_counter()
    plan = resolve_baseline([p.name for p in scenario.plans], plan, "--plan")
    seed = scenario.simulation.seed if seed is None else seed
    if budget_evals < 2:
        raise UserError(f"--budget-evals {budget_evals}: at least 2")
    made = make_levers(scenario, plan, levers)
    plans = [scenario.plan(plan)]
    problem = Problem(
        fixed_warm_up(scenario, longest_warm_up(scenario, made)),
        plan,
        made,
        parse_criterion(objective, "--objective", bounded=False, plans=plans),
        maximize,
        [parse_criterion(c, "--constraint", bounded=True, plans=plans) for c in constraints],
        (replications, seed, jobs, chunk_size),
    )
    say = (lambda text: print(text, file=sys.stderr)) if progress else (lambda text: None)
    design = _design(problem, budget_evals, seed)
    say(f"design: {len(design)} settings")
    problem.evaluate(design, "design")
    best = min(problem.evaluations, key=problem.score)
    say(f"design: best {_shown(problem, best)} (evaluation {best.index})")
    converged = _search(problem, budget_evals - len(problem.evaluations), say)
    feasible = [e for e in problem.evaluations if e.feasible]
    if not feasible:
        closest = min(problem.evaluations, key=problem.score)
        raise UserError(_none_feasible(problem, closest))
    recheck = (recheck_replications or 4 * replications, seed + 1, jobs, chunk_size)
    candidates, as_written = _recheck(problem, feasible, recheck)
    # The plan as written may be one of the best settings itself: it is rechecked once.
    others = sum(e is not as_written for e in candidates)
    say(f"recheck: {others} other setting(s) and the plan as written on seed {seed + 1}")
    rechecked = candidates + ([as_written] if as_written not in candidates else [])
    # The plan as written competes too, when it lies in the levers' box: a search whose
    # best rechecks worse than the plan as written has found nothing to recommend.
    in_box = all(lv.low <= as_written.levers[lv.key] <= lv.high for lv in problem.levers)
    best = _choose(problem, rechecked if in_box else candidates)
    return OptimizeResult(
        problem,
        best,
        rechecked,
        as_written,
        _best_scenario(problem, best, *recheck[:2]),
        time.perf_counter() - started,
        converged,
    )


def _design(problem: Problem, budget_evals: int, seed: int) -> list[list[float]]:
    """The plan as written (clipped into the box) and scrambled Sobol points: about a
    third of the budget, at least 2 per lever plus 2."""
    d = len(problem.levers)
    n = min(budget_evals, max(2 * d + 2, budget_evals // 3))
    from scipy.stats import qmc  # slow to import: only when an optimization runs

    sobol = qmc.Sobol(d, scramble=True, seed=seed).random_base2(int(np.ceil(np.log2(max(n, 2)))))
    current = [lever.position(get_value(problem.scenario, lever.path)) for lever in problem.levers]
    units = [np.clip(current, 0, 1), *sobol[: n - 1]]
    return [[lv.value(u) for lv, u in zip(problem.levers, point, strict=True)] for point in units]


def _shown(problem: Problem, e: Evaluation) -> str:
    """An evaluation's objective for the progress lines: 'revenue $61.9M'."""
    from sim.metrics import metric_unit
    from sim.report.finance import format_cell

    name = problem.objective.name
    shown = format_cell(e.stats[name], metric_unit(problem.objective.metric))
    return f"{name} {shown}" + ("" if e.feasible else " (infeasible)")


def _search(problem: Problem, remaining: int, say) -> str:
    """COBYLA from the best design point, in [0, 1] coordinates. Each new simulation
    is a progress line; a setting COBYLA asks for again is answered from the cache and
    not shown again (it read as evaluations counted twice, out of order)."""
    if remaining < len(problem.levers) + 2:  # COBYLA's first simplex needs d + 1 points
        return "evaluation budget spent on the design (no local search)"
    start = min(problem.evaluations, key=problem.score)
    u0 = np.array([lv.position(start.levers[lv.key]) for lv in problem.levers])
    sign = -1.0 if problem.maximize else 1.0

    def at(u):
        x = [lv.value(v) for lv, v in zip(problem.levers, u, strict=True)]
        return problem.evaluate([x], "search")[0]

    shown = {e.index for e in problem.evaluations}

    def objective(u):
        e = at(u)
        if e.index not in shown:
            shown.add(e.index)
            say(f"evaluation {e.index}: {_shown(problem, e)}")
        return sign * e.stats[name] / scale

    # Objective and constraints in units of their size, so COBYLA's steps weigh alike.
    name = problem.objective.name
    scale = max(abs(start.stats[name]), 1e-12)
    constraints = [
        {"type": "ineq", "fun": lambda u, c=c: c.slack(at(u).stats[c.name]) / _size(c.bound)}
        for c in problem.constraints
    ]
    from scipy import optimize as sciopt  # slow to import: only when an optimization runs

    outcome = sciopt.minimize(
        objective,
        u0,
        method="COBYLA",
        constraints=constraints,
        bounds=[(0.0, 1.0)] * len(problem.levers),
        options={"rhobeg": 0.25, "tol": 2e-3, "maxiter": remaining},
    )
    return str(outcome.message)


def _size(bound: float) -> float:
    return max(abs(bound), 1e-12)


def _recheck(problem, feasible, runs):
    """The best few distinct feasible settings and the plan as written, on fresh
    company-runs (the next seed), paired with each other."""
    ranked = sorted(feasible, key=problem.score)
    chosen: list = []
    for e in ranked:
        u = np.array([lv.position(e.levers[lv.key]) for lv in problem.levers])
        if all(np.abs(u - v).max() > 0.02 for v in chosen):
            chosen.append(u)
        if len(chosen) == RECHECK_CANDIDATES:
            break
    points = [[lv.value(v) for lv, v in zip(problem.levers, u, strict=True)] for u in chosen]
    current = [get_value(problem.scenario, lv.path) for lv in problem.levers]
    results = problem.evaluate([*points, current], "recheck", runs)
    candidates, as_written = results[:-1], results[-1]
    if as_written not in candidates:
        as_written.phase = "as_written"
    return candidates, as_written


def _choose(problem, candidates):
    """The best rechecked setting among those whose constraints the recheck does not
    clearly break (every constraint's 95% CI reaches its bound); if every one breaks
    one, the least bad."""

    def ok(e):
        return not any(c.clearly_broken(*e.intervals[c.name]) for c in problem.constraints)

    plausible = [e for e in candidates if ok(e)] or candidates
    objective = problem.objective.name
    return (max if problem.maximize else min)(plausible, key=lambda e: e.stats[objective])


def longest_warm_up(scenario, levers: list[Lever]) -> int | None:
    """The warm-up that fits every lever setting: the longest "auto" gives at any corner
    of the levers' box (a lever may lengthen a tail: a revenue commission's months, a
    clawback window), so every setting is compared at the same company age and in its
    steady state. None when the scenario sets a number."""
    if scenario.company.burn_in_months != "auto":
        return None
    ends = [(lv.path, (lv.value(0.0), lv.value(1.0))) for lv in levers]
    corners = itertools.product(*[[(path, x) for x in pair] for path, pair in ends])
    values = [dict(corner) for corner in corners]
    return max(scenario.with_values(v).warm_up_months for v in [{}, *values])


def _best_scenario(problem, best, replications, seed):
    """The scenario with the plan as written and the best setting of it beside it (named
    '<plan>-best'), on the recheck's seed and replications."""
    x = [best.levers[lv.key] for lv in problem.levers]
    settings = ", ".join(f"{k} = {v:.6g}" for k, v in best.levers.items())
    plan = problem.variant(x, f"{problem.plan}-best").model_copy(
        update={"description": f"{problem.plan} at its best lever settings: {settings}"}
    )
    original = problem.scenario.plan(problem.plan)
    simulation = problem.scenario.simulation.model_copy(
        update={"seed": seed, "replications": replications}
    )
    return problem.scenario.model_copy(
        update={
            "name": f"{problem.scenario.name}-best",
            "description": f"{problem.plan} as written and at its best lever settings",
            "plans": [original, plan],
            "simulation": simulation,
        }
    )


def _none_feasible(problem: Problem, closest: Evaluation) -> str:
    from sim.metrics import metric_unit
    from sim.report.finance import format_cell, setting_text

    def shown(c: Criterion, value: float) -> str:
        return format_cell(value, metric_unit(c.metric))

    broken = ", ".join(
        f"{c.name} {shown(c, closest.stats[c.name])} (bound {shown(c, c.bound)})"
        for c in problem.constraints
        if c.slack(closest.stats[c.name]) < 0
    )
    levers = ", ".join(
        f"{lv.key}={setting_text(closest.levers[lv.key], lv.unit)}" for lv in problem.levers
    )
    return (
        f"no lever setting met the constraints in {len(problem.evaluations)} evaluations; "
        f"the closest ({levers}) has {broken}"
    )


def rechecked_run(result: OptimizeResult):
    """The rechecked settings as one run of their plans (paired replications)."""
    return merge_runs(result.best_scenario, [e.result for e in result.rechecked])
