"""A plan as written in a scenario file: base salary, OTE, quota, components, policies.

A new plan variant is a file, not code: every component below is a table in
`[[plans.components]]` with a `type`, e.g.

    [[plans.components]]
    type = "deployment_holdback"
    share = 0.5
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from sim.params import Section, param
from sim.plans.bonuses import SpiffConfig, TeamBonusConfig
from sim.plans.bookings import BookingsCommissionConfig, LogoBonusConfig
from sim.plans.clawback import ClawbackConfig
from sim.plans.csat import CsatModifierConfig
from sim.plans.csm import ExpansionCommissionConfig, GrrBonusConfig
from sim.plans.draw import DrawConfig
from sim.plans.forecast import ForecastAccuracyConfig
from sim.plans.multipliers import DiscountAdjustedRateConfig, FitMultiplierConfig
from sim.plans.policies import Policies
from sim.plans.quota import Quota
from sim.plans.renewal import RenewalCommissionConfig
from sim.plans.revenue import RevenueCommissionConfig
from sim.plans.timing import DeploymentHoldbackConfig, PayWhenPaidConfig

COMPONENT_CONFIGS = (
    BookingsCommissionConfig,
    RevenueCommissionConfig,
    DeploymentHoldbackConfig,
    ClawbackConfig,
    RenewalCommissionConfig,
    DiscountAdjustedRateConfig,
    FitMultiplierConfig,
    CsatModifierConfig,
    LogoBonusConfig,
    SpiffConfig,
    ForecastAccuracyConfig,
    DrawConfig,
    PayWhenPaidConfig,
    GrrBonusConfig,
    ExpansionCommissionConfig,
    TeamBonusConfig,
)
ComponentConfig = Annotated[
    BookingsCommissionConfig
    | RevenueCommissionConfig
    | DeploymentHoldbackConfig
    | ClawbackConfig
    | RenewalCommissionConfig
    | DiscountAdjustedRateConfig
    | FitMultiplierConfig
    | CsatModifierConfig
    | LogoBonusConfig
    | SpiffConfig
    | ForecastAccuracyConfig
    | DrawConfig
    | PayWhenPaidConfig
    | GrrBonusConfig
    | ExpansionCommissionConfig
    | TeamBonusConfig,
    Field(discriminator="type"),
]
COMPONENT_TYPES = tuple(c.model_fields["type"].annotation.__args__[0] for c in COMPONENT_CONFIGS)
_ONCE = (
    "deployment_holdback",
    "pay_when_paid",
    "clawback",
    "draw",
    "discount_adjusted_rate",
    "fit_multiplier",
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
    components: list[ComponentConfig] = Field(
        default_factory=lambda: [BookingsCommissionConfig(type="bookings_commission")],
        description="pay components, each a table with a `type`",
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.base_salary > self.ote:
            raise ValueError(f"base_salary ({self.base_salary:g}) exceeds ote ({self.ote:g})")
        types = [c.type for c in self.components]
        for kind in _ONCE:
            if types.count(kind) > 1:
                raise ValueError(f"component '{kind}' appears more than once")
        names = [c.name if c.type == "spiff" else c.type for c in self.components]
        repeated = {n for n in names if names.count(n) > 1 and n not in _ONCE}
        if repeated:
            raise ValueError(f"give repeated components distinct names: {sorted(repeated)}")
        return self

    @property
    def annual_quota(self) -> float:
        return self.quota.annual(self.ote)

    @property
    def target_variable(self) -> float:
        return self.ote - self.base_salary

    def component(self, kind: str):
        return next((c for c in self.components if c.type == kind), None)
