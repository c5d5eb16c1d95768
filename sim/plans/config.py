"""A plan as written in a scenario file: base salary, OTE, quota, components, policies.

A new plan variant is a file, not code: every component below is a table in
`[[plans.components]]` with a `type`, e.g.

    [[plans.components]]
    type = "deployment_holdback"
    share = 0.5

A plan pays exactly the components it lists. One that lists none is an error
(there is no default commission, and a plan never inherits components, not even
from a file it extends); `components = []` says "salary only" on purpose.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from sim.params import Section, param
from sim.plans.policies import Policies
from sim.plans.quota import Quota
from sim.plans.registry import REGISTRY, component_configs, component_types, config_union

COMPONENT_CONFIGS = component_configs()
COMPONENT_TYPES = component_types()
AnyComponentConfig = config_union()
MONTHS_PER_YEAR = 12
# comp_cost_<line> names payroll and the metrics use for themselves
RESERVED_LINES = (
    "base_salary",
    "csm_base_salary",
    "balance_carried",
    "ratio",
    "role_ae",
    "role_csm",
)
NO_COMPONENTS = (
    "missing: a plan pays only the components it lists; add [[plans.components]] tables "
    "(plans are never inherited, not even from a file this one extends), or write "
    "components = [] for a salary-only plan"
)


class Plan(Section):
    """A pay plan: base salary plus components, for AEs and CSMs, and its policies."""

    name: str = Field(min_length=1, description="plan name, unique within the scenario")
    description: str = Field("", description="what the plan is and where it comes from")
    base_salary: float = param(75_000.0, "$/yr", "AE base salary", ge=0)
    ote: float = param(150_000.0, "$/yr", "AE on-target earnings (base + variable at 100%)", gt=0)
    variable_cap: float | None = param(
        None, "x target variable", "most AE variable pay per plan year (none: uncapped)", gt=0
    )
    csm_base_salary: float = param(85_000.0, "$/yr", "CSM base salary", ge=0)
    quota: Quota = Quota()
    policies: Policies = Policies()
    components: list[AnyComponentConfig] = Field(
        description="pay components, each a table with a `type` ([] for salary only)",
        json_schema_extra={"if_missing": NO_COMPONENTS},
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.base_salary > self.ote:
            raise ValueError(f"base_salary ({self.base_salary:g}) exceeds ote ({self.ote:g})")
        types = [c.type for c in self.components]
        once = [kind for kind, config in REGISTRY.items() if config.once]
        for kind in once:
            if types.count(kind) > 1:
                raise ValueError(f"component '{kind}' appears more than once")
        names = [c.line for c in self.components]
        repeated = {n for n in names if names.count(n) > 1 and n not in once}
        if repeated:
            raise ValueError(f"give repeated components distinct names: {sorted(repeated)}")
        taken = sorted(set(names) & set(RESERVED_LINES))
        if taken:
            raise ValueError(f"name {taken[0]!r} is taken by a report line; choose another")
        return self

    @property
    def salary_only(self) -> bool:
        return not self.components

    @property
    def annual_quota(self) -> float:
        return self.quota.annual(self.ote)

    @property
    def target_variable(self) -> float:
        return self.ote - self.base_salary

    def component(self, kind: str):
        return next((c for c in self.components if c.type == kind), None)


def scale_variable_pay(plan: Plan, factor: float) -> Plan:
    """The same plan design with `factor` x the variable pay: every component's
    `variable_pay` settings (rates, bonus amounts, draws) are multiplied by `factor`,
    and so is target variable pay (OTE = base + factor x (OTE - base)), so that the
    variable cap and pay stated as a share of target keep their meaning. Base
    salaries, quota, tiers, windows and policies do not change: a quota set as a
    multiple of OTE is pinned to its dollar amount first. Raises ValueError if a
    scaled setting leaves its allowed range (a rate above 1)."""
    if factor < 0:
        raise ValueError(f"factor must be non-negative, got {factor}")
    data = plan.model_dump(by_alias=True)
    data["ote"] = plan.base_salary + factor * plan.target_variable
    data["quota"]["amount"] = plan.annual_quota
    data["components"] = [c.scaled(factor).model_dump(by_alias=True) for c in plan.components]
    return Plan.model_validate(data)


def installed_base_pay(plan: Plan) -> list[str]:
    """The plan's components that pay on what the whole customer book does
    (`pays_on_installed_base`), by type: their cost grows with the book."""
    return list(dict.fromkeys(c.type for c in plan.components if c.pays_on_installed_base()))


def plan_tail_months(plan: Plan) -> int:
    """The longest tail of the plan, in months: the most any component's pay (or
    recovery) lags the events it pays on (revenue-commission months, holdback and
    clawback windows, deferrals, bonus periods), and 12 when the quota ratchets
    (next year's quota depends on this year's result). A warm-up at least this long
    (plus the world's own tails: contract terms, ramp) puts the plan in steady state."""
    tails = [c.tail_months() for c in plan.components]
    if plan.quota.ratchet_up > 0 or plan.quota.ratchet_down > 0:
        tails.append(MONTHS_PER_YEAR)
    return max(tails, default=0)
