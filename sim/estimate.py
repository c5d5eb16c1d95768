"""What a big run will cost, said before it commits to it.

Before any simulation, `check_memory` refuses a replication count whose results
table could not fit in this machine's memory (a lower bound from the scenario's
size). A run of `PILOT_CHUNKS` chunks or more first runs two chunks alone and
measures them; `Estimate` then projects the wall time, the memory the results keep
and the checkpoints' size on disk, so the user can stop a run that would take days.
Memory: `sim run` keeps per-replication results on disk as chunks finish
(`sim.rows`) and reads them back one plan at a time at most when it writes its
outputs (one plan's replications while replications.csv is written, one plan's
ARR by month while the report draws it); a run kept in memory (the Python API's
default) holds the replications table of every plan.
"""

from __future__ import annotations

import os
import pickle
from dataclasses import dataclass

from sim.errors import UserError
from sim.metrics import METRIC_NAMES

PILOT_CHUNKS = 100  # runs of this many chunks or more get an estimate first
PILOT_RUNS = 2  # chunks run alone for it: the first pays one-off costs, the second not
BYTES = 8  # a float64 per metric value
MEMORY_FACTOR = 2  # what is read back (one plan's rows, or every plan's) and a working copy
USABLE_MEMORY = 0.8  # share of physical memory a run may plan to use


def physical_memory() -> int | None:
    """Bytes of RAM on this machine (None where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, OSError, ValueError):
        return None


def check_memory(scenario, n: int, rows_on_disk: bool = False) -> None:
    """Refuse `n` replications whose results surely cannot fit in memory: one value
    per metric of every plan (of one plan at a time when the rows are on disk), and
    one plan's ARR at each month end while the report draws it."""
    plans = 1 if rows_on_disk else len(scenario.plans)
    per_replication = plans * len(METRIC_NAMES) + scenario.company.months
    need = n * per_replication * BYTES * MEMORY_FACTOR
    have = physical_memory()
    if have and need > USABLE_MEMORY * have:
        most = int(USABLE_MEMORY * have / (per_replication * BYTES * MEMORY_FACTOR))
        raise UserError(
            f"--replications {n:,}: the results would need at least {_size(need)} of "
            f"memory, more than this machine's {_size(have)} allows; at most about "
            f"{most:,} here (or --precision to stop once intervals are tight enough)"
        )


@dataclass(frozen=True)
class Estimate:
    """A run's projected cost from its first chunks."""

    replications: int
    one_off: float  # seconds paid once (per worker) before the first chunk
    per_chunk: float  # seconds per chunk on one worker
    chunks: int  # chunks to run
    memory: float  # bytes the results held in memory need at the end
    disk: float  # bytes of checkpoints

    @classmethod
    def from_pilot(cls, collector, outcomes: dict, size: int, seconds: list, pending: int):
        """From the pilot chunks (the last of `size` replications; `seconds` each took),
        with `pending` chunks to run in all (the pilot's included)."""
        n = collector.chunks.n
        by_plan = [sum(v.nbytes for v in o.metrics.values()) for o in outcomes.values()]
        table = sum(by_plan)
        arr = max(o.arr_by_month.nbytes for o in outcomes.values())  # one plan at a time
        kept = table + arr
        on_disk = 0
        if collector.store.nbytes():  # the checkpoint and the rows' column files
            kept = max(by_plan) + arr  # read back one plan at a time
            years = sum(sum(v.nbytes for v in o.by_year.values()) for o in outcomes.values())
            rows = table + years + arr * len(outcomes)
            on_disk = len(pickle.dumps(outcomes, protocol=5)) + rows
        one_off = max(seconds[0] - seconds[-1], 0.0)
        return cls(
            replications=n,
            one_off=one_off,
            per_chunk=seconds[-1],
            chunks=pending,
            memory=kept / size * n * MEMORY_FACTOR,
            disk=on_disk / size * n,
        )

    def seconds(self, jobs: int) -> float:
        """Wall time with `jobs` workers sharing the chunks."""
        return self.one_off + self.per_chunk * self.chunks / jobs

    def text(self, jobs: int, backend: str) -> str:
        where = f"{jobs} worker(s)" if backend == "local" else f"{jobs} job(s) on {backend}"
        disk = f", {_size(self.disk)} of checkpoints on disk" if self.disk else ""
        return (
            f"estimate for {self.replications:,} replications (from the first chunks): "
            f"about {_duration(self.seconds(jobs))} with {where}, "
            f"{_size(self.memory)} of memory for the results{disk}"
        )


def _size(nbytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if nbytes < 1000 or unit == "TB":
            return f"{nbytes:,.0f} {unit}" if unit == "B" else f"{nbytes:,.1f} {unit}"
        nbytes /= 1000
    return ""  # pragma: no cover


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"
