"""Assembling a run's results from its chunks, in replication order, in flat memory.

The collector keeps only the small part of each finished chunk in memory: every
plan's metrics per replication (the replications table) and ARR by month. The
large part, each rep-year's pay record and every metric per reported year, stays
in the chunk store (on disk for `sim run`) and is read back one chunk at a time
when a table is written or a statistic computed, so a run of 100,000 replications
needs little more memory than one of 1,000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import Columns
from sim.rows import order_metrics
from sim.scenario.schema import Scenario

REP_YEAR_KEYS = ("pay", "full_year", "attainment", "skill")


class Chunks:
    """Replications 0..n-1 cut into consecutive chunks of `size`, without listing them
    (a run of 10^8 replications has 10^6 chunks)."""

    def __init__(self, n: int, size: int):
        self.n, self.size = n, size

    def __len__(self) -> int:
        return -(-self.n // self.size)

    def range(self, i: int) -> tuple[int, int]:
        return i * self.size, min((i + 1) * self.size, self.n)

    def index(self, start: int) -> int:
        return start // self.size


def _stack(metrics: list[dict[str, np.ndarray]], sizes: list[int]) -> dict[str, np.ndarray]:
    """Join chunks' metric arrays end to end, in the metric list's order; a metric a
    chunk lacks is NaN there."""
    ordered = order_metrics(m for part in metrics for m in part)
    return {
        name: np.concatenate(
            [part.get(name, np.full(n, np.nan)) for part, n in zip(metrics, sizes, strict=True)]
        )
        for name in ordered
    }


def _components(columns) -> list[str]:
    """The pay-line columns (comp_cost_<line>): a plan without the line paid 0 by it."""
    return [c for c in columns if c.startswith("comp_cost_") and c != "comp_cost_ratio"]


def _fill_components(table: pd.DataFrame) -> pd.DataFrame:
    """A plan without a pay component paid nothing by it (0, not missing)."""
    comp = _components(table.columns)
    table[comp] = table[comp].fillna(0.0)
    return table


class Collector:
    """Finished chunks by index, whatever order they finish in; assembles the first k
    chunks (in replication order) on request. Per-replication rows are kept by the
    store's rows holder (`sim.rows`: in memory, or column files beside the
    checkpoints); heavy parts are read from `store`."""

    def __init__(self, scenario: Scenario, chunks: Chunks, store, models: dict):
        self.scenario, self.chunks, self.store, self.models = scenario, chunks, store, models
        self.plans = [p.name for p in scenario.plans]
        self.rows = store.rows(chunks)
        self.year_columns: dict[str, list[str]] = {p: [] for p in self.plans}
        self.n_years = 0

    def add(self, start: int, stop: int, outcomes: dict, stored: bool = False) -> None:
        """Record a finished chunk (and put it in the store unless it came from there)."""
        if not stored:
            self.store.put(start, stop, outcomes)
        self.rows.put(self.chunks.index(start), outcomes)
        for plan, o in outcomes.items():
            self.year_columns[plan] = order_metrics([*self.year_columns[plan], *o.by_year])
            for values in o.by_year.values():
                self.n_years = max(self.n_years, values.shape[1])

    def done(self, i: int) -> bool:
        return self.rows.done(i)

    def _ranges(self, k: int) -> list[tuple[int, int]]:
        return [self.chunks.range(i) for i in range(k)]

    def heavy(self, k: int) -> Callable[[], Iterator[dict]]:
        """A function giving the first k chunks' full outcomes one at a time, in order."""
        return lambda: self.store.iterate(self._ranges(k))

    # --- the small tables ----------------------------------------------------------------

    def metrics(self, k: int) -> list[str]:
        """The replications table's metric columns for the first k chunks (in order)."""
        return list(dict.fromkeys(m for plan in self.plans for m in self.rows.names(plan, k)))

    def n_replications(self, k: int) -> int:
        return self.chunks.range(k - 1)[1] if k else 0

    def columns(self, k: int) -> Columns:
        """The replications table of the first k chunks one column at a time, read when
        asked (from disk when the rows are there): what `table` holds, without holding
        it."""
        names = {plan: set(self.rows.names(plan, k)) for plan in self.plans}
        n = self.n_replications(k)

        def column(plan: str, name: str) -> np.ndarray:
            if name in names[plan]:
                values = self.rows.column(plan, name, k)
                if name in components:
                    values = np.where(np.isnan(values), 0.0, values)
                return values
            return np.full(n, 0.0 if name in components else np.nan)

        metrics = self.metrics(k)
        components = set(_components(metrics))
        return Columns(self.plans, metrics, column, n)

    def table(self, k: int) -> pd.DataFrame:
        """The replications table of the first k chunks: a row per plan and replication,
        plan by plan; metrics in the metric list's order, each plan's new ones after
        the previous plans'. Filled one column at a time into a single block."""
        rows = self.n_replications(k)
        names = {plan: self.rows.names(plan, k) for plan in self.plans}
        columns = self.metrics(k)
        where = {name: j for j, name in enumerate(columns)}
        block = np.full((rows * len(self.plans), len(columns)), np.nan)
        for p, plan in enumerate(self.plans):
            for name in names[plan]:
                block[p * rows : (p + 1) * rows, where[name]] = self.rows.column(plan, name, k)
        for name in _components(columns):
            column = block[:, where[name]]
            column[np.isnan(column)] = 0.0
        table = pd.DataFrame(block, columns=columns, copy=False)
        table.insert(0, "plan", np.repeat(np.array(self.plans, dtype=object), rows))
        table.insert(1, "replication", np.tile(np.arange(rows), len(self.plans)))
        return table

    def arr(self, k: int):
        """plan -> (replications, months) ARR at month end of the first k chunks (read
        plan by plan from disk when the rows are on disk)."""
        return self.rows.arr_by_month(self.plans, k)

    def strategy_ce(self) -> dict[str, pd.DataFrame]:
        """The plans' median-rep strategy tables (mode "qbr")."""
        return {
            plan: m.model.median_rep_rows(self.scenario)
            for plan, m in self.models.items()
            if m is not None and m.mode == "qbr"
        }

    # --- the large tables, read back from the store -------------------------------------

    def by_year_columns(self) -> list[str]:
        """by_year's metric columns: every plan's, in plan order as first seen."""
        return list(dict.fromkeys(c for p in self.plans for c in self.year_columns[p]))

    def _year_rows(self, plan: str, outcome, start: int, years: slice | int) -> pd.DataFrame:
        """One plan's by-year rows of one chunk (replication numbers from `start`)."""
        metrics = {m: v[:, years].reshape(-1) for m, v in outcome.by_year.items()}
        n = len(outcome.arr_by_month)
        picked = np.arange(self.n_years)[years]
        n_years = np.size(picked)
        frame = {
            "plan": plan,
            "replication": np.repeat(np.arange(start, start + n), n_years),
            "year": np.tile(np.atleast_1d(picked) + 1, n),
        }
        columns = ["plan", "replication", "year", *self.by_year_columns()]
        table = pd.DataFrame(frame | _stack([metrics], [n * n_years]))
        return _fill_components(table.reindex(columns=columns))

    def by_year(self, k: int, metrics: list[str] | None = None) -> pd.DataFrame:
        """Every metric (or only `metrics`) per plan, replication and reported year
        (1, 2, ...) of the first k chunks, in memory (`write_by_year` streams the whole
        table to a file instead)."""
        if self.n_years == 0:
            return pd.DataFrame()
        keep = None
        if metrics is not None:
            keep = [
                "plan",
                "replication",
                "year",
                *[m for m in metrics if m in self.by_year_columns()],
            ]
        frames: dict[str, list] = {p: [] for p in self.plans}
        for (start, _), part in zip(self._ranges(k), self.heavy(k)(), strict=True):
            for plan in self.plans:
                rows = self._year_rows(plan, part[plan], start, slice(None))
                frames[plan].append(rows if keep is None else rows[keep])
        return pd.concat([f for p in self.plans for f in frames[p]], ignore_index=True)

    def write_by_year(self, k: int, path: Path, float_format: str) -> None:
        """by_year.csv of the first k chunks, one chunk at a time: plans one after the
        other, each written to its own part file in one pass over the chunks."""
        parts = {p: path.with_name(f".{path.name}.{i}") for i, p in enumerate(self.plans)}
        handles = {p: parts[p].open("w", newline="") for p in self.plans}
        try:
            header = True
            for (start, _), part in zip(self._ranges(k), self.heavy(k)(), strict=True):
                for plan in self.plans:
                    rows = self._year_rows(plan, part[plan], start, slice(None))
                    write_header = header and plan == self.plans[0]
                    rows.to_csv(
                        handles[plan], index=False, header=write_header, float_format=float_format
                    )
                header = False
        finally:
            for handle in handles.values():
                handle.close()
        with path.open("wb") as out:
            for plan in self.plans:
                with parts[plan].open("rb") as src:
                    while block := src.read(1 << 20):
                        out.write(block)
                parts[plan].unlink()

    def year_column(self, plan: str, name: str, year: int, k: int) -> np.ndarray:
        """One plan's metric in reported year `year` (1, 2, ...), a value per
        replication of the first k chunks, as in `by_year` (a pay line the plan lacks
        is 0, any other metric NaN)."""
        values = self.rows.year_column(plan, name, year, k)
        if _components([name]):
            values[np.isnan(values)] = 0.0
        return values

    def year_table(self, k: int, year: int) -> pd.DataFrame:
        """The by-year rows of reported year `year` (1, 2, ...) alone, plan by plan."""
        frames: dict[str, list] = {p: [] for p in self.plans}
        for (start, _), part in zip(self._ranges(k), self.heavy(k)(), strict=True):
            for plan in self.plans:
                frames[plan].append(self._year_rows(plan, part[plan], start, year - 1))
        return pd.concat([f for p in self.plans for f in frames[p]], ignore_index=True)

    def rep_years(self, k: int) -> dict[str, dict[str, np.ndarray]]:
        """Each plan's rep-year records of the first k chunks, arrays (R, years, seats)."""
        blocks: dict = {p: {key: [] for key in REP_YEAR_KEYS} for p in self.plans}
        for part in self.heavy(k)():
            for plan in self.plans:
                records = rep_year_records(self.scenario, part[plan])
                for key in REP_YEAR_KEYS:
                    blocks[plan][key].append(records[key])
        return {
            plan: {key: np.concatenate(blocks[plan][key]).astype(float) for key in REP_YEAR_KEYS}
            for plan in self.plans
        }

    def rep_year_parts(self, k: int) -> Callable[[], Iterator[dict]]:
        """A function giving each chunk's rep-year records (plan -> key -> array), in
        order, one chunk at a time."""
        scenario = self.scenario

        def parts():
            for part in self.heavy(k)():
                yield {p: rep_year_records(scenario, o) for p, o in part.items()}

        return parts


def rep_year_records(scenario: Scenario, outcome) -> dict[str, np.ndarray]:
    """A chunk's rep-year records as float arrays (R, years, seats); zeros when the
    horizon holds no whole plan year."""
    years, seats = scenario.company.months // 12, scenario.company.n_reps
    rows = len(outcome.arr_by_month)
    out = {}
    for key in REP_YEAR_KEYS:
        values = outcome.rep_years[key]
        out[key] = (values if values.size else np.zeros((rows, years, seats))).astype(float)
    return out
