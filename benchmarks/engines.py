"""Company-years per second of the batch engine and the events engine on the same
scenario, one job each, and the ratio (issue "event engine": the batch engine is
expected to be at least 50x faster; the events engine is for checking it and for
questions it cannot ask).

    python benchmarks/engines.py [--scenario FILE] [--batch N] [--events N]

Each plan's choice model is built (or read from the cache) before timing, so both
rates are of simulation alone. A company-year is one simulated company of the
scenario's size for 12 reported months (warm-up months simulated, not counted).
What it prints is also written into `benchmarks/results.md` (section `engines`).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from record import recorded

import sim
from sim.choice_model import choice_models

ROOT = Path(__file__).resolve().parents[1]


def rate(scenario, replications: int, engine: str) -> tuple[float, float]:
    """(company-years per second, wall seconds) of one job."""
    started = time.perf_counter()
    result = sim.run(scenario, replications=replications, seed=1, engine=engine)
    wall = time.perf_counter() - started
    return result.company_years / wall, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "default.toml"))
    parser.add_argument("--batch", type=int, default=400, help="batch engine company-runs")
    parser.add_argument("--events", type=int, default=4, help="events engine company-runs")
    args = parser.parse_args()
    scenario = sim.load_scenario(args.scenario)
    choice_models(scenario, 1)  # built once (cached), outside the timings
    rate(scenario, 2, "batch")  # warm imports and caches
    batch, batch_wall = rate(scenario, args.batch, "batch")
    events, events_wall = rate(scenario, args.events, "events")
    plans = len(scenario.plans)
    print(
        f"{scenario.name}: {scenario.company.n_reps} AEs, {scenario.company.months} months "
        f"reported after a {scenario.warm_up_months}-month warm-up, {plans} plan(s), 1 job"
    )
    for name, value, runs, wall in (
        ("batch", batch, args.batch, batch_wall),
        ("events", events, args.events, events_wall),
    ):
        print(f"{name} engine: {value:10,.2f} company-years/s ({runs} runs, {wall:.1f}s)")
    print(f"batch / events: {batch / events:,.0f}x")


if __name__ == "__main__":
    with recorded("engines", "python benchmarks/engines.py"):
        main()
