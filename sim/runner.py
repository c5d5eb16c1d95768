"""Run replications: chunks of replications, joblib workers, results as they finish.

Replications are cut into chunks of `chunk_size`; each chunk draws its market
once (`sim.market`) and runs every plan on it, so plans are compared on common
random numbers. Chunks run in joblib workers (local processes by default; the
same code runs on a Dask or Ray cluster through joblib's backend setting) and
their small per-replication results are placed by replication index as they
finish, so the numbers depend on the scenario and seed only, never on the
number of workers, the completion order or the chunk size.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from sim.analysis import (
    SUMMARY_COLUMNS,
    compare,
    crn_gain,
    precision_met,
    relative_precision,
    resolve_baseline,
    summarize,
    winners_losers,
)
from sim.choice_model import choice_models, plan_behavior
from sim.engine.batch import simulate_plan
from sim.market import draw_market
from sim.metrics import HEADLINE, METRIC_NAMES
from sim.progress import ProgressBar
from sim.scenario.schema import Scenario
from sim.warmup import warm_up


@dataclass
class RunResult:
    """Everything a run produced. `replications` has one row per plan and replication."""

    scenario: Scenario
    seed: int
    chunk_size: int
    jobs: int
    replications: pd.DataFrame
    arr_by_month: dict[str, np.ndarray]  # plan -> (replications, months) ARR at month end
    rep_years: dict[str, dict[str, np.ndarray]]  # plan -> pay/full_year/attainment/skill
    wall_seconds: float
    meta: dict = field(default_factory=dict)
    baseline: str | None = None  # the plan others are compared with (None: the first)
    strategy_ce: dict[str, pd.DataFrame] = field(default_factory=dict)  # plan -> median rep
    by_year: pd.DataFrame = field(default_factory=pd.DataFrame)  # a row per plan, rep, year
    choice_models: dict = field(default_factory=dict)  # plan -> ChoiceModel (or None)

    def strategy_table(self) -> pd.DataFrame:
        """Each plan's strategies with the certainty equivalent they give a median rep
        and the share of such reps choosing them (empty unless reps choose by qbr)."""
        parts = [rows.assign(plan=plan) for plan, rows in self.strategy_ce.items()]
        if not parts:
            return pd.DataFrame()
        table = pd.concat(parts, ignore_index=True)
        return table[["plan", *[c for c in table.columns if c != "plan"]]]

    @property
    def n_replications(self) -> int:
        return int(self.replications["replication"].nunique())

    @property
    def plans(self) -> list[str]:
        return [p.name for p in self.scenario.plans]

    @property
    def metrics(self) -> list[str]:
        return [c for c in self.replications.columns if c not in ("plan", "replication")]

    @property
    def company_years(self) -> float:
        """Simulated company-years (reported months only), over all plans."""
        return len(self.replications) * self.scenario.years

    @property
    def company_years_per_second(self) -> float:
        return self.company_years / self.wall_seconds if self.wall_seconds > 0 else float("inf")

    def summary(self) -> pd.DataFrame:
        """Per plan and metric: mean, 95% CI, P10/P50/P90 and n."""
        return summarize(self.replications, self.metrics)

    def summary_by_year(self) -> pd.DataFrame:
        """Per plan, reported year (1, 2, ...) and metric: mean, 95% CI, P10/P50/P90, n."""
        if self.by_year.empty:
            return pd.DataFrame(columns=["plan", "year", *SUMMARY_COLUMNS[1:]])
        metrics = [c for c in self.by_year.columns if c not in ("plan", "replication", "year")]
        parts = [
            summarize(rows, metrics).assign(year=year)
            for year, rows in self.by_year.groupby("year", sort=True)
        ]
        table = pd.concat(parts, ignore_index=True)
        rank = table.plan.map({p: i for i, p in enumerate(self.plans)})
        table = table.assign(rank=rank).sort_values(["rank", "year"], kind="stable")
        return table[["plan", "year", *SUMMARY_COLUMNS[1:]]].reset_index(drop=True)

    def baseline_plan(self, baseline: str | None = None) -> str:
        """`baseline` if given (it must be a plan), else the run's baseline or first plan."""
        return resolve_baseline(self.plans, baseline or self.baseline)

    def compare(self, baseline: str | None = None) -> pd.DataFrame:
        """Every other plan against `baseline` on paired replications, per metric:
        diff, 95% CI, relative change, P(better) (see `sim.analysis.compare`)."""
        return compare(self.replications, self.baseline_plan(baseline), self.metrics)

    def winners_losers(self, baseline: str | None = None) -> pd.DataFrame:
        """AE pay change against `baseline` by skill decile (see `sim.analysis`)."""
        return winners_losers(self.rep_years, self.baseline_plan(baseline))

    def crn_gain(self, baseline: str | None = None) -> pd.DataFrame:
        """Paired versus unpaired standard errors of the headline differences."""
        return crn_gain(self.replications, self.baseline_plan(baseline), list(HEADLINE))

    def __repr__(self) -> str:
        plans = ", ".join(self.plans)
        return (
            f"RunResult(scenario={self.scenario.name!r}, plans=[{plans}], "
            f"replications={self.n_replications}, seed={self.seed})"
        )


@dataclass(frozen=True)
class Precision:
    """Convergence rule: add chunks until every headline metric's 95% CI half-width is
    within `target` of its mean, and every paired difference's within `target` of the
    baseline mean, or `max_replications` are used. Checked on the first k chunks, in
    index order, for k = 1, 2, ...: the stopping point is the first k that meets the
    target, whichever chunks happen to finish first."""

    target: float
    max_replications: int
    min_replications: int = 2

    def met(self, replications: pd.DataFrame, baseline: str) -> bool:
        if replications["replication"].nunique() < self.min_replications:
            return False
        return precision_met(relative_precision(replications, baseline), self.target)


DEFAULT_MAX_REPLICATIONS = 10_000


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    chunk_size: int | None = None,
    progress: bool = False,
    precision: float | None = None,
    max_replications: int | None = None,
    baseline: str | None = None,
) -> RunResult:
    """Simulate every plan of `scenario` on the same company-runs.

    Without `precision`, runs `replications` of them (default: the scenario's). With
    `precision` (e.g. 0.01 = 1%), starts with at least `replications` (default one
    chunk) and adds chunks until the `Precision` rule holds or `max_replications`
    (default 10,000) are used; `result.meta["precision"]` says which. Replication i
    is the same company-run whatever the stopping point."""
    seed = scenario.simulation.seed if seed is None else seed
    baseline = resolve_baseline([p.name for p in scenario.plans], baseline)
    if precision is None:
        rule, n = None, replications or scenario.simulation.replications
    else:
        n = max_replications or DEFAULT_MAX_REPLICATIONS
        rule = Precision(precision, n, min(n, max(2, replications or 0)))
    first = n if rule is None else replications or MAX_AUTO_CHUNK * jobs  # a round's worth
    chunk_size = chunk_size_for(chunk_size or scenario.simulation.chunk_size, first, jobs)
    chunks = [np.arange(start, min(start + chunk_size, n)) for start in range(0, n, chunk_size)]
    started = time.perf_counter()
    models = choice_models(scenario, jobs)
    collector = _Collector(scenario, chunks, models)
    stop = _simulate(scenario, seed, jobs, chunks, collector, rule, baseline, progress, models)
    wall = time.perf_counter() - started
    used = stop or len(chunks)
    result = RunResult(
        scenario,
        seed,
        chunk_size,
        jobs,
        collector.table(used),
        collector.arr(used),
        collector.rep_years(used),
        wall,
        baseline=baseline,
        strategy_ce=collector.strategy_ce(),
        by_year=collector.by_year(used),
    )
    result.meta["choice_models"] = {
        plan: model.record() for plan, model in models.items() if model is not None
    }
    result.choice_models = models
    result.meta["warm_up"] = warm_up(scenario).record()
    if rule is not None:
        result.meta["precision"] = _precision_record(result, rule, met=stop is not None)
    return result


def _simulate(scenario, seed, jobs, chunks, collector, rule, baseline, progress, models):
    """Run chunks in workers. Without a rule, all at once. With one, in rounds of
    `jobs` chunks, checking the rule on the first k chunks for each k a round
    completes: return the first k that meets it (None if none did). Rounds waste at
    most one round of work and never interrupt a worker."""
    plans = len(scenario.plans)
    total = int(sum(len(c) for c in chunks)) * plans
    parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
    with ProgressBar(total, "plan-run", progress, processes=jobs > 1) as bar:
        step = len(chunks) if rule is None else jobs
        done = 0
        for start in range(0, len(chunks), step):
            batch = chunks[start : start + step]
            tasks = (delayed(run_chunk)(scenario, seed, c, models, bar.channel) for c in batch)
            for chunk, outcomes in parallel(tasks):
                collector.add(chunk, outcomes)
                done += len(chunk) * plans
                bar.settle(done)
            if rule is None:
                continue
            for k in range(start + 1, start + len(batch) + 1):
                if rule.met(collector.table(k), baseline):
                    return k
    return None


def _precision_record(result: RunResult, rule: Precision, met: bool) -> dict:
    table = relative_precision(result.replications, result.baseline_plan())
    worst = table.loc[table.relative.fillna(np.inf).idxmax()] if len(table) else None
    return {
        "target": rule.target,
        "met": met,
        "replications_used": result.n_replications,
        "max_replications": rule.max_replications,
        "worst_relative_half_width": None if worst is None else float(worst.relative),
        "worst": None if worst is None else f"{worst.plan} {worst.metric} ({worst.kind})",
    }


def run_chunk(scenario: Scenario, seed: int, replications: np.ndarray, models: dict, progress=None):
    """Draw one chunk's market and run every plan on it, reps choosing from the plan's
    choice model, reporting each plan done to `progress` (a
    `sim.progress.ProgressChannel`) in company-runs."""
    market = draw_market(scenario, seed, replications)
    outcomes = {}
    for plan in scenario.plans:
        behavior = plan_behavior(scenario, plan, market, models.get(plan.name))
        outcomes[plan.name] = simulate_plan(scenario, plan, market, behavior)
        if progress is not None:
            progress.report(len(replications))
    return replications, outcomes


MAX_AUTO_CHUNK = 100  # past this, bigger vectors gain little and memory keeps growing


def chunk_size_for(setting: int | str, replications: int, jobs: int) -> int:
    """Replications per task: `setting` if a number; "auto": an equal share of
    `replications` per worker, so every worker is busy, at most MAX_AUTO_CHUNK.
    Results do not depend on it (every replication draws its own streams)."""
    if setting != "auto":
        return int(setting)
    return max(1, min(MAX_AUTO_CHUNK, -(-replications // max(jobs, 1))))


def _stack(metrics: list[dict[str, np.ndarray]], sizes: list[int]) -> dict[str, np.ndarray]:
    """Join chunks' metric arrays end to end, in the metric list's order; a metric a
    chunk lacks is NaN there."""
    names = list(dict.fromkeys(m for part in metrics for m in part))
    ordered = [m for m in METRIC_NAMES if m in names] + [m for m in names if m not in METRIC_NAMES]
    return {
        name: np.concatenate(
            [part.get(name, np.full(n, np.nan)) for part, n in zip(metrics, sizes, strict=True)]
        )
        for name in ordered
    }


class _Collector:
    """Keeps chunk results by chunk index, whatever order chunks finish in, and
    assembles the first k chunks (in replication order) on request."""

    def __init__(self, scenario: Scenario, chunks: list[np.ndarray], models: dict):
        self.scenario, self.models = scenario, models
        self.plans = [p.name for p in scenario.plans]
        self.index = {int(c[0]): i for i, c in enumerate(chunks)}
        self.outcomes: dict[int, dict] = {}

    def add(self, chunk: np.ndarray, outcomes: dict) -> None:
        self.outcomes[self.index[int(chunk[0])]] = outcomes

    def _first(self, k: int) -> list[dict]:
        return [self.outcomes[i] for i in range(k)]

    def table(self, k: int) -> pd.DataFrame:
        """The replications table of the first k chunks: a row per plan and replication."""
        parts = self._first(k)
        table = pd.concat([self._plan_rows(plan, parts) for plan in self.plans], ignore_index=True)
        comp = [c for c in table.columns if c.startswith("comp_cost_") and c != "comp_cost_ratio"]
        table[comp] = table[comp].fillna(0.0)  # a plan without a component paid nothing by it
        return table

    def _plan_rows(self, plan: str, parts: list[dict]) -> pd.DataFrame:
        outcomes = [part[plan] for part in parts]
        sizes = [len(o.arr_by_month) for o in outcomes]
        columns = {"plan": plan, "replication": np.arange(sum(sizes))}
        return pd.DataFrame(columns | _stack([o.metrics for o in outcomes], sizes))

    def by_year(self, k: int) -> pd.DataFrame:
        """Every metric per plan, replication and reported year (1, 2, ...) of the
        first k chunks."""
        frames = []
        for plan in self.plans:
            outcomes = [part[plan] for part in self._first(k)]
            sizes = [len(o.arr_by_month) for o in outcomes]
            n_years = max((v.shape[1] for o in outcomes for v in o.by_year.values()), default=0)
            if n_years == 0:
                continue
            flat = [{m: v.reshape(-1) for m, v in o.by_year.items()} for o in outcomes]
            columns = {
                "plan": plan,
                "replication": np.repeat(np.arange(sum(sizes)), n_years),
                "year": np.tile(np.arange(1, n_years + 1), sum(sizes)),
            }
            frames.append(pd.DataFrame(columns | _stack(flat, [n * n_years for n in sizes])))
        if not frames:
            return pd.DataFrame()
        table = pd.concat(frames, ignore_index=True)
        comp = [c for c in table.columns if c.startswith("comp_cost_") and c != "comp_cost_ratio"]
        table[comp] = table[comp].fillna(0.0)
        return table

    def strategy_ce(self) -> dict[str, pd.DataFrame]:
        """The plans' median-rep strategy tables (mode "qbr")."""
        return {
            plan: m.model.median_rep_rows(self.scenario)
            for plan, m in self.models.items()
            if m is not None and m.mode == "qbr"
        }

    def arr(self, k: int) -> dict[str, np.ndarray]:
        return {p: np.concatenate([o[p].arr_by_month for o in self._first(k)]) for p in self.plans}

    def rep_years(self, k: int) -> dict[str, dict[str, np.ndarray]]:
        years, seats = self.scenario.company.months // 12, self.scenario.company.n_reps
        out = {}
        for plan in self.plans:
            out[plan] = {}
            for key in ("pay", "full_year", "attainment", "skill"):
                blocks = []
                for part in self._first(k):
                    values = part[plan].rep_years[key]
                    rows = len(part[plan].arr_by_month)
                    blocks.append(values if values.size else np.zeros((rows, years, seats)))
                out[plan][key] = np.concatenate(blocks).astype(float)
        return out
