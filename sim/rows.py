"""A run's small per-replication results, chunk by chunk: in memory or in column files.

Every finished chunk gives, per plan and replication, one value per metric and the
ARR at each month end. `MemoryRows` (the Python API's default) keeps each chunk's
arrays as they are. `DiskRows` (what `sim run` uses, beside its checkpoints) writes
them as they arrive into one file per plan and metric (float64, replication order,
each chunk at its own offset, so completion order does not matter) and one file per
plan of ARR by month, and keeps nothing but which chunks are in: memory stays flat
however many replications a run has, and a column or a plan's ARR is read back
whole, one at a time, when results are assembled.

Both answer the same questions for the first k chunks: a plan's metric names (in
the metric list's order), one metric's values (NaN where a chunk lacks it) and one
plan's ARR by month.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import numpy as np

from sim.metrics import METRIC_NAMES


def order_metrics(names: Iterable[str]) -> list[str]:
    """Metric names in the metric list's order, others after in first-seen order."""
    names = list(dict.fromkeys(names))
    return [m for m in METRIC_NAMES if m in names] + [m for m in names if m not in METRIC_NAMES]


class MemoryRows:
    """Each finished chunk's metrics and ARR by month, held in memory by chunk index."""

    def __init__(self, chunks):
        self.chunks = chunks
        self._parts: dict[int, dict] = {}  # chunk index -> plan -> (metrics, arr, by_year)

    def put(self, i: int, outcomes: dict) -> None:
        self._parts[i] = {
            plan: (o.metrics, o.arr_by_month, o.by_year) for plan, o in outcomes.items()
        }

    def done(self, i: int) -> bool:
        return i in self._parts

    def names(self, plan: str, k: int) -> list[str]:
        return order_metrics(m for i in range(k) for m in self._parts[i][plan][0])

    def column(self, plan: str, name: str, k: int) -> np.ndarray:
        parts = [self._parts[i][plan] for i in range(k)]
        return np.concatenate([m.get(name, np.full(len(a), np.nan)) for m, a, _ in parts])

    def year_column(self, plan: str, name: str, year: int, k: int) -> np.ndarray:
        parts = [self._parts[i][plan] for i in range(k)]
        return np.concatenate(
            [y[name][:, year - 1] if name in y else np.full(len(a), np.nan) for _, a, y in parts]
        )

    def arr_by_month(self, plans: list[str], k: int) -> dict[str, np.ndarray]:
        return {p: np.concatenate([self._parts[i][p][1] for i in range(k)]) for p in plans}


class DiskRows:
    """Each finished chunk's metrics and ARR by month in column files under `folder`
    (emptied first: a resumed run writes its chunks again); see the module docstring."""

    def __init__(self, folder: str | Path, chunks):
        self.folder, self.chunks = Path(folder), chunks
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.layout = np.full(len(chunks), -1, dtype=np.int32)  # chunk -> its names' index
        self.layouts: list[dict] = []  # plan -> (metric names, by-year metric names)
        self.files: dict[tuple, Path] = {}  # (plan, metric, kind) -> file
        self.width: dict[tuple, int] = {}  # (plan, metric, kind) -> values per replication

    def _write(self, key: tuple, start: int, values: np.ndarray) -> None:
        """Write a chunk's values (rows from replication `start`) into the file of `key`
        (plan, metric, kind), created at its full size (a sparse file) when first
        written; kind is "metric", "year" (rows of years) or "arr" (rows of months)."""
        values = np.ascontiguousarray(values, dtype=np.float64)
        width = values.shape[1] if values.ndim == 2 else 1
        if key not in self.files:
            path = self.folder / f"c{len(self.files)}.f8"
            with path.open("wb") as f:
                f.truncate(self.chunks.n * width * 8)
            self.files[key], self.width[key] = path, width
        if width != self.width[key]:
            raise ValueError(f"{key}: {width} values per replication, not {self.width[key]}")
        with self.files[key].open("r+b") as f:
            f.seek(start * width * 8)
            f.write(values.tobytes())

    def put(self, i: int, outcomes: dict) -> None:
        start, _ = self.chunks.range(i)
        names = {plan: (tuple(o.metrics), tuple(o.by_year)) for plan, o in outcomes.items()}
        if names not in self.layouts:
            self.layouts.append(names)
        for plan, o in outcomes.items():
            self._write((plan, "", "arr"), start, o.arr_by_month)
            for name, values in o.metrics.items():
                self._write((plan, name, "metric"), start, values)
            for name, values in o.by_year.items():
                self._write((plan, name, "year"), start, values)
        self.layout[i] = self.layouts.index(names)  # last: the chunk is in only when written

    def done(self, i: int) -> bool:
        return bool(self.layout[i] >= 0)

    def _rows(self, k: int) -> int:
        return self.chunks.range(k - 1)[1] if k else 0

    def _used(self, k: int) -> list[int]:
        """The layouts of the first k chunks, in order of first use."""
        ids, first = np.unique(self.layout[:k], return_index=True)
        return [int(j) for j in ids[np.argsort(first)]]

    def names(self, plan: str, k: int) -> list[str]:
        return order_metrics(m for j in self._used(k) for m in self.layouts[j][plan][0])

    def _read(self, key: tuple, k: int) -> np.ndarray:
        """The first k chunks' values of `key`, (replications, width); NaN where a
        chunk lacks the metric."""
        rows = self._rows(k)
        if key not in self.files:
            return np.full((rows, 1), np.nan)
        width = self.width[key]
        values = np.fromfile(self.files[key], dtype=np.float64, count=rows * width)
        values = values.reshape(rows, width)
        plan, name, kind = key
        if kind != "arr":
            side = 0 if kind == "metric" else 1
            lacking = [j for j in self._used(k) if name not in self.layouts[j][plan][side]]
            for i in np.flatnonzero(np.isin(self.layout[:k], lacking)):
                values[slice(*self.chunks.range(int(i)))] = np.nan
        return values

    def column(self, plan: str, name: str, k: int) -> np.ndarray:
        return self._read((plan, name, "metric"), k)[:, 0]

    def year_column(self, plan: str, name: str, year: int, k: int) -> np.ndarray:
        values = self._read((plan, name, "year"), k)
        return values[:, year - 1].copy() if values.shape[1] >= year else values[:, 0]

    def arr(self, plan: str, k: int) -> np.ndarray:
        return self._read((plan, "", "arr"), k)

    def arr_by_month(self, plans: list[str], k: int) -> ArrByMonth:
        return ArrByMonth(self, plans, k)


class ArrByMonth(Mapping):
    """plan -> (replications, months) ARR at month end, read from `DiskRows` each time
    a plan is asked for (one plan in memory at a time when used one plan at a time)."""

    def __init__(self, rows: DiskRows, plans: list[str], k: int):
        self.rows, self.plans, self.k = rows, plans, k

    def __getitem__(self, plan: str) -> np.ndarray:
        if plan not in self.plans:
            raise KeyError(plan)
        return self.rows.arr(plan, self.k)

    def __iter__(self) -> Iterator[str]:
        return iter(self.plans)

    def __len__(self) -> int:
        return len(self.plans)
