"""Statistics over replications: per-plan summaries with confidence intervals.

The interval for a mean is the Student-t interval, mean +/- t(0.975, n-1) x sd/sqrt(n),
over independent replications; P10/P50/P90 describe the spread of outcomes a
single company-run may see (not the uncertainty of the mean).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

SUMMARY_COLUMNS = ["plan", "metric", "mean", "ci_low", "ci_high", "p10", "p50", "p90", "n"]


def mean_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, int]:
    """Mean and its two-sided t interval, ignoring NaN; (nan, nan, nan, 0) if empty."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    mean = float(x.mean())
    if n == 1:
        return (mean, np.nan, np.nan, 1)
    half = stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n)
    return (mean, mean - half, mean + half, n)


def summarize(replications: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """One row per plan and metric: mean, 95% CI, P10/P50/P90 and n."""
    rows = []
    for plan, group in replications.groupby("plan", sort=False):
        for name in metrics:
            values = group[name].to_numpy(dtype=float)
            mean, low, high, n = mean_ci(values)
            finite = values[~np.isnan(values)]
            p10, p50, p90 = np.percentile(finite, [10, 50, 90]) if n else (np.nan,) * 3
            rows.append([plan, name, mean, low, high, p10, p50, p90, n])
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def ote_check(result) -> pd.DataFrame:
    """Per plan: stated OTE, what the plan pays at exactly 100% attainment by its own
    arithmetic, and the simulated mean pay of AEs in seat the whole year."""
    from sim.plans.ote import payout_at_attainment

    summary = result.summary()
    rows = []
    for plan in result.scenario.plans:
        at_100 = sum(payout_at_attainment(plan, result.scenario).values())
        pay = summary[(summary.plan == plan.name) & (summary.metric == "ae_pay")]
        sim_mean = float(pay["mean"].iloc[0]) if len(pay) else np.nan
        rows.append(
            {
                "plan": plan.name,
                "ote": plan.ote,
                "payout_at_100": at_100,
                "simulated_mean_pay": sim_mean,
                "simulated_ci_low": float(pay["ci_low"].iloc[0]) if len(pay) else np.nan,
                "simulated_ci_high": float(pay["ci_high"].iloc[0]) if len(pay) else np.nan,
                "simulated_over_payout_at_100": sim_mean / at_100 if at_100 else np.nan,
            }
        )
    return pd.DataFrame(rows)
