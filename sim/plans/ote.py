"""The OTE check: what a plan pays at exactly 100% attainment, by its own arithmetic.

Comp designers state OTE as base plus variable at 100% attainment. With tiers,
holdbacks, multipliers and bonuses, what the plan actually promises at 100% can
drift from the stated OTE, and what reps are paid on average differs again,
because accelerators make the average cost differ from the cost at average
attainment. `payout_at_attainment` computes the first; the run's `ae_pay`
metric measures the second; `sim.analysis.ote_check` puts them side by side.

Assumptions at "100% attainment": the rep books exactly its annual quota in ACV,
evenly over the periods; deal multipliers are 1; held pay is released in full;
revenue commission is paid on revenue equal to booked ACV; CSAT and forecast
pay are at target. Pay that does not depend on attainment (renewal commission,
SPIFFs) is not included.
"""

from __future__ import annotations

import math

from sim import world
from sim.params import mean_of
from sim.plans.config import Plan
from sim.plans.quota import earned_multiple

MONTHS_PER_YEAR = 12


def payout_at_attainment(plan: Plan, scenario, attainment: float = 1.0) -> dict[str, float]:
    """Annual AE pay by line at the given attainment, $/yr."""
    quota = plan.annual_quota
    market, strategy = scenario.market, scenario.strategy
    share_24 = float(world.two_year_term_probability(mean_of(strategy.discount), market))
    mean_acv = (
        market.need_median
        * math.exp(0.5 * market.need_sigma**2)
        * (1 + mean_of(strategy.overforecast))
        * (1 - mean_of(strategy.discount))
    )
    tiers = float(earned_multiple(attainment, plan.quota)) / max(attainment, 1e-12)
    credit = attainment * quota
    lines = {"base_salary": plan.base_salary}
    for c in plan.components:
        if c.type == "bookings_commission":
            basis = {"acv": 1.0, "first_year": 1.0, "tcv": 1.0 + share_24}[c.basis]
            multi_year = 1.0 + share_24 * (c.multi_year_multiplier - 1.0)
            scale = tiers if c.accelerated else 1.0
            lines[c.type] = c.rate * credit * basis * multi_year * scale
        elif c.type == "logo_bonus":
            lines[c.type] = c.amount * credit / mean_acv
        elif c.type == "revenue_commission":
            lines[c.type] = c.rate * credit * min(c.months, MONTHS_PER_YEAR) / MONTHS_PER_YEAR
        elif c.type == "forecast_accuracy":
            lines[c.type] = c.target_bonus
        elif c.type == "csat_modifier" and c.mode == "share_of_target":
            lines[c.type] = c.share * plan.target_variable
        elif c.type == "team_bonus" and c.role == "ae":
            lines[c.type] = c.amount
    if plan.variable_cap is not None:
        variable = sum(v for k, v in lines.items() if k != "base_salary")
        cap = plan.variable_cap * plan.target_variable
        if variable > cap:
            for k in lines:
                if k != "base_salary":
                    lines[k] *= cap / variable
    return lines
