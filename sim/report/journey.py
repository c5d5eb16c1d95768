"""Who is paid at each stage of the customer journey (seed 001's ownership matrix).

Seed 001 asks, for every stage of the journey, who is accountable and how they
are paid, to expose gaps (a stage nobody is paid for) and overlaps (two roles
paid for the same outcome). Here each plan's simulated cash, per component
(`comp_cost_<component>` means, $/yr), is placed in the (role, stage) cells the
component pays for. A component tied to several stages is split evenly across
them. Pay that is not tied to a stage (base salaries, draws, carried balances)
is left out. The onboarding and support teams are paid by no plan.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

STAGES = ("conversion", "onboarding", "first use", "adoption", "renewal", "expansion")
ROLES = ("AE", "CSM", "onboarding", "support")
NOT_STAGED = ("base_salary", "csm_base_salary", "draw", "balance_carried")

# component type -> the (role, stage) cells it pays for
FIXED_CELLS: dict[str, list[tuple[str, str]]] = {
    "revenue_commission": [("AE", "first use"), ("AE", "adoption")],
    "csat_modifier": [("AE", "adoption")],
    "forecast_accuracy": [("AE", "conversion")],
    "grr_bonus": [("CSM", "renewal")],
    "expansion_commission": [("CSM", "expansion")],
}
SPIFF_CELLS = {
    "deals": [("AE", "conversion")],
    "acv": [("AE", "conversion")],
    "successful_deployments": [("AE", "onboarding")],
    "renewed_arr": [("AE", "renewal")],
}
TEAM_BONUS_STAGES = {
    "new_arr": ["conversion"],
    "revenue": ["first use", "adoption"],
    "grr": ["renewal"],
    "nrr": ["renewal", "expansion"],
    "csat": ["adoption"],
}
DEAL_PAY = ("bookings_commission", "logo_bonus", "clawback")  # clawbacks net against it
CSM_PAID = ("grr_bonus", "expansion_commission")

CAPTION = (
    "Cash paid per year (simulated mean) by stage of the customer journey and role. "
    "Deal pay (bookings commission, logo bonus, deal SPIFFs, net of clawbacks) sits at "
    "conversion; the part a deployment holdback released after a successful deployment "
    "sits at onboarding; deal pay held until the first invoice is paid, and revenue "
    "commission, are split evenly between first use and adoption; renewal commission "
    "goes to the roles the plan credits (policies.renewal_credit); team bonuses to their "
    "role and the stages of their metric. A component tied to several stages is split "
    "evenly across them. Base salaries and draws are not tied to a stage and are left "
    "out. Grey cells: nobody paid. Stage names in red: no role is paid there (a gap); "
    "in orange: more than one role is (an overlap)."
)


def ownership_matrix(result) -> pd.DataFrame:
    """Rows: plan, role, stage, dollars ($/yr, mean over replications); every cell of
    every plan, zeros included."""
    means = result.replications.groupby("plan", sort=False).mean(numeric_only=True)
    rows = []
    for plan in result.scenario.plans:
        cells = plan_cells(plan, means.loc[plan.name])
        for role in ROLES:
            for stage in STAGES:
                rows.append((plan.name, role, stage, cells.get((role, stage), 0.0)))
    return pd.DataFrame(rows, columns=["plan", "role", "stage", "dollars"])


def plan_cells(plan, means: pd.Series) -> dict[tuple[str, str], float]:
    """One plan's dollars per (role, stage) from its component means."""
    cost = lambda name: float(means.get(f"comp_cost_{name}", 0.0) or 0.0)  # noqa: E731
    cells: dict[tuple[str, str], float] = {}

    def put(amount: float, targets: list[tuple[str, str]]) -> None:
        for cell in targets:
            cells[cell] = cells.get(cell, 0.0) + amount / len(targets)

    _deal_pay(plan, means, put)
    for kind, targets in FIXED_CELLS.items():
        if plan.component(kind) is not None:
            put(cost(kind), targets)
    for spiff in (c for c in plan.components if c.type == "spiff"):
        put(cost(spiff.name), SPIFF_CELLS[spiff.metric])
    _renewal_pay(plan, means, put)
    teams = [c for c in plan.components if c.type == "team_bonus"]
    targets = [(t.role.upper(), s) for t in teams for s in TEAM_BONUS_STAGES[t.metric]]
    if targets:
        put(cost("team_bonus"), targets)
    return cells


def _deal_pay(plan, means: pd.Series, put) -> None:
    """Deal pay: at conversion, less what waited for a deployment (onboarding) or for
    the customer's first payment (first use and adoption)."""
    paid = sum(float(means.get(f"comp_cost_{name}", 0.0) or 0.0) for name in DEAL_PAY)
    after_deploy = 0.0
    holdback = plan.component("deployment_holdback")
    if holdback is not None:
        # earned = paid + forfeited; (1 - share) of it was paid at booking, the rest on deployment
        earned = paid + float(means.get("holdback_forfeited", 0.0) or 0.0)
        after_deploy = float(np.clip(paid - (1 - holdback.share) * earned, 0.0, paid))
    put(after_deploy, [("AE", "onboarding")])
    rest = paid - after_deploy
    if plan.component("pay_when_paid") is not None:
        put(rest, [("AE", "first use"), ("AE", "adoption")])
    else:
        put(rest, [("AE", "conversion")])


def _renewal_pay(plan, means: pd.Series, put) -> None:
    """Renewal commission, split between AE and CSM by what each role was paid."""
    total = float(means.get("comp_cost_renewal_commission", 0.0) or 0.0)
    if plan.component("renewal_commission") is None or total == 0:
        return
    credited = plan.policies.renewal_credit
    if credited == ["csm"] or "ae" not in credited:
        put(total, [("CSM", "renewal")])
        return
    if "csm" not in credited:
        put(total, [("AE", "renewal")])
        return
    other_csm = sum(float(means.get(f"comp_cost_{n}", 0.0) or 0.0) for n in CSM_PAID)
    other_csm += _csm_team_bonus(plan, means)
    csm_part = float(means.get("comp_cost_role_csm", 0.0) or 0.0)
    csm_part -= float(means.get("comp_cost_csm_base_salary", 0.0) or 0.0) + other_csm
    csm_part = float(np.clip(csm_part, 0.0, total))
    put(csm_part, [("CSM", "renewal")])
    put(total - csm_part, [("AE", "renewal")])


def _csm_team_bonus(plan, means: pd.Series) -> float:
    teams = [c for c in plan.components if c.type == "team_bonus"]
    if not teams:
        return 0.0
    share = sum(t.role == "csm" for t in teams) / len(teams)
    return share * float(means.get("comp_cost_team_bonus", 0.0) or 0.0)
