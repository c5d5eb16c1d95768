"""Where the engine's time goes: one chunk of the default scenario under cProfile,
CPU time per part of the monthly loop.

    python benchmarks/hotspots.py [--replications N] [--scenario FILE]

Parts are the functions below with their callees (cumulative CPU time), each as a
share of the whole chunk (market draw plus every plan's run); the profiler's own
overhead inflates parts made of many small calls, so read shares, not seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

import numpy as np

import sim
from sim.choice_model import choice_models
from sim.runner import run_chunk

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from record import recorded  # noqa: E402

PARTS = (  # (label, file, function): parts of a chunk, in the order of a month
    ("market draw (per chunk, shared by plans)", "market.py", "draw_market"),
    ("  opportunities: arrivals, Beta fits, keys", "market.py", "_draw_opportunities"),
    ("engine: every month of every plan", "batch.py", "step"),
    ("  hires", "company.py", "_hire"),
    ("  reps decide (monthly policy)", "dynamic.py", "decide"),
    ("  forecasts", "company.py", "update_forecast"),
    ("  deals close and are booked", "batch.py", "_close_deals"),
    ("    pipeline: wins at close", "pipeline.py", "close"),
    ("    new customers into the book", "company.py", "book_deals"),
    ("  pipeline: pursuit of arrivals", "pipeline.py", "open"),
    ("  renewals", "batch.py", "_renew"),
    ("  onboarding and deployment", "batch.py", "_onboard"),
    ("  month end (company.settle)", "company.py", "settle"),
    ("    churn events", "company.py", "_churn_events"),
    ("    serving customers: health, usage, billing", "company.py", "_serve"),
    ("    surveys", "company.py", "_survey"),
    ("    cohorts", "company.py", "_cohort"),
    ("    payroll", "payroll.py", "run"),
    ("    attrition", "company.py", "_attrit"),
    ("    metrics", "metrics.py", "observe"),
    ("keyed uniforms (all callers)", "streams.py", "keyed_uniform"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=100)
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "default.toml"))
    args = parser.parse_args()
    scenario = sim.load_scenario(args.scenario)
    models = choice_models(scenario, 1)
    run_chunk(scenario, 7, np.arange(3), models)  # warm up
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    run_chunk(scenario, 1, np.arange(args.replications), models)
    profile.disable()
    stats = pstats.Stats(profile).stats
    cumulative = {}
    for (file, _, function), (_, _, _, cum, _) in stats.items():
        key = (Path(file).name, function)
        cumulative[key] = max(cumulative.get(key, 0.0), cum)
    total = cumulative[("runner.py", "run_chunk")]
    print(
        f"{Path(args.scenario).name}: one chunk of {args.replications} company-runs, "
        f"{len(scenario.plans)} plan(s), {scenario.warm_up_months + scenario.company.months} "
        f"months each; {total:.2f}s CPU under the profiler"
    )
    for label, file, function in PARTS:
        seconds = cumulative.get((file, function), 0.0)
        print(f"{label:46s} {seconds:6.2f}s {seconds / total:6.1%}")


if __name__ == "__main__":
    with recorded("hotspots", "python " + " ".join(["benchmarks/hotspots.py", *sys.argv[1:]])):
        main()
