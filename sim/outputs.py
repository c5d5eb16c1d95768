"""Writing a run's files atomically: a folder either holds a whole result or none.

Files are written into a fresh temporary folder beside the target and swapped in
with renames at the end, so an interrupted or failed run never leaves a result
that looks complete, and a previous result is replaced only by a whole new one.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from sim.analysis import ote_check
from sim.errors import UserError
from sim.runner import RunResult


def check_output_dir(out_dir: str | Path) -> Path:
    """Fail early, before any simulation, if `out_dir` cannot be written."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    parent = out.parent
    for ancestor in (parent, *parent.parents):
        if ancestor.exists() and not ancestor.is_dir():
            raise UserError(f"--out {out}: cannot write there ({ancestor} is a file)")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{out.name}.check-", dir=parent)
        os.rmdir(probe)
    except OSError as exc:
        raise UserError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    return out


def write_run(
    result: RunResult,
    out_dir: str | Path,
    command: str | None = None,
    scenario_file: str | None = None,
    extra_files: dict | None = None,
) -> Path:
    """Write summary.csv, replications.csv, ote_check.csv, manifest.json (and any `extra_files`,
    name -> callable(path)) into `out_dir`, atomically."""
    out = check_output_dir(out_dir)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        result.summary().to_csv(staging / "summary.csv", index=False, float_format="%.10g")
        result.replications.to_csv(staging / "replications.csv", index=False, float_format="%.10g")
        ote_check(result).to_csv(staging / "ote_check.csv", index=False, float_format="%.10g")
        for name, writer in (extra_files or {}).items():
            writer(staging / name)
        manifest = build_manifest(result, command, scenario_file)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str))
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _swap_in(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rmdir(old)
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_manifest(result: RunResult, command: str | None, scenario_file: str | None) -> dict:
    return {
        "scenario_name": result.scenario.name,
        "scenario_file": scenario_file,
        "command": command,
        "seed": result.seed,
        "replications": result.n_replications,
        "chunk_size": result.chunk_size,
        "jobs": result.jobs,
        "plans": [p.name for p in result.scenario.plans],
        "wall_seconds": round(result.wall_seconds, 3),
        "company_years": result.company_years,
        "company_years_per_second": round(result.company_years_per_second, 1),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        **result.meta,
        "scenario": result.scenario.model_dump(mode="json"),
    }


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("compsim", "numpy", "scipy", "pandas", "pydantic", "joblib", "simpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out
