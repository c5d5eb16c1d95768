"""The metrics: definitions in one place, and their accumulation from ledgers.

Every metric is computed per plan and replication over the reported horizon
(burn-in excluded). Flows are reported per year (total over the horizon divided
by its length in years) so scenarios with different horizons compare; rates are
pooled over the horizon unless the definition says otherwise.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from sim.ledger import DAYS_PER_MONTH, MonthLedger
from sim.plans.payroll import Payslip
from sim.plans.quota import MONTHS_PER_YEAR

LAST_WEEK_DAYS = 7.0  # the "last week" of a quarter (`last_week_share`)
LAST_DAY_DAYS = 1.0  # its "last day" (`last_day_share`)


@dataclass(frozen=True)
class Metric:
    name: str
    unit: str
    definition: str
    higher_is_better: bool | None = True
    headline: bool = False
    # held to a --precision target (headline metrics only); rep attrition is not: a rate
    # over a few dozen seats, its per-run noise would make a relative target very costly
    converge: bool = True


METRICS: tuple[Metric, ...] = (
    Metric("new_arr", "$/yr", "ACV of deals won, per year", True, True),
    Metric("new_logos", "logos/yr", "deals won (new customers), per year", True, True),
    Metric(
        "revenue", "$/yr", "revenue recognized (billed usage or commitment), per year", True, True
    ),
    Metric("ending_arr", "$", "annual recurring revenue at the end of the horizon", True, True),
    Metric(
        "grr",
        "fraction",
        "gross revenue retention: ARR a year later from the customers "
        "active at a year's start, each capped at its starting ARR, over their starting ARR; "
        "mean over the horizon's years",
        True,
        True,
    ),
    Metric(
        "nrr",
        "fraction",
        "net revenue retention: as grr but uncapped (expansion counts); "
        "mean over the horizon's years",
        True,
        True,
    ),
    Metric(
        "logo_churn",
        "fraction/yr",
        "share of customers active at a year's start that churned within it; mean over years",
        False,
    ),
    Metric("win_rate", "fraction", "won / pursued, among pursued opportunities that closed"),
    Metric("avg_discount", "fraction of list", "mean discount of won deals", False),
    Metric(
        "overforecast_gap",
        "fraction of booked",
        "1 - real use / commitment over the "
        "first contract year of deals won in the horizon (months observed)",
        False,
    ),
    Metric(
        "low_fit_share",
        "fraction",
        "share of won deals with fit below market.low_fit_cutoff",
        False,
    ),
    Metric("deployment_success", "fraction", "successful / finished onboardings"),
    Metric(
        "csat",
        "fraction satisfied",
        "survey-measured CSAT: satisfied respondents / respondents, pooled over survey waves",
        True,
    ),
    Metric("comp_cost", "$/yr", "pay to AEs and CSMs (cash paid), per year", False, True),
    Metric("comp_cost_ratio", "fraction of revenue", "comp_cost / revenue", False, True),
    Metric(
        "comp_expense",
        "$/yr",
        "comp cost as FP&A books it: commissions on bookings and renewals capitalized and "
        "expensed straight-line over finance.commission_amortization_months (ASC 340-40), "
        "everything else as paid",
        False,
    ),
    Metric(
        "clawbacks_recovered",
        "$/yr",
        "commission clawed back (charged against the rep's "
        "pay; what a departing rep still owed is written off in comp_cost_balance_carried)",
        None,
    ),
    Metric(
        "holdback_forfeited",
        "$/yr",
        "held commission never paid (deployment failed, "
        "window passed, customer left, or rep left under a forfeit rule)",
        None,
    ),
    Metric(
        "share_at_quota",
        "fraction",
        "share of rep-years at or above annual quota, among reps in seat the whole plan year",
        None,
    ),
    Metric("ae_pay", "$/yr", "mean annual pay of an AE in seat the whole plan year", None),
    Metric(
        "chosen_discount",
        "fraction of list",
        "mean discount of the strategies in force, over filled seat-months",
        False,
    ),
    Metric(
        "chosen_overforecast",
        "fraction of need",
        "mean overforecast of the strategies in force, over filled seat-months",
        False,
    ),
    Metric(
        "chosen_fit_threshold",
        "fit score",
        "mean fit threshold of the strategies in force, over filled seat-months",
        None,
    ),
    Metric(
        "chosen_effort",
        "x normal activity",
        "mean effort of the reps in seat (opportunities created and worked), over filled "
        "seat-months",
        None,
    ),
    Metric(
        "deals_per_rep_month",
        "deals/rep/month",
        "deals won and credited to a rep, per filled seat-month",
        None,
    ),
    Metric(
        "pulled_share",
        "fraction",
        "share of deals won that closed early because a rep pulled them (timing lever)",
        None,
    ),
    Metric(
        "pulled_discount",
        "fraction of list",
        "mean discount of the deals pulled early (timing lever; undefined if none were)",
        False,
    ),
    Metric(
        "quarter_end_discount",
        "fraction of list",
        "mean discount of deals won in the last month of a quarter (pulled deals carry more)",
        False,
    ),
    Metric(
        "pushed_share",
        "fraction",
        "won deals a rep held for the next period, per deal booked (timing lever)",
        None,
    ),
    Metric(
        "quarter_end_share",
        "fraction",
        "share of deals won that close in the last month of a quarter (1/3 without timing games)",
        None,
    ),
    Metric(
        "last_week_share",
        "fraction",
        "share of deals won that close in the last 7 days of a quarter (about 0.077 without "
        "timing games); events engine only (the batch engine has no days: empty)",
        None,
    ),
    Metric(
        "last_day_share",
        "fraction",
        "share of deals won that close on the last day of a quarter (about 0.011 without "
        "timing games); events engine only",
        None,
    ),
    Metric(
        "onboarding_wait_days",
        "days",
        "mean days a customer whose onboarding finished waited in the onboarding queue "
        "before it started (batch engine: whole months x 365/12)",
        False,
    ),
    Metric(
        "support_wait_days",
        "days",
        "mean days a support ticket waited for an agent; events engine with support.agents "
        "> 0 only",
        False,
    ),
    Metric(
        "rep_attrition",
        "fraction/yr",
        "quits / average filled seats, annualized",
        False,
        True,
        converge=False,
    ),
    Metric(
        "margin_after_comp",
        "fraction of revenue",
        "finance.gross_margin - comp_cost_ratio",
        True,
        True,
    ),
    Metric(
        "comp_expense_ratio",
        "fraction of revenue",
        "comp_expense / revenue (comp cost ratio on the ASC 340-40 expense basis)",
        False,
    ),
    Metric(
        "seat_cost",
        "$/yr",
        "headcount cost of the seats beyond pay: filled AE seat-years x finance.ae_seat_cost "
        "+ CSM-years x finance.csm_seat_cost",
        False,
    ),
    Metric(
        "operating_income",
        "$/yr",
        "revenue x (finance.gross_margin - finance.other_opex_share) - finance.other_opex_fixed "
        "- seat_cost - comp_cost (cash basis)",
        True,
    ),
    Metric(
        "operating_margin",
        "fraction of revenue",
        "operating_income / revenue: gross margin less comp cost (cash), seat costs and "
        "other operating costs",
        True,
    ),
    Metric(
        "operating_margin_expense",
        "fraction of revenue",
        "as operating_margin with comp on the expense basis (comp_expense instead of comp_cost)",
        True,
    ),
    Metric(
        "over_comp_limit",
        "probability",
        "1 if comp_cost_ratio > finance.comp_ratio_limit, else 0: its mean is "
        "P(comp cost ratio over the limit)",
        False,
    ),
    Metric(
        "below_margin_floor",
        "probability",
        "1 if operating_margin < finance.margin_floor, else 0: its mean is "
        "P(operating margin under the floor)",
        False,
    ),
)

METRIC_NAMES = tuple(m.name for m in METRICS)
HEADLINE = tuple(m.name for m in METRICS if m.headline)
CONVERGED = tuple(m.name for m in METRICS if m.headline and m.converge)  # --precision's


def metric_unit(name: str) -> str:
    """The unit of metric `name` ('$/yr', 'fraction'), '1' for a name that is no metric."""
    try:
        return metric(name).unit
    except KeyError:
        return "1"


def metric(name: str) -> Metric:
    for m in METRICS:
        if m.name == name:
            return m
    if name.startswith("comp_cost_role_"):
        return Metric(name, "$/yr", f"pay to the '{name[15:]}' role (cash), per year", False)
    if name.startswith("comp_cost_"):
        line = name[len("comp_cost_") :]
        meaning = PAY_LINES.get(line, f"cash paid by the '{line}' component")
        return Metric(name, "$/yr", f"{meaning}, per year", False)
    raise KeyError(name)


# pay lines every plan has, beside its components' (see sim.plans.payroll)
PAY_LINES = {
    "base_salary": "AE base salaries paid",
    "csm_base_salary": "CSM base salaries paid",
    "balance_carried": "recoveries reps' pay could not absorb yet, their later netting, "
    "and what leavers still owed (written off)",
}
ROLES = ("ae", "csm")


def known_metric(name: str, option: str, plans=None) -> Metric:
    """Metric `name` if a run of `plans` reports it (their pay lines included; without
    plans, every registered component's line), else a one-line error naming `option`:
    a pay line none of the plans has is said to be absent, a typo gets a hint."""
    from sim.errors import UserError

    lines = {m.name: m for m in pay_line_metrics(plans)}
    listed = {m.name: m for m in METRICS} | lines
    if name in listed:
        return listed[name]
    near = difflib.get_close_matches(name, list(listed), n=1, cutoff=0.8)  # a typo
    if plans is not None and name.startswith("comp_cost_") and set(near) <= set(lines):
        absent = f"plan '{plans[0].name}' has no" if len(plans) == 1 else "no plan has a"
        hint = f"did you mean '{near[0]}'?" if near else f"pay lines: {', '.join(lines)}"
        line = name[len("comp_cost_") :]
        raise UserError(f"{option} {name}: {absent} '{line}' pay line ({hint})")
    near = near or difflib.get_close_matches(name, list(listed), n=1)
    hint = f"did you mean '{near[0]}'?" if near else "see 'sim metrics'"
    raise UserError(f"{option} {name!r}: no such metric ({hint})")


def pay_line_metrics(plans=None) -> list[Metric]:
    """The `comp_cost_<line>` and `comp_cost_role_<role>` metrics: the lines `plans`
    produce, or without plans every registered component's line under its type."""
    from sim.plans.registry import REGISTRY

    if plans is None:
        lines = [kind for kind, config in sorted(REGISTRY.items()) if config.has_line]
    else:
        lines = [c.line for plan in plans for c in plan.components if c.has_line]
    names = dict.fromkeys([*PAY_LINES, *lines])
    return [metric(f"comp_cost_{n}") for n in names] + [
        metric(f"comp_cost_role_{r}") for r in ROLES
    ]


def _ratio(num, den) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)


@dataclass(frozen=True)
class Span:
    """What a metric needs beyond the summed flows of a span of reported months (the
    whole horizon, or one reported year)."""

    years: float  # the span's length in years: flows are divided by it
    ending_arr: np.ndarray  # (R,) ARR at the span's last month end
    grr: np.ndarray  # (R,) the span's annual cohorts, averaged
    nrr: np.ndarray
    logo_churn: np.ndarray
    amortized: np.ndarray  # (R,) capitalized commission expensed in the span, $


class MetricsAccumulator:
    """Sums what each metric needs, month by month, for R replications, per reported
    year; the horizon's metrics and each year's come from the same formulas
    (`evaluate`) applied to the horizon's sums and to the year's."""

    def __init__(self, n_replications: int, months: int, finance, low_fit: float, n_csms: int):
        self.R, self.months = n_replications, months
        self.finance, self.low_fit, self.n_csms = finance, low_fit, n_csms
        self.capitalized: list[np.ndarray] = []  # per simulated month, burn-in included
        self.year_sums: list[dict[str, np.ndarray]] = []  # per reported year
        self.grr: list[np.ndarray] = []  # per reported year with a closed cohort
        self.nrr: list[np.ndarray] = []
        self.churn: list[np.ndarray] = []
        self.arr_by_month = np.zeros((n_replications, months))
        self.year_pay = None  # (R, S) AE pay so far this plan year
        self.years: list[dict[str, np.ndarray]] = []  # per reported year: rep-year records

    def _add(self, key: str, value) -> None:
        sums = self.year_sums[-1]
        sums[key] = sums.get(key, 0.0) + value

    def observe(self, ledger: MonthLedger, pay: Payslip) -> None:
        """Record one month; only reported months (not burn-in) count in the metrics."""
        capitalized = pay.events.get("capitalized", np.zeros(self.R))
        self.capitalized.append(capitalized)
        if ledger.month < 0:
            return
        if ledger.month % MONTHS_PER_YEAR == 0:
            self.year_sums.append({})
        R, deals = self.R, ledger.deals
        self._add("expensed_as_paid", pay.total - capitalized)
        for name in ("clawbacks_recovered", "holdback_forfeited"):
            self._add(name, pay.events.get(name, np.zeros(R)))
        for role, amount in pay.by_role.items():
            self._add(f"role_{role}", amount)
        self._add("new_arr", deals.by_replication(deals.acv, R))
        self._add("new_logos", deals.by_replication(np.ones(len(deals)), R))
        self._add("discount", deals.by_replication(deals.discount, R))
        self._add("low_fit", deals.by_replication((deals.fit < self.low_fit) * 1.0, R))
        self._add("pursued", ledger.pursuits_closed.sum(axis=1))
        self._add("revenue", ledger.revenue.sum(axis=1))
        self._add("fy_booked", ledger.first_year_booked)
        self._add("fy_realized", ledger.first_year_realized)
        dep = ledger.deployments
        self._add("deployed", dep.by_replication(np.ones(len(dep)), R))
        self._add("deploy_ok", dep.by_replication(dep.success * 1.0, R))
        if ledger.survey is not None:
            self._add("csat_yes", ledger.survey.satisfied.sum(axis=1))
            self._add("csat_n", ledger.survey.responses.sum(axis=1))
        self._add("comp", pay.total)
        for name, amount in pay.by_component.items():
            self._add(f"component_{name}", amount)
        roster = ledger.roster
        self._add("seat_months", roster.occupied.sum(axis=1))
        self._add("csm_months", np.full(R, float(self.n_csms)))
        if ledger.strategy is not None:
            for lever in ("discount", "overforecast", "fit_threshold", "effort"):
                self._add(f"chosen_{lever}", (ledger.strategy[lever] * roster.occupied).sum(1))
        self._add("credited_deals", deals.by_replication((deals.seller >= 0) * 1.0, R))
        if ledger.pulled is not None:
            self._add("pulled", ledger.pulled)
            self._add("pulled_discount", ledger.pulled_discount)
        if ledger.held is not None:
            self._add("held", ledger.held)
        if ledger.deal_days is not None:  # the events engine: deals have days
            self._add("dated_deals", deals.by_replication(np.ones(len(deals)), R))
            if ledger.month % 3 == 2:
                for name, days in (("last_week", LAST_WEEK_DAYS), ("last_day", LAST_DAY_DAYS)):
                    late = (ledger.deal_days >= DAYS_PER_MONTH - days) * 1.0
                    self._add(f"{name}_deals", deals.by_replication(late, R))
        self._add("onboarding_wait", dep.by_replication(dep.wait_months * DAYS_PER_MONTH, R))
        support = ledger.extra.get("support")
        if support is not None:
            self._add("support_wait", support[0])
            self._add("tickets", support[1])
        if ledger.month % 3 == 2:
            self._add("quarter_end_deals", deals.by_replication(np.ones(len(deals)), R))
            self._add("quarter_end_discount", deals.by_replication(deals.discount, R))
        self._add("quits", roster.departed.sum(axis=1))
        if self.year_pay is None or ledger.month % MONTHS_PER_YEAR == 0:
            self.year_pay = np.zeros(pay.ae.shape)
        self.year_pay[roster.hired] = 0.0
        self.year_pay += pay.ae
        if pay.year_end_attainment is not None:
            full_year = roster.occupied & (roster.tenure >= MONTHS_PER_YEAR - 1)
            self._add("full_years", full_year.sum(axis=1))
            self._add("at_quota", (full_year & (pay.year_end_attainment >= 1.0)).sum(axis=1))
            self._add("full_year_pay", (self.year_pay * full_year).sum(axis=1))
            skill = roster.skill if roster.skill is not None else np.zeros(full_year.shape)
            self.years.append(
                {
                    "pay": self.year_pay.copy(),
                    "full_year": full_year,
                    "attainment": pay.year_end_attainment,
                    "skill": skill.copy(),
                }
            )
        cohort = ledger.extra.get("cohort")
        if cohort is not None:
            self.grr.append(_ratio(cohort["end_arr_capped"], cohort["start_arr"]))
            self.nrr.append(_ratio(cohort["end_arr"], cohort["start_arr"]))
            self.churn.append(_ratio(cohort["churned_logos"], cohort["start_logos"]))
        self.arr_by_month[:, ledger.month] = ledger.arr

    def results(self) -> dict[str, np.ndarray]:
        """Every metric per replication over the reported horizon."""
        span = Span(
            years=self.months / MONTHS_PER_YEAR,
            ending_arr=self.arr_by_month[:, -1].copy(),
            grr=_mean_over_years(self.grr, self.R),
            nrr=_mean_over_years(self.nrr, self.R),
            logo_churn=_mean_over_years(self.churn, self.R),
            amortized=self._amortized_by_month().sum(axis=0),
        )
        return self.evaluate(_merge(self.year_sums), span)

    def results_by_year(self) -> dict[str, np.ndarray]:
        """Every metric per replication and reported year, arrays shaped (R, years);
        flows per year of the year's own length (a last partial year is annualized)."""
        amortized = self._amortized_by_month()
        per_year = []
        for y, sums in enumerate(self.year_sums):
            first, last = y * MONTHS_PER_YEAR, min((y + 1) * MONTHS_PER_YEAR, self.months)
            span = Span(
                years=(last - first) / MONTHS_PER_YEAR,
                ending_arr=self.arr_by_month[:, last - 1].copy(),
                grr=_nth(self.grr, y, self.R),
                nrr=_nth(self.nrr, y, self.R),
                logo_churn=_nth(self.churn, y, self.R),
                amortized=amortized[first:last].sum(axis=0),
            )
            per_year.append(self.evaluate(sums, span))
        names = list(dict.fromkeys(n for year in per_year for n in year))
        nan = np.full(self.R, np.nan)
        return {n: np.stack([year.get(n, nan) for year in per_year], axis=1) for n in names}

    def evaluate(self, s: dict[str, np.ndarray], span: Span) -> dict[str, np.ndarray]:
        """The metric definitions: every metric from a span's sums."""
        zeros = np.zeros(self.R)
        get = lambda k: s.get(k, zeros)  # noqa: E731
        fin, years = self.finance, span.years
        revenue = get("revenue")
        comp_ratio = _ratio(get("comp"), revenue)
        comp_expense = get("expensed_as_paid") + span.amortized
        seat_cost = (
            get("seat_months") * fin.ae_seat_cost + get("csm_months") * fin.csm_seat_cost
        ) / MONTHS_PER_YEAR
        # Operating income before sales comp: gross profit less seat costs and other
        # operating costs (a share of revenue plus a fixed amount per year).
        before_comp = (
            (fin.gross_margin - fin.other_opex_share) * revenue
            - seat_cost
            - fin.other_opex_fixed * years
        )
        operating_margin = _ratio(before_comp - get("comp"), revenue)
        out = {
            "new_arr": get("new_arr") / years,
            "new_logos": get("new_logos") / years,
            "revenue": revenue / years,
            "ending_arr": span.ending_arr,
            "grr": span.grr,
            "nrr": span.nrr,
            "logo_churn": span.logo_churn,
            "win_rate": _ratio(get("new_logos"), get("pursued")),
            "avg_discount": _ratio(get("discount"), get("new_logos")),
            "overforecast_gap": 1.0 - _ratio(get("fy_realized"), get("fy_booked")),
            "low_fit_share": _ratio(get("low_fit"), get("new_logos")),
            "deployment_success": _ratio(get("deploy_ok"), get("deployed")),
            "csat": _ratio(get("csat_yes"), get("csat_n")),
            "comp_cost": get("comp") / years,
            "comp_cost_ratio": comp_ratio,
            "comp_expense": comp_expense / years,
            "comp_expense_ratio": _ratio(comp_expense, revenue),
            "clawbacks_recovered": get("clawbacks_recovered") / years,
            "holdback_forfeited": get("holdback_forfeited") / years,
            "share_at_quota": _ratio(get("at_quota"), get("full_years")),
            "ae_pay": _ratio(get("full_year_pay"), get("full_years")),
            "chosen_discount": _ratio(get("chosen_discount"), get("seat_months")),
            "chosen_overforecast": _ratio(get("chosen_overforecast"), get("seat_months")),
            "chosen_fit_threshold": _ratio(get("chosen_fit_threshold"), get("seat_months")),
            "chosen_effort": _ratio(get("chosen_effort"), get("seat_months")),
            "deals_per_rep_month": _ratio(get("credited_deals"), get("seat_months")),
            "pulled_share": _ratio(get("pulled"), get("new_logos")),
            "pulled_discount": _ratio(get("pulled_discount"), get("pulled")),
            "quarter_end_discount": _ratio(get("quarter_end_discount"), get("quarter_end_deals")),
            "pushed_share": _ratio(get("held"), get("new_logos")),
            "quarter_end_share": _ratio(get("quarter_end_deals"), get("new_logos")),
            "last_week_share": _ratio(get("last_week_deals"), get("dated_deals")),
            "last_day_share": _ratio(get("last_day_deals"), get("dated_deals")),
            "onboarding_wait_days": _ratio(get("onboarding_wait"), get("deployed")),
            "support_wait_days": _ratio(get("support_wait"), get("tickets")),
            "rep_attrition": _ratio(get("quits"), get("seat_months")) * MONTHS_PER_YEAR,
            "margin_after_comp": fin.gross_margin - comp_ratio,
            "seat_cost": seat_cost / years,
            "operating_income": (before_comp - get("comp")) / years,
            "operating_margin": operating_margin,
            "operating_margin_expense": _ratio(before_comp - comp_expense, revenue),
            "over_comp_limit": _exceeds(comp_ratio, fin.comp_ratio_limit),
            "below_margin_floor": _exceeds(-operating_margin, -fin.margin_floor),
        }
        for key in s:
            if key.startswith("component_"):
                out[f"comp_cost_{key[10:]}"] = np.asarray(s[key], float) / years
        for key in sorted(k for k in s if k.startswith("role_")):
            out[f"comp_cost_{key}"] = s[key] / years
        return out

    def rep_years(self) -> dict[str, np.ndarray]:
        """Each reported plan year's AE records, arrays shaped (R, years, S): annual
        pay, whether the rep was in seat all year, attainment and skill."""
        keys = ("pay", "full_year", "attainment", "skill")
        if not self.years:
            return {k: np.zeros((self.R, 0, 0)) for k in keys}
        return {k: np.stack([y[k] for y in self.years], axis=1) for k in keys}

    def _amortized_by_month(self) -> np.ndarray:
        """Amortization expense recognized in each reported month, (months, R): each
        month's capitalized commissions spread evenly over the next L months. Months
        before the simulation starts are assumed to have capitalized the average of its
        first year (a going concern has a commission asset already)."""
        caps = np.vstack(self.capitalized)  # (simulated months, R)
        L = self.finance.commission_amortization_months
        backfill = caps[: min(12, len(caps))].mean(axis=0)
        padded = np.vstack([np.repeat(backfill[None], L - 1, axis=0), caps])
        window = np.cumsum(padded, axis=0)
        window = window[L - 1 :] - np.vstack([np.zeros((1, self.R)), window[:-L]])
        return window[-self.months :] / L


def _merge(year_sums: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The horizon's sums: every year's added up, keys in first-seen order."""
    total: dict[str, np.ndarray] = {}
    for sums in year_sums:
        for key, value in sums.items():
            total[key] = total.get(key, 0.0) + value
    return total


def _exceeds(value: np.ndarray, limit: float) -> np.ndarray:
    """1.0 where `value` is above `limit`, 0.0 where not, NaN where undefined: its mean
    over replications is the probability of exceeding the limit."""
    return np.where(np.isnan(value), np.nan, (value > limit) * 1.0)


def _nth(values: list[np.ndarray], year: int, R: int) -> np.ndarray:
    """The year's cohort value (NaN for a last partial year, whose cohort never closes)."""
    return values[year] if year < len(values) else np.full(R, np.nan)


def _mean_over_years(values: list[np.ndarray], R: int) -> np.ndarray:
    if not values:
        return np.full(R, np.nan)
    return np.nanmean(np.vstack(values), axis=0) if len(values) > 1 else values[0]
