"""Margin-constrained budgets: scale each plan's variable pay to a finance target.

For each plan, find the factor on its variable pay (every rate and bonus amount,
`sim.plans.config.scale_variable_pay`) that makes a statistic of the comp cost
ratio (or of the operating margin) equal a target: its mean, or a quantile for
FP&A who budget to a percentile. Reps re-optimize at every scale (they answer
the rates they are paid), so the statistic is a function of the scale through a
whole simulation. Every evaluation uses the same seed and replications (common
random numbers), so that function is deterministic: a step-like curve that a
bracketing root finder (scipy's `brentq`) solves. It need not be monotone (variable
pay also buys revenue: the margin can be higher as written than on base salaries
alone), so the bracket starts at scale 1 (the plan as written): between 0 (base
salaries only) and 1 when the plan is over the target, else widening upward by
doubling, up to the largest scale the plan's settings allow (a rate of 100%); a
target met at neither end is an error that gives both ends' statistic. The
search stops at the first scale whose statistic is within a twentieth of its own
95% half-width of the target (closer is below the answer's Monte Carlo error), or
when `brentq` has the scale to 0.1%.

Plans are independent given the seed (each plan meets the same markets whatever
other plans run beside it), so plans are solved in parallel worker processes and
their results assembled into one run of the budgeted plans, compared on paired
replications at equal budget.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from sim.analysis import mean_ci, quantile_ci
from sim.choice_model import pays_on_shared_results
from sim.errors import UserError, kept_warnings, rewarn
from sim.plans.config import Plan, scale_variable_pay
from sim.runner import RunResult
from sim.search_sizes import BUDGET_REPLICATIONS as DEFAULT_REPLICATIONS
from sim.variants import merge_runs, run_plan

MAX_SCALE = 50.0
# the root finder stops once the statistic is this share of its own 95% half-width
# from the target: closer than that is below the Monte Carlo error of the answer
CLOSE_ENOUGH = 0.05
REPORTED = ("revenue", "grr", "new_arr", "comp_cost", "comp_cost_ratio", "operating_margin")


@dataclass(frozen=True)
class Target:
    """What a budget holds: `kind` "comp_ratio" (comp cost / revenue = value) or
    "operating_margin" (= value), on the cash or expense `basis`, for the mean or,
    with `quantile` q, at confidence q: the comp cost ratio's q-quantile (q of the
    company-runs cost at most the target) or the operating margin's (1 - q)-quantile
    (q of the company-runs keep at least the target margin). Over the reported
    horizon, or in one reported `year` (1 = the first: next year's budget)."""

    kind: str
    value: float
    basis: str = "cash"
    quantile: float | None = None
    year: int | None = None

    def __post_init__(self):
        if self.kind not in ("comp_ratio", "operating_margin"):
            raise UserError(f"budget target {self.kind!r}: expected comp_ratio or operating_margin")
        if self.basis not in ("cash", "expense"):
            raise UserError(f"--basis {self.basis!r}: expected cash or expense")
        if self.quantile is not None and not 0 < self.quantile < 1:
            raise UserError(f"--quantile {self.quantile}: must be between 0 and 1 (0.9 = P90)")
        if self.kind == "comp_ratio" and not 0 < self.value < 1:
            raise UserError(f"--comp-ratio {self.value}: must be between 0 and 1 (0.09 = 9%)")
        if self.kind == "operating_margin" and not -1 < self.value < 1:
            raise UserError(f"--operating-margin {self.value}: must be between -1 and 1")
        if self.year is not None and self.year < 1:
            raise UserError(f"--year {self.year}: reported years count from 1")

    @property
    def metric(self) -> str:
        names = {
            ("comp_ratio", "cash"): "comp_cost_ratio",
            ("comp_ratio", "expense"): "comp_expense_ratio",
            ("operating_margin", "cash"): "operating_margin",
            ("operating_margin", "expense"): "operating_margin_expense",
        }
        return names[(self.kind, self.basis)]

    @property
    def rises_with_pay(self) -> bool:
        return self.kind == "comp_ratio"

    @property
    def level(self) -> float | None:
        """The quantile of the metric the target holds (None: the mean)."""
        if self.quantile is None:
            return None
        return self.quantile if self.rises_with_pay else 1.0 - self.quantile

    def statistic(self, values: np.ndarray) -> float:
        x = values[np.isfinite(values)]
        return float(x.mean() if self.level is None else np.quantile(x, self.level))

    def interval(self, values: np.ndarray) -> tuple[float, float]:
        """95% CI of the statistic: Student-t for the mean; for a quantile, the
        distribution-free order-statistic interval (binomial ranks)."""
        x = values[np.isfinite(values)]
        if self.level is None:
            _, low, high, _ = mean_ci(x)
            return low, high
        return quantile_ci(x, self.level)

    def describe(self) -> str:
        name = {"comp_ratio": "comp cost / revenue", "operating_margin": "operating margin"}
        what = "mean" if self.level is None else f"P{round(100 * self.level):d}"
        when = "" if self.year is None else f"year {self.year} "
        return f"{when}{what} {name[self.kind]} ({self.basis}) = {100 * self.value:g}%"

    def values(self, result: RunResult, metric: str | None = None) -> np.ndarray:
        """Per company-run values of `metric` (default the target's) over the horizon,
        or in the target's year."""
        metric = metric or self.metric
        if self.year is None:
            return result.replications[metric].to_numpy(float)
        rows = result.by_year[result.by_year.year == self.year].sort_values("replication")
        return rows[metric].to_numpy(float)

    def check_year(self, scenario) -> None:
        years = int(np.ceil(scenario.company.months / 12))
        if self.year is not None and self.year > years:
            raise UserError(f"--year {self.year}: the scenario reports {years} year(s)")


@dataclass
class PlanBudget:
    """One plan's budget: the scale found, every evaluation on the way, and the run of
    the plan at that scale."""

    plan: str
    scale: float
    evaluations: list[tuple[float, float]]  # (scale, statistic), in order
    result: RunResult
    wall_seconds: float
    warnings: list[str] = field(default_factory=list)  # raised while solving, once each


@dataclass
class BudgetResult:
    scenario: object  # the scenario as given
    budgeted: object  # the scenario with every plan at its scale
    target: Target
    plans: dict[str, PlanBudget]
    run: RunResult  # the budgeted plans together, on paired replications
    seed: int
    wall_seconds: float
    meta: dict = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        """budget.csv: per plan the scale, the target, the achieved value with its 95%
        CI, then revenue, GRR, new ARR, comp cost, comp cost ratio and operating
        margin with their intervals (in the target's year, if it has one), and the
        evaluations used."""
        rows = []
        for name, solved in self.plans.items():
            values = self.target.values(solved.result)
            low, high = self.target.interval(values)
            row = {
                "plan": name,
                "scale": solved.scale,
                "target": self.target.value,
                "achieved": self.target.statistic(values),
                "achieved_ci_low": low,
                "achieved_ci_high": high,
            }
            for metric in REPORTED:
                mean, lo, hi, _ = mean_ci(self.target.values(solved.result, metric))
                row |= {metric: mean, f"{metric}_ci_low": lo, f"{metric}_ci_high": hi}
            row |= {
                "statistic": self.target.describe(),
                "evaluations": len(solved.evaluations),
                "ote": self.budgeted.plan(name).ote,
            }
            rows.append(row)
        return pd.DataFrame(rows)

    def evaluation_table(self) -> pd.DataFrame:
        """Every evaluation of the root finder: plan, order, scale, statistic."""
        rows = [
            {"plan": name, "evaluation": i + 1, "scale": s, "statistic": v}
            for name, solved in self.plans.items()
            for i, (s, v) in enumerate(solved.evaluations)
        ]
        return pd.DataFrame(rows, columns=["plan", "evaluation", "scale", "statistic"])


# --- Solving one plan ---------------------------------------------------------------------


def max_scale(plan: Plan, cap: float = MAX_SCALE) -> float:
    """The largest factor the plan's settings allow (a rate reaching 100%), at most
    `cap`: found by bisection on whether the scaled plan is valid."""
    if _valid(plan, cap):
        return cap
    low, high = 1.0, cap
    if not _valid(plan, low):
        low = 0.0
    for _ in range(40):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if _valid(plan, mid) else (low, mid)
    return low


def _valid(plan: Plan, factor: float) -> bool:
    try:
        scale_variable_pay(plan, factor)
    except ValueError:
        return False
    return True


class _Evaluator:
    """The target's statistic for one plan at a scale: a whole simulation on fixed
    seed and replications, cached by scale."""

    def __init__(self, scenario, plan: Plan, target: Target, replications, seed, jobs, chunk):
        self.scenario, self.plan, self.target = scenario, plan, target
        self.args = dict(replications=replications, seed=seed, jobs=jobs, chunk_size=chunk)
        self.cache: dict[float, tuple[float, RunResult]] = {}
        self.order: list[tuple[float, float]] = []
        self.close: dict[float, bool] = {}  # scale -> within CLOSE_ENOUGH of the target

    def __call__(self, scale: float) -> float:
        key = float(scale)
        if key not in self.cache:
            # alone on the scenario's warm-up, which fits every scale: scaling keeps tails
            result = run_plan(self.scenario, scale_variable_pay(self.plan, key), **self.args)
            rewarn(result.meta["warnings"])
            values = self.target.values(result)
            value = self.target.statistic(values)
            low, high = self.target.interval(values)
            self.close[key] = abs(value - self.target.value) <= CLOSE_ENOUGH * (high - low) / 2
            self.cache[key] = (value, result)
            self.order.append((key, value))
        return self.cache[key][0]

    def gap(self, scale: float) -> float:
        """Statistic minus target, signed to rise with the scale; stops the search
        (`CloseEnough`) at a scale whose statistic is as good as on the target."""
        sign = 1.0 if self.target.rises_with_pay else -1.0
        value = self(scale)
        if self.close[float(scale)]:
            raise CloseEnough(float(scale))
        return sign * (value - self.target.value)


class CloseEnough(Exception):
    """The statistic at `scale` is within CLOSE_ENOUGH of its half-width of the target."""

    def __init__(self, scale: float):
        super().__init__(scale)
        self.scale = scale


def solve_plan(scenario, plan: Plan, target: Target, replications, seed, jobs, chunk) -> PlanBudget:
    """The scale of `plan`'s variable pay that meets `target` (see the module)."""
    started = time.perf_counter()
    kept: list[str] = []  # handed back to the calling process (`budget`) to show
    with kept_warnings(kept):
        scale, f = _root(scenario, plan, target, replications, seed, jobs, chunk)
    return PlanBudget(
        plan.name,
        float(scale),
        f.order,
        f.cache[float(scale)][1],
        time.perf_counter() - started,
        kept,
    )


def _root(scenario, plan, target, replications, seed, jobs, chunk) -> tuple[float, _Evaluator]:
    from scipy import optimize  # slow to import: only when a budget is searched

    f = _Evaluator(scenario, plan, target, replications, seed, jobs, chunk)
    try:
        low, high = _bracket(f, plan, target)
        if f.gap(low) == 0:
            scale = low
        elif f.gap(high) == 0:
            scale = high
        else:
            scale = optimize.brentq(f.gap, low, high, xtol=1e-4, rtol=1e-3, maxiter=40)
    except CloseEnough as stop:
        scale = stop.scale
    f(scale)
    return scale, f


def _bracket(f: _Evaluator, plan: Plan, target: Target) -> tuple[float, float]:
    """Scales [low, high] with the gap at or below 0 at low and at or above 0 at high."""
    top = max_scale(plan)
    if not plan.components or top <= 0:
        raise UserError(f"plan '{plan.name}': no variable pay to scale (leave it out with --plans)")
    start = min(1.0, top)
    if f.gap(start) >= 0:
        if f.gap(0.0) > 0:
            raise UserError(_too_dear(plan, target, f(0.0), start, f(start)))
        return 0.0, start
    low, high = start, start
    while f.gap(high) < 0:
        if high >= top:
            raise UserError(_out_of_reach(plan, target, top, f(top)))
        low, high = high, min(2.0 * high, top)
    return low, high


def _percent(x: float) -> str:
    return f"{100 * x:.2f}%"


def _too_dear(plan: Plan, target: Target, at_zero: float, start: float, at_start: float) -> str:
    """Neither the plan as written nor base salaries alone meet the target. Variable pay
    also buys revenue, so base salaries alone need not be the cheapest end: the message
    says which end is nearer and why, rather than assume it."""
    stat = target.describe().split(" = ")[0]
    side = "above" if target.rises_with_pay else "below"
    nearer_at_zero = (at_zero <= at_start) == target.rises_with_pay
    if not nearer_at_zero:
        why = "variable pay here brings in more than it costs: paying less does not help"
    elif target.rises_with_pay:
        why = "base salaries alone cost more"
    else:
        why = "base salaries and other costs alone leave less margin"
    return (
        f"plan '{plan.name}': target {target.describe()} is infeasible: the {stat} is "
        f"{_percent(at_start)} as written (scale {start:g}) and {_percent(at_zero)} with no "
        f"variable pay (scale 0), both {side} it ({why})"
    )


def _out_of_reach(plan: Plan, target: Target, top: float, at_top: float) -> str:
    stat = target.describe().split(" = ")[0]
    return (
        f"plan '{plan.name}': target {target.describe()} is out of reach: at the largest "
        f"scale its settings allow (x{top:.3g} variable pay) the {stat} is {_percent(at_top)}"
    )


# --- All plans ----------------------------------------------------------------------------


def _budgeted_plan(plan: Plan, scale: float) -> Plan:
    """The plan at its scale, its description saying so: the text as written ('10% of
    booked ACV') describes scale 1. (A description is no part of the plan's design:
    the choice model and the numbers are those found at that scale.)"""
    note = f"scaled by sim budget: variable pay x{scale:.4g}"
    text = f"{plan.description} ({note})" if plan.description else note
    return scale_variable_pay(plan, scale).model_copy(update={"description": text})


def budget(
    scenario,
    target: Target,
    replications: int = DEFAULT_REPLICATIONS,
    seed: int | None = None,
    jobs: int = 1,
    chunk_size: int | None = None,
    plans: list[str] | None = None,
    progress: bool = False,
) -> BudgetResult:
    """Scale every plan (or those named in `plans`) of `scenario` to `target`."""
    seed = scenario.simulation.seed if seed is None else seed
    target.check_year(scenario)
    chosen = [scenario.plan(name) for name in plans] if plans else list(scenario.plans)
    for plan in chosen:  # before any simulation
        if not plan.components or max_scale(plan) <= 0:
            raise UserError(
                f"plan '{plan.name}': no variable pay to scale (leave it out with --plans)"
            )
    outer = max(1, min(jobs, len(chosen)))
    inner = max(1, jobs // outer)
    started = time.perf_counter()
    # the dearest plans first (a free-riding fixed point at every scale), so that no
    # worker starts one last while the other idles; results do not depend on the order
    dearest_first = sorted(chosen, key=lambda p: not pays_on_shared_results(p))
    tasks = (
        delayed(solve_plan)(scenario, plan, target, replications, seed, inner, chunk_size)
        for plan in dearest_first
    )
    solved: dict[str, PlanBudget] = {}
    for result in Parallel(n_jobs=outer, return_as="generator_unordered")(tasks):
        solved[result.plan] = result
        rewarn(result.warnings)
        if progress:
            print(
                f"{result.plan}: scale {result.scale:.4f} after {len(result.evaluations)} "
                f"evaluations ({result.wall_seconds:.1f}s)",
                file=sys.stderr,
            )
    ordered = {p.name: solved[p.name] for p in chosen}
    scaled = [_budgeted_plan(p, ordered[p.name].scale) for p in chosen]
    # The budgeted scenario runs on the budget's seed and replications by default, so
    # `sim run budgeted.toml` reproduces the numbers found here.
    simulation = scenario.simulation.model_copy(
        update={"seed": seed, "replications": replications}
        | ({"chunk_size": chunk_size} if chunk_size else {})
    )
    budgeted = scenario.model_copy(
        update={
            "name": f"{scenario.name}-budgeted",
            "description": f"{scenario.name}, every plan scaled to {target.describe()}",
            "plans": scaled,
            "simulation": simulation,
        }
    )
    together = merge_runs(budgeted, [s.result for s in ordered.values()])
    return BudgetResult(
        scenario, budgeted, target, ordered, together, seed, time.perf_counter() - started
    )
