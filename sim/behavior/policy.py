"""The monthly policy: what a rep does given where it stands, by backward induction.

Each month a rep chooses how hard to work (effort), how deep to discount the
deals closing this month, and (with the timing lever) whether to pull deals
forward from its pipeline or hold won deals for the next period. What is best
depends on where it stands: the month of the plan year, its credit so far in
each period that has a tier, threshold, cap or bonus hurdle, its open pipeline,
and the deals it already holds. `solve_policy` computes, for every such state,
the value of each choice on a coarse grid, backwards from the year's end:

    Q(s, a) = E[pay this month | s, a] - effort cost - risk charge
              + beta x E[V(s') | s, a]
    P(a | s) = softmax(rationality x 12 x Q(s, a))     (quantal choice)
    V(s)     = sum_a P(a | s) Q(s, a)

in OTE units. The rationality multiplies stakes annualized (x 12: a monthly
choice's value as if made every month of a year), so the same lambda governs
monthly and quarterly choices. beta = (1 - 1/horizon) / (1 + patience): reps
discount pay and expect to stay `beliefs.horizon_months` on average. The year
repeats: the value at the year's end is the next year's start (iterated to a
fixed point), and a ratchet charges what a higher next-year quota costs.

The month's deals come from `DealEconomics` (measured with the project's own
engine in the belief world): wins ~ Poisson(pipeline x wins at normal effort),
each deal's credit from the measured size distribution, so the month's credit
is compound Poisson (computed exactly on the grid by FFT). The pipeline is
the rep's open opportunities in units of its normal size: with a geometric
sales cycle of mean m, a share h = 1/m of it closes each month and effort e
refills it: p' = (1 - h) p + h e. Effort now pays in later months' closes.

Pulling takes the deals due within `pull_horizon_months` into this month at an
extra discount per month pulled (some are lost); holding moves this month's
won deals to the next period's first month (some slip away). The schedule's
pay on credit is the plan's own quota arithmetic (`sim.behavior.schedule`).

Approximations, stated in docs/behavior.md: the rep's pipeline, credit and held
deals are read to the nearest grid point; risk aversion charges the variance
of each month's pay (mean-variance per month, not over the year); the variable
cap is seen through year-to-date credit; reps with a ratcheted quota use the
policy of a rep at the base quota with attainment measured against their own.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from sim.behavior.grid import ACTIONS, NONE, PULL, PUSH
from sim.behavior.schedule import MONTHS_PER_YEAR, Schedule
from sim.behavior.tables import DealEconomics, effort_cost

YEAR_ITERATIONS = 3  # years of backward induction: the year-end value reaches its fixed point
RATCHET_STEP = 0.2  # quota rise used to measure what a ratchet costs next year


@dataclass(frozen=True)
class Settings:
    """What the policy needs of the scenario (see `Settings.from_scenario`)."""

    ote: float  # $/yr: the unit of pay in choices, a rep's market OTE (not the plan's own)
    rationality: float  # 1/OTE of annualized stakes
    effort: np.ndarray  # (E,) effort levels
    effort_cost: float  # OTE/yr
    risk_aversion: float  # 1/OTE
    beta: float  # monthly discount factor (patience x staying)
    close_rate: float  # h: share of the pipeline closing per month
    timing: bool
    pull_discount: float
    pull_horizon: int
    pull_loss: float
    push_horizon: int
    push_loss: float
    timing_cost: float  # OTE per month a timing game is played
    credit_steps: int
    max_attainment: float
    year_steps: int
    pipeline_levels: int
    carry_levels: int

    @classmethod
    def from_scenario(cls, scenario, plan) -> Settings:
        from sim.behavior.grid import effort_levels
        from sim.params import mean_of

        b, reps = scenario.behavior, scenario.reps
        lv, g = b.levers, b.policy
        stay = 1.0 - 1.0 / b.beliefs.horizon_months
        return cls(
            ote=float(mean_of(reps.market_ote)),
            rationality=b.rationality,
            effort=np.asarray(effort_levels(b), float),
            effort_cost=reps.effort_cost,
            risk_aversion=float(mean_of(reps.risk_aversion)),
            beta=stay / (1.0 + float(mean_of(reps.patience))),
            close_rate=1.0 / scenario.market.sales_cycle_months,
            timing=lv.timing,
            pull_discount=lv.pull_discount,
            pull_horizon=lv.pull_horizon_months,
            pull_loss=lv.pull_loss,
            push_horizon=lv.push_horizon_months,
            push_loss=lv.push_loss,
            timing_cost=lv.timing_cost,
            credit_steps=g.credit_steps,
            max_attainment=g.max_attainment,
            year_steps=g.year_steps,
            pipeline_levels=g.pipeline_levels,
            carry_levels=g.carry_levels,
        )


@dataclass(frozen=True)
class Clocks:
    """The state grid. Credit so far in the `period` (c, steps of `step` $) when some
    period has features; year-to-date credit of finished periods (z, steps of
    `year_step` $) when the year has features too; pipeline levels; held credit
    (k, steps of `carry_step` $) with the timing lever."""

    period: int  # months of the period c counts (12 if no period has features)
    step: float  # $ per credit step
    C: int
    year_step: float
    Z: int
    pipeline: np.ndarray  # (P,)
    carry_step: float  # $ per held-credit step (a whole number of credit steps)
    K: int

    @classmethod
    def build(cls, schedule: Schedule, s: Settings) -> Clocks:
        periods = {p for p in schedule.feature_periods() if p > 1}
        period = min(periods) if periods else schedule.commission_period
        quota = schedule.annual_quota * period / MONTHS_PER_YEAR
        step = quota / s.credit_steps
        C = int(np.floor(s.max_attainment * s.credit_steps)) + 1 if periods else 1
        year = period < MONTHS_PER_YEAR and MONTHS_PER_YEAR in periods
        Z = int(np.floor(s.max_attainment * s.year_steps)) + 1 if year else 1
        K = s.carry_levels if s.timing else 1
        per_carry = max(1, round(s.credit_steps / max(K - 1, 1)))  # held up to 1 quota
        return cls(
            period=period,
            step=step,
            C=C,
            year_step=schedule.annual_quota / s.year_steps,
            Z=Z,
            pipeline=np.linspace(0.2, 1.8, s.pipeline_levels),
            carry_step=per_carry * step,
            K=K,
        )

    @property
    def carry_credit_steps(self) -> int:
        return round(self.carry_step / self.step)

    def state_index(self, credit, year_credit, pipeline, held) -> tuple[np.ndarray, ...]:
        """Nearest grid indices (c, z, p, k) of states given in $ and pipeline units."""
        c = np.clip(np.rint(credit / self.step), 0, self.C - 1).astype(np.int64)
        z = np.clip(np.rint(year_credit / self.year_step), 0, self.Z - 1).astype(np.int64)
        p = np.abs(np.asarray(pipeline)[..., None] - self.pipeline).argmin(axis=-1)
        k = np.clip(np.rint(held / self.carry_step), 0, self.K - 1).astype(np.int64)
        return c, z, p, k


@dataclass
class Policy:
    """A solved policy: the value of every state at the start of every month of the plan
    year, and the quantal choice over actions (timing, discount, effort) there, kept
    as cumulative probabilities (uint16) so a rep samples its action with one uniform."""

    plan: str
    settings: Settings
    schedule: Schedule
    clocks: Clocks
    economics: DealEconomics
    actions: np.ndarray  # (A, 3) timing action, discount index, effort index
    values: np.ndarray | None = None  # (13, N, B, C, Z, P, K) float32, OTE
    cumulative: np.ndarray | None = None  # (12, N, B, C, Z, P, K, A) uint16
    seconds: float = 0.0
    _pmf_cache: np.ndarray | None = None  # the month's credit pmfs (same every month)

    @property
    def discount(self) -> np.ndarray:
        return self.economics.discount

    @property
    def nbytes(self) -> int:
        return int(self.values.nbytes + self.cumulative.nbytes)

    def static_values(self, month: int, b, c, z, p, k) -> np.ndarray:
        """(n, N) value of each static choice for reps at these states, in OTE units of
        annualized pay (for the quarterly choice of overforecast and fit threshold)."""
        v = self.values[month % MONTHS_PER_YEAR]
        return v[:, b, c, z, p, k].T * MONTHS_PER_YEAR * (1.0 - self.settings.beta)

    def choice_probabilities(self, month: int, n, b, c, z, p, k) -> np.ndarray:
        """(n_states, A) probabilities of each action at these grid states."""
        cum = self.cumulative[month % MONTHS_PER_YEAR][n, b, c, z, p, k].astype(float)
        return np.diff(cum, prepend=0.0, axis=-1) / CUMULATIVE_SCALE

    def sample(self, month: int, n, b, c, z, p, k, u) -> np.ndarray:
        """Action index per state, drawn with uniforms `u`."""
        cum = self.cumulative[month % MONTHS_PER_YEAR][n, b, c, z, p, k]
        pick = (cum < (u * CUMULATIVE_SCALE)[:, None]).sum(axis=-1)
        return np.minimum(pick, cum.shape[-1] - 1)


CUMULATIVE_SCALE = 65535


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


# --- solving -------------------------------------------------------------------------------


def solve_policy(economics: DealEconomics, plan, settings: Settings) -> Policy:
    """Backward induction over the plan year, iterated until the year-end value is the
    next year's start value (YEAR_ITERATIONS years)."""
    import time

    started = time.perf_counter()
    schedule = Schedule.from_plan(plan)
    clocks = Clocks.build(schedule, settings)
    T = len(ACTIONS) if settings.timing else 1
    actions = np.array(
        list(
            itertools.product(range(T), range(len(economics.discount)), range(len(settings.effort)))
        )
    )
    policy = Policy(plan.name, settings, schedule, clocks, economics, actions)
    N, B = economics.n_static, len(economics.skill_values)
    shape = (N, B, clocks.C, clocks.Z, len(clocks.pipeline), clocks.K)
    ratchet = schedule.ratchet_up > 0 or schedule.ratchet_down > 0
    terminal = np.zeros(shape)
    ratchet_cost = np.zeros((N, B))
    for year in range(YEAR_ITERATIONS):
        last = year == YEAR_ITERATIONS - 1
        values, cumulative = _solve_year(policy, terminal, ratchet_cost, keep=last)
        if ratchet and not last:
            harder, _ = _solve_year(policy, terminal, ratchet_cost, quota_factor=1 + RATCHET_STEP)
            start = (slice(None), slice(None), 0, 0, len(clocks.pipeline) // 2, 0)
            ratchet_cost = (values[0][start] - harder[0][start]) / RATCHET_STEP
        terminal = values[0]
    policy.values = values.astype(np.float32)
    policy.cumulative = cumulative
    policy._pmf_cache = None  # not needed once solved: keep the policy small to ship
    policy.seconds = time.perf_counter() - started
    return policy


def _solve_year(policy: Policy, terminal, ratchet_cost, quota_factor: float = 1.0, keep=False):
    values = [None] * (MONTHS_PER_YEAR + 1)
    values[MONTHS_PER_YEAR] = terminal
    cumulative = [None] * MONTHS_PER_YEAR
    for m in reversed(range(MONTHS_PER_YEAR)):
        month = _Month(policy, m, values[m + 1], ratchet_cost, quota_factor)
        q = month.q_all()
        prob = softmax(policy.settings.rationality * MONTHS_PER_YEAR * q)
        values[m] = (prob * np.where(np.isfinite(q), q, 0.0)).sum(axis=-1)
        if keep:
            cumulative[m] = np.rint(np.cumsum(prob, axis=-1) * CUMULATIVE_SCALE).astype(np.uint16)
    return np.stack(values), (np.stack(cumulative) if keep else None)


class _Month:
    """One month of the backward induction: Q(s, a) on the whole grid (`q_all`) or at
    given states (`q_at`), from the next month's values."""

    def __init__(self, policy: Policy, m: int, next_values, ratchet_cost, qf=1.0):
        self.policy, self.m = policy, m
        self.s, self.ck, self.sch, self.econ = (
            policy.settings,
            policy.clocks,
            policy.schedule,
            policy.economics,
        )
        self.next = next_values
        self.ratchet_cost = ratchet_cost
        self.qf = qf  # quota factor: credit counts 1/qf as much
        L = self.ck.period
        self.start = m % L == 0
        self.end = (m + 1) % L == 0
        self.year_end = m == MONTHS_PER_YEAR - 1
        self.months_left = L - m % L
        self.push_ok = self.s.timing and self.months_left <= self.s.push_horizon

    # --- the month's credit ----------------------------------------------------------

    def _pmfs(self):
        """Credit pmfs on the credit-step grid, (T', N, D, B, P, J), for credit now
        without (index 0) and with (index 1) pulled deals, and the pull economics."""
        cached = self.policy._pmf_cache
        if cached is not None:
            return cached
        econ, ck, s = self.econ, self.ck, self.s
        sizes = _rebin(econ.size_pmf, econ.size_step, ck.step)  # (N, D, B, Js)
        rate = econ.wins[..., None] * ck.pipeline  # (N, D, B, P)
        kinds = [_compound_poisson(rate, sizes)]
        if s.timing:
            h, H = s.close_rate, s.pull_horizon
            months = _mean_months_pulled(h, H)
            share = (1 - h) * (1 - (1 - h) ** H) / h * (1 - s.pull_loss * months)
            d_pull = np.minimum(econ.discount + s.pull_discount * months, econ.discount[-1] + 0.5)
            wins_p, sizes_p = _at_discount(econ, d_pull, sizes)
            pulled = _compound_poisson(
                np.concatenate(
                    [rate[..., None], wins_p[..., None, None] * ck.pipeline[:, None] * share],
                    axis=-1,
                ).sum(-1),
                _mix(sizes, sizes_p, econ.wins[..., None], wins_p[..., None] * share),
            )
            kinds.append(pulled)
        J = max(k.shape[-1] for k in kinds)
        self.policy._pmf_cache = np.stack([_pad(k, J) for k in kinds])
        return self.policy._pmf_cache

    # --- rewards ---------------------------------------------------------------------

    def _deal_factor(self, c, z, Y):
        """$ of deal pay per $1 of `deal_pay_per_credit`, for credit Y steps booked at
        state (c, z) (broadcast), before the variable cap; and the bonus $."""
        ck, sch, step = self.ck, self.sch, self.ck.step
        before = c * step
        after = before + Y * step
        year_before = (z * ck.year_step + before) if ck.Z > 1 else before
        period = sch.commission_period
        if sch.linear:
            com = sch.slope * (after - before)
        elif period == ck.period:
            com = sch.commission(before * self.qf_inv, after * self.qf_inv) * self.qf
        elif period == MONTHS_PER_YEAR:
            com = (
                sch.commission(year_before * self.qf_inv, (year_before + Y * step) * self.qf_inv)
                * self.qf
            )
        else:  # a monthly schedule: every month starts afresh
            com = sch.commission(0.0 * after, (after - before) * self.qf_inv) * self.qf
        share = self.econ.accelerated_share
        deal = (1 - share) * (after - before) + share * com
        bonus = 0.0 * deal
        for bo in sch.bonuses:
            if (self.m + 1) % bo.period:
                continue
            if bo.period == ck.period:
                credit = after
            elif bo.period == MONTHS_PER_YEAR:
                credit = year_before + Y * step
            else:
                credit = after - before
            bonus = bonus + bo.pay(credit * self.qf_inv)
        return deal, bonus, year_before

    @property
    def qf_inv(self) -> float:
        return 1.0 / self.qf

    def _reward_moments(self, pmf, release):
        """E[pay], E[pay^2] of the month's deal pay for credit pmf (N, D, B, P, J) plus a
        release of held credit (steps), at every (c, z): arrays (N, D, B, P, C, Z), $."""
        ck, econ = self.ck, self.econ
        J = pmf.shape[-1]
        c = np.arange(ck.C)[:, None, None]
        z = np.arange(ck.Z)[None, :, None]
        Y = (np.arange(J) + release)[None, None, :]
        deal, bonus, year_before = self._deal_factor(c, z, Y)
        deal = np.broadcast_to(deal, (ck.C, ck.Z, J))
        bonus = np.broadcast_to(bonus, (ck.C, ck.Z, J))
        eta = econ.deal_pay_per_credit  # (N, D, B)
        if self.sch.variable_cap is not None:
            eta_bar = float(np.mean(eta))
            room = self._cap_room(year_before, eta_bar)
            capped = np.minimum(eta_bar * deal + bonus, room)
            scale = np.divide(
                capped,
                eta_bar * deal + bonus,
                out=np.ones_like(capped),
                where=(eta_bar * deal + bonus) > 0,
            )
            deal, bonus = deal * scale, bonus * scale
        flat = lambda x: x.reshape(-1, J).T  # noqa: E731  (J, C*Z)
        mean_d, mean_b = pmf @ flat(deal), pmf @ flat(bonus)
        sq_d, sq_b, cross = pmf @ flat(deal**2), pmf @ flat(bonus**2), pmf @ flat(deal * bonus)
        e = eta[..., None, None]
        mean = e * mean_d + mean_b
        second = e**2 * sq_d + 2 * e * cross + sq_b
        shape = (*pmf.shape[:-1], ck.C, ck.Z)
        return mean.reshape(shape), second.reshape(shape)

    def _cap_room(self, year_before, eta_bar):
        """$ of variable pay left under the annual cap, from year-to-date credit (pay so
        far read as credit x pay per credit, plus other pay of the months gone)."""
        other = float(np.mean(self.econ.other_pay)) * (self.m % MONTHS_PER_YEAR)
        return np.maximum(self.sch.variable_cap - eta_bar * year_before - other, 0.0)

    # --- continuation ------------------------------------------------------------------

    def _next_by_pipeline(self, pull: bool):
        """Next values interpolated at p' for every (current p, effort): (N, B, C, Z, P, E, K)."""
        s, ck = self.s, self.ck
        h = s.close_rate
        keep = (1 - h) ** (s.pull_horizon + 1) if pull else 1 - h
        p_next = keep * ck.pipeline[:, None] + h * s.effort[None, :]  # (P, E)
        w = _interp_weights(ck.pipeline, p_next)  # (P, E, P')
        return np.einsum("nbczqk,peq->nbczpek", self.next, w)

    def _terminal_extra(self, pmf, release):
        """Expected ratchet charge at the year's end, (N, D, B, P, C, Z), in OTE."""
        if self.ratchet_cost is None or not (self.sch.ratchet_up or self.sch.ratchet_down):
            return 0.0
        ck = self.ck
        J = pmf.shape[-1]
        c = np.arange(ck.C)[:, None, None]
        z = np.arange(ck.Z)[None, :, None]
        Y = (np.arange(J) + release)[None, None, :]
        year = (z * ck.year_step if ck.Z > 1 else 0.0) + (c + Y) * ck.step
        factor = self.sch.next_quota_factor(year / self.qf) - 1.0  # (C, Z, J)
        charge = pmf @ np.broadcast_to(factor, (ck.C, ck.Z, J)).reshape(-1, J).T
        charge = charge.reshape(*pmf.shape[:-1], ck.C, ck.Z)
        return -self.ratchet_cost[:, None, :, None, None, None] * charge

    def _expect_next(self, pmf, nextv, release_steps, k_next):
        """E over the month's credit (pmf (N, D, B, P, J)) of next values (N, B, C, Z, P, E)
        at the landing state, for credit booked now: (N, D, B, P, C, Z, E)."""
        ck = self.ck
        N, D, B, P, J = pmf.shape
        E = nextv.shape[-1]
        if self.year_end:
            start = nextv[:, :, 0, 0]  # (N, B, P, E)
            return np.broadcast_to(start[:, None, :, :, None, None, :], (N, D, B, P, ck.C, ck.Z, E))
        if self.end:  # credit rolls into the year so far; c restarts at 0
            c = np.arange(ck.C)[:, None, None]
            z = np.arange(ck.Z)[None, :, None]
            Y = (np.arange(J) + release_steps)[None, None, :]
            zf = (z * ck.year_step + (c + Y) * ck.step) / ck.year_step  # (C, Z, J)
            w = _interp_weights(np.arange(ck.Z, dtype=float), np.minimum(zf, ck.Z - 1))
            U = np.einsum("ndbpj,czjy->ndbpczy", pmf, w)  # y: next z
            return np.einsum("ndbpczy,nbype->ndbpcze", U, nextv[:, :, 0])
        T = _toeplitz(pmf, ck.C, release_steps)  # (N, D, B, P, C, C')
        return np.einsum("ndbpcx,nbxzpe->ndbpcze", T, nextv)

    def _expect_push(self, pmf_carry, nextv):
        """E of next values when this month's won deals are held: (N, D, B, P, C, Z, K, E).
        `nextv` is (N, B, C, Z, P, E, K); held credit moves k -> min(k + j, K - 1)."""
        ck = self.ck
        T = _toeplitz(pmf_carry, ck.K, 0)  # (N, D, B, P, K, K')
        if self.year_end:  # a new year: c and z restart, held deals carry over
            base = np.broadcast_to(nextv[:, :, :1, :1], nextv.shape)
        elif self.end:  # a new period: c restarts, this period's credit joins z
            c = np.arange(ck.C)[:, None]
            z = np.arange(ck.Z)[None, :]
            zf = (z * ck.year_step + c * ck.step) / ck.year_step
            w = _interp_weights(np.arange(ck.Z, dtype=float), np.minimum(zf, ck.Z - 1))
            base = np.einsum("czy,nbypex->nbczpex", w, nextv[:, :, 0])
        else:
            base = nextv
        return np.einsum("ndbpkx,nbczpex->ndbpczke", T, base)

    # --- Q on the grid -------------------------------------------------------------------

    def q_all(self) -> np.ndarray:
        """Q(s, a) on the whole grid: (N, B, C, Z, P, K, A), in OTE."""
        s, ck, econ = self.s, self.ck, self.econ
        pmfs = self._pmfs()  # (T', N, D, B, P, J)
        N, _, B, P = pmfs.shape[1:5]
        K, C, Z = ck.K, ck.C, ck.Z
        A = len(self.policy.actions)
        q = np.full((N, B, C, Z, P, K, A), -np.inf)
        cost = effort_cost(s.effort, s.effort_cost) / MONTHS_PER_YEAR  # (E,)
        other = econ.other_pay[..., None] * ck.pipeline / s.ote  # (N, D, B, P)
        kinds = [(NONE, False)] + ([(PULL, True)] if s.timing else [])
        skipped = []
        for action, pull in kinds:
            nextp = self._next_by_pipeline(pull)  # (N, B, C, Z, P, E, K)
            pmf = pmfs[int(pull)]
            for k in range(K):
                release = k * ck.carry_credit_steps if self.start else 0
                if not self.start and k > 0 and not self._carry_possible():
                    skipped.append(k)
                    continue
                k_next = 0 if self.start else k
                mean, second = self._reward_moments(pmf, release)
                reward = (mean - 0.5 * s.risk_aversion / s.ote * (second - mean**2)) / s.ote
                if self.year_end:
                    reward = reward + s.beta * self._terminal_extra(pmf, release)
                ev = self._expect_next(pmf, nextp[..., k_next], release, k_next)
                qk = (
                    reward[..., None]
                    + other[..., None, None, None]
                    + s.beta * ev
                    - cost
                    - (s.timing_cost if pull else 0.0)
                )  # (N, D, B, P, C, Z, E)
                self._place(q, qk, action, k)
        if self.push_ok and not self.start:
            nextp = self._next_by_pipeline(False)
            keep = 1.0 - s.push_loss * self.months_left
            pmf_carry = _rebin_steps(pmfs[0], ck.carry_credit_steps / keep)
            ev = self._expect_push(pmf_carry, nextp)  # (N, D, B, P, C, Z, K, E)
            for k in range(K):
                qk = other[..., None, None, None] + s.beta * ev[..., k, :] - cost - s.timing_cost
                self._place(q, qk, PUSH, k)
        for k in set(skipped):  # no held deals possible here: any value will do
            q[:, :, :, :, :, k] = q[:, :, :, :, :, 0]
        return q

    def _carry_possible(self) -> bool:
        return self.push_ok or (self.s.timing and self.months_left - 1 <= self.s.push_horizon)

    def _place(self, q, qk, action, k):
        """Write Q values (N, D, B, P, C, Z, E) of one timing action into q's action axis."""
        acts = self.policy.actions
        for d in range(qk.shape[1]):
            cols = np.flatnonzero((acts[:, 0] == action) & (acts[:, 1] == d))
            block = qk[:, d].transpose(0, 1, 3, 4, 2, 5)  # (N, B, C, Z, P, E)
            q[:, :, :, :, :, k, cols] = block[..., acts[cols, 2]]


# --- small numerical helpers --------------------------------------------------------------


def _rebin(pmf: np.ndarray, step_from: float, step_to: float) -> np.ndarray:
    """Move a pmf on a grid of `step_from` $ onto `step_to` $ (mass split between the two
    nearest points, which keeps the mean)."""
    K = pmf.shape[-1]
    pos = np.arange(K) * step_from / step_to
    lo = np.floor(pos).astype(np.int64)
    frac = pos - lo
    J = int(lo.max()) + 2
    out = np.zeros((*pmf.shape[:-1], J))
    np.add.at(out, (..., lo), pmf * (1 - frac))
    np.add.at(out, (..., lo + 1), pmf * frac)
    return out


def _rebin_steps(pmf: np.ndarray, factor: float) -> np.ndarray:
    """A pmf on credit steps as a pmf on steps `factor` times larger."""
    return _rebin(pmf, 1.0, factor)


def _compound_poisson(rate: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """pmf of a Poisson(rate) number of draws from `sizes` (pmf over steps), summed:
    exact on the lattice by FFT, long enough that nothing wraps. rate (..., P) with
    sizes (..., Js) broadcast on leading axes: out (..., P, J)."""
    Js = sizes.shape[-1]
    mean = (sizes * np.arange(Js)).sum(-1)
    second = (sizes * np.arange(Js) ** 2).sum(-1)
    top = rate.max() * float(np.max(mean)) + 10 * np.sqrt(rate.max() * float(np.max(second))) + Js
    n = 1 << int(np.ceil(np.log2(max(top, 8))))
    f = np.fft.rfft(sizes, n=n)[..., None, :]  # (..., 1, n/2+1)
    out = np.fft.irfft(np.exp(rate[..., None] * (f - 1.0)), n=n)
    out = np.maximum(out, 0.0)
    J = int(np.ceil(top))
    out = out[..., :J]
    return out / out.sum(axis=-1, keepdims=True)


def _mix(a, b, wa, wb):
    """Mixture of two size pmfs by weights (padded to one length)."""
    J = max(a.shape[-1], b.shape[-1])
    a, b = _pad(a, J), _pad(b, J)
    total = np.maximum(wa + wb, 1e-300)
    return (a * wa + b * wb) / total


def _pad(x: np.ndarray, J: int) -> np.ndarray:
    if x.shape[-1] >= J:
        return x
    return np.concatenate([x, np.zeros((*x.shape[:-1], J - x.shape[-1]))], axis=-1)


def _at_discount(econ: DealEconomics, discount: np.ndarray, sizes: np.ndarray):
    """Wins (N, D, B) and size pmfs of deals closed at other discounts, interpolated
    linearly between the measured discount levels (held at the ends)."""
    d = econ.discount
    if len(d) == 1:
        return econ.wins, sizes
    w = _interp_weights(d, np.clip(discount, d[0], d[-1]))  # (D, D')
    wins = np.einsum("ndb,ed->neb", econ.wins, w)
    sizes = np.einsum("ndbj,ed->nebj", sizes, w)
    return wins, sizes


def _mean_months_pulled(h: float, H: int) -> float:
    """Mean months a pulled deal is brought forward (geometric closes within H)."""
    j = np.arange(1, H + 1)
    w = (1 - h) ** (j - 1) * h
    return float((j * w).sum() / w.sum())


def _interp_weights(grid: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Linear interpolation weights of points x on an increasing grid: (*x.shape, G)."""
    x = np.clip(np.asarray(x, float), grid[0], grid[-1])
    i = np.clip(np.searchsorted(grid, x, side="right") - 1, 0, len(grid) - 2)
    span = grid[i + 1] - grid[i]
    t = np.where(span > 0, (x - grid[i]) / np.where(span > 0, span, 1), 0.0)
    w = np.zeros((*x.shape, len(grid)))
    np.put_along_axis(w, i[..., None], (1 - t)[..., None], axis=-1)
    np.put_along_axis(w, (i + 1)[..., None], t[..., None], axis=-1)
    if len(grid) == 1:
        w[...] = 1.0
    return w


def _toeplitz(pmf: np.ndarray, C: int, shift: int) -> np.ndarray:
    """Transition matrices T[..., c, c'] = P(min(c + shift + j, C - 1) = c') for a pmf
    over j on the last axis: (..., C, C)."""
    J = pmf.shape[-1]
    j = np.arange(C)[None, :] - np.arange(C)[:, None] - shift  # (C, C') the j landing there
    valid = (j >= 0) & (j < J)
    out = np.where(valid, pmf[..., np.clip(j, 0, J - 1)], 0.0)
    out[..., -1] = 0.0
    out[..., -1] = 1.0 - out.sum(axis=-1)  # everything beyond the grid lands on its edge
    return np.maximum(out, 0.0)
