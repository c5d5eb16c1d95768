"""Where finished chunks go: in memory, or as checkpoint files in a staging folder.

A chunk is a run of consecutive replications `[start, stop)`; its outcome is every
plan's `PlanOutcome` on it. The runner puts each chunk here as it finishes and
reads them back in replication order to assemble results, so results never depend
on the order chunks finished in.

`MemoryStore` (the Python API's default) keeps outcomes as they are. `DiskStore`
(what `sim run` uses) writes each one to `<folder>/chunk-<start>-<stop>.pkl`, with
a rename so that a killed process (SIGKILL included) leaves whole files only, and
keeps nothing in memory (the per-replication rows too go to column files in
`<folder>/rows/`, see `sim.rows`): memory stays flat however many replications a
run has, and a killed run can resume from its finished chunks. The folder's `run.json`
records what the chunks were computed from (scenario, seed, version); resuming
with anything else is refused, because its chunks would be other company-runs.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

from sim.errors import UserError
from sim.rows import DiskRows, MemoryRows

FINGERPRINT = "run.json"
ROWS = "rows"


class MemoryStore:
    """Chunk outcomes held in memory, by the first replication of each chunk."""

    def __init__(self):
        self._parts: dict[tuple[int, int], dict] = {}

    def put(self, start: int, stop: int, outcomes: dict) -> None:
        self._parts[(start, stop)] = outcomes

    def get(self, start: int, stop: int) -> dict:
        return self._parts[(start, stop)]

    def has(self, start: int, stop: int) -> bool:
        return (start, stop) in self._parts

    def finished(self) -> list[tuple[int, int]]:
        """Every stored chunk's (start, stop), in replication order."""
        return sorted(self._parts)

    def iterate(self, ranges) -> Iterator[dict]:
        """The outcomes of `ranges` ((start, stop) pairs), one at a time, in order."""
        for start, stop in ranges:
            yield self.get(start, stop)

    rows_on_disk = False  # per-replication rows kept in memory (`sim.rows.MemoryRows`)

    def nbytes(self) -> int:
        return 0

    def rows(self, chunks) -> MemoryRows:
        """Where the run's per-replication rows go as chunks finish (`sim.rows`)."""
        return MemoryRows(chunks)


class DiskStore(MemoryStore):
    """Chunk outcomes as checkpoint files in `folder` (see the module docstring).

    `fingerprint` (any JSON-able dict) identifies the company-runs the chunks belong
    to. With `resume`, chunks already in the folder are kept if its fingerprint
    matches (a `UserError` if not); without, a previous folder is emptied."""

    def __init__(self, folder: str | Path, fingerprint: dict, resume: bool = False):
        super().__init__()
        self.folder = Path(folder)
        self.fingerprint = json.loads(json.dumps(fingerprint, default=str))
        self.resumed = 0
        self.discarded = 0
        self._open(resume)

    def _open(self, resume: bool) -> None:
        marker = self.folder / FINGERPRINT
        if self.folder.exists() and resume and marker.exists():
            found = json.loads(marker.read_text())
            if found != self.fingerprint:
                raise UserError(
                    f"--resume: {self.folder} holds chunks of a different run "
                    f"({_difference(found, self.fingerprint)}); run without --resume to "
                    "start afresh"
                )
            self.resumed = len(self.finished())
            return
        if self.folder.exists():
            self.discarded = len(self._files())
            shutil.rmtree(self.folder)
        self.folder.mkdir(parents=True)
        _write_atomic(marker, json.dumps(self.fingerprint, indent=1).encode())

    def _path(self, start: int, stop: int) -> Path:
        return self.folder / f"chunk-{start:012d}-{stop:012d}.pkl"

    def _files(self) -> list[Path]:
        return sorted(self.folder.glob("chunk-*.pkl")) if self.folder.exists() else []

    def put(self, start: int, stop: int, outcomes: dict) -> None:
        _write_atomic(self._path(start, stop), pickle.dumps(outcomes, protocol=5))

    def get(self, start: int, stop: int) -> dict:
        return pickle.loads(self._path(start, stop).read_bytes())

    def has(self, start: int, stop: int) -> bool:
        return self._path(start, stop).exists()

    def finished(self) -> list[tuple[int, int]]:
        ranges = []
        for path in self._files():
            _, start, stop = path.stem.split("-")
            ranges.append((int(start), int(stop)))
        return ranges

    rows_on_disk = True  # `sim.rows.DiskRows`

    def nbytes(self) -> int:
        """Bytes of checkpoints on disk."""
        return sum(p.stat().st_size for p in self._files())

    def rows(self, chunks) -> DiskRows:
        """Per-replication rows as column files in `rows/` of the folder, rewritten by
        every run (a resumed one too), so results are assembled without holding them."""
        return DiskRows(self.folder / ROWS, chunks)

    def remove(self) -> None:
        """Delete the folder (once the run's results are safely written)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write then rename: a reader (or a resumed run) sees the whole file or none."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)


def _difference(found: dict, wanted: dict) -> str:
    keys = [k for k in sorted(set(found) | set(wanted)) if found.get(k) != wanted.get(k)]
    return ", ".join(f"{k} differs" for k in keys) or "fingerprints differ"
