"""Writing a run's files atomically: a folder either holds a whole result or none.

A run's folder holds summary.csv, replications.csv, by_year.csv,
summary_by_year.csv, comparison.csv, winners_losers.csv, ote_check.csv,
report.html, manifest.json and, on request,
results.xlsx (the same tables as sheets, for FP&A).

Files are written into a fresh temporary folder beside the target and swapped in
with renames at the end, so an interrupted or failed run never leaves a result
that looks complete, and a previous result is replaced only by a whole new one.
"""

from __future__ import annotations

import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from sim.analysis import RunAnalysis, analyze
from sim.errors import UserError
from sim.runner import RunResult
from sim.scenario.explain import defaults_used

FLOAT_FORMAT = "%.10g"  # numbers in CSV files: 10 significant digits


def check_output_dir(out_dir: str | Path) -> Path:
    """Fail early, before any simulation, if `out_dir` cannot be written."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a folder")
    if out.is_dir():
        _check_replaceable(out)
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


def _check_replaceable(out: Path) -> None:
    """A result replaces its folder whole, so the folder must be one a result may
    replace: empty, or an earlier compsim result (its manifest.json says so); never the
    folder the user works in or one holding it, nor a folder of other files."""
    here, target = Path.cwd().resolve(), out.resolve()
    whole = "a result replaces its --out folder whole; name a new or empty folder"
    if target == here or target in here.parents:
        raise UserError(f"--out {out}: is the folder you are in (or holds it): {whole}")
    entries = sorted(entry.name for entry in target.iterdir())
    if entries and not is_result_folder(target):
        shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
        raise UserError(f"--out {out}: holds files that are no compsim result ({shown}): {whole}")


def is_result_folder(folder: Path) -> bool:
    """Whether `folder` holds a result compsim wrote (any command): a manifest.json
    recording compsim's version."""
    try:
        record = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return isinstance(record, dict) and "compsim" in (record.get("versions") or {})


def checkpoint_dir(out: Path) -> Path:
    """The staging folder where `sim run` checkpoints finished chunks, beside `out`
    (hidden; removed once the results are written)."""
    return out.parent / f".{out.name}.chunks"


def write_run(
    result: RunResult,
    out_dir: str | Path,
    command: str | None = None,
    scenario_file: str | None = None,
    extra_files: dict | None = None,
    xlsx: bool = False,
    analysis: RunAnalysis | None = None,
) -> Path:
    """Write the run's tables, report.html and manifest.json (and results.xlsx if
    `xlsx`, and any `extra_files`, name -> callable(path)) into `out_dir`, atomically."""
    analysis = analysis or analyze(result)
    files = {f"{name}.csv": csv_writer(table) for name, table in tables(result, analysis).items()}
    files["replications.csv"] = lambda path: result.write_replications(path, FLOAT_FORMAT)
    if result.has_by_year:  # the largest table: streamed from the run's chunks
        files["by_year.csv"] = lambda path: result.write_by_year(path, FLOAT_FORMAT)
    if xlsx:
        files["results.xlsx"] = lambda path: write_xlsx(result, analysis, path)
    report_error = []
    files["report.html"] = lambda path: report_error.append(
        write_report(result, analysis, command, path)
    )
    files.update(extra_files or {})

    def manifest(path: Path) -> None:
        record = build_manifest(result, command, scenario_file, analysis)
        if report_error and report_error[0]:
            record["report_error"] = report_error[0]
        write_json(record, path)

    files["manifest.json"] = manifest
    return write_folder(out_dir, files)


def write_folder(out_dir: str | Path, files: dict) -> Path:
    """Write a result folder atomically: each of `files` (name -> callable(path)) into a
    fresh staging folder beside `out_dir`, in order, then swapped in whole."""
    out = check_output_dir(out_dir)
    staging = _fresh_folder(out, "tmp")
    try:
        for name, writer in files.items():
            writer(staging / name)
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def csv_writer(table: pd.DataFrame):
    """A writer for `write_folder`: the table as CSV, numbers to 10 significant digits."""
    return lambda path: table.to_csv(path, index=False, float_format=FLOAT_FORMAT)


def write_json(record: dict, path: Path) -> None:
    path.write_text(json.dumps(record, indent=2, default=str))


def tables(result: RunResult, analysis: RunAnalysis) -> dict[str, pd.DataFrame]:
    """The CSV files of a run, by name (replications.csv and by_year.csv apart: `write_run`
    streams them)."""
    out = {
        "summary": analysis.summary,
        "comparison": analysis.comparison,
        "winners_losers": analysis.winners_losers,
        "ote_check": analysis.ote_check,
    }
    if len(analysis.ranking):
        out["ranking"] = analysis.ranking
    strategies = result.strategy_table()
    if len(strategies):
        out["strategy_ce"] = strategies
    if result.has_by_year:
        out["summary_by_year"] = analysis.summary_by_year
    if len(analysis.changes_by_year):
        out["changes_by_year"] = analysis.changes_by_year
    return out


def write_report(result: RunResult, analysis: RunAnalysis, command, path: Path) -> str | None:
    """Write report.html. A failure to draw it must not cost the simulated numbers: it
    is reported on stderr and in the manifest, and the tables are written anyway."""
    from sim.report.html import render_report

    try:
        path.write_text(render_report(result, analysis, command), encoding="utf-8")
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        print(f"sim: warning: report.html not written ({message})", file=sys.stderr)
        return message
    return None


def write_xlsx(result: RunResult, analysis: RunAnalysis, path: Path) -> None:
    """results.xlsx for FP&A (see `sim.excel`): wide summary and per-year sheets with
    number formats, comparison, risk, OTE check, winners and losers, replications and
    every scenario setting."""
    from sim.excel import write_run_xlsx

    write_run_xlsx(result, analysis, path)


def _fresh_folder(out: Path, kind: str) -> Path:
    """A new hidden folder beside `out` for its staging. Made with mkdir, not
    tempfile.mkdtemp: it becomes the result folder, which must get the permissions the
    user's umask gives (mkdtemp's are 0700: colleagues on a shared drive could not
    read the report)."""
    for _ in range(100):
        folder = out.parent / f".{out.name}.{kind}-{secrets.token_hex(4)}"
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
    raise FileExistsError(f"no free name for a staging folder beside {out}")  # pragma: no cover


def _swap_in(staging: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rmdir(old)
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def build_manifest(
    result: RunResult,
    command: str | None,
    scenario_file: str | None,
    analysis: RunAnalysis | None = None,
) -> dict:
    manifest = {
        "scenario_name": result.scenario.name,
        "scenario_file": scenario_file,
        "command": command,
        "seed": result.seed,
        "replications": result.n_replications,
        "chunk_size": result.chunk_size,
        "chunk_size_setting": result.scenario.simulation.chunk_size,
        "jobs": result.jobs,
        "plans": [p.name for p in result.scenario.plans],
        "baseline": result.baseline_plan(),
        "wall_seconds": round(result.wall_seconds, 3),
        "company_years": result.company_years,
        "company_years_per_second": round(result.company_years_per_second, 1),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        **result.meta,
    }
    if analysis is not None:
        manifest["objective"] = analysis.objective
        manifest["common_random_numbers"] = crn_record(analysis)
    manifest["defaults_used"] = {
        "what": "settings no scenario file set, so the schema's default was used "
        "(`sim validate --explain FILE` shows every setting and where it comes from)",
        "settings": defaults_used(result.scenario),
    }
    manifest["scenario"] = result.scenario.model_dump(mode="json")
    return manifest


def crn_record(analysis: RunAnalysis) -> dict:
    """How much variance common random numbers removed from the headline differences:
    per metric, the median over plans, and every plan's paired and unpaired standard
    errors."""
    gain = analysis.crn_gain
    finite = gain.replace([np.inf, -np.inf], np.nan)
    return {
        "what": "paired vs unpaired standard error of each plan-minus-baseline difference; "
        "variance_removed = 1 - paired^2/unpaired^2",
        "median_variance_removed": finite.groupby("metric", sort=False)
        .variance_removed.median()
        .round(4)
        .to_dict(),
        "by_plan": [
            {
                k: (round(v, 6) if isinstance(v, float) and np.isfinite(v) else v)
                for k, v in row.items()
            }
            for row in finite.to_dict(orient="records")
        ],
    }


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("compsim", "numpy", "scipy", "pandas", "pydantic", "joblib", "simpy"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = "not installed"
    return out
