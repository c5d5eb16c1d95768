"""Writing the FP&A commands' folders (sweep, budget, optimize) atomically, like a
run's (`sim.outputs.write_folder`): a folder holds a whole result or none."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sim.outputs import csv_writer, versions, write_folder, write_json


def manifest(kind: str, scenario, command, scenario_file, seed, wall_seconds, **extra) -> dict:
    """What produced a folder: command, scenario, seed, timing, versions."""
    return {
        "kind": kind,
        "scenario_name": scenario.name,
        "scenario_file": scenario_file,
        "command": command,
        "seed": seed,
        "wall_seconds": round(wall_seconds, 3),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "versions": versions(),
        **extra,
        "scenario": scenario.model_dump(mode="json"),
    }


def _html(text: str):
    return lambda path: path.write_text(text, encoding="utf-8")


def write_sweep(result, out: str | Path, command=None, scenario_file=None, xlsx=False) -> Path:
    """sweep.csv, sweep_replications.csv, report.html, manifest.json (and sweep.xlsx)."""
    from sim.excel import write_sweep_xlsx
    from sim.report.fpa_pages import sweep_page

    table = result.table()
    files = {
        "sweep.csv": csv_writer(table),
        "sweep_replications.csv": csv_writer(result.replication_table()),
        "report.html": _html(sweep_page(result, command)),
    }
    if xlsx:
        files["sweep.xlsx"] = lambda path: write_sweep_xlsx(result, table, path)
    record = manifest(
        "sweep",
        result.scenario,
        command,
        scenario_file,
        result.seed,
        result.wall_seconds,
        replications=result.replications,
        jobs=result.runs[0].jobs,
        chunk_size=result.runs[0].chunk_size,
        axes=result.axes,
        points=len(result.points),
        warm_up_months=[run.meta["warm_up"]["months"] for run in result.runs],
    )
    files["manifest.json"] = lambda path: write_json(record, path)
    return write_folder(out, files)


def year_view(run, analysis, year: int | None):
    """The analysis with its summary and paired comparison taken in one reported year
    (the year a budget holds), or as it is without a year."""
    import dataclasses

    from sim.analysis import compare, summarize

    if year is None:
        return analysis
    rows = run.by_year[run.by_year.year == year].drop(columns="year")
    metrics = [c for c in rows.columns if c not in ("plan", "replication")]
    return dataclasses.replace(
        analysis,
        summary=summarize(rows, metrics),
        comparison=compare(rows, analysis.baseline, metrics),
    )


def write_budget(
    result, out: str | Path, command=None, scenario_file=None, xlsx=False, baseline=None
) -> Path:
    """budget.csv, budget_evaluations.csv, budgeted.toml, the budgeted plans' summary,
    per-year summary and comparison at equal budget, report.html, manifest.json (and
    budget.xlsx)."""
    from sim.analysis import analyze
    from sim.excel import write_budget_xlsx
    from sim.report.fpa_pages import budget_page
    from sim.scenario.writer import scenario_to_toml

    analysis = year_view(result.run, analyze(result.run, baseline), result.target.year)
    table, evaluations = result.table(), result.evaluation_table()
    header = (
        f"{result.budgeted.description}.\nWritten by: {command or 'sim.budget'}\n"
        f"Scales: "
        + ", ".join(f"{name} x{solved.scale:.4f}" for name, solved in result.plans.items())
    )
    files = {
        "budget.csv": csv_writer(table),
        "budget_evaluations.csv": csv_writer(evaluations),
        "budgeted.toml": lambda path: path.write_text(scenario_to_toml(result.budgeted, header)),
        "summary.csv": csv_writer(analysis.summary),
        "summary_by_year.csv": csv_writer(analysis.summary_by_year),
        "comparison.csv": csv_writer(analysis.comparison),
        "report.html": _html(budget_page(result, analysis, command)),
    }
    if xlsx:
        files["budget.xlsx"] = lambda path: write_budget_xlsx(result, analysis, table, path)
    record = manifest(
        "budget",
        result.scenario,
        command,
        scenario_file,
        result.seed,
        result.wall_seconds,
        target=result.target.describe(),
        replications=result.run.n_replications,
        baseline=analysis.baseline,
        scales={name: solved.scale for name, solved in result.plans.items()},
        evaluations={name: len(solved.evaluations) for name, solved in result.plans.items()},
        plan_seconds={name: round(s.wall_seconds, 2) for name, s in result.plans.items()},
    )
    files["manifest.json"] = lambda path: write_json(record, path)
    return write_folder(out, files)


def write_optimize(result, out: str | Path, command=None, scenario_file=None, xlsx=False) -> Path:
    """optimize.csv (every evaluation), recheck.csv, best.toml, report.html,
    manifest.json (and optimize.xlsx)."""
    from sim.excel import write_table_xlsx
    from sim.metrics import metric_unit
    from sim.report.fpa_pages import optimize_page
    from sim.scenario.writer import scenario_to_toml

    p, best = result.problem, result.best
    table, recheck = result.table(), result.recheck_table()
    settings = ", ".join(f"{k}={v:.6g}" for k, v in best.levers.items())
    header = f"{p.plan} at its best lever settings ({settings}) beside the plan as written.\n"
    header += f"Written by: {command or 'sim.optimize'}"
    files = {
        "optimize.csv": csv_writer(table),
        "recheck.csv": csv_writer(recheck),
        "best.toml": lambda path: path.write_text(scenario_to_toml(result.best_scenario, header)),
        "report.html": _html(optimize_page(result, command)),
    }
    if xlsx:
        sheets = {"Evaluations": table, "Recheck": recheck}
        units = {lv.key: lv.unit for lv in p.levers} | {
            c: metric_unit(p.objective.metric) for c in recheck if c.startswith("objective_vs")
        }
        files["optimize.xlsx"] = lambda path: write_table_xlsx(
            result.best_scenario, sheets, path, units
        )
    record = manifest(
        "optimize",
        p.scenario,
        command,
        scenario_file,
        p.runs[1],
        result.wall_seconds,
        plan=p.plan,
        levers={lv.key: [lv.low, lv.high] for lv in p.levers},
        objective=("maximize " if p.maximize else "minimize ") + p.objective.name,
        constraints=[c.label for c in p.constraints],
        evaluations=len(p.evaluations),
        replications=p.runs[0],
        recheck_replications=best.replications,
        recheck_seed=best.seed,
        best=best.levers,
        search=result.converged,
    )
    files["manifest.json"] = lambda path: write_json(record, path)
    return write_folder(out, files)
