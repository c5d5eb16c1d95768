"""Engine speed of this checkout against an earlier revision, on the same machine at
the same time, and whether both give the same numbers to the bit.

    python benchmarks/speedup.py [--before REV] [--replications N] [--rounds K]

Exports REV (default: 710e059, main before the engine speed work) with `git
archive` into a temporary folder, then times one chunk of N company-runs of the
default scenario (reps choosing) in a fresh process for each side, alternating
sides K times so that both see the same load, and reports each side's median CPU
time (CPU time, not wall time: on a shared machine it is the steadier measure of
the work done). The choice models are built before timing and excluded. Prints
company-years and rep-years per second per core for both sides, the speed-up, and
whether every output array (metrics, ARR by month, rep-years, by year) is
bit-identical. Then times what reusing markets saves a budget-like sequence of
runs (the same company-runs, one plan at three scales).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from record import recorded  # noqa: E402

BEFORE = "710e059"  # main before the engine speed work


def worker(scenario_file: str, replications: int) -> None:
    """In a fresh process: one chunk's CPU time and a digest of everything it output."""
    import numpy as np

    import sim
    from sim.choice_model import choice_models
    from sim.runner import run_chunk

    scenario = sim.load_scenario(scenario_file)
    models = choice_models(scenario, 1)
    run_chunk(scenario, 7, np.arange(3), models)  # warm up
    started = time.process_time()
    _, outcomes = run_chunk(scenario, 1, np.arange(replications), models)
    seconds = time.process_time() - started
    digest = hashlib.sha256()
    for plan, o in outcomes.items():
        parts = {**o.metrics, "arr": o.arr_by_month}
        parts |= {f"rep_years.{k}": v for k, v in o.rep_years.items()}
        parts |= {f"by_year.{k}": v for k, v in o.by_year.items()}
        for name in sorted(parts):
            digest.update(f"{plan}.{name}".encode())
            digest.update(np.ascontiguousarray(parts[name]).tobytes())
    years = replications * scenario.years * len(scenario.plans)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "company_years": years,
                "reps": scenario.company.n_reps,
                "digest": digest.hexdigest(),
                "sim": str(Path(sim.__file__).resolve().parent),
            }
        )
    )


def export(revision: str, folder: Path) -> Path:
    """The files of `revision` (git archive) in `folder`, to import that code from."""
    folder.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def measure(source: Path, scenario_file: str, replications: int, cache: Path) -> dict:
    env = {"COMPSIM_CACHE": str(cache)}
    return in_fresh_process(source, __file__, [scenario_file, str(replications)], env)


def in_fresh_process(source: Path, script: str, args: list[str], env: dict | None = None) -> dict:
    """`python script --worker ARGS` with the code in `source`: the JSON its last line
    prints, checked to come from that code (its "sim" key: where sim was imported from)."""
    env = dict(os.environ, PYTHONPATH=str(source), **(env or {}))
    out = subprocess.run(
        [sys.executable, script, "--worker", *args],
        env=env,
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if not result["sim"].startswith(str(source.resolve())):
        raise SystemExit(f"measured {result['sim']}, not the code in {source}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with")
    parser.add_argument("--replications", type=int, default=100, help="company-runs timed")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per side")
    parser.add_argument("--scenario", default="scenarios/default.toml")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = export(args.before, Path(tmp) / "before")
        sides = {f"before ({args.before})": before, "now": ROOT}
        runs: dict[str, list[dict]] = {name: [] for name in sides}
        for _ in range(args.rounds):
            for i, (name, source) in enumerate(sides.items()):
                cache = Path(tmp) / f"cache{i}"
                runs[name].append(measure(source, args.scenario, args.replications, cache))
    median = {name: float(np.median([x["seconds"] for x in r])) for name, r in runs.items()}
    print(
        f"{args.scenario}, one chunk of {args.replications} company-runs, reps choosing; "
        f"median (and fastest) CPU time of {args.rounds} alternating runs per side:"
    )
    for name, r in runs.items():
        rate = r[0]["company_years"] / median[name]
        fastest = min(x["seconds"] for x in r)
        print(
            f"{name:22s} {median[name]:.2f}s CPU ({fastest:.2f}s) = {rate:,.0f} company-years/s "
            f"per core ({rate * r[0]['reps']:,.0f} rep-years/s per core)"
        )
    first, last = median.values()
    print(f"speed-up: {first / last:.2f}x (medians)")
    same = len({r["digest"] for rs in runs.values() for r in rs}) == 1
    print(f"outputs bit-identical: {'yes' if same else 'NO'}")
    reuse(args.scenario, args.replications, args.rounds)


def reuse(scenario_file: str, replications: int, rounds: int) -> None:
    """What reusing markets saves runs that repeat the same company-runs with other
    plans (sim budget, optimize, sweep): the default plan at three scales of its
    variable pay, one job, choice models built beforehand."""
    import sim
    from sim.budget import scale_variable_pay
    from sim.choice_model import choice_models

    scenario = sim.load_scenario(ROOT / scenario_file)
    plan = scenario.plans[0]
    scaled = [
        scenario.model_copy(update={"plans": [scale_variable_pay(plan, f)]})
        for f in (0.8, 1.0, 1.2)
    ]
    for s in scaled:
        choice_models(s, 1)
    best = {}
    for _ in range(rounds):
        for flag in (False, True):
            started = time.process_time()
            for s in scaled:
                sim.run(s, replications=replications, seed=1, reuse_markets=flag)
            seconds = time.process_time() - started
            best[flag] = min(best.get(flag, seconds), seconds)
    print(
        f"three scales of plan '{plan.name}', {replications} company-runs each: "
        f"{best[False]:.2f}s CPU drawing every market, {best[True]:.2f}s reusing them "
        f"({best[False] / best[True]:.2f}x)"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], int(sys.argv[3]))
    else:
        with recorded("speedup", "python " + " ".join(["benchmarks/speedup.py", *sys.argv[1:]])):
            main()
