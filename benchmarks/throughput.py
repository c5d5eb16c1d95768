"""Throughput of the batch engine on the default scenario, at 1 and 2 jobs, and the
cost of a rich plan (every component of the seed plan `blended`) on one core.

    python benchmarks/throughput.py [--replications N] [--scenario FILE]

Prints company-years per second (a company-year is one simulated company of the
scenario's size for 12 reported months; burn-in months are simulated but not
counted), per core, and peak resident memory of this process and its workers.
Target (issue "Foundation"): at least 1,000 company-years per second per core.
"""

from __future__ import annotations

import argparse
import resource
import sys
from pathlib import Path

from joblib import Parallel, delayed

import sim

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "default.toml"))
    args = parser.parse_args()
    scenario = sim.load_scenario(args.scenario)
    warm = 2 * scenario.simulation.chunk_size
    for jobs in (1, 2):  # start the worker pool and warm caches before timing
        sim.run(scenario, replications=warm, seed=0, jobs=jobs)
    print(
        f"scenario {scenario.name}: {scenario.company.n_reps} reps, "
        f"{scenario.company.months} months (+{scenario.company.burn_in_months} burn-in), "
        f"{len(scenario.plans)} plan(s), chunk size {scenario.simulation.chunk_size}"
    )
    for jobs in (1, 2):
        result = sim.run(scenario, replications=args.replications, seed=1, jobs=jobs)
        rate = result.company_years_per_second
        print(
            f"jobs={jobs}: {result.company_years:,.0f} company-years in "
            f"{result.wall_seconds:.2f}s = {rate:,.0f} company-years/s "
            f"({rate / jobs:,.0f} per core)"
        )
    blended = scenario.model_copy(
        update={
            "plans": [sim.load_scenario(ROOT / "scenarios" / "seed_designs.toml").plan("blended")]
        }
    )
    base_rate = None
    for label, sc in (("standard plan", scenario), ("blended plan", blended)):
        sim.run(sc, replications=sc.simulation.chunk_size, seed=0)
        result = sim.run(sc, replications=args.replications // 2, seed=1, jobs=1)
        rate = result.company_years_per_second
        base_rate = base_rate or rate
        print(
            f"{label:14s} jobs=1: {rate:,.0f} company-years/s ({rate / base_rate:.0%} of standard)"
        )
    workers = Parallel(n_jobs=2)(delayed(peak_rss_mib)(resource.RUSAGE_SELF) for _ in range(4))
    print(
        f"peak memory: main process {peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB, "
        f"largest worker {max(workers):.0f} MiB"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
