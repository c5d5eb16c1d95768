"""How much conclusions move with the reps' choice model (its own Monte Carlo error).

A run's intervals cover market luck: replications are independent company-runs.
They do not cover the error of the choice model every replication shares
(`sim.choice_model`), which is converged to `behavior.choice_tolerance` but not to
zero. `choice_model_spread` measures what remains: it reruns the scenario on the
same markets (same seed and replications) with K - 1 further choice models,
independent because `behavior.seed` differs, and reports per plan and headline
metric the standard deviation across choice models of the mean and of the paired
difference against the baseline, beside the run's own standard error. A ratio
well below 1 says the choice model's error is small next to the interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.metrics import HEADLINE


def choice_model_spread(result, replicates: int, **run_options) -> pd.DataFrame:
    """Rows: plan, metric, kind ("level" or "difference"), the estimate under each
    choice model (`estimate_0` is the run's own), `choice_sd` (their standard
    deviation), `run_se` (the run's standard error) and `ratio` = choice_sd / run_se."""
    from sim.runner import run

    if replicates < 2:
        raise ValueError("behaviour replicates must be at least 2")
    scenario, baseline = result.scenario, result.baseline_plan()
    results = [result]
    for j in range(1, replicates):
        behavior = scenario.behavior.model_copy(update={"seed": scenario.behavior.seed + j})
        other = scenario.model_copy(update={"behavior": behavior})
        results.append(
            run(
                other,
                replications=result.n_replications,
                seed=result.seed,
                baseline=baseline,
                **run_options,
            )
        )
    rows = []
    metrics = [m for m in HEADLINE if m in result.metrics]
    for plan in result.plans:
        for metric in metrics:
            levels = [_values(r, plan, metric) for r in results]
            rows.append(_row(plan, metric, "level", levels))
            if plan != baseline:
                diffs = [_values(r, plan, metric) - _values(r, baseline, metric) for r in results]
                rows.append(_row(plan, metric, "difference", diffs))
    return pd.DataFrame(rows)


def _values(result, plan: str, metric: str) -> np.ndarray:
    return result.column(plan, metric)


def _row(plan: str, metric: str, kind: str, samples: list[np.ndarray]) -> dict:
    estimates = [float(np.nanmean(s)) for s in samples]
    first = samples[0][np.isfinite(samples[0])]
    run_se = float(first.std(ddof=1) / np.sqrt(len(first))) if len(first) > 1 else float("nan")
    choice_sd = float(np.std(estimates, ddof=1))
    row = {"plan": plan, "metric": metric, "kind": kind}
    row.update({f"estimate_{j}": e for j, e in enumerate(estimates)})
    ratio = choice_sd / run_se if run_se > 0 else float("nan")
    row.update(choice_sd=choice_sd, run_se=run_se, ratio=ratio)
    return row


def spread_record(table: pd.DataFrame) -> dict:
    """The manifest's summary: replicates, and the largest choice_sd / run_se."""
    worst = table.loc[table["ratio"].fillna(-1).idxmax()]
    return {
        "replicates": sum(c.startswith("estimate_") for c in table.columns),
        "largest_ratio_to_run_se": round(float(worst["ratio"]), 3),
        "largest": f"{worst['plan']} {worst['metric']} ({worst['kind']})",
        "what": "standard deviation across independent choice models (behavior.seed) of each "
        "estimate, on the same markets, over the run's own standard error",
    }
