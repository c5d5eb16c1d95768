"""What reps believe their strategies pay: the tables the choosing modes read.

Both tables are measured by `sim.choice_model`, which runs the project's own
engine and payroll in the world as reps believe it to be; this module only
holds them and answers questions about them.

- `PayoffTable` (mode "qbr"): per grid strategy and rep type, the mean and
  variance of annual pay in OTE units over the rep's horizon.
- `DealEconomics` (mode "dynamic"): per static choice (overforecast, fit
  threshold, forecast bias), discount level and skill type, what a month of
  selling at normal effort brings: deals won, the distribution of a deal's
  quota credit, the pay each dollar of credit earns and the other variable pay.
  The monthly policy (`sim.behavior.policy`) adds the plan's attainment
  schedule on top, state by state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.behavior.grid import TIMING, Grid
from sim.params import mean_of


@dataclass
class PayoffTable:
    plan: str
    grid: Grid
    skill_edges: np.ndarray  # (B - 1,) bin edges
    skill_values: np.ndarray  # (B,)
    patience_edges: np.ndarray  # (P - 1,)
    patience_values: np.ndarray  # (P,)
    mean: np.ndarray  # (G, B, P) mean annualized pay / OTE
    var: np.ndarray  # (G, B, P)
    effort_cost: float = 0.0  # OTE/yr per unit effort (see `effort_cost`)

    def certainty_equivalent(self, skill, patience, risk_aversion, integrity) -> np.ndarray:
        """(n, G) certainty equivalents, in OTE units, for n reps."""
        b = np.searchsorted(self.skill_edges, skill)
        p = np.searchsorted(self.patience_edges, patience)
        mean, var = self.mean[:, b, p].T, self.var[:, b, p].T
        v = self.grid.values
        overforecast = v["overforecast"][None, :]
        effort = effort_cost(v.get("effort", np.ones(self.grid.size)), self.effort_cost)
        return (
            mean
            - 0.5 * np.asarray(risk_aversion)[:, None] * var
            - np.asarray(integrity)[:, None] * overforecast
            - effort[None, :]
        )

    def median_rep_rows(self, scenario) -> pd.DataFrame:
        """One row per grid strategy: its levers, the certainty equivalent (OTE units)
        it gives a median rep, and the share of such reps who would choose it."""
        reps = scenario.reps
        ce = self.certainty_equivalent(
            np.array([np.median(self.skill_values)]),
            np.array([mean_of(reps.patience)]),
            np.array([mean_of(reps.risk_aversion)]),
            np.array([mean_of(reps.integrity_cost)]),
        )[0]
        z = scenario.behavior.rationality * (ce - ce.max())
        share = np.exp(z) / np.exp(z).sum()
        rows = pd.DataFrame({lever: values for lever, values in self.grid.values.items()})
        rows["timing"] = [TIMING[i] for i in rows["timing"]]
        rows["certainty_equivalent"] = ce
        rows["choice_share"] = share
        return rows.sort_values("certainty_equivalent", ascending=False, ignore_index=True)


def effort_cost(effort, cost: float) -> np.ndarray:
    """Felt cost of an effort level, OTE per year: cost x (effort^2 - 1) / 2, so normal
    activity (effort 1) costs nothing extra and the marginal cost there is `cost`."""
    return cost * (np.square(np.asarray(effort, float)) - 1.0) / 2.0


@dataclass
class DealEconomics:
    """What a month of selling brings, per static choice n, discount level d and skill
    type b, at normal effort with a full pipeline (measured in the belief world).

    Credit is quota credit ($ ACV). `size_pmf[n, d, b]` is the distribution of one won
    deal's credit on a grid of `size_step` dollars (bin i holds deals of about
    i x size_step). Pay is per seat and in dollars: `deal_pay_per_credit` is what the
    plan's deal components (commission, logo bonus, their holdbacks, deferrals,
    multipliers and clawbacks) pay per dollar of credit when every band of the quota
    schedule pays 1x, split into the part the schedule scales (`accelerated_share`)
    and the rest; `other_pay` is the month's other variable pay (revenue and renewal
    commission, CSAT, SPIFFs, team bonuses), with results shared with a team or the
    company seen as a unilateral deviation from the population's (free-riding)."""

    static: dict[str, np.ndarray]  # lever -> (N,) value of each static choice
    discount: np.ndarray  # (D,)
    skill_edges: np.ndarray  # (B - 1,)
    skill_values: np.ndarray  # (B,)
    wins: np.ndarray  # (N, D, B) deals won per rep-month
    size_pmf: np.ndarray  # (N, D, B, K)
    size_step: float  # $
    deal_pay_per_credit: np.ndarray  # (N, D, B) $ per $ credit
    accelerated_share: float  # share of deal pay the quota schedule scales
    other_pay: np.ndarray  # (N, D, B) $ per rep-month
    pipeline: np.ndarray  # (N, B) open pursued opportunities per rep at normal effort
    markets: int  # belief-world markets per strategy behind the estimates
    extra: dict = field(default_factory=dict)

    @property
    def n_static(self) -> int:
        return len(next(iter(self.static.values())))

    def skill_bin(self, skill: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.skill_edges, skill)

    def credit_per_month(self) -> np.ndarray:
        """(N, D, B) mean credit booked per rep-month, $."""
        sizes = np.arange(self.size_pmf.shape[-1]) * self.size_step
        return self.wins * (self.size_pmf * sizes).sum(axis=-1)
