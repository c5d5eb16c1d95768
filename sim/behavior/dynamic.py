"""Behaviour mode "dynamic": reps follow the state-dependent policy month by month.

Each month every rep in a seat looks at where it stands (month of the plan year,
credit so far in the periods the plan's schedule cares about, its open pipeline
and any deals it holds for the next period) and draws its effort, discount and
timing action from the plan's solved policy (`sim.behavior.policy`). At each
quarter start and on hire it also re-chooses its static levers (overforecast,
fit threshold and, with the forecast lever, forecast bias) by the logit rule on
their values from the same policy, less the felt cost of overforecasting.
"""

from __future__ import annotations

import numpy as np

from sim.behavior.grid import NONE
from sim.behavior.policy import MONTHS_PER_YEAR, Policy
from sim.behavior.strategies import RepView, Strategies, logit_pick
from sim.market import Market


class StatePolicy(Strategies):
    def __init__(self, market: Market, policy: Policy):
        super().__init__(market)
        self.policy = policy
        shape = self.discount.shape
        self.static_choice = np.zeros(shape, dtype=np.int64)
        self.u_choice, self.u_action = market.reps.u_choice, market.reps.u_action
        self.period_credit = np.zeros(shape)  # $ credit so far in the clock's period
        self.year_credit = np.zeros(shape)  # $ credit of the year's finished periods
        self._apply_static(np.ones(shape, dtype=bool), np.zeros(shape[0] * shape[1], np.int64))

    def _apply_static(self, mask: np.ndarray, pick: np.ndarray) -> None:
        self.static_choice[mask] = pick
        for lever, values in self.policy.economics.static.items():
            getattr(self, lever)[mask] = values[pick]

    def _tick_clocks(self, view: RepView) -> None:
        period = self.policy.clocks.period
        m = view.month % MONTHS_PER_YEAR
        if m % period == 0:
            self.year_credit = self.year_credit + self.period_credit
            self.period_credit = np.zeros_like(self.period_credit)
        if m == 0:
            self.year_credit = np.zeros_like(self.year_credit)
        self.period_credit[view.hired] = 0.0
        self.year_credit[view.hired] = 0.0

    def decide(self, view: RepView) -> None:
        self._tick_clocks(view)
        pol, econ = self.policy, self.policy.economics
        t = view.traits
        seated = view.occupied
        m = view.month % MONTHS_PER_YEAR
        b = econ.skill_bin(t["skill"])
        qf = view.quota_factor if view.quota_factor is not None else np.ones(seated.shape)
        epoch = view.hired | (seated & (view.month % 3 == 0))
        if epoch.any():
            state = self._state(view, qf, b, epoch)
            values = pol.static_values(m, *state)  # (n, N)
            o = econ.static["overforecast"][None, :]
            score = values - t["integrity_cost"][epoch][:, None] * o
            pick = logit_pick(
                pol.settings.rationality * score, self.u_choice[:, :, view.month_index][epoch]
            )
            self._apply_static(epoch, pick)
        self.action = np.zeros(seated.shape, dtype=np.int64)
        if not seated.any():
            return
        n = self.static_choice[seated]
        b_s, c, z, p, k = self._state(view, qf, b, seated)
        a = pol.sample(m, n, b_s, c, z, p, k, self.u_action[:, :, view.month_index][seated])
        timing, d, e = pol.actions[a].T
        self.action[seated] = timing
        self.discount[seated] = pol.discount[d]
        self.effort[seated] = pol.settings.effort[e]

    def _state(self, view: RepView, qf, b, mask):
        """Grid state (b, c, z, p, k) of the reps in `mask`."""
        pol, econ = self.policy, self.policy.economics
        n = self.static_choice[mask]
        normal = econ.pipeline[n, b[mask]]
        pipeline = (
            view.pipeline[mask] / np.maximum(normal, 1e-9) if view.pipeline is not None else 1.0
        )
        held = view.held[mask] if view.held is not None else 0.0
        c, z, p, k = pol.clocks.state_index(
            self.period_credit[mask] / qf[mask],
            self.year_credit[mask] / qf[mask],
            pipeline,
            held / qf[mask],
        )
        return b[mask], c, z, p, k

    def timing_action(self, view: RepView) -> np.ndarray:
        return np.where(view.occupied, self.action, NONE)

    def observe(self, pay: np.ndarray, view: RepView) -> None:
        if view.credit is not None:
            self.period_credit = self.period_credit + view.credit
