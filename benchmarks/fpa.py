"""Wall time of the FP&A commands on 2 cores: a budget for every plan of
`scenarios/seed_designs.toml`, and one 3-lever optimization of the default scenario.

    python benchmarks/fpa.py [--jobs 2] [--replications 200] [--skip-optimize]

Prints the budget's wall time, evaluations and seconds per plan, and how much of
an evaluation goes into building the plan's choice model (the belief-world runs and
the monthly policy reps choose from; reps re-optimize at every scale, though a
rescaled plan reuses its design's belief-world economics and only re-solves the
policy), measured in-process on one evaluation of each plan at scale 1 with the
disk cache off; then the optimization's wall time.
Target (issue 9): a budget for the 14 plans in under 5 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import sim
import sim.choice_model
from sim.budget import DEFAULT_REPLICATIONS, Target, budget
from sim.variants import run_plan

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from record import recorded  # noqa: E402


def policy_share(scenario, replications: int, seed: int) -> tuple[float, float]:
    """Seconds inside the choice-model builder and total seconds, over one in-process
    evaluation (one job, no cache) of every plan."""
    builder = sim.choice_model.build_policies  # mode "dynamic" (the default)
    spent = [0.0]

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return builder(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    sim.choice_model.build_policies = timed
    os.environ["COMPSIM_CACHE"] = "off"
    try:
        started = time.perf_counter()
        for plan in scenario.plans:
            fresh = scenario.model_copy(update={"name": f"{scenario.name}-policy-{plan.name}"})
            run_plan(fresh, plan, replications, seed, jobs=1)
        return spent[0], time.perf_counter() - started
    finally:
        sim.choice_model.build_policies = builder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--replications", type=int, default=DEFAULT_REPLICATIONS)
    parser.add_argument("--comp-ratio", type=float, default=0.09)
    parser.add_argument("--skip-optimize", action="store_true")
    args = parser.parse_args()

    designs = sim.load_scenario(ROOT / "scenarios" / "seed_designs.toml")
    target = Target("comp_ratio", args.comp_ratio)
    started = time.perf_counter()
    result = budget(designs, target, replications=args.replications, jobs=args.jobs)
    wall = time.perf_counter() - started
    evaluations = sum(len(s.evaluations) for s in result.plans.values())
    print(
        f"budget, {len(result.plans)} plans of seed_designs, {target.describe()}, "
        f"{args.replications} replications per evaluation, {args.jobs} jobs: {wall:.1f}s wall "
        f"({evaluations} evaluations, {wall / evaluations:.2f}s wall per evaluation; "
        f"target under 300s)"
    )
    for name, solved in result.plans.items():
        print(
            f"  {name:24s} scale {solved.scale:6.3f}  {len(solved.evaluations)} evaluations  "
            f"{solved.wall_seconds:6.1f}s in its worker"
        )
    policy, total = policy_share(designs, args.replications, seed=designs.simulation.seed + 7)
    print(
        f"choice model per evaluation, one job, every plan once: {policy:.1f}s of "
        f"{total:.1f}s ({100 * policy / total:.0f}% of an evaluation's time)"
    )

    if args.skip_optimize:
        return
    default = sim.load_scenario(ROOT / "scenarios" / "default.toml")
    started = time.perf_counter()
    found = sim.optimize(
        default,
        "standard",
        {
            "components.0.rate": (0.05, 0.15),
            "base_salary": (60_000.0, 90_000.0),
            "quota.multiple_of_ote": (4.0, 6.0),
        },
        "revenue",
        constraints=["comp_cost_ratio<=0.09"],
        jobs=args.jobs,
    )
    wall = time.perf_counter() - started
    p = found.problem
    print(
        f"optimize, default scenario, 3 levers, maximize revenue s.t. comp_cost_ratio<=0.09, "
        f"{args.jobs} jobs: {wall:.1f}s wall ({len(p.evaluations)} simulations: "
        f"{sum(e.phase in ('design', 'search') for e in p.evaluations)} of "
        f"{p.runs[0]} replications, then a recheck of {found.best.replications}); "
        f"best {found.best.levers}"
    )


if __name__ == "__main__":
    with recorded("fpa", "python " + " ".join(["benchmarks/fpa.py", *sys.argv[1:]])):
        main()
