"""Who is paid at each stage of the customer journey (source 001's ownership matrix).

Source 001 asks, for every stage of the journey, who is accountable and how they
are paid, to expose gaps (a stage nobody is paid for) and overlaps (two roles
paid for the same outcome). Here each plan's simulated cash, per component
(`comp_cost_<component>` means, $/yr), is placed in the (role, stage) cells the
component pays for. A component tied to several stages is split evenly across
them. Pay that is not tied to a stage (base salaries, draws, carried balances)
is left out. The onboarding and support teams are paid by no plan.
"""

from __future__ import annotations

import pandas as pd

from sim.plans.base import DEAL_CELLS, ROLES, STAGES
from sim.plans.registry import REGISTRY

# payroll's own lines, and components whose pay belongs to no stage (draws)
NOT_STAGED = (
    "base_salary",
    "csm_base_salary",
    "balance_carried",
    *(kind for kind, config in REGISTRY.items() if config.unstaged),
)

CAPTION = (
    "Cash paid per year (simulated mean) by stage of the customer journey and role. "
    "Deal pay (bookings commission, logo bonus, deal SPIFFs, net of clawbacks) sits at "
    "conversion; the part a deployment holdback released after a successful deployment "
    "sits at onboarding; deal pay held until the first invoice is paid, and revenue "
    "commission, are split evenly between first use and adoption; attainment bonuses sit "
    "at conversion; renewal commission goes to the roles the plan credits "
    "(policies.renewal_credit), expansion commission to its role at expansion; team "
    "bonuses to their role and the stages of their metric. A component tied to several "
    "stages is split evenly across them. Base salaries and draws are not tied to a stage "
    "and are left out. Grey cells: nobody paid. Stage names in red: no role is paid there (a gap); "
    "in orange: more than one role is (an overlap)."
)


def ownership_matrix(result) -> pd.DataFrame:
    """Rows: plan, role, stage, dollars ($/yr, mean over replications); every cell of
    every plan, zeros included."""
    means = result.plan_means()
    rows = []
    for plan in result.scenario.plans:
        cells = plan_cells(plan, means.loc[plan.name])
        for role in ROLES:
            for stage in STAGES:
                rows.append((plan.name, role, stage, cells.get((role, stage), 0.0)))
    return pd.DataFrame(rows, columns=["plan", "role", "stage", "dollars"])


def plan_cells(plan, means: pd.Series) -> dict[tuple[str, str], float]:
    """One plan's dollars per (role, stage) from its component means. Each component
    says where its pay goes (`journey_cells`, `place_pay` in its file); deal pay
    (commission and bonuses per deal won, net of clawbacks) sits at conversion, less
    what the plan's timing components released at later stages."""
    cost = lambda name: float(means.get(f"comp_cost_{name}", 0.0) or 0.0)  # noqa: E731
    cells: dict[tuple[str, str], float] = {}

    def put(amount: float, targets) -> None:
        for cell in targets:
            cells[cell] = cells.get(cell, 0.0) + amount / len(targets)

    deal = sum(cost(line) for line in dict.fromkeys(c.line for c in plan.components if c.deal_pay))
    timings = [c for c in plan.components if c.restages_deal_pay]
    # the earliest stage claims first: a holdback releases at onboarding, before the
    # first invoice is paid
    for timing in sorted(timings, key=lambda c: STAGES.index(c.journey_cells(plan)[0][1])):
        deal = timing.restage_deal_pay(plan, deal, means, put)
    put(deal, DEAL_CELLS)
    for component in plan.components:
        component.place_pay(plan, cost, put)
    return cells
