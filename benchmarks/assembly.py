"""Peak memory of assembling a many-plan run's results at 1,000 and 100,000 replications.

    python benchmarks/assembly.py [--scenario scenarios/seed_designs.toml] [--large 100000]

`benchmarks/scale.py` measures a whole `sim run` of the default scenario (one plan);
simulating 14 plans x 100,000 company-runs would take hours, while what grows with
plans x replications is only the results a run assembles at its end (chunks are
simulated one at a time and go to disk as they finish). So this script, in a fresh
process for each measurement, simulates one real chunk of the scenario's plans (200
company-runs, as `sim run -j 1` does), files it as every chunk of a long run in the
per-replication column files `sim run` keeps beside its checkpoints
(`sim.rows.DiskRows`), and then does what `sim run` does with them: the summary,
the paired comparison, the common-random-numbers gain, replications.csv, the
report's distribution and component figures and the plan means; it reports the
process's peak resident memory. Two ways:

- by column (what `sim run` does): statistics read one plan and metric at a time;
- whole table (for comparison): the replications table read into memory first, a
  row per plan and replication, as runs did before.

Target (issue "Speed and scale"): the large run peaks within 1.5x the small one.
Results are written to benchmarks/results.md (section "assembly").
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import recorded

ROOT = Path(__file__).resolve().parents[1]
CHUNK = 200


def simulate_chunk(scenario) -> dict:
    """One real chunk's per-replication metrics and ARR by month, per plan."""
    import numpy as np

    from sim.choice_model import choice_models
    from sim.runner import run_chunk

    _, outcomes = run_chunk(scenario, 1, np.arange(CHUNK), choice_models(scenario, 1))
    return {p: (o.metrics, o.arr_by_month) for p, o in outcomes.items()}


def assemble(scenario_file: str, n: int, whole_table: bool) -> str:
    """Simulate a chunk, file it as every chunk of an n-replication run, then assemble
    its results as `sim run` does; returns the measurements as one line."""
    import sim
    from sim.collect import Chunks, Collector
    from sim.engine.company import PlanOutcome
    from sim.report import plots
    from sim.runner import RunResult
    from sim.store import DiskStore

    scenario = sim.load_scenario(scenario_file)
    parts = simulate_chunk(scenario)
    simulated = peak_mib()
    with tempfile.TemporaryDirectory() as folder:
        chunks = Chunks(n, CHUNK)
        store = DiskStore(Path(folder) / "chunks", {"benchmark": n})
        collector = Collector(scenario, chunks, store, {})
        outcome = {p: PlanOutcome(m, arr, {}) for p, (m, arr) in parts.items()}
        for i in range(len(chunks)):
            collector.add(*chunks.range(i), outcome, stored=True)
        started = time.perf_counter()
        result = RunResult(
            scenario, 1, CHUNK, 1, None, collector.arr(len(chunks)), None, 0.0,
            by_year=None, source=(collector, len(chunks)),
        )  # fmt: skip
        if whole_table:
            result.replications  # noqa: B018 - read the table into memory, as before
        result.summary()
        result.compare()
        result.crn_gain()
        result.write_replications(Path(folder) / "replications.csv")
        plots.distributions_figure(result.columns())
        plots.components_figure(result.columns())
        result.plan_means()
        seconds = time.perf_counter() - started
        return f"{len(parts)} {peak_mib():.0f} {simulated:.0f} {seconds:.1f}"


def peak_mib() -> float:
    """This process's peak resident MiB (VmHWM: unlike getrusage's ru_maxrss, it does not
    carry over the parent's peak across fork and exec)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def warm_up_choice_models(scenario_file: str) -> None:
    """Build (or load) the plans' choice models once, here, so that no measurement pays
    their one-off build (they are cached between runs)."""
    import warnings

    import sim
    from sim.choice_model import choice_models

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        choice_models(sim.load_scenario(scenario_file), 1)


def measure(scenario: str, n: int, whole_table: bool) -> list[float]:
    """(plans, peak MiB, peak MiB after simulating the chunk, seconds assembling)."""
    code = (
        "import sys, warnings; warnings.simplefilter('ignore'); sys.path.insert(0, sys.argv[1]); "
        "import assembly; print(assembly.assemble(sys.argv[2], int(sys.argv[3]), "
        "sys.argv[4] == 'table'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "benchmarks"), scenario, str(n),
         "table" if whole_table else "columns"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return [float(x) for x in done.stdout.split()[-4:]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "seed_designs.toml"))
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    warm_up_choice_models(args.scenario)
    print(
        f"scenario {Path(args.scenario).name}: peak resident memory of a `sim run` process "
        f"that simulates a chunk of {CHUNK} company-runs of every plan and assembles the "
        "results of the replications below (the peak after simulating alone in brackets)"
    )
    peaks = {}
    for whole_table in (False, True):
        label = "whole table" if whole_table else "by column  "
        for n in (args.small, args.large):
            plans, peak, simulated, seconds = measure(args.scenario, n, whole_table)
            peaks[whole_table, n] = peak
            print(
                f"  {label} {n:9,} replications x {plans:.0f} plans: {peak:6.0f} MiB "
                f"({simulated:.0f} MiB), assembled in {seconds:6.1f} s"
            )
    ratio = peaks[False, args.large] / peaks[False, args.small]
    verdict = "within" if ratio <= 1.5 else "beyond"
    print(f"  by column: ratio {ratio:.2f} ({verdict} the 1.5x target)")
    print(f"  whole table: ratio {peaks[True, args.large] / peaks[True, args.small]:.2f}")


if __name__ == "__main__":
    with recorded("assembly", "python benchmarks/assembly.py"):
        main()
