"""How long `sim run` takes to draw report.html, against an earlier revision, and
whether the page is the same to the byte.

    python benchmarks/report.py [--before REV] [--rounds K]

Exports REV (default: e674c45, main before the report's figures were drawn in
parallel) with `git archive`, then for each case (the default scenario at 1,000
company-runs, seed_designs' 14 plans at 100) runs the simulation in a fresh process
as `sim run --jobs J` does and times drawing the whole page (`render_report`, wall
time, the figures over the run's jobs as `sim run` draws them), with the revision's
code (J = 2; it draws one figure at a time) and with this checkout's at J = 1 and 2,
sides alternating K times so that all see the same load; prints each side's median
(and fastest) time and whether every side wrote the same bytes. The simulation
itself is not timed (choice models come from the usual cache).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from record import recorded  # noqa: E402
from speedup import export, in_fresh_process  # noqa: E402

BEFORE = "e674c45"  # main before the report's figures were drawn in parallel
CASES = (("scenarios/default.toml", 1000), ("scenarios/seed_designs.toml", 100))


def worker(scenario_file: str, replications: int, jobs: int) -> None:
    """In a fresh process: the page's drawing time after a run on `jobs`, and its digest."""
    import warnings

    import sim
    from sim.analysis import analyze
    from sim.report.html import render_report

    warnings.simplefilter("ignore")  # seed_designs' choice-model warnings: not timed here
    result = sim.run(sim.load_scenario(scenario_file), replications=replications, jobs=jobs)
    analysis = analyze(result)
    started = time.perf_counter()
    page = render_report(result, analysis, "sim run")
    seconds = time.perf_counter() - started
    digest = hashlib.sha256(page.encode()).hexdigest()
    where = str(Path(sim.__file__).resolve().parent)
    print(json.dumps({"seconds": seconds, "digest": digest, "sim": where}))


def measure(source: Path, scenario_file: str, replications: int, jobs: int) -> dict:
    return in_fresh_process(source, __file__, [scenario_file, str(replications), str(jobs)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs per side")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = export(args.before, Path(tmp) / "before")
        sides = {
            f"before ({args.before})": (before, 2),
            "now, 1 job": (ROOT, 1),
            "now, 2 jobs": (ROOT, 2),
        }
        for scenario_file, replications in CASES:
            runs: dict[str, list[dict]] = {name: [] for name in sides}
            for _ in range(args.rounds):
                for name, (source, jobs) in sides.items():
                    runs[name].append(measure(source, scenario_file, replications, jobs))
            report(scenario_file, replications, args.rounds, runs)


def report(scenario_file: str, replications: int, rounds: int, runs: dict) -> None:
    print(
        f"{scenario_file}, {replications} company-runs: drawing report.html, median (and "
        f"fastest) wall time of {rounds} alternating runs per side:"
    )
    median = {name: float(np.median([x["seconds"] for x in r])) for name, r in runs.items()}
    for name, r in runs.items():
        fastest = min(x["seconds"] for x in r)
        print(f"  {name:22s} {median[name]:.2f}s ({fastest:.2f}s)")
    first = next(iter(median.values()))
    gains = ", ".join(f"{first / m:.2f}x {name}" for name, m in list(median.items())[1:])
    print(f"  speed-up: {gains} (medians)")
    same = len({x["digest"] for r in runs.values() for x in r}) == 1
    print(f"  the same page to the byte on every side: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        with recorded("report", "python " + " ".join(["benchmarks/report.py", *sys.argv[1:]])):
            main()
