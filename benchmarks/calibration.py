"""Print the default scenario's outputs beside the public benchmark ranges.

    python benchmarks/calibration.py [SCENARIO] [--replications N]

Each line shows the simulated mean (first plan) and the range from
docs/calibration.md that `scenarios/default.toml` is calibrated to.
Deal-level figures (median ACV, sales cycle) come from the ledgers of one chunk.
Runs on the scenario's own seed, so its replications are the first of the README's
`sim run scenarios/default.toml`. Written to benchmarks/results.md (section
"calibration") and into docs/calibration.md, whose figures a test checks against
the model as it is.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from record import recorded

import sim
from sim.choice_model import choice_model, plan_behavior
from sim.engine.batch import BatchEngine
from sim.market import draw_market

ROOT = Path(__file__).resolve().parents[1]

TARGETS = {  # metric: (low, high, source)
    "median_acv": (25e3, 40e3, "Bridge Group SaaS AE Metrics"),
    "mean_sales_cycle_months": (2.0, 2.5, "Bridge Group: 60-72 days median"),
    "grr": (0.88, 0.95, "SaaS Capital retention surveys"),
    "nrr": (1.00, 1.10, "SaaS Capital; KeyBanc"),
    "logo_churn": (0.05, 0.15, "Pacific Crest 2016: about 10%/yr"),
    "comp_cost_ratio": (0.07, 0.12, "Alexander Group; HBS: about 8-10%"),
    "share_at_quota": (0.45, 0.65, "CSO Insights; Xactly"),
    "rep_attrition": (0.25, 0.40, "Xactly: 30-35%/yr"),
    "commission_share_of_new_acv": (0.08, 0.10, "Pacific Crest / KeyBanc"),
    "win_rate": (0.15, 0.30, "Bridge Group (typical 20-25%)"),
}


def deal_level(scenario, seed: int, n: int) -> dict[str, float]:
    market = draw_market(scenario, seed, np.arange(n))
    plan = scenario.plans[0]
    behavior = plan_behavior(scenario, plan, market, choice_model(scenario, plan))
    engine = BatchEngine(scenario, plan, market, behavior)
    acv = []
    for k in range(engine.T):
        ledger, _ = engine.step(k)
        if ledger.month >= 0:
            acv.append(ledger.deals.acv)
    book = engine.book
    return {
        "median_acv": float(np.median(np.concatenate(acv))),
        "customers_end": float(book.active.sum() / n),
    }


DEFAULT = ROOT / "scenarios" / "default.toml"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", nargs="?", default=str(DEFAULT))
    parser.add_argument("--replications", type=int, default=200)
    return parser.parse_args()


def main(args: argparse.Namespace) -> None:
    scenario = sim.load_scenario(args.scenario)
    seed = scenario.simulation.seed
    result = sim.run(scenario, replications=args.replications, seed=seed, jobs=2)
    s = result.summary()
    plan = scenario.plans[0].name
    mean = s[s.plan == plan].set_index("metric")["mean"]
    values = dict(mean)
    values["commission_share_of_new_acv"] = (
        values.get("comp_cost_bookings_commission", np.nan) / values["new_arr"]
    )
    values["mean_sales_cycle_months"] = scenario.market.sales_cycle_months
    values.update(deal_level(scenario, seed, min(args.replications, 25)))
    print(f"{scenario.name}, plan {plan!r}, {args.replications} replications, seed {seed}")
    for name, (low, high, source) in TARGETS.items():
        v = values[name]
        ok = "ok " if low <= v <= high else "OUT"
        print(f"  {ok} {name:30s} {v:14.4g}   target [{low:g}, {high:g}]  {source}")
    for name in (
        "new_arr",
        "revenue",
        "ending_arr",
        "comp_cost",
        "new_logos",
        "avg_discount",
        "overforecast_gap",
        "deployment_success",
        "csat",
        "customers_end",
    ):
        print(f"      {name:30s} {values[name]:14.4g}")


if __name__ == "__main__":
    args = parse_args()
    if Path(args.scenario).resolve() == DEFAULT and args.replications == 200:
        with recorded("calibration", "python benchmarks/calibration.py"):
            main(args)  # the figures docs/calibration.md quotes
    else:
        main(args)
