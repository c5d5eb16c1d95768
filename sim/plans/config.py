"""A plan as written in a scenario file: base salary, OTE, quota and components."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.plans.bookings import BookingsCommissionConfig
from sim.scenario.params import Section, param

ComponentConfig = Annotated[BookingsCommissionConfig, Field(discriminator="type")]


class Quota(Section):
    """The annual quota, in quota credit (booked ACV)."""

    amount: float | None = param(
        None, "$ ACV/yr", "annual quota; if unset, multiple_of_ote x OTE", gt=0
    )
    multiple_of_ote: float = param(5.0, "x annual OTE", "annual quota as a multiple of OTE", gt=0)
    period: Literal["year"] = param("year", "choice", "the quota period")

    def annual(self, ote: float) -> float:
        return self.amount if self.amount is not None else self.multiple_of_ote * ote


class Plan(Section):
    """A pay plan: base salary plus components, for AEs (and CSMs' salaries)."""

    name: str = Field(min_length=1, description="plan name, unique within the scenario")
    description: str = Field("", description="what the plan is and where it comes from")
    base_salary: float = param(75_000.0, "$/yr", "AE base salary", ge=0)
    ote: float = param(150_000.0, "$/yr", "AE on-target earnings (base + variable at 100%)", gt=0)
    csm_base_salary: float = param(85_000.0, "$/yr", "CSM base salary", ge=0)
    quota: Quota = Quota()
    components: list[ComponentConfig] = Field(
        default_factory=lambda: [BookingsCommissionConfig(type="bookings_commission")],
        description="pay components, each a table with a `type`",
    )

    @model_validator(mode="after")
    def _base_within_ote(self):
        if self.base_salary > self.ote:
            raise ValueError(f"base_salary ({self.base_salary:g}) exceeds ote ({self.ote:g})")
        return self

    @property
    def annual_quota(self) -> float:
        return self.quota.annual(self.ote)
