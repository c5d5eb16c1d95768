"""Throughput of the batch engine on the default scenario, at 1 and 2 jobs; the
one-off cost of each plan's choice model (belief-world runs until converged, and
the monthly policy solved on them); throughput with reps' strategies fixed, with
the new levers off (effort, timing) and on; and the cost of a rich plan (the seed
plan `blended`).

    python benchmarks/throughput.py [--replications N] [--scenario FILE]

Prints company-years per second (a company-year is one simulated company of the
scenario's size for 12 reported months; burn-in months are simulated but not
counted), per core, and peak resident memory of this process and its workers.
Target (issue "Foundation"): at least 1,000 company-years per second per core.
Results are written to benchmarks/results.md (section "throughput").
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
from pathlib import Path

from joblib import Parallel, delayed
from record import recorded

import sim
from sim.choice_model import build_choice_model
from sim.runner import MAX_AUTO_CHUNK, chunk_size_for

ROOT = Path(__file__).resolve().parents[1]


def peak_rss_mib(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1000)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "default.toml"))
    args = parser.parse_args()
    scenario = sim.load_scenario(args.scenario)
    os.environ["COMPSIM_CACHE"] = "off"  # time the builds, never a cached copy
    for plan in scenario.plans:
        model = build_choice_model(scenario, plan)
        if model is None:
            continue
        extra = model.record()
        policy = (
            f", of which the policy {extra['policy_seconds']:.2f}s"
            if "policy_seconds" in extra
            else ""
        )
        print(
            f"choice model of plan '{plan.name}' (behaviour '{model.mode}'): "
            f"{model.seconds:.2f}s one-off{policy}, {model.markets} belief-world markets per "
            f"strategy, split-half choice difference {model.split_difference:.3f}; built once "
            "per run in the main process and shipped to workers, excluded from the rates below"
        )
    warm = 2 * chunk_size_for(scenario.simulation.chunk_size, args.replications, 2)
    for jobs in (1, 2):  # start the worker pool and build its tables before timing
        sim.run(scenario, replications=warm, seed=1, jobs=jobs)
    print(
        f"scenario {scenario.name}: {scenario.company.n_reps} reps, "
        f"{scenario.company.months} months (+{scenario.warm_up_months} warm-up), "
        f"{len(scenario.plans)} plan(s), chunk size {scenario.simulation.chunk_size} "
        f"(jobs=1: {chunk_size_for(scenario.simulation.chunk_size, args.replications, 1)}, "
        f"jobs=2: {chunk_size_for(scenario.simulation.chunk_size, args.replications, 2)})"
    )
    rates = {}
    for jobs in (1, 2):
        result = sim.run(scenario, replications=args.replications, seed=1, jobs=jobs)
        rate = rates[jobs] = result.company_years_per_second
        print(
            f"jobs={jobs}: {result.company_years:,.0f} company-years in "
            f"{result.wall_seconds:.2f}s = {rate:,.0f} company-years/s "
            f"({rate / jobs:,.0f} per core, {rate * scenario.company.n_reps / jobs:,.0f} "
            "rep-years/s per core)"
        )
    print(f"scaling: 2 jobs run {rates[2] / rates[1]:.2f}x one job")
    blended = scenario.model_copy(
        update={
            "plans": [sim.load_scenario(ROOT / "scenarios" / "seed_designs.toml").plan("blended")]
        }
    )
    fixed = scenario.model_copy(
        update={"behavior": scenario.behavior.model_copy(update={"mode": "fixed"})}
    )
    b = scenario.behavior
    levers_off = scenario.model_copy(
        update={
            "behavior": b.model_copy(
                update={"levers": b.levers.model_copy(update={"effort": False, "timing": False})}
            )
        }
    )
    timing_on = scenario.model_copy(
        update={
            "behavior": b.model_copy(
                update={"levers": b.levers.model_copy(update={"timing": True})}
            )
        }
    )
    base_rate = None
    for label, sc in (
        ("standard plan", scenario),
        ("new levers off", levers_off),
        ("timing lever on", timing_on),
        ("fixed strategies", fixed),
        ("blended plan", blended),
    ):
        sim.run(sc, replications=MAX_AUTO_CHUNK, seed=1)  # builds its tables
        result = sim.run(sc, replications=args.replications // 2, seed=1, jobs=1)
        rate = result.company_years_per_second
        base_rate = base_rate or rate
        print(
            f"{label:16s} jobs=1: {rate:,.0f} company-years/s ({rate / base_rate:.0%} of "
            "the standard plan with reps choosing)"
        )
    workers = Parallel(n_jobs=2)(delayed(peak_rss_mib)(resource.RUSAGE_SELF) for _ in range(4))
    print(
        f"peak memory: main process {peak_rss_mib(resource.RUSAGE_SELF):.0f} MiB, "
        f"largest worker {max(workers):.0f} MiB"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    with recorded("throughput", "python benchmarks/throughput.py"):
        main()
