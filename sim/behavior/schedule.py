"""A plan's attainment-shaped pay, as the monthly policy sees it.

Most pay grows in step with what a rep sells. Some does not: quota tiers
(accelerators, decelerators), a threshold below which nothing is earned, an
attainment cap, lump-sum bonuses at a hurdle, the annual variable-pay cap and
the ratchet that sets next year's quota from this year's result. Those make
where a rep stands (months left, attainment so far) matter, and they are what
`Schedule` describes: read from the plan's configuration, applied to credit
by the plan's own quota arithmetic (`sim.plans.quota.earned_multiple`).

Periods with such features get a "clock" in the policy's state: credit so
far in the period. A monthly feature needs none (it starts afresh every month).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.plans.quota import PERIOD_MONTHS, earned_multiple

MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class Bonus:
    """A lump sum paid in a period's last month for each hurdle the period's credit
    reached: `steps` are (hurdle as a fraction of `quota`, amount $)."""

    period: int  # months
    quota: float  # $ credit per period
    steps: tuple[tuple[float, float], ...]

    def pay(self, credit: np.ndarray) -> np.ndarray:
        """$ paid for a period's credit (any shape)."""
        out = np.zeros(np.shape(credit))
        for hurdle, amount in self.steps:
            out = out + amount * (credit >= hurdle * self.quota - 1e-9)
        return out


@dataclass(frozen=True)
class Schedule:
    annual_quota: float  # $ credit per year
    commission_period: int  # months
    quota: object  # the plan's Quota (tiers, threshold, cap) for earned_multiple
    linear: bool  # the commission schedule pays the same multiple everywhere
    slope: float  # that multiple, when linear
    bonuses: tuple[Bonus, ...]
    variable_cap: float | None  # $ of variable pay per plan year
    ratchet_up: float
    ratchet_down: float

    @classmethod
    def from_plan(cls, plan) -> Schedule:
        q = plan.quota
        mults = q.schedule()[1]
        linear = bool(np.all(mults == mults[0]))
        annual = plan.annual_quota
        return cls(
            annual_quota=annual,
            commission_period=PERIOD_MONTHS[q.period],
            quota=q,
            linear=linear and q.threshold == 0 and q.cap is None,
            slope=float(mults[0]),
            bonuses=tuple(_bonuses(plan, annual)),
            variable_cap=(
                plan.variable_cap * plan.target_variable if plan.variable_cap is not None else None
            ),
            ratchet_up=q.ratchet_up,
            ratchet_down=q.ratchet_down,
        )

    def feature_periods(self) -> set[int]:
        """Periods (months) whose credit-to-date changes what a month's credit pays."""
        periods = {b.period for b in self.bonuses}
        if not self.linear:
            periods.add(self.commission_period)
        if self.variable_cap is not None or self.ratchet_up or self.ratchet_down:
            periods.add(MONTHS_PER_YEAR)
        return periods

    def commission(self, before: np.ndarray, after: np.ndarray) -> np.ndarray:
        """$ of 1x-equivalent commission credit earned moving from `before` to `after`
        $ of credit in the commission period: what the schedule's bands pay."""
        if self.linear:
            return self.slope * (after - before)
        q = self.annual_quota * self.commission_period / MONTHS_PER_YEAR
        return q * (
            earned_multiple(after / q, self.quota) - earned_multiple(before / q, self.quota)
        )

    def next_quota_factor(self, year_credit: np.ndarray) -> np.ndarray:
        """Next year's quota as a multiple of this year's, from this year's credit."""
        a = year_credit / self.annual_quota
        return (
            1.0 + self.ratchet_up * np.maximum(a - 1, 0) - self.ratchet_down * np.maximum(1 - a, 0)
        )


def _bonuses(plan, annual_quota: float) -> list[Bonus]:
    out = []
    for c in plan.components:
        if c.type != "attainment_bonus":
            continue
        period = PERIOD_MONTHS[c.period]
        out.append(
            Bonus(
                period=period,
                quota=float(bonus_quota(c, annual_quota)),
                steps=tuple((s.at, s.amount) for s in c.steps),
            )
        )
    return out


def bonus_quota(config, annual_quota: float) -> float:
    """$ of credit per period that an attainment bonus's hurdles are fractions of (the
    component's own arithmetic)."""
    return float(config.bonus_quota(annual_quota))
