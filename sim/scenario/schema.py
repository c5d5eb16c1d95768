"""The scenario schema: every coefficient of the model with its default, unit and meaning.

A scenario file (TOML) sets any subset of these; everything else keeps the
default shown here. `scenarios/default.toml` restates every default with the
public benchmark it was calibrated against. Sections follow the model (docs/model.md):
company, installed base, market, reps, attrition, win, billing, onboarding,
deployment, health, renewal, usage, finance, strategy, behaviour and plans.
"""

from __future__ import annotations

import difflib
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from sim.params import LogNormal, Normal, Section, param, support_of, within
from sim.plans.config import Plan


class Simulation(Section):
    """How much to simulate when the command line does not say."""

    replications: int = param(1000, "company-runs", "simulated companies per plan", ge=1)
    seed: int = param(20261122, "1", "root seed; the same seed gives the same numbers", ge=0)
    chunk_size: Annotated[int, Field(ge=1)] | Literal["auto"] = param(
        "auto",
        "company-runs",
        'replications simulated together in one task; "auto": chunks of at most 200, as '
        "many and as large for every worker",
    )


class Company(Section):
    """The shape of the simulated company."""

    n_reps: int = param(20, "seats", "account-executive (AE) seats", ge=1)
    n_csms: int = param(8, "people", "customer-success managers (0 = none)", ge=0)
    team_size: int = param(5, "seats", "AE seats per sales team (team-level measures)", ge=1)
    months: int = param(36, "months", "reported horizon", ge=12, le=240)
    burn_in_months: Annotated[int, Field(ge=0)] | Literal["auto"] = param(
        "auto",
        "months",
        'warm-up simulated before month 0 and discarded; "auto": long enough for every '
        "plan's longest pay tail, contract terms, ramp and pipeline (docs/model.md)",
    )
    hiring_lag_months: int = param(2, "months", "a vacated seat stays empty this long", ge=0)


class InitialBook(Section):
    """The installed base a going concern starts with (steady-state initial book)."""

    customers: int = param(
        0, "customers", "customers under contract at the start of the warm-up", ge=0
    )
    discount: float = param(0.13, "fraction of list", "discount on installed contracts", ge=0, lt=1)
    overforecast: float = param(
        0.2, "fraction of need", "overforecast on installed commitments", ge=0
    )


class Market(Section):
    """The opportunities reps meet: how many, how good a fit, how large, which terms."""

    opportunities_per_rep_month: float = param(
        6.8, "opportunities/rep/month", "arrival rate for a fully ramped rep", ge=0
    )
    fit_a: float = param(2.0, "1", "ICP-fit score ~ Beta(fit_a, fit_b) on [0, 1]", gt=0)
    fit_b: float = param(2.0, "1", "second shape of the fit distribution", gt=0)
    need_median: float = param(
        33_000.0, "$/yr at list price", "median true annual need of an opportunity", gt=0
    )
    need_sigma: float = param(0.8, "log units", "spread (log sd) of true annual need", ge=0)
    share_24_month_terms: float = param(
        0.25,
        "fraction",
        "share of undiscounted contracts signed for 24 months (rest 12)",
        ge=0,
        le=1,
    )
    term_discount_coef: float = param(
        4.0, "logit per unit discount", "discounted deals are likelier to sign for 24 months", ge=0
    )
    share_usage_contracts: float = param(
        0.3, "fraction", "share billed on actual usage (rest commit, take-or-pay)", ge=0, le=1
    )
    sales_cycle_months: float = param(
        2.2, "months", "mean months from pursuit to close (geometric, at least 1)", ge=1
    )
    low_fit_cutoff: float = param(
        0.35, "fit score", "deals with fit below this count as low-fit", ge=0, le=1
    )


class Reps(Section):
    """Account executives: ramp, capacity and the traits drawn for each new rep."""

    ramp_months: int = param(4, "months", "months until a new hire is fully productive", ge=0)
    ramp_start: float = param(
        0.25, "fraction", "productivity in a new hire's first month (rises linearly)", ge=0, le=1
    )
    deal_capacity: float = param(
        8.0, "opportunities/month", "opportunities a rep can work at full effort", gt=0
    )
    skill: within() = param(
        Normal(dist="normal", mean=0.0, sd=0.35), "logit of win odds", "rep skill"
    )
    risk_aversion: within(0) = param(
        1.0, "1/OTE", "rho in certainty equivalent = mean - rho/2 * variance (pay in OTEs)"
    )
    patience: within(0, 1) = param(
        0.01, "1/month", "monthly discount rate a rep applies to delayed pay"
    )
    integrity_cost: within(0) = param(
        0.05, "OTE per unit overforecast", "felt cost of booking above need (o = 1: double)"
    )
    effort_cost: float = param(
        0.5,
        "OTE/yr per unit effort",
        "felt cost of working harder: effort_cost x (effort^2 - 1) / 2 a year (0 at effort 1)",
        ge=0,
    )
    market_ote: within(0) = param(
        LogNormal(dist="lognormal", median=150_000.0, sigma=0.1),
        "$/yr",
        "on-target earnings the rep could get elsewhere (outside option)",
    )


class Attrition(Section):
    """Monthly hazard that a rep quits."""

    base_monthly_hazard: float = param(
        0.022, "1/month", "quit hazard of a rep paid at market", ge=0, le=1
    )
    pay_shortfall_coef: float = param(
        2.5, "log-hazard per unit", "rise per unit of (1 - trailing pay / market OTE)", ge=0
    )
    clawback_shock_coef: float = param(
        0.7, "log-hazard", "rise in the months right after a clawback", ge=0
    )
    clawback_shock_months: int = param(3, "months", "how long a clawback raises the hazard", ge=0)


class Win(Section):
    """P(win) = logistic(intercept + terms); fit is centred at 0.5."""

    intercept: float = param(-1.35, "logit", "log-odds of winning at the reference deal")
    discount_coef: float = param(1.4, "logit per unit discount", "more discount wins more", ge=0)
    fit_coef: float = param(1.5, "logit per unit fit", "better fit wins more", ge=0)
    skill_coef: float = param(1.0, "logit per unit skill", "skilled reps win more", ge=0)
    overforecast_coef: float = param(
        0.8, "logit per unit overforecast", "customers push back on inflated commitments", ge=0
    )
    workload_coef: float = param(
        0.5, "logit per unit spare capacity", "times (1 - pursued/capacity) in a month", ge=0
    )


class Billing(Section):
    """Invoices: paid after a delay, some late, some never (bad fit pays worse)."""

    payment_delay_months: int = param(1, "months", "delay of an on-time payment", ge=0, le=12)
    late_payer_share: float = param(0.10, "fraction", "customers who pay late", ge=0, le=1)
    late_delay_months: int = param(3, "months", "delay of a late payment", ge=0, le=12)
    bad_debt_intercept: float = param(-3.5, "logit", "log-odds a customer never pays, at fit 0.5")
    bad_debt_fit_coef: float = param(
        2.5, "logit per unit fit", "better fit lowers the odds of never paying", ge=0
    )


class Onboarding(Section):
    """The onboarding team: a first-in-first-out queue with monthly capacity."""

    capacity_per_month: float = param(
        40.0, "deployments/month", "onboardings the team can start each month", ge=0
    )
    duration_months: int = param(2, "months", "onboarding time once started", ge=0)


class Deployment(Section):
    """P(successful deployment) = logistic(intercept + terms); fit centred at 0.5."""

    intercept: float = param(1.6, "logit", "log-odds of success at the reference deal")
    fit_coef: float = param(2.0, "logit per unit fit", "good-fit customers deploy", ge=0)
    overforecast_coef: float = param(
        2.0, "logit per unit overforecast", "over-promised deployments fail", ge=0
    )
    delay_coef: float = param(
        0.3, "logit per month", "each month waiting in the onboarding queue hurts", ge=0
    )
    usage_before_go_live: float = param(
        0.3, "fraction of need", "share of need used before deployment completes", ge=0, le=1
    )
    usage_after_failure: float = param(
        0.6, "fraction of need", "share of need used after a failed deployment", ge=0, le=1
    )
    cancel_after_failure: float = param(
        0.2, "probability", "a failed deployment is cancelled (de-booked) at once", ge=0, le=1
    )


class Health(Section):
    """Customer satisfaction (probability a surveyed customer is satisfied) and surveys."""

    intercept: float = param(0.3, "logit", "log-odds of satisfaction at the reference")
    fit_coef: float = param(2.0, "logit per unit fit", "fit drives satisfaction", ge=0)
    deployed_coef: float = param(1.0, "logit", "added after a successful deployment", ge=0)
    failed_coef: float = param(1.5, "logit", "removed after a failed deployment", ge=0)
    overforecast_coef: float = param(
        1.5, "logit per unit overforecast", "over-promising disappoints", ge=0
    )
    time_to_value_coef: float = param(
        0.15, "logit per month", "each month from close to value hurts", ge=0
    )
    csm_coef: float = param(0.8, "logit at full coverage", "CSM attention helps", ge=0)
    accounts_per_csm: float = param(150.0, "accounts", "accounts one CSM can cover fully", gt=0)
    survey_every_months: int = param(3, "months", "a survey wave every this many months", ge=1)
    survey_response_rate: float = param(
        0.3, "fraction", "share of customers answering a survey wave", ge=0, le=1
    )


class Renewal(Section):
    """P(renew) at term end = logistic(intercept + terms); health and fit centred at 0.5."""

    intercept: float = param(2.3, "logit", "log-odds of renewal at the reference customer")
    health_coef: float = param(3.0, "logit per unit health", "satisfied customers renew", ge=0)
    fit_coef: float = param(1.0, "logit per unit fit", "good-fit customers renew", ge=0)
    step_up_coef: float = param(
        3.0, "logit per unit price rise", "a price step-up at renewal deters", ge=0
    )
    discount_persists: bool = param(
        False, "flag", "true: the discount carries into renewals; false: renew at list"
    )


class Usage(Section):
    """How customers' real use grows (expansion) or shrinks (contraction)."""

    growth_mean: float = param(0.0, "log units/yr", "usage growth of a customer at health 0.5")
    growth_health_coef: float = param(
        0.35, "log units/yr per unit health", "healthy customers grow, unhealthy shrink", ge=0
    )
    growth_sd: float = param(0.10, "log units/yr", "spread of growth rates between customers", ge=0)


class Support(Section):
    """An optional support team (events engine only): customers raise tickets that wait
    for a free agent, and waiting hurts their health."""

    agents: int = param(
        0,
        "agents",
        "support agents answering tickets, a queue in the events engine "
        "(0: no support team modelled; the batch engine needs 0)",
        ge=0,
    )
    tickets_per_customer_month: float = param(
        0.5, "tickets/customer/month", "tickets an active customer raises (Poisson)", ge=0
    )
    handle_days: float = param(
        0.5, "days", "mean time an agent spends on a ticket (exponential)", gt=0
    )
    wait_coef: float = param(
        0.1,
        "logit per day",
        "health log-odds lost per day a customer's tickets waited for an agent in the month",
        ge=0,
    )


class Events(Section):
    """Day-level settings of the events engine (`sim run --engine events`)."""

    pull_window_days: float = param(
        7.0,
        "days",
        "a deal pulled into a month closes within this many days of its end",
        gt=0,
        le=28,
    )
    release_window_days: float = param(
        7.0,
        "days",
        "a won deal held for the next period is booked within this many days of its start",
        gt=0,
        le=28,
    )


class Finance(Section):
    """What FP&A needs beyond revenue and comp."""

    gross_margin: float = param(0.75, "fraction of revenue", "gross margin", ge=0, le=1)
    commission_amortization_months: int = param(
        48,
        "months",
        "expected customer life over which commissions are expensed (ASC 340-40)",
        ge=1,
    )
    other_opex_share: float = param(
        0.45,
        "fraction of revenue",
        "operating costs other than sales comp and seat costs (R&D, G&A, marketing)",
        ge=0,
        le=5,
    )
    other_opex_fixed: float = param(
        0.0, "$/yr", "operating costs other than sales comp that do not scale with revenue", ge=0
    )
    ae_seat_cost: float = param(
        30_000.0,
        "$/yr per filled AE seat",
        "headcount cost of an AE beyond pay: payroll taxes, benefits, tools, travel",
        ge=0,
    )
    csm_seat_cost: float = param(
        25_000.0, "$/yr per CSM", "headcount cost of a CSM beyond pay", ge=0
    )
    comp_ratio_limit: float = param(
        0.10,
        "fraction of revenue",
        "comp cost ratio FP&A budgets to: over_comp_limit marks company-runs above it",
        ge=0,
        le=1,  # a fraction: 9 is a typo for 9%, not a limit no company-run ever breaks
    )
    margin_floor: float = param(
        0.15,
        "fraction of revenue",
        "operating margin FP&A must keep: below_margin_floor marks company-runs under it",
        ge=-5,
        le=1,
    )


class Strategy(Section):
    """Given strategies (behaviour mode "fixed"): drawn per rep at hire."""

    discount: within(0, 1, high_open=True) = param(0.10, "fraction of list", "discount offered")
    overforecast: within(0) = param(
        0.05, "fraction of need", "commitment booked at (1 + o) x true need"
    )
    fit_threshold: within(0, 1) = param(0.0, "fit score", "pursue only opportunities above this")
    effort: within(0) = param(
        1.0, "x normal activity", "opportunities created and worked (given strategies, mode fixed)"
    )


class StrategyGrid(Section):
    """The strategies reps choose among (modes "qbr" and "adaptive")."""

    discount: list[float] = param(
        [0.0, 0.1, 0.2, 0.3], "fraction of list", "discount levels", min_length=1
    )
    overforecast: list[float] = param(
        [0.0, 0.15, 0.3], "fraction of need", "overforecast levels", min_length=1
    )
    fit_threshold: list[float] = param([0.0, 0.3, 0.5], "fit score", "fit thresholds", min_length=1)
    effort: list[float] = param(
        [0.6, 0.8, 1.0, 1.2, 1.4],
        "x normal activity",
        "effort levels: opportunities created and worked (only with levers.effort)",
        min_length=1,
    )
    timing: list[Literal["none", "pull", "push", "both"]] = param(
        ["none", "pull", "push", "both"], "choice", "timing games (only with levers.timing)"
    )
    forecast_bias: list[float] = param(
        [-0.2, 0.0, 0.2], "fraction", "forecast = (1 + bias) x expected (only with levers.forecast)"
    )

    @model_validator(mode="after")
    def _in_range(self):
        for name, low, high in (
            ("discount", 0, 0.99),
            ("overforecast", 0, 5),
            ("fit_threshold", 0, 1),
            ("forecast_bias", -1, 5),
            ("effort", 0.05, 5),
        ):
            values = getattr(self, name)
            if min(values) < low or max(values) > high:
                raise ValueError(f"{name} levels must lie in [{low}, {high}], got {values}")
        return self


class Levers(Section):
    """Optional strategy levers."""

    effort: bool = param(True, "flag", "reps choose how hard to work (grid.effort)")
    timing: bool = param(False, "flag", "reps may pull deals into a period or push them out")
    pull_discount: float = param(
        0.05,
        "fraction of list per month",
        "extra discount that pulls a deal one month earlier",
        ge=0,
        lt=1,
    )
    pull_horizon_months: int = param(
        2, "months", "a rep may pull deals expected to close within this many months", ge=1, le=6
    )
    pull_loss: float = param(
        0.1, "probability per month", "chance a pulled deal is lost, per month pulled", ge=0, le=1
    )
    push_horizon_months: int = param(
        2,
        "months",
        "a rep may hold won deals for the next quota period within this many months of it",
        ge=1,
        le=6,
    )
    push_loss: float = param(
        0.05, "probability per month", "chance a held deal slips away, per month held", ge=0, le=1
    )
    timing_cost: float = param(
        0.005,
        "OTE per month played",
        "felt cost of a month of pulling or holding deals (customer goodwill, hassle)",
        ge=0,
    )
    forecast: bool = param(False, "flag", "reps choose how far to bias their quarterly forecast")


class Beliefs(Section):
    """The world as reps see it when they evaluate strategies."""

    horizon_months: int = param(
        18, "months", "how long a rep expects to stay: pay beyond is not counted", ge=3, le=120
    )
    overrides: dict[str, dict[str, Any]] = param(
        {}, "scenario tables", "settings reps believe differ, e.g. { renewal = { intercept = 3 } }"
    )

    @field_validator("overrides")
    @classmethod
    def _overrides_are_settings(cls, overrides):
        """Each belief names a scenario table and settings of it, with values it accepts:
        checked with the file (a typo here surfaced only mid-run, as a traceback, when
        the belief world was built)."""
        if not overrides:  # the default, also built before `Scenario` is defined
            return overrides
        tables = {
            name: field.annotation
            for name, field in Scenario.model_fields.items()
            if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
        }
        for table, values in overrides.items():
            if table not in tables:
                raise ValueError(f"{table}: not a scenario table{_hint(table, tables)}")
            try:
                tables[table].model_validate(values)
            except ValidationError as exc:
                raise ValueError(_belief_problem(table, exc.errors(), tables[table])) from None
        return overrides


def _hint(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _belief_problem(table: str, errors: list[dict], model) -> str:
    """One line for the first problem of a belief's settings: 'market.need_mediann:
    unknown key (did you mean 'need_median'?)'. For a number-or-distribution given as
    a table, the number branch's complaint is noise, and pydantic's union labels are
    no keys."""
    real = [e for e in errors if not {"float", "int"} & set(map(str, e["loc"]))] or errors
    error, loc, skip = real[0], [], False
    for part in error["loc"]:
        label = isinstance(part, str) and "[" in part  # 'tagged-union[Normal,...]'
        if not (label or skip):
            loc.append(part)
        skip = label and part.startswith("tagged-union")  # the tag ('normal') comes next
    key = ".".join(str(part) for part in (table, *loc))
    if error["type"] == "extra_forbidden":
        hint = _hint(str(loc[-1]), model.model_fields) if len(loc) == 1 else ""
        return f"{key}: unknown key{hint}"
    given = error.get("input")
    shown = "" if isinstance(given, dict | list) else f" (got {given!r})"
    return f"{key}: {error['msg'].removeprefix('Value error, ')}{shown}"


class PolicyGrid(Section):
    """Resolution of the state grid on which the monthly policy (mode "dynamic") is
    solved by backward induction. Finer grids cost time, not realism."""

    credit_steps: int = param(
        16,
        "steps per period quota",
        "resolution of period-to-date credit (attainment)",
        ge=4,
        le=80,
    )
    max_attainment: float = param(
        2.0,
        "x period quota",
        "attainment beyond which the state grid stops (pay still counts)",
        gt=1,
        le=6,
    )
    year_steps: int = param(
        8,
        "steps per annual quota",
        "resolution of year-to-date credit under a shorter period",
        ge=2,
        le=40,
    )
    pipeline_levels: int = param(
        5,
        "levels",
        "levels of the rep's open pipeline, from 0.2 to 1.8 x its normal size",
        ge=2,
        le=15,
    )
    carry_levels: int = param(
        5, "levels", "levels of won deals held for the next period (timing lever)", ge=2, le=15
    )
    warmup_months: int = param(
        6, "months", "belief-world months simulated before deal economics are measured", ge=0
    )


class Behavior(Section):
    """How reps choose: "dynamic" (a policy over where each rep stands, solved by
    backward induction; the default), "qbr" (one quantal best response per quarter),
    "adaptive" (learning from realized pay) or "fixed" (the given strategies above)."""

    mode: Literal["dynamic", "qbr", "adaptive", "fixed"] = param(
        "dynamic", "choice", "behaviour model"
    )
    rationality: float = param(
        100.0, "1/OTE", "lambda: choice odds = exp(lambda x certainty equivalent / OTE)", ge=0
    )
    grid: StrategyGrid = StrategyGrid()
    levers: Levers = Levers()
    beliefs: Beliefs = Beliefs()
    policy: PolicyGrid = PolicyGrid()
    payoff_replications: int = param(
        8, "company-runs", "belief-world markets per strategy to start the choice model with", ge=2
    )
    max_payoff_replications: int = param(
        64, "company-runs", "most belief-world markets per strategy (a warning if reached)", ge=2
    )
    choice_tolerance: float = param(
        0.05,
        "probability",
        "the choice model is converged when no choice probability moves more than this "
        "between its two halves",
        gt=0,
        le=1,
    )
    equilibrium_iterations: int = param(
        4,
        "rounds",
        "most rounds of re-solving reps' choices with their peers at the population's "
        "shared results (pay on team or company results), to a fixed point",
        ge=1,
    )
    equilibrium_tolerance: float = param(
        0.01,
        "fraction",
        "the peers' shared results have reached their fixed point when no round moves "
        "them by more than this share",
        gt=0,
    )
    seed: int = param(
        0, "1", "seed of the choice model's own random numbers (vary to test its robustness)", ge=0
    )
    skill_bins: int = param(5, "bins", "rep types by skill quantile in the payoff tables", ge=1)
    patience_bins: int = param(3, "bins", "rep types by patience quantile", ge=1)
    learning_rate: float = param(
        0.3,
        "fraction",
        "adaptive: weight of the latest quarter's pay in a strategy's score",
        ge=0,
        le=1,
    )
    imitation_rate: float = param(
        0.1, "probability/quarter", "adaptive: chance a rep copies a better-paid peer", ge=0, le=1
    )
    prior_weight: float = param(
        0.05, "OTE", "adaptive: head start of the given strategy in a new rep's scores", ge=0
    )

    @property
    def effort_levels(self) -> list[float]:
        """Effort levels reps may choose: the grid's with the effort lever on, else 1."""
        return list(self.grid.effort) if self.levers.effort else [1.0]

    @property
    def max_effort(self) -> float:
        """The highest effort any rep may show: opportunities are drawn at this rate and
        thinned (`sim.market`)."""
        return max(*self.effort_levels, 1.0)

    @model_validator(mode="after")
    def _replications_ordered(self):
        if self.max_payoff_replications < self.payoff_replications:
            raise ValueError(
                f"max_payoff_replications ({self.max_payoff_replications}) is below "
                f"payoff_replications ({self.payoff_replications})"
            )
        return self


class Scenario(Section):
    """A whole scenario: the company, its market, its reps and the plans to compare."""

    name: str = Field("", description="scenario name (default: the file name)")
    description: str = Field("", description="what this scenario is for")
    simulation: Simulation = Simulation()
    company: Company = Company()
    initial_book: InitialBook = InitialBook()
    market: Market = Market()
    reps: Reps = Reps()
    attrition: Attrition = Attrition()
    win: Win = Win()
    billing: Billing = Billing()
    onboarding: Onboarding = Onboarding()
    deployment: Deployment = Deployment()
    health: Health = Health()
    renewal: Renewal = Renewal()
    usage: Usage = Usage()
    support: Support = Support()
    events: Events = Events()
    finance: Finance = Finance()
    strategy: Strategy = Strategy()
    behavior: Behavior = Behavior()
    plans: list[Plan] = Field(min_length=1, description="the pay plans to compare")

    @model_validator(mode="after")
    def _unique_plan_names(self):
        names = [p.name for p in self.plans]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"plan names must be unique; repeated: {', '.join(dupes)}")
        return self

    @property
    def max_effort(self) -> float:
        """The highest effort any rep may show: opportunities are drawn at this rate and
        thinned (`sim.market`). Given strategies (mode "fixed") bound it by their own
        support, the choosing modes by the effort grid."""
        if self.behavior.mode == "fixed":
            return max(support_of(self.strategy.effort)[1], 1.0)
        return self.behavior.max_effort

    @property
    def warm_up_months(self) -> int:
        """Months simulated before month 0: `company.burn_in_months`, with "auto"
        resolved from the plans and the world (`sim.warmup`)."""
        from sim.warmup import warm_up

        return warm_up(self).months

    @property
    def years(self) -> float:
        return self.company.months / 12

    def with_values(self, values: dict[str, Any], source: str = "with_values") -> Scenario:
        """A copy with each dotted path set, validated like a scenario file, e.g.
        `scenario.with_values({"plans.standard.components.0.rate": 0.12})` (see
        `sim.scenario.paths`)."""
        from sim.scenario.paths import with_values

        return with_values(self, values, source)

    def plan(self, name: str) -> Plan:
        for p in self.plans:
            if p.name == name:
                return p
        raise KeyError(name)


def scenario_json_schema() -> dict:
    """The JSON schema of a scenario file (`sim schema`), for editors that check TOML
    against one: the model's, plus what only a file has. `extends` names the file it
    inherits from, and `plans` is required only of a file that extends none (one that
    extends inherits its base's plans), as the loader reads them."""
    schema = Scenario.model_json_schema()
    extends = {
        "title": "Extends",
        "type": "string",
        "description": "the scenario file this one inherits every setting from (relative "
        "to this file); this file's tables are merged over it",
        "unit": "file path",
    }
    schema["properties"] = {"extends": extends, **schema["properties"]}
    schema.pop("required", None)
    schema["anyOf"] = [{"required": ["plans"]}, {"required": ["extends"]}]
    return schema
