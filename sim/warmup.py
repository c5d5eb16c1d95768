"""How long to simulate before reporting, so that every plan is in its own steady state.

A plan's pay lags the events it pays on: a 24-month revenue commission pays for two
years after each deal, a clawback recovers for its window, a holdback releases
within its window, a ratchet carries one year into the next. The world adds a lead:
deals pursued before the start close a few sales cycles later, and new hires ramp;
and reps judge their pay on the trailing 12 months when deciding to quit. Until
the longest of these has passed, a plan's numbers are still moving, and a short
warm-up flatters plans whose costs arrive late.

`company.burn_in_months = "auto"` (the default) warms up for

    lead + max(longest plan tail, 12 months of pay memory)

where lead = ramp months + 3 mean sales cycles (the pipeline that was already
open; a geometric cycle outlasts 3 means 5% of the time). One warm-up serves every
plan of the scenario, so all of them still run on the same markets (common random
numbers). A number overrides; `WarmUp.warning` says when it is shorter than the
plans need.

Contract terms are not a tail of their own: renewals of the installed base flow
from the first month (its contracts are at spread-out ages), while the first
renewals of deals signed under a plan come one term after they are signed. Those
still move over the reported years, which is what the report's year-by-year view
of each change shows (and warns about). The company keeps a fixed sales team, so
a longer warm-up also means an older, larger company when reporting starts: what a
plan does to the installed base (revenue, ARR, GRR, NRR, and pay on renewals,
expansion, retention or CSAT: `book_paid`) compounds over customer lifetimes of
about ten years and depends on that age, which no warm-up of a few years settles.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.plans.config import installed_base_pay, plan_tail_months

PAY_MEMORY_MONTHS = 12  # reps weigh trailing 12-month pay when deciding to quit
PIPELINE_CYCLES = 3  # open deals close within 3 mean sales cycles (95% of them)


@dataclass(frozen=True)
class WarmUp:
    """The warm-up a scenario needs and why."""

    months: int  # what the run simulates before month 0
    setting: int | str  # the scenario's `company.burn_in_months`: "auto" or a number
    needed: int  # what "auto" would give
    longest_tail: int  # months, of the plan below
    longest_tail_plan: str | None
    parts: dict[str, int]  # what `needed` is made of
    book_paid: dict[str, list[str]]  # plan -> its components paying on the installed base

    @property
    def short(self) -> bool:
        """A number was given, shorter than the plans need."""
        return self.months < self.needed

    def record(self) -> dict:
        """For the manifest."""
        return {
            "months": self.months,
            "setting": self.setting,
            "needed": self.needed,
            "longest_plan_tail": {"plan": self.longest_tail_plan, "months": self.longest_tail},
            "parts": self.parts,
            "rule": "lead (ramp + 3 mean sales cycles) + max(longest plan tail, "
            "12 months of pay memory)",
            "warning": self.warning(),
            "pays_on_installed_base": self.book_paid,
        }

    def warning(self) -> str | None:
        if not self.short:
            return None
        return (
            f"warm-up of {self.months} months is shorter than the {self.needed} the plans need "
            f"({self.longest_tail_plan}: a {self.longest_tail}-month pay tail): early reported "
            "months are not in steady state"
            if self.longest_tail_plan
            else f"warm-up of {self.months} months is shorter than the {self.needed} needed"
        )


def warm_up(scenario) -> WarmUp:
    """The warm-up of `scenario`: its number, or "auto"'s."""
    tails = {plan.name: plan_tail_months(plan) for plan in scenario.plans}
    plan = max(tails, key=tails.get) if tails else None
    longest = tails[plan] if plan else 0
    lead = scenario.reps.ramp_months + math.ceil(
        PIPELINE_CYCLES * scenario.market.sales_cycle_months
    )
    parts = {
        "ramp": scenario.reps.ramp_months,
        "pipeline": lead - scenario.reps.ramp_months,
        "longest_plan_tail": longest,
        "pay_memory": PAY_MEMORY_MONTHS,
    }
    needed = lead + max(longest, PAY_MEMORY_MONTHS)
    setting = scenario.company.burn_in_months
    months = needed if setting == "auto" else int(setting)
    book_paid = {p.name: kinds for p in scenario.plans if (kinds := installed_base_pay(p))}
    return WarmUp(months, setting, needed, longest, plan if longest else None, parts, book_paid)
