"""Running plan variants: many versions of a plan on the same company-runs.

A plan's numbers depend on the scenario, the seed, the warm-up and the plan, never
on the other plans run beside it (every plan meets the same exogenous draws). The
warm-up is the one thing the plans share: `burn_in_months = "auto"` is long enough
for the longest tail of any plan in the scenario (`sim.warmup`), so a plan run
alone would warm up for its own tail and report an older or younger company.
`fixed_warm_up` resolves it before the plans are split. So variants can run one by
one, in parallel worker processes, and their one-plan runs assembled into one run
(`merge_runs`) that is exactly what running them together would give, with paired
replications for comparisons.
"""

from __future__ import annotations

import pandas as pd
from joblib import Parallel, delayed

from sim.errors import kept_warnings, rewarn
from sim.runner import RunResult, run
from sim.warmup import warm_up


def fixed_warm_up(scenario, months: int | None = None):
    """`scenario` with its warm-up in months: `months`, or "auto" resolved from all
    its plans; a number stays. Run one plan of it, or a variant of one, and it warms
    up exactly as beside the others."""
    if months is None:
        if scenario.company.burn_in_months != "auto":
            return scenario
        months = scenario.warm_up_months
    return scenario.with_values({"company.burn_in_months": int(months)})


def run_plan(scenario, plan, replications: int, seed: int, jobs: int = 1, chunk_size=None):
    """One plan alone on the scenario's world and warm-up (chunks as `sim.run` sizes
    them)."""
    variant = fixed_warm_up(scenario).model_copy(update={"plans": [plan]})
    kept: list[str] = []  # a worker's warnings, shown by the caller (`run_plans`)
    with kept_warnings(kept):
        result = run(variant, replications, seed, jobs, chunk_size, reuse_markets=True)
    result.meta["warm_up"] = warm_up(scenario).record()  # what the scenario asked for
    result.meta["warnings"] = kept
    return result


def run_plans(scenario, plans: list, replications: int, seed: int, jobs: int = 1, chunk_size=None):
    """Each plan alone (see `run_plan`), the plans spread over `jobs` worker processes;
    results in the order of `plans`."""
    if len(plans) == 1:
        results = [run_plan(scenario, plans[0], replications, seed, jobs, chunk_size)]
    else:
        inner = max(1, jobs // len(plans))
        tasks = (
            delayed(run_plan)(scenario, p, replications, seed, inner, chunk_size) for p in plans
        )
        results = list(Parallel(n_jobs=min(jobs, len(plans)))(tasks))
    for result in results:
        rewarn(result.meta["warnings"])
    return results


def merge_runs(scenario, runs: list[RunResult]) -> RunResult:
    """One-plan runs on the same seed and replications, as one run of all their plans:
    exactly what running them together gives."""
    first = runs[0]
    by_year = [r.by_year for r in runs if not r.by_year.empty]
    merged = RunResult(
        scenario,
        first.seed,
        first.chunk_size,
        first.jobs,
        _concat([r.replications for r in runs]),
        {p: a for r in runs for p, a in r.arr_by_month.items()},
        {p: y for r in runs for p, y in r.rep_years.items()},
        sum(r.wall_seconds for r in runs),
        strategy_ce={p: t for r in runs for p, t in r.strategy_ce.items()},
        by_year=_concat(by_year) if by_year else pd.DataFrame(),
    )
    models = {p: m for r in runs for p, m in r.meta.get("choice_models", {}).items()}
    merged.meta = {**first.meta, "choice_models": models, "warm_up": warm_up(scenario).record()}
    return merged


def _concat(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Tables of different plans one under the other; a component a plan lacks paid 0."""
    table = pd.concat(tables, ignore_index=True)
    comp = [c for c in table.columns if c.startswith("comp_cost_") and c != "comp_cost_ratio"]
    table[comp] = table[comp].fillna(0.0)
    return table
