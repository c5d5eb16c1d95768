"""Statistics over replications: summaries, paired comparisons, precision, pay changes.

- `summarize`: per plan and metric, the mean with its Student-t interval,
  mean +/- t(0.975, n-1) x sd/sqrt(n), over independent replications, and
  P10/P50/P90, which describe the spread of outcomes a single company-run may see
  (not the uncertainty of the mean).
- `compare`: each plan against a baseline on paired replications (common random
  numbers), the difference of means with its interval, relative change, P(better).
- `relative_precision` / `precision_met`: whether a run's intervals are as tight as
  asked (the runner's convergence rule).
- `winners_losers`: how rep pay changes under a plan, by skill decile.
- `ote_check`: stated OTE against the plan's arithmetic and simulated pay.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtri, stdtrit

from sim.errors import UserError

SUMMARY_COLUMNS = ["plan", "metric", "mean", "ci_low", "ci_high", "p10", "p50", "p90", "n"]


@functools.lru_cache(maxsize=4096)
def _t(n: int, level: float = 0.95) -> float:
    """The two-sided Student-t quantile for a mean of n values (cached: runs repeat n)."""
    # scipy.special's inverse of the t distribution is what `scipy.stats.t.ppf` calls,
    # without importing scipy.stats (about a second, which every run would pay)
    return float(stdtrit(n - 1, 0.5 + level / 2)) if n > 1 else np.nan


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
    half = _t(n, level) * x.std(ddof=1) / np.sqrt(n)
    return (mean, mean - half, mean + half, n)


def quantile_ci(values: np.ndarray, q: float, level: float = 0.95) -> tuple[float, float]:
    """Distribution-free interval for the q-quantile (NaN ignored): the order statistics
    whose ranks bound a Binomial(n, q) count with the given probability."""
    x = np.sort(np.asarray(values, float)[~np.isnan(values)])
    n = len(x)
    if n == 0:
        return (np.nan, np.nan)
    from scipy import stats  # imported on first use: about a second

    lo = int(stats.binom.ppf((1 - level) / 2, n, q))
    hi = int(stats.binom.ppf((1 + level) / 2, n, q))
    return float(x[max(lo - 1, 0)]), float(x[min(hi, n - 1)])


def proportion_ci(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float, int]:
    """Share of 1s among 0/1 values (NaN ignored) and its Wilson score interval, which
    stays inside [0, 1] and keeps a width when no (or every) company-run hits."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return (np.nan, np.nan, np.nan, 0)
    p, z = float(x.mean()), float(ndtri(0.5 + level / 2))  # the normal quantile
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    low = 0.0 if p == 0 else max(centre - half, 0.0)
    high = 1.0 if p == 1 else min(centre + half, 1.0)
    return (p, low, high, n)


def _is_probability(name: str) -> bool:
    from sim.metrics import metric  # late: sim.metrics imports the plan library

    try:
        return metric(name).unit == "probability"
    except KeyError:
        return False


@dataclass(frozen=True)
class Columns:
    """Each plan's values of each metric, one per replication, given one column at a
    time by `column(plan, metric)` and aligned on the same replications (in order)
    across plans: a long run reads them from disk one at a time instead of holding a
    row per plan and replication (`sim.runner.RunResult.columns`). The functions
    below take these or the replications table itself."""

    plans: list[str]
    metrics: list[str]
    column: Callable[[str, str], np.ndarray]
    n_replications: int

    def __contains__(self, metric: str) -> bool:
        return metric in self.metrics


Replications = pd.DataFrame | Columns  # a row per plan and replication, or its columns


def as_columns(replications: Replications) -> Columns:
    """`replications` as `Columns`: a table's rows of each plan in the table's order."""
    if isinstance(replications, Columns):
        return replications
    plans = list(dict.fromkeys(replications["plan"]))
    rows = {p: (replications["plan"] == p).to_numpy() for p in plans}  # no copy of the table
    return Columns(
        plans,
        metric_names(replications),
        lambda plan, name: replications[name].to_numpy(float)[rows[plan]],
        int(replications["replication"].nunique()),
    )


def plan_means(replications: Replications, metrics: list[str] | None = None) -> pd.DataFrame:
    """Each plan's mean of each of `metrics` (default: all) over its replications, NaN
    ignored: a row per plan, a column per metric."""
    source = as_columns(replications)
    metrics = source.metrics if metrics is None else metrics
    means = {
        name: [float(pd.Series(source.column(plan, name)).mean()) for plan in source.plans]
        for name in metrics
    }
    return pd.DataFrame(means, index=pd.Index(source.plans, name="plan"))


def summarize(replications: Replications, metrics: list[str]) -> pd.DataFrame:
    """One row per plan and metric: mean, 95% CI, P10/P50/P90 and n. A probability
    metric (0/1 per company-run) gets the Wilson interval of its share."""
    if isinstance(replications, Columns):
        return summarize_columns(replications.plans, metrics, replications.column)
    groups = dict(tuple(replications.groupby("plan", sort=False)))
    return summarize_columns(
        list(groups), metrics, lambda plan, name: groups[plan][name].to_numpy(dtype=float)
    )


def summarize_columns(plans: list[str], metrics: list[str], column) -> pd.DataFrame:
    """`summarize` with each plan's values of a metric given by `column(plan, metric)`,
    asked for one at a time (so a long run's values can be read from disk one
    column at a time)."""
    rows = []
    interval = {m: proportion_ci if _is_probability(m) else mean_ci for m in metrics}
    for plan in plans:
        for name in metrics:
            values = column(plan, name)
            mean, low, high, n = interval[name](values)
            finite = values[~np.isnan(values)]
            p10, p50, p90 = np.percentile(finite, [10, 50, 90]) if n else (np.nan,) * 3
            rows.append([plan, name, mean, low, high, p10, p50, p90, n])
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def ote_check(result, summary: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per plan: stated OTE, what the plan pays at exactly 100% attainment by its own
    arithmetic, and the simulated mean pay of AEs in seat the whole year (from
    `summary`, default the run's)."""
    from sim.plans.ote import payout_at_attainment

    summary = result.summary() if summary is None else summary
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


# --- Paired comparison against a baseline -----------------------------------------------
#
# Every plan of a run meets the same simulated markets (common random numbers), so
# replication i of plan B and replication i of the baseline A are a matched pair: they
# differ only by the plan. The difference d_i = B_i - A_i removes the market luck the
# two share, and its Student-t interval, mean(d) +/- t(0.975, n-1) x sd(d)/sqrt(n),
# is far narrower than comparing two separate intervals. The d_i are independent
# across replications, so the t interval is the standard one: exact for normal d, and
# with a few dozen replications the central limit theorem makes it accurate for the
# shapes these metrics take.

COMPARISON_COLUMNS = [
    "plan",
    "baseline",
    "metric",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "rel_change",
    "p_better",
    "n",
    "rel_ci_low",
    "rel_ci_high",
    "baseline_mean",
]


def resolve_baseline(plans: list[str], baseline: str | None, option: str = "--baseline") -> str:
    """The baseline plan's name: `baseline` if it is one of `plans`, else the first plan.
    A name not among `plans` is an error naming `option`, the flag that gave it."""
    if baseline is None:
        return plans[0]
    if baseline not in plans:
        near = difflib.get_close_matches(baseline, plans, n=1)
        hint = f"did you mean '{near[0]}'?" if near else f"plans: {', '.join(plans)}"
        raise UserError(f"{option} {baseline!r}: no plan of that name ({hint})")
    return baseline


def better_sign(name: str) -> float:
    """+1 if more of metric `name` is better, -1 if less is, NaN if neither (or unknown)."""
    from sim.metrics import metric  # late: sim.metrics imports the plan library

    try:
        higher = metric(name).higher_is_better
    except KeyError:
        return np.nan
    return np.nan if higher is None else (1.0 if higher else -1.0)


def p_better(values: np.ndarray, base: np.ndarray, sign: float) -> float:
    """P(better): the share of paired replications in which the plan beats the baseline
    (differs in the metric's better direction), ties counting half. It answers "in how
    many of the simulated company-runs does the plan do better?"; two identical plans
    score 0.5. Differences within rounding (1e-12 relative) are ties."""
    if np.isnan(sign) or len(base) == 0:
        return np.nan
    tie = np.isclose(values, base, rtol=1e-12, atol=0.0)
    wins = ~tie & (sign * (values - base) > 0)
    return float((wins.sum() + 0.5 * tie.sum()) / len(base))


def paired_difference(values: np.ndarray, base: np.ndarray, sign: float = np.nan) -> dict:
    """Difference of means between a plan and the baseline on paired replications:
    the mean difference with its t interval, the relative change (diff / baseline mean)
    with its delta-method interval for a ratio of means, and P(better)."""
    ok = ~(np.isnan(values) | np.isnan(base))
    b, a = np.asarray(values, float)[ok], np.asarray(base, float)[ok]
    n = len(a)
    diff, low, high, _ = mean_ci(b - a)
    base_mean = float(a.mean()) if n else np.nan
    rel = rel_low = rel_high = np.nan
    if n and base_mean != 0:
        ratio = b.mean() / base_mean
        # Var(mean(B) / mean(A)) ~ var(B - ratio x A) / (n mean(A)^2), the delta method.
        spread = (b - ratio * a).std(ddof=1) if n > 1 else np.nan
        half = _t(n) * spread / np.sqrt(n) / abs(base_mean)
        rel, rel_low, rel_high = ratio - 1.0, ratio - 1.0 - half, ratio - 1.0 + half
    return {
        "diff": diff,
        "diff_ci_low": low,
        "diff_ci_high": high,
        "rel_change": rel,
        "p_better": p_better(b, a, sign),
        "n": n,
        "rel_ci_low": rel_low,
        "rel_ci_high": rel_high,
        "baseline_mean": base_mean,
    }


def by_plan(replications: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each plan's rows, indexed and sorted by replication, in the run's plan order."""
    return {
        plan: group.set_index("replication").sort_index()
        for plan, group in replications.groupby("plan", sort=False)
    }


def pairs(replications: Replications, baseline: str, metrics: list[str]):
    """For each plan other than `baseline` and each metric: (plan, metric, plan values,
    baseline values), aligned on the replications both have."""
    if isinstance(replications, Columns):
        column = replications.column
        for plan in (p for p in replications.plans if p != baseline):
            for name in metrics:
                yield plan, name, column(plan, name), column(baseline, name)
        return
    plans = by_plan(replications)
    base = plans[baseline]
    for plan, table in plans.items():
        if plan == baseline:
            continue
        common = base.index.intersection(table.index)
        mine = table.loc[common, metrics].to_numpy(float)
        theirs = base.loc[common, metrics].to_numpy(float)
        for j, name in enumerate(metrics):
            yield plan, name, mine[:, j], theirs[:, j]


def compare(
    replications: Replications, baseline: str, metrics: list[str] | None = None
) -> pd.DataFrame:
    """One row per plan (other than `baseline`) and metric: the paired difference from
    the baseline, its 95% CI, the relative change and P(better); see COMPARISON_COLUMNS."""
    metrics = metrics or metric_names(replications)
    signs = {name: better_sign(name) for name in metrics}
    rows = [
        {
            "plan": plan,
            "baseline": baseline,
            "metric": name,
            **paired_difference(values, base, signs[name]),
        }
        for plan, name, values, base in pairs(replications, baseline, metrics)
    ]
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def metric_names(replications: Replications) -> list[str]:
    if isinstance(replications, Columns):
        return list(replications.metrics)
    return [c for c in replications.columns if c not in ("plan", "replication")]


def crn_gain(replications: Replications, baseline: str, metrics: list[str]) -> pd.DataFrame:
    """How much variance common random numbers removed from each plan-minus-baseline
    difference: the paired standard error sd(B - A)/sqrt(n) against the unpaired one,
    sqrt((var A + var B)/n), that independent markets would give. `variance_removed`
    = 1 - paired^2/unpaired^2; `replications_saved` = unpaired^2/paired^2 is how many
    times more replications an unpaired comparison would need for the same precision."""
    rows = []
    for plan, name, b, a in pairs(replications, baseline, list(metrics)):
        ok = ~(np.isnan(a) | np.isnan(b))
        a, b, n = a[ok], b[ok], int(ok.sum())
        if n < 2:
            continue
        paired = float((b - a).std(ddof=1) / np.sqrt(n))
        unpaired = float(np.sqrt((a.var(ddof=1) + b.var(ddof=1)) / n))
        removed = 1.0 - (paired / unpaired) ** 2 if unpaired > 0 else np.nan
        saved = (unpaired / paired) ** 2 if paired > 0 else np.inf
        rows.append(
            {
                "plan": plan,
                "metric": name,
                "paired_se": paired,
                "unpaired_se": unpaired,
                "variance_removed": removed,
                "replications_saved": saved,
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "plan",
            "metric",
            "paired_se",
            "unpaired_se",
            "variance_removed",
            "replications_saved",
        ],
    )


# --- Precision (convergence) ------------------------------------------------------------


def relative_precision(
    replications: Replications, baseline: str, metrics: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Per plan and metric, the 95% CI half-width over its scale: of each plan's mean
    (relative to that mean) and of each paired difference from the baseline (relative
    to the baseline mean). `relative` is what a precision target is held against.
    `metrics` defaults to the headline metrics held to a precision target (CONVERGED)."""
    from sim.metrics import CONVERGED

    metrics = [m for m in (CONVERGED if metrics is None else metrics) if m in replications]
    rows = []
    if isinstance(replications, Columns):
        plans = {plan: functools.partial(replications.column, plan) for plan in replications.plans}
    else:
        plans = {
            plan: lambda name, table=table: table[name].to_numpy(float)
            for plan, table in by_plan(replications).items()
        }
    for plan, column in plans.items():
        for name in metrics:
            mean, low, _, n = mean_ci(column(name))
            rows.append((plan, name, "mean", mean - low, mean, n))
    for plan, name, values, base in pairs(replications, baseline, metrics):
        d = paired_difference(values, base)
        rows.append(
            (plan, name, "difference", d["diff"] - d["diff_ci_low"], d["baseline_mean"], d["n"])
        )
    out = pd.DataFrame(rows, columns=["plan", "metric", "kind", "half_width", "scale", "n"])
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.abs(out.half_width.to_numpy(float)) / np.abs(out.scale.to_numpy(float))
    out["relative"] = np.where(out.half_width == 0, 0.0, relative)
    return out


def precision_met(table: pd.DataFrame, target: float) -> bool:
    """Whether every CI in `relative_precision`'s table is within `target` (a metric
    undefined in every replication, with no scale, does not hold the run back)."""
    relative = table.relative[table.scale.notna()]
    return len(relative) > 0 and bool((relative <= target).all())


# --- Winners and losers: rep pay by skill decile ----------------------------------------

WINNERS_LOSERS_COLUMNS = [
    "plan",
    "baseline",
    "skill_decile",
    "skill_low",
    "skill_high",
    "n",
    "baseline_pay",
    "pay_diff",
    "diff_ci_low",
    "diff_ci_high",
    "rel_change",
    "share_losing",
]


def winners_losers(rep_years, baseline: str) -> pd.DataFrame:
    """How an AE's annual pay changes under each plan against the baseline, by skill
    decile. A pair is one rep-year in the same replication, plan year and seat, held by
    the same rep (same skill draw) in seat the whole year under both plans. Deciles are
    cut on the skill of the baseline's full-year rep-years. The interval treats
    replications as independent clusters (seats and years of one company-run share
    its market): a ratio-of-sums t interval over replications.

    `rep_years`: plan -> pay/full_year/attainment/skill arrays (replications, years,
    seats), or a function giving such dicts chunk by chunk (replications in order),
    so that a long run's records never need to be in memory at once."""
    parts = rep_years if callable(rep_years) else lambda: iter([rep_years])

    def in_seat_skills():
        for part in parts():
            yield part[baseline]["skill"][part[baseline]["full_year"] > 0]

    edges = streamed_quantiles(in_seat_skills, np.linspace(0, 1, 11))
    if edges is None:
        return pd.DataFrame(columns=WINNERS_LOSERS_COLUMNS)
    sums = {}  # plan -> per replication and decile sums
    for part in parts():
        base = part[baseline]
        decile = np.clip(np.searchsorted(edges, base["skill"], side="right") - 1, 0, 9)
        for plan, years in part.items():
            if plan != baseline:
                sums.setdefault(plan, []).append(_decile_sums(years, base, decile))
    rows = []
    for plan, blocks in sums.items():
        per_replication = {key: np.concatenate([b[key] for b in blocks]) for key in blocks[0]}
        for k in range(10):
            rows.append(
                {
                    "plan": plan,
                    "baseline": baseline,
                    "skill_decile": k + 1,
                    "skill_low": edges[k],
                    "skill_high": edges[k + 1],
                    **_pay_change({key: v[:, k] for key, v in per_replication.items()}),
                }
            )
    return pd.DataFrame(rows, columns=WINNERS_LOSERS_COLUMNS)


QUANTILE_BINS = 1 << 16  # fine bins of the counting pass of `streamed_quantiles`


def streamed_quantiles(blocks, q) -> np.ndarray | None:
    """`np.quantile(values, q)` (linear interpolation, numpy's default), to the last
    bit, of the values `blocks()` gives one array at a time, without holding them all
    (None if there are none): a pass for their count and range, one counting them in
    fine bins, and one keeping only the bins that hold the order statistics each
    quantile interpolates between. Three passes instead of one sort: for the rep-years
    of long runs, read back chunk by chunk."""
    q = np.asarray(q, dtype=float)
    n, low, high = 0, np.inf, -np.inf
    for values in blocks():
        if len(values):
            n, low, high = n + len(values), min(low, values.min()), max(high, values.max())
    if n == 0:
        return None
    # The order statistics numpy interpolates between (numpy's _get_indexes, _lerp).
    at = (n - 1) * q
    below, above = np.floor(at), np.floor(at) + 1
    below[at >= n - 1] = above[at >= n - 1] = -1
    below[at < 0] = above[at < 0] = 0
    below, above = below.astype(np.intp), above.astype(np.intp)
    gamma = at - below
    ranks = np.unique(np.concatenate([below, above]) % n)
    edges = np.linspace(low, high, QUANTILE_BINS + 1)

    def bin_of(values):
        return np.clip(np.searchsorted(edges, values, side="right") - 1, 0, QUANTILE_BINS - 1)

    counts = np.zeros(QUANTILE_BINS, dtype=np.int64)
    for values in blocks():
        counts += np.bincount(bin_of(values), minlength=QUANTILE_BINS)
    before = np.concatenate([[0], np.cumsum(counts)])  # values in lower bins
    home = np.searchsorted(before, ranks, side="right") - 1  # each rank's bin
    kept: dict[int, list] = {int(b): [] for b in np.unique(home)}
    for values in blocks():
        bins = bin_of(values)
        for b, part in kept.items():
            part.append(values[bins == b])
    sorted_bins = {b: np.sort(np.concatenate(part)) for b, part in kept.items()}
    value = {int(r): sorted_bins[int(b)][r - before[b]] for r, b in zip(ranks, home, strict=True)}
    a = np.array([value[int(r) % n] for r in below])
    b = np.array([value[int(r) % n] for r in above])
    diff = b - a
    return np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)


def _decile_sums(years: dict, base: dict, decile: np.ndarray) -> dict[str, np.ndarray]:
    """Per replication and skill decile, (R, 10): the pay change summed over paired
    rep-years, their count, the baseline pay summed, and how many lost pay."""
    in_seat = base["full_year"] > 0
    same_rep = in_seat & (years["full_year"] > 0) & (years["skill"] == base["skill"])
    diff = years["pay"] - base["pay"]
    out = {key: np.zeros((len(diff), 10)) for key in ("diff", "count", "base", "losing")}
    for k in range(10):
        mask = same_rep & (decile == k)
        out["diff"][:, k] = np.where(mask, diff, 0.0).sum(axis=(1, 2))
        out["count"][:, k] = mask.sum(axis=(1, 2))
        out["base"][:, k] = np.where(mask, base["pay"], 0.0).sum(axis=(1, 2))
        out["losing"][:, k] = (mask & (diff < 0)).sum(axis=(1, 2))
    return out


def _pay_change(sums: dict[str, np.ndarray]) -> dict:
    """Mean pay change over paired rep-years from per-replication sums (`_decile_sums`
    of one decile), with a cluster (by replication) interval for the ratio of sums."""
    diff, count = sums["diff"], sums["count"]
    n = int(count.sum())
    if n == 0:
        nan = np.nan
        return dict(
            n=0,
            baseline_pay=nan,
            pay_diff=nan,
            diff_ci_low=nan,
            diff_ci_high=nan,
            rel_change=nan,
            share_losing=nan,
        )
    mean = diff.sum() / n
    clusters = int((count > 0).sum())
    if clusters > 1:
        resid = diff - mean * count
        se = np.sqrt(clusters / (clusters - 1) * (resid**2).sum()) / n
        half = _t(clusters) * se
    else:
        half = np.nan
    baseline_pay = sums["base"].sum() / n
    return {
        "n": n,
        "baseline_pay": baseline_pay,
        "pay_diff": mean,
        "diff_ci_low": mean - half,
        "diff_ci_high": mean + half,
        "rel_change": mean / baseline_pay if baseline_pay else np.nan,
        "share_losing": float(sums["losing"].sum() / n),
    }


# --- Everything a run's outputs need, computed once -------------------------------------


@dataclass
class RunAnalysis:
    """The tables written beside a run and shown in its report."""

    baseline: str
    summary: pd.DataFrame
    comparison: pd.DataFrame
    winners_losers: pd.DataFrame
    ote_check: pd.DataFrame
    crn_gain: pd.DataFrame
    summary_by_year: pd.DataFrame = field(default_factory=pd.DataFrame)
    objective: str = "revenue"  # what `ranking` orders plans by
    ranking: pd.DataFrame = field(default_factory=pd.DataFrame)
    changes_by_year: pd.DataFrame = field(default_factory=pd.DataFrame)  # sim.steadiness


def analyze(result, baseline: str | None = None, objective: str = "revenue") -> RunAnalysis:
    """Summary, paired comparison, ranking by `objective`, winners and losers, OTE check
    and the common-random-numbers gain of a `RunResult`, against `baseline` (default:
    the run's)."""
    from sim.metrics import HEADLINE
    from sim.ranking import rank_plans
    from sim.steadiness import changes_by_year

    base = result.baseline_plan(baseline)
    summary = result.summary()
    comparison = result.compare(base)
    return RunAnalysis(
        baseline=base,
        summary=summary,
        comparison=comparison,
        objective=objective,
        ranking=rank_plans(summary, comparison, base, objective),
        winners_losers=result.winners_losers(base),
        ote_check=ote_check(result, summary),
        crn_gain=result.crn_gain(base),
        summary_by_year=result.summary_by_year(),
        changes_by_year=changes_by_year(result.year_columns(HEADLINE), base),
    )
