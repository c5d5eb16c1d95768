"""The simulated company both engines run: seats, the customer book, payroll, metrics.

An engine decides *when* things happen (the batch engine month by month, the
events engine on days); this class holds the state they share and does *what*
happens, the same way for both: hiring and attrition at month boundaries, the
reps' view and forecast, booking won deals as customers, renewals and deployment
outcomes of given customers, and at month end billing, collections, surveys,
annual cohorts, the ledger, payroll and metrics. Arrays are shaped (R, S) over the
replications and seats the engine simulates; customers are rows of a
`CustomerBook`, in booking order.
"""

from __future__ import annotations

import numpy as np

from sim import world
from sim.behavior import RepView
from sim.engine.accounts import BookAccounts
from sim.engine.book import CustomerBook
from sim.ledger import Churns, Deals, Deployments, MonthLedger, Renewals, Roster, SurveyWave
from sim.market import TRAITS, Market, account_details
from sim.metrics import MetricsAccumulator
from sim.plans.config import Plan
from sim.plans.payroll import Payroll, Payslip
from sim.scenario.schema import Scenario
from sim.streams import DRAW, keyed_uniform, keyed_uniforms, to_normal
from sim.subsets import rows_where

MONTHS_PER_YEAR = 12
_I = np.int64


class PlanOutcome:
    """What one plan produced on one chunk: metrics per replication, ARR by month,
    each rep-year's pay, skill and attainment (arrays shaped (R, years, S)), the
    certainty equivalents the plan offers a median rep (qbr mode, else None), and
    every metric per reported year (arrays shaped (R, years))."""

    def __init__(self, metrics, arr_by_month, rep_years, strategy_ce=None, by_year=None):
        self.metrics, self.arr_by_month, self.rep_years = metrics, arr_by_month, rep_years
        self.strategy_ce = strategy_ce
        self.by_year = by_year or {}

    @classmethod
    def stack(cls, outcomes: list[PlanOutcome]) -> PlanOutcome:
        """One outcome of the replications of `outcomes`, in order (the events engine
        runs them one at a time); a metric one lacks is NaN there."""
        return cls(
            _stack_dicts([o.metrics for o in outcomes]),
            np.concatenate([o.arr_by_month for o in outcomes]),
            _stack_dicts([o.rep_years for o in outcomes]),
            by_year=_stack_dicts([o.by_year for o in outcomes]),
        )


class Company:
    def __init__(self, scenario: Scenario, plan: Plan, market: Market, behavior):
        self.s, self.plan, self.m = scenario, plan, market
        R, S = market.n_replications, scenario.company.n_reps
        self.shape, self.S, self.T = (R, S), S, market.n_months
        self.burn_in = scenario.warm_up_months
        self.policies = plan.policies
        self.payroll = Payroll(plan, self.shape, scenario.company.n_csms)
        self.team = np.arange(S) // scenario.company.team_size
        self.behavior = behavior
        self.metrics = MetricsAccumulator(
            R,
            scenario.company.months,
            scenario.finance,
            scenario.market.low_fit_cutoff,
            scenario.company.n_csms,
        )
        self.expected_surveys = False  # belief world: surveys yield their expectation
        self.active_customers = np.zeros(R)
        self.arr_c = np.zeros(0)
        self.month_first_id: list[int] = []  # book size when month k's deals were added
        self.first_pending = 0  # every customer not yet live has an id at least this
        b = scenario.billing
        self.delays = (b.payment_delay_months, b.late_delay_months)
        self.billed_history: dict[int, np.ndarray] = {}  # month -> $/yr billed per customer
        self.bookings_history = np.zeros((MONTHS_PER_YEAR, R, S))  # credited ACV by seat
        self.forecast = np.zeros((R, S))
        self.billed_ring = np.zeros((max(self.delays) + 1, 3, R, S))
        self._churned: list[tuple] = []
        self._init_reps()
        self.installed = self._init_book()  # ids of the installed base (renewals to plan)

    # --- set-up ---------------------------------------------------------------------

    def _init_reps(self) -> None:
        R, S = self.shape
        draws = self.m.reps
        self.occupied = np.ones((R, S), dtype=bool)
        self.hire_no = np.zeros((R, S), dtype=_I)
        self.tenure = draws.initial_tenure.astype(_I).copy()
        self.vacant_until = np.zeros((R, S), dtype=_I)
        self.traits = {t: draws.traits[t][:, :, 0].copy() for t in TRAITS}
        self.pay_history = np.zeros((MONTHS_PER_YEAR, R, S))
        self.pay_months = np.zeros((R, S), dtype=_I)
        self.months_since_clawback = np.full((R, S), 10**6, dtype=_I)

    def _init_book(self) -> np.ndarray:
        s, base = self.s, self.m.installed_base
        expected_new = self.T * self.m.n_replications * self.S * 2.5
        self.book = CustomerBook(len(base.fit) + expected_new)
        if len(base.fit) == 0:
            return np.empty(0, dtype=_I)
        d, o = s.initial_book.discount, s.initial_book.overforecast
        details = account_details(base.key, s, s.initial_book.discount)
        acv = world.booked_acv(details.need, o, d)
        p_ok = world.deployment_probability(base.fit, o, 0.0, s.deployment)
        live = keyed_uniform(base.key, DRAW["u_deploy"]) < p_ok
        return self._add_customers(
            base.replication,
            base.seat,
            -1,
            base.fit,
            base.key,
            details,
            d,
            o,
            acv,
            booked_month=-base.age_months,
            deploy_state=np.where(live, 1, 2),
        )

    def _add_customers(
        self,
        replication,
        seat,
        seller,
        fit,
        key,
        details,
        d,
        o,
        acv,
        booked_month,
        deploy_state=0,
        in_report=False,
    ) -> np.ndarray:
        s = self.s
        owner_key = replication.astype(_I) * self.S + seat
        u_pay, u_csm, u_growth = keyed_uniforms(
            key, DRAW["u_pay"], DRAW["csm"], DRAW["growth_noise"]
        )
        pay_class = world.payment_class(u_pay, fit, s.billing)
        delay = np.array([*self.delays, -1])[pay_class]
        n_csms = max(s.company.n_csms, 1)
        csm = np.minimum((u_csm * n_csms).astype(_I), n_csms - 1)
        ids = self.book.append(
            len(fit),
            replication=replication,
            seat=seat,
            seller=seller,
            fit=fit,
            key=key,
            need=details.need,
            discount=d,
            overforecast=o,
            term=details.term,
            usage_contract=details.usage_contract,
            commitment=acv,
            booked_acv=acv,
            price=1.0 - d,
            booked_month=booked_month,
            contract_end=booked_month + details.term,
            queued_month=booked_month,
            deploy_state=deploy_state,
            active=True,
            usage_index=1.0,
            pay_class=pay_class,
            first_paid_month=np.where(delay >= 0, booked_month + delay, -1),
            csm=csm,
            owner_key=owner_key,
            billing_key=pay_class.astype(_I) * self.shape[0] * self.S + owner_key,
            drift=world.usage_drift(to_normal(u_growth), s.usage),
            in_report=in_report,
        )
        self._refresh(slice(self.book.n - len(ids), self.book.n))  # new rows: a slice
        self.active_customers += np.bincount(replication, minlength=self.shape[0])
        return ids

    def _refresh(self, ids) -> None:
        """Recompute the cached per-customer values that change only at events, for
        customers `ids` (an array of ids, or a slice of the book)."""
        b, s = self.book, self.s
        state = b.deploy_state[ids]
        b.health_base[ids] = world.health_base_logit(
            b.fit[ids], state, b.overforecast[ids], b.time_to_value[ids], s.health
        )
        b.use_scale[ids] = b.need[ids] * world.adoption(state, s.deployment) * b.price[ids]
        b.min_billing[ids] = world.minimum_billing(b.commitment[ids], b.usage_contract[ids])

    # --- month boundaries -------------------------------------------------------------

    def begin_month(self, k: int) -> np.ndarray:
        """Start month k: hire into seats whose hiring lag is over; returns who joined."""
        self.month_first_id.append(self.book.n)
        self._churned = []
        return self._hire(k)

    def view(self, k: int, t: int, hired: np.ndarray, pipeline, held) -> RepView:
        """What reps know of themselves at the start of month k: `pipeline` (R, S)
        pursued opportunities not yet closed, `held` (R, S) $ ACV held for later."""
        quota = self.payroll.quota
        incentive = None
        if self.s.behavior.levers.timing:
            incentive = self.payroll.timing_incentive(t)
        return RepView(
            k,
            t,
            self.occupied,
            hired,
            self.traits,
            pipeline=pipeline,
            quota_factor=np.where(hired, 1.0, quota.annual_quota / quota.base_annual),
            held=held,
            incentive=incentive,
        )

    def settle(self, k: int, view: RepView, closed: dict) -> tuple[MonthLedger, Payslip]:
        """End month k: bill, collect and survey, write the month's ledger from the
        events engines gathered (`closed`: deals, pursuits_closed, deployments,
        renewals, pulled, pulled_discount, held), run payroll, let reps learn and
        quit, and record the metrics."""
        t = k - self.burn_in
        churns = self._churn_events(k)
        served = self._serve(k)
        ledger = MonthLedger(
            month=t,
            index=k,
            roster=Roster(
                self.occupied.copy(),
                self.hire_no.copy(),
                self.tenure.copy(),
                view.hired,
                np.zeros(self.shape, dtype=bool),
                self.traits["skill"].copy(),
            ),
            churns=churns,
            survey=self._survey(k, t),
            accounts=BookAccounts(self.book, self.billed_history, k, self.delays),
            forecast=self.forecast.copy(),
            team=self.team,
            n_csms=self.s.company.n_csms,
            **closed,
            **served,
        )
        ledger.strategy = self.behavior.snapshot()
        cohort = self._cohort(t)
        if cohort is not None:
            ledger.extra["cohort"] = cohort
        payslip = self.payroll.run(ledger)
        self.behavior.observe(payslip.ae, view)
        ledger.roster.departed[:] = self._attrit(k, payslip)
        self.metrics.observe(ledger, payslip)
        self.tenure[self.occupied] += 1
        return ledger, payslip

    def outcome(self) -> PlanOutcome:
        m = self.metrics
        return PlanOutcome(m.results(), m.arr_by_month, m.rep_years(), by_year=m.results_by_year())

    # --- reps -----------------------------------------------------------------------

    def _hire(self, k: int) -> np.ndarray:
        hired = ~self.occupied & (self.vacant_until <= k)
        if hired.any():
            self.occupied |= hired
            self.hire_no[hired] += 1
            self.tenure[hired] = 0
            for t in TRAITS:
                self.traits[t][hired] = self.m.reps.traits[t][:, :, k][hired]
            self.pay_history[:, hired] = 0.0
            self.bookings_history[:, hired] = 0.0
            self.pay_months[hired] = 0
            self.months_since_clawback[hired] = 10**6
        return hired

    def update_forecast(self, t: int, hired: np.ndarray) -> None:
        """Each rep's bookings forecast for the quarter, made at quarter start (and on
        hire): its own average credited bookings over up to a year, or for a rep with
        under three months of history, the replication's average for a seasoned rep
        scaled by the new rep's ramp; then biased by the rep's forecast lever."""
        update = hired | (t % 3 == 0)
        if not update.any():
            return
        months = np.minimum(self.tenure, MONTHS_PER_YEAR)
        own = self.bookings_history.sum(axis=0) / np.maximum(months, 1) * 3
        seasoned = self.occupied & (months >= 3)
        peers = _safe_div((own * seasoned).sum(axis=1), seasoned.sum(axis=1))
        ramp = np.mean([world.ramp_fraction(self.tenure + i, self.s.reps) for i in range(3)], 0)
        naive = np.where(months >= 3, own, peers[:, None] * ramp)
        biased = naive * (1.0 + self.behavior.forecast_bias)
        self.forecast = np.where(update, biased, self.forecast)

    def _attrit(self, k: int, payslip) -> np.ndarray:
        self.pay_history[k % MONTHS_PER_YEAR] = np.where(self.occupied, payslip.ae, 0.0)
        self.pay_months = np.where(self.occupied, np.minimum(self.pay_months + 1, 12), 0)
        trailing = self.pay_history.sum(axis=0) * MONTHS_PER_YEAR / np.maximum(self.pay_months, 1)
        ramped = self.tenure >= self.s.reps.ramp_months
        shortfall = np.where(ramped, np.maximum(0.0, 1.0 - trailing / self.traits["market_ote"]), 0)
        if payslip.clawed_back is not None:
            self.months_since_clawback[payslip.clawed_back] = -1
        self.months_since_clawback += 1
        recent = self.months_since_clawback < self.s.attrition.clawback_shock_months
        hazard = world.attrition_hazard(shortfall, recent, self.s.attrition)
        departed = self.occupied & (self.m.reps.u_attrition[:, :, k] < hazard)
        self.occupied &= ~departed
        self.vacant_until[departed] = k + 1 + self.s.company.hiring_lag_months
        self.payroll.forgive(departed)
        return departed

    # --- deals ----------------------------------------------------------------------

    def book_deals(self, k: int, rows: np.ndarray, d, o) -> Deals:
        """Book won opportunities `rows` (market rows) at discount `d` and overforecast
        `o` as customers in month k; the seller is the rep in the seat now (-1 if
        vacant: a house deal nobody is paid for). `Deals.customer` holds the ids."""
        opp = self.m.opportunities
        r, seat, fit, key = opp.replication[rows], opp.seat[rows], opp.fit[rows], opp.key[rows]
        details = account_details(key, self.s, d)
        seller = np.where(self.occupied[r, seat], self.hire_no[r, seat], -1)
        acv = world.booked_acv(details.need, o, d)
        ids = self._add_customers(
            r,
            seat,
            seller,
            fit,
            key,
            details,
            d,
            o,
            acv,
            booked_month=k,
            in_report=k >= self.burn_in,
        )
        return Deals(
            replication=r,
            seat=seat,
            seller=seller,
            customer=ids,
            acv=acv,
            tcv=acv * details.term / MONTHS_PER_YEAR,
            term_months=details.term,
            fit=fit,
            discount=d,
            overforecast=o,
            usage_contract=details.usage_contract,
        )

    def credit_bookings(self, k: int, deals: Deals) -> np.ndarray:
        """Record month k's credited bookings by seat (for forecasts and the reps'
        view); returns them, (R, S) $ ACV, zero at vacant seats."""
        credited = np.where(deals.seller >= 0, deals.acv, 0.0)
        self.bookings_history[k % MONTHS_PER_YEAR] = np.bincount(
            deals.replication * self.S + deals.seat,
            weights=credited,
            minlength=self.shape[0] * self.S,
        ).reshape(self.shape)
        return np.where(self.occupied, self.bookings_history[k % MONTHS_PER_YEAR], 0.0)

    # --- customers ------------------------------------------------------------------

    def _billed(self, ids) -> np.ndarray:
        """Annualized billing of customers `ids` at their current terms, $/yr."""
        b = self.book
        return world.billed_arr(b.min_billing[ids], b.use_scale[ids] * b.usage_index[ids])

    def renew(self, k: int, ids: np.ndarray) -> tuple[Renewals, np.ndarray]:
        """Customers `ids` reach term end in month k: each renews or churns, decided by
        its own keyed uniform for its n-th renewal. Returns the renewals and the ids
        renewed (their new term end is in `book.contract_end`)."""
        b, rn = self.book, self.s.renewal
        ids = ids[b.active[ids]]  # de-booked customers have no renewal
        prior_arr = self._billed(ids)
        price = b.price[ids]
        new_price = world.renewal_price(price, rn.discount_persists)
        p = world.renewal_probability(
            b.health[ids], b.fit[ids], world.renewal_step_up(price, new_price), rn
        )
        p = np.where(b.pay_class[ids] == 2, 0.0, p)
        u = keyed_uniform(b.key[ids], DRAW["renewal"] + b.n_renewals[ids].astype(np.uint64))
        renewed = u < p
        kept, kept_price = rows_where(renewed, ids, new_price)
        self._lose(*rows_where(~renewed, ids, prior_arr), debooked=False)
        b.price[kept] = kept_price
        self._refresh(kept)
        b.commitment[kept] = b.use_scale[kept] * b.usage_index[kept]  # rebase to real use
        b.min_billing[kept] = world.minimum_billing(b.commitment[kept], b.usage_contract[kept])
        b.contract_end[kept] += b.term[kept]
        b.n_renewals[kept] += 1
        new_arr = np.where(renewed, self._billed(ids), 0.0)
        renewals = Renewals(
            replication=b.replication[ids],
            seat=b.seat[ids],
            seller=b.seller[ids],
            customer=ids,
            prior_arr=prior_arr,
            new_arr=new_arr,
            renewed=renewed,
            p_renew=p,
            months_since_booking=k - b.booked_month[ids],
            csm=b.csm[ids],
        )
        return renewals, kept

    def finish_onboarding(self, k: int, done: np.ndarray, time_to_value) -> Deployments:
        """Customers `done` finish onboarding in month k, `time_to_value` months after
        close (their queue wait is in `book.onboarding_wait`): each deploys
        successfully or not by its keyed uniform, and a failure is sometimes cancelled
        (de-booked) at once."""
        b = self.book
        wait = b.onboarding_wait[done]
        p = world.deployment_probability(b.fit[done], b.overforecast[done], wait, self.s.deployment)
        u_deploy, u_cancel = keyed_uniforms(b.key[done], DRAW["u_deploy"], DRAW["cancel"])
        success = u_deploy < p
        b.deploy_state[done] = np.where(success, 1, 2)
        b.time_to_value[done] = time_to_value
        self._refresh(done)
        cancel = ~success & (u_cancel < self.s.deployment.cancel_after_failure)
        (cancelled,) = rows_where(cancel, done)
        self._lose(cancelled, self._billed(cancelled), debooked=True)
        return Deployments(
            replication=b.replication[done],
            seat=b.seat[done],
            seller=b.seller[done],
            customer=done,
            acv=b.booked_acv[done],
            success=success,
            wait_months=wait,
            months_since_booking=k - b.booked_month[done],
        )

    def _lose(self, ids: np.ndarray, lost_arr: np.ndarray, debooked: bool) -> None:
        """Customers leave: they stop billing and are recorded as this month's churn."""
        b = self.book
        b.active[ids] = False
        b.use_scale[ids] = b.min_billing[ids] = 0.0
        self.active_customers -= np.bincount(b.replication[ids], minlength=self.shape[0])
        self._churned.append((ids, lost_arr, np.full(len(ids), debooked)))

    def _churn_events(self, k: int) -> Churns:
        b = self.book
        ids, lost_arr, debooked = concat_batches(self._churned, 3)
        ids = ids.astype(_I)
        return Churns(
            replication=b.replication[ids],
            seat=b.seat[ids],
            seller=b.seller[ids],
            customer=ids,
            csm=b.csm[ids],
            lost_arr=lost_arr.astype(float),
            months_since_booking=k - b.booked_month[ids],
            debooked=debooked.astype(bool),
        )

    def months_waiting(self, k: int, lo: int) -> np.ndarray:
        """Months since close of customers lo, lo + 1, ... not yet live (0 once live),
        for their health in month k: whole months since the month of close."""
        b = self.book
        # float32, as the rest of the health sum, so that health has the same precision
        # whatever a customer's place in the book
        return np.where(b.deploy_state[lo:] == 0, k - b.booked_month[lo:], 0).astype(np.float32)

    def health_logit(self) -> np.ndarray:
        """Every customer's health log-odds before waiting and CSM attention."""
        return self.book.health_base

    def _serve(self, k: int) -> dict:
        """Health, usage growth, billing, revenue and collections for the month.

        The hot path: a handful of array operations per customer. Customers are
        stored in booking order, so those not yet live and those in their first
        contract year are suffixes of the book and are handled as slices."""
        b, s = self.book, self.s
        R, S = self.shape
        coverage = world.csm_coverage(s.company.n_csms, self.active_customers, s.health)
        cov = coverage.astype(np.float32).take(b.replication)
        lo = self._first_pending()
        h, base = b.health, self.health_logit()
        h[:lo] = world.health(base[:lo], 0.0, cov[:lo], s.health)
        h[lo:] = world.health(base[lo:], self.months_waiting(k, lo), cov[lo:], s.health)
        b.usage_index[:] *= world.monthly_usage_growth(h, b.drift, s.usage)
        use = b.use_scale * b.usage_index
        self.arr_c = world.billed_arr(b.min_billing, use)
        self.billed_history[k] = self.arr_c
        self.billed_history.pop(k - max(self.delays) - 1, None)
        by_class = np.bincount(b.billing_key, weights=self.arr_c, minlength=3 * R * S)
        by_class = by_class.reshape(3, R, S) / MONTHS_PER_YEAR
        ring = self.billed_ring
        ring[k % len(ring)] = by_class
        cash = np.zeros((R, S))
        for pay_class, delay in enumerate(self.delays):
            if k >= delay:
                cash += ring[(k - delay) % len(ring), pay_class]
        revenue = by_class.sum(axis=0)
        fy = slice(
            self.month_first_id[max(k - MONTHS_PER_YEAR + 1, self.burn_in)]
            if k >= self.burn_in
            else b.n,
            None,
        )
        return dict(
            revenue=revenue,
            cash=cash,
            arr=revenue.sum(axis=1) * MONTHS_PER_YEAR,
            customers=self.active_customers.copy(),
            first_year_booked=np.bincount(b.replication[fy], weights=b.booked_acv[fy], minlength=R)
            / MONTHS_PER_YEAR,
            first_year_realized=np.bincount(b.replication[fy], weights=use[fy], minlength=R)
            / MONTHS_PER_YEAR,
        )

    def _first_pending(self) -> int:
        """Advance and return the lowest id of a customer not yet live."""
        state = self.book.deploy_state[self.first_pending :]
        pending = np.flatnonzero(state == 0)
        self.first_pending += int(pending[0]) if len(pending) else len(state)
        return self.first_pending

    def _survey(self, k: int, t: int) -> SurveyWave | None:
        """A survey wave: each active account answers with probability
        `survey_response_rate` and is satisfied with probability equal to its health,
        both decided by its own keyed draws. Results are tallied by account owner."""
        h = self.s.health
        if (t + 1) % h.survey_every_months:
            return None
        b, (R, S) = self.book, self.shape
        if self.expected_surveys:  # the belief world: what a wave yields on average
            ids = np.flatnonzero(b.active)
            owner = b.owner_key[ids]
            rate = h.survey_response_rate
            tally = lambda x: np.bincount(owner, weights=x, minlength=R * S).reshape(R, S)  # noqa: E731
            health = b.health[ids].astype(float)
            return SurveyWave(
                tally(rate * health), tally(np.full(len(ids), rate)), h.survey_every_months
            )
        counter = DRAW["survey"] + 2 * (k // h.survey_every_months)
        # every account's draw, then the active respondents: cheaper than gathering
        # the active accounts' keys first
        responds = keyed_uniform(b.key, counter) < h.survey_response_rate
        ids = np.flatnonzero(responds & b.active)
        satisfied = keyed_uniform(b.key[ids], counter + 1) < b.health[ids]
        owner = b.owner_key[ids]
        tally = lambda x: np.bincount(owner, weights=x, minlength=R * S).reshape(R, S)  # noqa: E731
        return SurveyWave(tally(satisfied), tally(np.ones(len(ids))), h.survey_every_months)

    def _cohort(self, t: int) -> dict | None:
        """Close the annual cohort at each reported year end and open the next."""
        if (t + 1) % MONTHS_PER_YEAR:
            return None
        b, R = self.book, self.shape[0]
        out = None
        if t >= MONTHS_PER_YEAR - 1:
            c, rep = b.in_cohort, b.replication
            out = {
                "start_arr": np.bincount(rep, weights=c * b.cohort_arr, minlength=R),
                "end_arr": np.bincount(rep, weights=c * self.arr_c, minlength=R),
                "end_arr_capped": np.bincount(
                    rep, weights=c * np.minimum(self.arr_c, b.cohort_arr), minlength=R
                ),
                "start_logos": np.bincount(rep, weights=c, minlength=R),
                "churned_logos": np.bincount(rep, weights=c & ~b.active, minlength=R),
            }
        if t >= -1:
            b.in_cohort[:] = b.active
            b.cohort_arr[:] = self.arr_c
        return out


def concat_batches(batches: list, width: int) -> tuple[np.ndarray, ...]:
    if not batches:
        return tuple(np.empty(0, dtype=_I) for _ in range(width))
    return tuple(np.concatenate([b[i] for b in batches]) for i in range(width))


def _stack_dicts(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Arrays of the same names joined along the replication axis (NaN where a part
    lacks one)."""
    names = list(dict.fromkeys(n for part in parts for n in part))
    shapes = {n: next(p[n].shape[1:] for p in parts if n in p) for n in names}
    return {
        n: np.concatenate([p.get(n, np.full((1, *shapes[n]), np.nan)) for p in parts])
        for n in names
    }


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)
