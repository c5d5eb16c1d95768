"""CSAT in seller pay (source 002): as a modifier of variable pay, or as a share of
target incentive, measured at the individual, team or company level.

The component sees only the survey measure (share of respondents satisfied),
never true health: a rep with few accounts answering has a noisy measure, which
is why the seed suggests broader levels when data are thin. An individual or
team measure with no respondents falls back to the next broader level.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from sim.params import param
from sim.plans.base import MONTHS_PER_YEAR, Adjuster, ComponentConfig, OteBasis, PayContext
from sim.plans.registry import register


@register
class CsatModifierConfig(ComponentConfig):
    type: Literal["csat_modifier"]
    level: Literal["individual", "team", "company"] = param(
        "individual", "choice", "whose customers' CSAT counts"
    )
    mode: Literal["modifier", "share_of_target"] = param(
        "modifier", "choice", "scale variable pay, or pay a share of target incentive on CSAT"
    )
    target: float = param(0.8, "fraction satisfied", "CSAT paying 100% (multiplier 1)", gt=0, le=1)
    slope: float = param(2.0, "x per unit CSAT", "modifier: multiplier change per unit CSAT", ge=0)
    min_multiplier: float = param(0.8, "x", "modifier: lowest multiplier", ge=0)
    max_multiplier: float = param(1.2, "x", "modifier: highest multiplier", ge=0)
    share: float = param(
        0.2, "fraction of target variable", "share of target incentive on CSAT", ge=0, le=1
    )
    threshold: float = param(0.6, "fraction satisfied", "share mode: CSAT paying 0", ge=0, lt=1)
    cap: float = param(1.5, "x", "share mode: largest payout", ge=1)

    # a modifier scales variable pay, which a budget scales already; a share of target
    # scales with target variable pay, which `scale_variable_pay` scales with the OTE
    variable_pay = ()

    def build(self, plan) -> list[CsatModifier]:
        return [CsatModifier(self)]

    def ote_pay(self, basis: OteBasis) -> float:
        """At target CSAT: the share of target variable (share mode), 0 (modifier x 1)."""
        return self.share * basis.target_variable if self.mode == "share_of_target" else 0.0

    def journey_cells(self, plan):
        return (("AE", "adoption"),)

    def tail_months(self) -> int:
        return 0

    def pays_ae_on_shared_results(self) -> bool:
        return self.level != "individual"

    def pays_on_installed_base(self) -> bool:
        return True  # CSAT is surveyed across the accounts, old ones included


def measured_csat(ctx: PayContext, level: str) -> np.ndarray:
    """(R, S) CSAT measured at `level` for each seat, falling back to broader levels."""
    survey, team = ctx.ledger.survey, ctx.ledger.team
    company = np.broadcast_to(survey.company()[:, None], survey.satisfied.shape)
    if level == "company":
        return ctx.shared("csat", "company", company.copy())
    n_teams = int(team.max()) + 1
    sat = np.stack([survey.satisfied[:, team == g].sum(1) for g in range(n_teams)], axis=1)
    resp = np.stack([survey.responses[:, team == g].sum(1) for g in range(n_teams)], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        team_csat = np.where(resp > 0, sat / resp, np.nan)[:, team]
    team_csat = np.where(np.isnan(team_csat), company, team_csat)
    if level == "team":
        return ctx.shared("csat", "team", team_csat)
    own = survey.measured()
    return np.where(np.isnan(own), team_csat, own)


class CsatModifier(Adjuster):
    name = "csat_modifier"

    def __init__(self, config: CsatModifierConfig):
        super().__init__(config)
        self.variable_since_wave = None

    def adjust(self, ctx: PayContext) -> np.ndarray:
        c, ledger = self.config, ctx.ledger
        if self.variable_since_wave is None:
            self.variable_since_wave = np.zeros(ledger.shape)
        self.variable_since_wave[ledger.roster.hired | ~ledger.roster.occupied] = 0.0
        self.variable_since_wave += np.maximum(ctx.variable_owed, 0.0)
        if ledger.survey is None:
            return np.zeros(ledger.shape)
        csat = measured_csat(ctx, c.level)
        if c.mode == "modifier":
            multiplier = np.clip(
                1.0 + c.slope * (csat - c.target), c.min_multiplier, c.max_multiplier
            )
            extra = (np.nan_to_num(multiplier, nan=1.0) - 1.0) * self.variable_since_wave
            extra = extra * ledger.roster.occupied
        else:
            payout = np.clip((csat - c.threshold) / (c.target - c.threshold), 0.0, c.cap)
            per_wave = c.share * ctx.target_variable * ledger.survey.months / MONTHS_PER_YEAR
            extra = np.nan_to_num(payout) * per_wave * ledger.roster.occupied
        self.variable_since_wave[:] = 0.0
        return extra
