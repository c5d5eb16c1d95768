"""Building blocks of the scenario schema: documented parameters and distributions.

Every model coefficient is declared with `param(default, unit, meaning)`, so the
schema itself carries the default, the unit and a one-line meaning, and
`sim schema` exports all three for editors. Rep traits and given strategies can
be a single number or a distribution table such as
`{ dist = "beta", a = 2, b = 5 }`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator


class Section(BaseModel):
    """A validated, immutable block of a scenario file; unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


def param(default: Any, unit: str, meaning: str, **constraints: Any) -> Any:
    """A scenario parameter with its default, unit and one-line meaning."""
    return Field(default, description=meaning, json_schema_extra={"unit": unit}, **constraints)


# --- distributions --------------------------------------------------------------------


class Normal(Section):
    dist: Literal["normal"]
    mean: float = param(0.0, "same as the parameter", "mean")
    sd: float = param(1.0, "same as the parameter", "standard deviation", ge=0)

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return rng.normal(self.mean, self.sd, size)

    def support(self) -> tuple[float, float]:
        return (-math.inf, math.inf) if self.sd > 0 else (self.mean, self.mean)

    def mean_value(self) -> float:
        return self.mean


class Uniform(Section):
    dist: Literal["uniform"]
    low: float = param(0.0, "same as the parameter", "lower bound")
    high: float = param(1.0, "same as the parameter", "upper bound")

    @model_validator(mode="after")
    def _ordered(self):
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) is below low ({self.low})")
        return self

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return rng.uniform(self.low, self.high, size)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def mean_value(self) -> float:
        return 0.5 * (self.low + self.high)


class Beta(Section):
    dist: Literal["beta"]
    a: float = param(1.0, "1", "first shape parameter", gt=0)
    b: float = param(1.0, "1", "second shape parameter", gt=0)
    low: float = param(0.0, "same as the parameter", "value at the Beta's 0")
    high: float = param(1.0, "same as the parameter", "value at the Beta's 1")

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return self.low + (self.high - self.low) * rng.beta(self.a, self.b, size)

    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def mean_value(self) -> float:
        return self.low + (self.high - self.low) * self.a / (self.a + self.b)


class LogNormal(Section):
    dist: Literal["lognormal"]
    median: float = param(1.0, "same as the parameter", "median", gt=0)
    sigma: float = param(0.5, "log units", "standard deviation of the logarithm", ge=0)

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return self.median * np.exp(self.sigma * rng.standard_normal(size))

    def support(self) -> tuple[float, float]:
        return (0.0, math.inf) if self.sigma > 0 else (self.median, self.median)

    def mean_value(self) -> float:
        return self.median * math.exp(0.5 * self.sigma**2)


class Choice(Section):
    dist: Literal["choice"]
    values: list[float] = param([0.0], "same as the parameter", "possible values", min_length=1)
    weights: list[float] | None = param(None, "1", "relative weights (default: equal)")

    @model_validator(mode="after")
    def _weights_match(self):
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError("weights must have one entry per value")
            if min(self.weights) < 0 or sum(self.weights) <= 0:
                raise ValueError("weights must be non-negative and not all zero")
        return self

    def _p(self) -> np.ndarray | None:
        if self.weights is None:
            return None
        w = np.asarray(self.weights, float)
        return w / w.sum()

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        return rng.choice(np.asarray(self.values, float), size=size, p=self._p())

    def support(self) -> tuple[float, float]:
        return (min(self.values), max(self.values))

    def mean_value(self) -> float:
        p = self._p()
        return float(np.mean(self.values) if p is None else np.dot(p, self.values))


Distribution = Annotated[Normal | Uniform | Beta | LogNormal | Choice, Field(discriminator="dist")]


def sample(value: float | Distribution, rng: np.random.Generator, size) -> np.ndarray:
    """Draw `size` values of a parameter that is a number or a distribution."""
    if isinstance(value, int | float):
        return np.full(size, float(value))
    return value.sample(rng, size)


def mean_of(value: float | Distribution) -> float:
    return float(value) if isinstance(value, int | float) else value.mean_value()


def support_of(value: float | Distribution) -> tuple[float, float]:
    return (float(value), float(value)) if isinstance(value, int | float) else value.support()


def within(low: float = -math.inf, high: float = math.inf, high_open: bool = False):
    """A number-or-distribution whose every possible value lies in [low, high]."""

    def check(value):
        lo, hi = support_of(value)
        too_high = hi >= high if high_open else hi > high
        if lo < low or too_high:
            bracket = ")" if high_open else "]"
            got = f"{lo:g}" if lo == hi else f"values in [{lo:g}, {hi:g}]"
            raise ValueError(f"must lie in [{low:g}, {high:g}{bracket}, got {got}")
        return value

    return Annotated[float | Distribution, AfterValidator(check)]
