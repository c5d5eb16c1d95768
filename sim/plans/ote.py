"""The OTE check: what a plan pays at exactly 100% attainment, by its own arithmetic.

Comp designers state OTE as base plus variable at 100% attainment. With tiers,
holdbacks, multipliers and bonuses, what the plan actually promises at 100% can
drift from the stated OTE, and what reps are paid on average differs again,
because accelerators make the average cost differ from the cost at average
attainment. `payout_at_attainment` computes the first; the run's `ae_pay`
metric measures the second; `sim.analysis.ote_check` puts them side by side.

Assumptions at "100% attainment": the rep books exactly its annual quota in ACV,
evenly over the periods, in deals of the market's mix (contract kinds, terms at
the mean discount, fit above the mean threshold); deal multipliers are 1; held
pay is released in full; revenue commission is paid on revenue equal to booked
ACV; CSAT and forecast pay are at target. Pay that does not depend on attainment
(renewal and expansion commission, SPIFFs) is not included. Each component states
its own part (`ote_pay` in its file under `sim/plans/components/`); this module
supplies the assumptions (`OteBasis`) and applies the plan's variable cap.
"""

from __future__ import annotations

import math

from sim import world
from sim.params import mean_of
from sim.plans.base import OteBasis
from sim.plans.config import Plan
from sim.plans.quota import PERIOD_MONTHS, earned_multiple


def ote_basis(plan: Plan, scenario, attainment: float = 1.0) -> OteBasis:
    """What the plan's arithmetic assumes at `attainment` of the annual quota."""
    market, strategy = scenario.market, scenario.strategy
    share_24 = float(world.two_year_term_probability(mean_of(strategy.discount), market))
    mean_acv = (
        market.need_median
        * math.exp(0.5 * market.need_sigma**2)
        * (1 + mean_of(strategy.overforecast))
        * (1 - mean_of(strategy.discount))
    )
    return OteBasis(
        attainment=attainment,
        annual_quota=plan.annual_quota,
        credit=attainment * plan.annual_quota,
        tier_factor=float(earned_multiple(attainment, plan.quota)) / max(attainment, 1e-12),
        two_year_share=share_24,
        usage_share=market.share_usage_contracts,
        mean_acv=mean_acv,
        target_variable=plan.target_variable,
        period_months=PERIOD_MONTHS[plan.quota.period],
        fit_shape=(market.fit_a, market.fit_b),
        fit_threshold=mean_of(strategy.fit_threshold),
    )


def payout_at_attainment(plan: Plan, scenario, attainment: float = 1.0) -> dict[str, float]:
    """Annual AE pay by line at the given attainment, $/yr."""
    basis = ote_basis(plan, scenario, attainment)
    lines = {"base_salary": plan.base_salary}
    for c in plan.components:
        pay = c.ote_pay(basis)
        if pay:
            lines[c.line] = lines.get(c.line, 0.0) + pay
    if plan.variable_cap is not None:
        variable = sum(v for k, v in lines.items() if k != "base_salary")
        cap = plan.variable_cap * plan.target_variable
        if variable > cap:
            for k in lines:
                if k != "base_salary":
                    lines[k] *= cap / variable
    return lines
