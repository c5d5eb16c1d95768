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
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from joblib import delayed

from sim.analysis import (
    SUMMARY_COLUMNS,
    Columns,
    Replications,
    as_columns,
    compare,
    crn_gain,
    plan_means,
    precision_met,
    relative_precision,
    resolve_baseline,
    summarize,
    summarize_columns,
    winners_losers,
)
from sim.choice_model import cache_folder, choice_models, plan_behavior
from sim.collect import Chunks, Collector
from sim.engine.batch import simulate_plan
from sim.engine.company import PlanOutcome
from sim.engine.events import EventEngine
from sim.errors import UserError
from sim.estimate import PILOT_CHUNKS, PILOT_RUNS, Estimate, check_memory
from sim.execution import executor
from sim.market import draw_market, reused_market
from sim.metrics import HEADLINE
from sim.progress import ProgressBar
from sim.scenario.schema import Scenario
from sim.steadiness import YearColumns
from sim.store import MemoryStore
from sim.warmup import warm_up

ROWS_PER_WRITE = 10_000  # replications.csv is written this many rows of a plan at a time


@dataclass
class RunResult:
    """Everything a run produced. `replications` has one row per plan and replication.

    `replications` of a run's own result (given `source`) is built from its chunks
    only when first asked for: the run's statistics, tables and figures read it one
    column at a time (`columns`), so a long run of many plans need not hold a row per
    plan and replication. `rep_years` (plan -> pay/full_year/attainment/skill arrays)
    and `by_year` (a row per plan, replication and year) are larger still: they too
    are read from the chunks only when first asked, and `write_by_year`,
    `winners_losers`, `summary_by_year` and `rep_year_parts` stream them instead, so
    memory stays flat as replications grow. `arr_by_month` of a run checkpointed on
    disk reads each plan's ARR from disk when asked for it."""

    scenario: Scenario
    seed: int
    chunk_size: int
    jobs: int
    replications: pd.DataFrame | None
    arr_by_month: Mapping[str, np.ndarray]  # plan -> (replications, months) ARR at month end
    rep_years: dict[str, dict[str, np.ndarray]] | None  # plan -> pay/full_year/attainment/skill
    wall_seconds: float
    meta: dict = field(default_factory=dict)
    baseline: str | None = None  # the plan others are compared with (None: the first)
    strategy_ce: dict[str, pd.DataFrame] = field(default_factory=dict)  # plan -> median rep
    by_year: pd.DataFrame | None = field(default_factory=pd.DataFrame)  # plan, rep, year rows
    source: tuple | None = field(default=None, repr=False, compare=False)  # (Collector, k)
    choice_models: dict = field(default_factory=dict)  # plan -> ChoiceModel (or None)

    _LAZY = ("rep_years", "by_year", "replications")

    def __post_init__(self):
        for name in self._LAZY:
            if getattr(self, name) is None:
                if self.source is None:
                    setattr(self, name, {} if name == "rep_years" else pd.DataFrame())
                else:
                    delattr(self, name)  # read from the chunks when first asked

    def __getattr__(self, name: str):
        # Only reached for a lazy table not read yet (normal lookup failed).
        source = self.__dict__.get("source")
        if name not in RunResult._LAZY or source is None:
            raise AttributeError(name)
        collector, k = source
        read = {"rep_years": collector.rep_years, "by_year": collector.by_year}
        value = read.get(name, collector.table)(k)
        setattr(self, name, value)
        return value

    def _streams(self, name: str) -> bool:
        """Whether `name` is still in the chunks (not read into memory)."""
        return name not in self.__dict__

    @property
    def has_by_year(self) -> bool:
        if self._streams("by_year"):
            return self.source[0].n_years > 0
        return not self.by_year.empty

    def year_columns(self, metrics: list[str]) -> YearColumns:
        """`metrics` per plan, reported year and replication, one column at a time
        (read from disk when the run keeps its chunks there); see `sim.steadiness`."""
        if not self._streams("by_year"):
            return YearColumns.of_frame(self.by_year_of(metrics))
        collector, k = self.source
        names = collector.by_year_columns()
        return YearColumns(
            plans=self.plans,
            metrics=[m for m in metrics if m in names],
            years=list(range(1, collector.n_years + 1)),
            column=lambda plan, name, year: collector.year_column(plan, name, year, k),
        )

    def by_year_of(self, metrics: list[str]) -> pd.DataFrame:
        """`by_year` with only `metrics` beside plan, replication and year: read from
        the chunks without holding every metric's rows when the run keeps its chunks."""
        if self._streams("by_year"):
            collector, k = self.source
            return collector.by_year(k, metrics)
        if self.by_year.empty:
            return self.by_year
        keep = [m for m in metrics if m in self.by_year.columns]
        return self.by_year[["plan", "replication", "year", *keep]]

    def write_by_year(self, path: Path, float_format: str = "%.10g") -> None:
        """by_year.csv, written chunk by chunk when the run keeps its chunks."""
        if self._streams("by_year"):
            collector, k = self.source
            collector.write_by_year(k, Path(path), float_format)
        else:
            self.by_year.to_csv(path, index=False, float_format=float_format)

    def strategy_table(self) -> pd.DataFrame:
        """Each plan's strategies with the certainty equivalent they give a median rep
        and the share of such reps choosing them (empty unless reps choose by qbr)."""
        parts = [rows.assign(plan=plan) for plan, rows in self.strategy_ce.items()]
        if not parts:
            return pd.DataFrame()
        table = pd.concat(parts, ignore_index=True)
        return table[["plan", *[c for c in table.columns if c != "plan"]]]

    def columns(self) -> Replications:
        """The replications table, or while it is not read into memory, its columns
        (`sim.analysis.Columns`), read one plan and metric at a time when asked."""
        if self._streams("replications"):
            collector, k = self.source
            return collector.columns(k)
        return self.replications

    def column(self, plan: str, metric: str) -> np.ndarray:
        """One plan's values of `metric`, one per replication, in replication order."""
        return self._column_reader()(plan, metric)

    def _column_reader(self):
        """`column`, with what it reads from set up once (for loops over many columns)."""
        source = self.columns()
        if isinstance(source, Columns):
            return source.column

        def column(plan: str, metric: str) -> np.ndarray:
            rows = source[source["plan"] == plan].sort_values("replication", kind="stable")
            return rows[metric].to_numpy(float)

        return column

    def replications_of(
        self, metrics: list[str], first: int | None = None, plans: list[str] | None = None
    ) -> pd.DataFrame:
        """The replications table with only `metrics` (those the run has) beside plan and
        replication; with `first`, only each plan's first replications; with `plans`,
        only theirs. Built from the columns, without reading the whole table."""
        wanted = set(metrics)
        keep = [m for m in self.metrics if m in wanted]
        plans = self.plans if plans is None else plans
        if not self._streams("replications"):
            rows = self.replications[self.replications["plan"].isin(plans)]
            if first is not None:
                rows = rows[rows.groupby("plan", sort=False).cumcount() < first]
            return rows[["plan", "replication", *keep]]
        n = min(self.n_replications, first if first is not None else self.n_replications)
        frame = {
            "plan": np.repeat(np.array(plans, dtype=object), n),
            "replication": np.tile(np.arange(n), len(plans)),
        }
        column = self._column_reader()
        for name in keep:
            frame[name] = np.concatenate([column(p, name)[:n] for p in plans])
        return pd.DataFrame(frame)

    def write_replications(self, path: Path, float_format: str = "%.10g") -> None:
        """replications.csv: the replications table, plan after plan, each plan's
        columns read once and written `ROWS_PER_WRITE` rows at a time, so it is never
        held whole."""
        if not self._streams("replications"):
            self.replications.to_csv(path, index=False, float_format=float_format)
            return
        n, metrics, column = self.n_replications, self.metrics, self._column_reader()
        with open(path, "w", newline="") as handle:
            for i, plan in enumerate(self.plans):
                values = {name: column(plan, name) for name in metrics}
                for start in range(0, n, ROWS_PER_WRITE):
                    rows = slice(start, min(start + ROWS_PER_WRITE, n))
                    part = pd.DataFrame(
                        {
                            "plan": np.full(rows.stop - start, plan, dtype=object),
                            "replication": np.arange(rows.start, rows.stop),
                            **{name: v[rows] for name, v in values.items()},
                        }
                    )
                    header = i == 0 and start == 0
                    part.to_csv(handle, index=False, header=header, float_format=float_format)

    def plan_means(self) -> pd.DataFrame:
        """Each plan's mean of every metric over its replications (NaN ignored): a row
        per plan, a column per metric."""
        return plan_means(self.columns())

    @property
    def n_replications(self) -> int:
        if self._streams("replications"):
            collector, k = self.source
            return collector.n_replications(k)
        return int(self.replications["replication"].nunique())

    @property
    def plans(self) -> list[str]:
        return [p.name for p in self.scenario.plans]

    @property
    def metrics(self) -> list[str]:
        if self._streams("replications"):
            collector, k = self.source
            return collector.metrics(k)
        return [c for c in self.replications.columns if c not in ("plan", "replication")]

    @property
    def company_years(self) -> float:
        """Simulated company-years (reported months only), over all plans."""
        if self._streams("replications"):
            return self.n_replications * len(self.plans) * self.scenario.years
        return len(self.replications) * self.scenario.years

    @property
    def simulated_company_years(self) -> float:
        """Company-years this invocation simulated: a resumed run's chunks taken from
        its checkpoints are not."""
        reused = self.meta.get("resumed_replications", 0) * len(self.plans)
        return self.company_years - reused * self.scenario.years

    @property
    def company_years_per_second(self) -> float:
        """Throughput of this invocation (`simulated_company_years` per second)."""
        seconds = self.wall_seconds
        return self.simulated_company_years / seconds if seconds > 0 else float("inf")

    def summary(self) -> pd.DataFrame:
        """Per plan and metric: mean, 95% CI, P10/P50/P90 and n."""
        return summarize(self.columns(), self.metrics)

    def summary_by_year(self) -> pd.DataFrame:
        """Per plan, reported year (1, 2, ...) and metric: mean, 95% CI, P10/P50/P90, n."""
        if not self.has_by_year:
            return pd.DataFrame(columns=["plan", "year", *SUMMARY_COLUMNS[1:]])
        if self._streams("by_year"):  # one plan, metric and year at a time, from disk
            collector, k = self.source
            metrics = collector.by_year_columns()
            parts = [
                summarize_columns(
                    self.plans, metrics, lambda p, m, y=y: collector.year_column(p, m, y, k)
                ).assign(year=y)
                for y in range(1, collector.n_years + 1)
            ]
        else:
            metrics = [c for c in self.by_year.columns if c not in ("plan", "replication", "year")]
            years = self.by_year.groupby("year", sort=True)
            parts = [summarize(rows, metrics).assign(year=year) for year, rows in years]
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
        return compare(self.columns(), self.baseline_plan(baseline), self.metrics)

    def rep_year_parts(self):
        """A function giving the rep-year records (plan -> pay/full_year/attainment/skill
        arrays) chunk by chunk when the run keeps its chunks, else all at once."""
        if self._streams("rep_years"):
            collector, k = self.source
            return collector.rep_year_parts(k)
        return lambda: iter([self.rep_years])

    def winners_losers(self, baseline: str | None = None) -> pd.DataFrame:
        """AE pay change against `baseline` by skill decile (see `sim.analysis`)."""
        return winners_losers(self.rep_year_parts(), self.baseline_plan(baseline))

    def crn_gain(self, baseline: str | None = None) -> pd.DataFrame:
        """Paired versus unpaired standard errors of the headline differences."""
        return crn_gain(self.columns(), self.baseline_plan(baseline), list(HEADLINE))

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

    def met(self, replications: Replications, baseline: str) -> bool:
        if as_columns(replications).n_replications < self.min_replications:
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
    store: MemoryStore | None = None,
    backend: str = "local",
    scheduler: str | None = None,
    notify=None,
    engine: str = "batch",
    reuse_markets: bool = False,
) -> RunResult:
    """Simulate every plan of `scenario` on the same company-runs.

    Without `precision`, runs `replications` of them (default: the scenario's). With
    `precision` (e.g. 0.01 = 1%), starts with at least `replications` (default one
    chunk) and adds chunks until the `Precision` rule holds or `max_replications`
    (default 10,000) are used; `result.meta["precision"]` says which. Replication i
    is the same company-run whatever the stopping point.

    `store` keeps finished chunks (default: in memory; a `sim.store.DiskStore`
    checkpoints them, and chunks it already holds are not run again). `backend`
    ("local", "dask" or "ray", see `sim.execution`) and `scheduler` say where chunks
    run. `notify(text)` receives the time, memory and disk estimate of a big run
    (one of `PILOT_CHUNKS` chunks or more), made from its first chunks, and with
    `progress` a line before choice models are built (a minute for many plans,
    before the bar can start).

    `engine`: "batch" (the monthly vectorized engine) or "events" (the simpy engine
    in days, one replication at a time: for checking the batch engine and for the
    day-level metrics; docs/events.md). `reuse_markets`: runs that repeat the same
    seed and replications with other plans (budgets, plan variants, sweeps) reuse
    each process's last markets instead of drawing them again
    (`sim.market.reused_market`); the numbers are the same."""
    check_engine(scenario, engine)
    seed = scenario.simulation.seed if seed is None else seed
    baseline = resolve_baseline([p.name for p in scenario.plans], baseline)
    n = planned_replications(scenario, replications, precision, max_replications)
    rule = None
    if precision is not None:
        rule = Precision(precision, n, min(n, max(2, replications or 0)))
    store = store if store is not None else MemoryStore()
    check_memory(scenario, n, rows_on_disk=store.rows_on_disk)
    chunk_size = _chunk_size(
        chunk_size or scenario.simulation.chunk_size, n, rule, replications, jobs, store
    )
    chunks = Chunks(n, chunk_size)
    started = time.perf_counter()
    announce = _building_notice(notify) if progress and notify is not None else None
    models = choice_models(scenario, jobs, announce)
    collector = Collector(scenario, chunks, store, models)
    resumed = _take_finished(collector)
    job = _Job(scenario, seed, jobs, backend, scheduler, notify, models, engine, reuse_markets)
    stop = _simulate(job, chunks, collector, rule, baseline, progress)
    wall = time.perf_counter() - started
    used = stop or len(chunks)
    result = RunResult(
        scenario,
        seed,
        chunk_size,
        jobs,
        None,
        collector.arr(used),
        None,
        wall,
        baseline=baseline,
        strategy_ce=collector.strategy_ce(),
        by_year=None,
        source=(collector, used),
    )
    result.meta["choice_models"] = {
        plan: model.record() for plan, model in models.items() if model is not None
    }
    result.choice_models = models
    result.meta["warm_up"] = warm_up(scenario).record()
    result.meta["backend"] = backend
    result.meta["engine"] = engine
    if resumed:
        result.meta["resumed_chunks"] = len(resumed)
        reused = [chunks.range(i) for i in resumed if i < used]  # reported ones only
        result.meta["resumed_replications"] = sum(stop - start for start, stop in reused)
    if rule is not None:
        result.meta["precision"] = _precision_record(result, rule, met=stop is not None)
    return result


def planned_replications(
    scenario: Scenario,
    replications: int | None,
    precision: float | None = None,
    max_replications: int | None = None,
) -> int:
    """The most replications a run may simulate: `replications` (default the
    scenario's), or with a precision target `max_replications` (default 10,000)."""
    if precision is None:
        return replications or scenario.simulation.replications
    return max_replications or DEFAULT_MAX_REPLICATIONS


@dataclass(frozen=True)
class _Job:
    """What every chunk of a run needs, and where chunks run."""

    scenario: Scenario
    seed: int
    jobs: int
    backend: str
    scheduler: str | None
    notify: object
    models: dict  # plan -> ChoiceModel (or None), built once here, shipped to workers
    engine: str = "batch"
    reuse_markets: bool = False

    def task(self, chunks: Chunks, i: int, progress=None):
        replications = np.arange(*chunks.range(i))
        return delayed(run_chunk)(
            self.scenario,
            self.seed,
            replications,
            self.models,
            progress,
            self.engine,
            self.reuse_markets,
        )


def _take_finished(collector: Collector) -> list[int]:
    """Load the chunks the store already holds (a resumed run): their indices."""
    taken = []
    for start, stop in collector.store.finished():
        i = collector.chunks.index(start)
        if i < len(collector.chunks) and collector.chunks.range(i) == (start, stop):
            collector.add(start, stop, collector.store.get(start, stop), stored=True)
            taken.append(i)
    return taken


def _building_notice(notify):
    """What a run says before it builds choice models: the bar starts only after them."""

    def announce(building: int) -> None:
        plans = f"{building} plans" if building > 1 else "1 plan"
        kept = (
            "once: later runs of the same plans read them from the cache"
            if cache_folder() is not None
            else "COMPSIM_CACHE=off: every run builds them"
        )
        notify(f"building the reps' choice models of {plans} ({kept})")

    return announce


def _simulate(job: _Job, chunks: Chunks, collector, rule, baseline, progress) -> int | None:
    """Run the chunks not yet finished. Without a rule, all at once. With one, in
    rounds of `jobs` chunks, checking the rule on the first k chunks for each k a
    round completes: return the first k that meets it (None if none did). Rounds
    waste at most one round of work and never interrupt a worker."""
    pending = [i for i in range(len(chunks)) if not collector.done(i)]
    if job.notify and len(pending) >= PILOT_CHUNKS:
        _pilot(job, chunks, collector, pending)
        pending = pending[PILOT_RUNS:]
    plans = len(job.scenario.plans)
    total = sum(chunks.range(i)[1] - chunks.range(i)[0] for i in pending) * plans
    local = job.backend == "local"  # progress from workers reaches this machine only
    with (
        ProgressBar(total, "plan-run", progress, processes=job.jobs > 1 and local) as bar,
        executor(job.jobs, job.backend, job.scheduler) as parallel,
    ):
        channel = bar.channel if local else None
        step = len(chunks) if rule is None else job.jobs
        done = 0
        for first in range(0, len(chunks), step):
            round_ = range(first, min(first + step, len(chunks)))
            tasks = (job.task(chunks, i, channel) for i in round_ if not collector.done(i))
            for replications, outcomes in parallel(tasks):
                collector.add(int(replications[0]), int(replications[-1]) + 1, outcomes)
                done += len(replications) * plans
                bar.settle(done)
            if rule is None:
                continue
            for k in range(first + 1, round_.stop + 1):
                if rule.met(collector.columns(k), baseline):
                    return k
    return None


def _pilot(job: _Job, chunks: Chunks, collector, pending: list[int]) -> None:
    """Run the first two pending chunks here, one after the other, and tell what the
    whole run will take: the first pays any one-off cost, the second shows the rate."""
    seconds = []
    for i in pending[:PILOT_RUNS]:
        started = time.perf_counter()
        replications, outcomes = run_chunk(
            job.scenario,
            job.seed,
            np.arange(*chunks.range(i)),
            job.models,
            engine=job.engine,
            reuse_market=job.reuse_markets,
        )
        seconds.append(time.perf_counter() - started)
        collector.add(int(replications[0]), int(replications[-1]) + 1, outcomes)
    estimate = Estimate.from_pilot(collector, outcomes, len(replications), seconds, len(pending))
    job.notify(estimate.text(job.jobs, job.backend))


def _precision_record(result: RunResult, rule: Precision, met: bool) -> dict:
    table = relative_precision(result.columns(), result.baseline_plan())
    worst = table.loc[table.relative.fillna(np.inf).idxmax()] if len(table) else None
    return {
        "target": rule.target,
        "met": met,
        "replications_used": result.n_replications,
        "max_replications": rule.max_replications,
        "worst_relative_half_width": None if worst is None else float(worst.relative),
        "worst": None if worst is None else f"{worst.plan} {worst.metric} ({worst.kind})",
    }


ENGINES = ("batch", "events")


def check_engine(scenario: Scenario, engine: str) -> None:
    """A one-line error for an unknown engine or a scenario the engine cannot run."""
    if engine not in ENGINES:
        raise UserError(f"unknown engine {engine!r}: expected one of {', '.join(ENGINES)}")
    if engine == "batch" and scenario.support.agents > 0:
        raise UserError(
            f"scenario {scenario.name!r}: support.agents = {scenario.support.agents} needs "
            "the events engine (the batch engine has no support queue; set 0 to run it)"
        )


def run_chunk(
    scenario: Scenario,
    seed: int,
    replications: np.ndarray,
    models: dict,
    progress=None,
    engine: str = "batch",
    reuse_market: bool = False,
):
    """Draw one chunk's market (or reuse it, see `sim.market.reused_market`) and run
    every plan on it, reps choosing from the plan's choice model, reporting each plan
    done to `progress` (a `sim.progress.ProgressChannel`) in company-runs. The events
    engine runs each replication in its own environment, on that replication's own
    market."""
    if engine == "events":
        return replications, _run_events(scenario, seed, replications, models, progress)
    market = (reused_market if reuse_market else draw_market)(scenario, seed, replications)
    outcomes = {}
    for plan in scenario.plans:
        behavior = plan_behavior(scenario, plan, market, models.get(plan.name))
        outcomes[plan.name] = simulate_plan(scenario, plan, market, behavior)
        if progress is not None:
            progress.report(len(replications))
    return replications, outcomes


def _run_events(scenario, seed, replications, models, progress) -> dict[str, PlanOutcome]:
    runs: dict[str, list[PlanOutcome]] = {plan.name: [] for plan in scenario.plans}
    for replication in replications:
        market = draw_market(scenario, seed, [replication])
        for plan in scenario.plans:
            behavior = plan_behavior(scenario, plan, market, models.get(plan.name))
            runs[plan.name].append(EventEngine(scenario, plan, market, behavior).run())
            if progress is not None:
                progress.report(1)
    return {name: PlanOutcome.stack(outcomes) for name, outcomes in runs.items()}


MAX_AUTO_CHUNK = 200  # past this, bigger vectors gain little and memory keeps growing


def chunk_size_for(setting: int | str, replications: int, jobs: int) -> int:
    """Replications per task: `setting` if a number; "auto": chunks of at most
    MAX_AUTO_CHUNK, as many for every worker and of equal size, so that the workers
    finish together (1,000 replications on 2 jobs: 6 chunks of 167, not 5 of 200,
    which leave one worker running the fifth alone). Results do not depend on it
    (every replication draws its own streams)."""
    if setting != "auto":
        return int(setting)
    jobs = max(jobs, 1)
    per_worker = -(-replications // jobs)
    chunks = jobs * -(-per_worker // MAX_AUTO_CHUNK)
    return max(1, -(-replications // chunks))


def _chunk_size(setting, n: int, rule, replications, jobs: int, store) -> int:
    """The run's chunk size (see `chunk_size_for`); "auto" resuming from checkpoints
    keeps the size the checkpointed chunks were cut to, whatever --jobs is now."""
    finished = store.finished()
    if setting == "auto" and finished:
        return max(stop - start for start, stop in finished)
    first = n if rule is None else replications or MAX_AUTO_CHUNK * jobs  # a round's worth
    return chunk_size_for(setting, first, jobs)
