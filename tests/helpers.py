"""Shared helpers: small scenarios, running the `sim` command, summing ledgers."""

from __future__ import annotations

import copy
import io
import os
import subprocess
import sys
import warnings
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np

from sim.choice_model import choice_model, plan_behavior
from sim.cli import main as sim_command_main
from sim.engine.batch import BatchEngine
from sim.market import draw_market
from sim.scenario import validate_scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "scenarios" / "default.toml"


def deep_update(base: dict, override: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_update(out[key], value)
        else:
            out[key] = value
    return out


# The default scenario's standard plan: 10% of booked ACV. Test plans written without
# components get it from `small_scenario` (plans themselves have no default).
STANDARD_COMPONENTS = [{"type": "bookings_commission", "rate": 0.10}]

SMALL = {
    "name": "small",
    "simulation": {"replications": 8, "chunk_size": 4, "seed": 11},
    "company": {"n_reps": 6, "n_csms": 2, "months": 24, "burn_in_months": 3},
    "initial_book": {"customers": 60},
    "behavior": {"mode": "fixed"},
    "plans": [{"name": "standard", "components": STANDARD_COMPONENTS}],
}


def small_scenario(**overrides):
    """The small test company; plans given without components pay the standard 10%."""
    raw = deep_update(SMALL, overrides)
    raw["plans"] = [{"components": STANDARD_COMPONENTS, **plan} for plan in raw["plans"]]
    return validate_scenario(raw, "test")


def small_scenario_file(folder: Path, plans: str = "") -> Path:
    """The small company as a scenario file extending the default one (reps with given
    strategies), for fast tests of the `sim` command; `plans`: TOML replacing the
    default's plans."""
    path = folder / "small.toml"
    path.write_text(
        f'extends = "{DEFAULT.as_posix()}"\nname = "small"\n'
        "[company]\nn_reps = 6\nn_csms = 2\nmonths = 24\n"
        '[initial_book]\ncustomers = 60\n[behavior]\nmode = "fixed"\n' + plans
    )
    return path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run the `sim` command in a fresh interpreter, as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "sim", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        timeout=300,
    )


def sim_main(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The `sim` command's own entry point (`sim.cli.main`, what `python -m sim` calls)
    run in this process, answered like `run_cli`: exit status, stdout, stderr. The same
    parsing, checks and messages without starting an interpreter (about 2 s of imports),
    for the many bad-input cases; every command keeps tests through `run_cli` too.
    A warning the command raises is appended to stderr, where a terminal would show it,
    and an exception escaping `main` fails the test, as a traceback would."""
    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    os.chdir(cwd or ROOT)  # relative paths mean what they mean to `run_cli`
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            with redirect_stdout(out), redirect_stderr(err):
                try:
                    code = sim_command_main([str(a) for a in args])
                except SystemExit as done:  # argparse's --help
                    code = done.code or 0
    finally:
        os.chdir(here)
    shown = "".join(
        warnings.formatwarning(w.message, w.category, w.filename, w.lineno) for w in caught
    )
    return subprocess.CompletedProcess(
        ["sim", *map(str, args)], code, out.getvalue(), err.getvalue() + shown
    )


def ledger_totals(scenario, seed: int, replications, plan=None) -> dict[str, np.ndarray]:
    """Per-replication sums over all simulated months, straight from the ledgers."""
    market = draw_market(scenario, seed, replications)
    engine = make_engine(scenario, plan or scenario.plans[0], market)
    R = market.n_replications
    totals = {k: np.zeros(R) for k in ("pursued", "won", "acv", "renewals", "renewed", "p_renew")}
    for k in range(engine.T):
        ledger, _ = engine.step(k)
        deals, renewals = ledger.deals, ledger.renewals
        totals["pursued"] += ledger.pursuits_closed.sum(axis=1)
        totals["won"] += deals.by_replication(np.ones(len(deals)), R)
        totals["acv"] += deals.by_replication(deals.acv, R)
        totals["renewals"] += renewals.by_replication(np.ones(len(renewals)), R)
        totals["renewed"] += renewals.by_replication(renewals.renewed * 1.0, R)
        totals["p_renew"] += renewals.by_replication(renewals.p_renew, R)
    return totals


def make_engine(scenario, plan, market) -> BatchEngine:
    """A batch engine for one plan, reps choosing as the scenario says."""
    behavior = plan_behavior(scenario, plan, market, choice_model(scenario, plan))
    return BatchEngine(scenario, plan, market, behavior)


def xlsx_formats(path: Path, sheet: str) -> dict[str, str]:
    """A workbook sheet's number format per column, by its header: as its first data
    row shows it."""
    import openpyxl

    ws = openpyxl.load_workbook(path)[sheet]
    heads = [cell.value for cell in ws[1]]
    return {head: cell.number_format for head, cell in zip(heads, ws[2], strict=True)}
