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

import sys
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from tqdm import tqdm

from sim.analysis import summarize
from sim.engine.batch import simulate_plan
from sim.market import draw_market
from sim.metrics import METRIC_NAMES
from sim.scenario.schema import Scenario


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

    @property
    def n_replications(self) -> int:
        return int(self.replications["replication"].nunique())

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

    def __repr__(self) -> str:
        plans = ", ".join(p.name for p in self.scenario.plans)
        return (
            f"RunResult(scenario={self.scenario.name!r}, plans=[{plans}], "
            f"replications={self.n_replications}, seed={self.seed})"
        )


def run(
    scenario: Scenario,
    replications: int | None = None,
    seed: int | None = None,
    jobs: int = 1,
    chunk_size: int | None = None,
    progress: bool = False,
) -> RunResult:
    """Simulate every plan of `scenario` on the same `replications` company-runs."""
    n = replications or scenario.simulation.replications
    seed = scenario.simulation.seed if seed is None else seed
    chunk_size = chunk_size or scenario.simulation.chunk_size
    chunks = [np.arange(start, min(start + chunk_size, n)) for start in range(0, n, chunk_size)]
    collector = _Collector(scenario, n)
    started = time.perf_counter()
    tasks = (delayed(run_chunk)(scenario, seed, chunk) for chunk in chunks)
    parallel = Parallel(n_jobs=jobs, return_as="generator_unordered")
    with tqdm(total=n, unit="rep", file=sys.stderr, disable=not progress, leave=False) as bar:
        for chunk, outcomes in parallel(tasks):
            collector.add(chunk, outcomes)
            bar.update(len(chunk))
    wall = time.perf_counter() - started
    return RunResult(
        scenario,
        seed,
        chunk_size,
        jobs,
        collector.table(),
        collector.arr,
        collector.rep_years,
        wall,
    )


def run_chunk(scenario: Scenario, seed: int, replications: np.ndarray):
    """Draw one chunk's market and run every plan on it."""
    market = draw_market(scenario, seed, replications)
    return replications, {p.name: simulate_plan(scenario, p, market) for p in scenario.plans}


class _Collector:
    """Places chunk results by replication index, whatever order chunks finish in."""

    def __init__(self, scenario: Scenario, n: int):
        self.plans = [p.name for p in scenario.plans]
        self.n = n
        self.values: dict[str, dict[str, np.ndarray]] = {p: {} for p in self.plans}
        self.arr = {p: np.zeros((n, scenario.company.months)) for p in self.plans}
        years, seats = scenario.company.months // 12, scenario.company.n_reps
        self.rep_years = {
            p: {k: np.zeros((n, years, seats)) for k in ("pay", "full_year", "attainment", "skill")}
            for p in self.plans
        }

    def add(self, chunk: np.ndarray, outcomes: dict) -> None:
        for plan, outcome in outcomes.items():
            store = self.values[plan]
            for name, values in outcome.metrics.items():
                store.setdefault(name, np.full(self.n, np.nan))[chunk] = values
            self.arr[plan][chunk] = outcome.arr_by_month
            for key, values in outcome.rep_years.items():
                if values.size:
                    self.rep_years[plan][key][chunk] = values

    def table(self) -> pd.DataFrame:
        frames = []
        for plan in self.plans:
            store = self.values[plan]
            extra = [m for m in store if m not in METRIC_NAMES]
            columns = {"plan": plan, "replication": np.arange(self.n)}
            columns.update({m: store[m] for m in (*METRIC_NAMES, *extra) if m in store})
            frames.append(pd.DataFrame(columns))
        table = pd.concat(frames, ignore_index=True)
        comp = [c for c in table.columns if c.startswith("comp_cost_") and c != "comp_cost_ratio"]
        table[comp] = table[comp].fillna(0.0)  # a plan without a component paid nothing by it
        return table
