"""How the market answers: the model's response functions, pure numpy.

Each function maps arrays of state to probabilities or amounts, elementwise, with
the coefficients taken from a scenario section. Nothing here draws random
numbers or knows about plans: the engines draw the uniforms (common random
numbers) and compare them with these probabilities. Fit and health are centred
at 0.5 so each intercept is the log-odds for a middling customer.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from sim.scenario.schema import (
    Attrition,
    Billing,
    Deployment,
    Health,
    Renewal,
    Reps,
    Support,
    Usage,
    Win,
)

MONTHS_PER_YEAR = 12


def ramp_fraction(tenure_months: np.ndarray, reps: Reps) -> np.ndarray:
    """Productivity of a rep with this tenure: `ramp_start` in the first month, rising
    linearly to 1 at `ramp_months`."""
    if reps.ramp_months == 0:
        return np.ones_like(tenure_months, dtype=float)
    step = (1.0 - reps.ramp_start) / reps.ramp_months
    return np.minimum(1.0, reps.ramp_start + step * tenure_months)


def workload(pursued: np.ndarray, capacity: float) -> np.ndarray:
    """Share of a rep's capacity taken by the opportunities it works this month."""
    return pursued / capacity


def win_probability(discount, fit, skill, overforecast, load, win: Win) -> np.ndarray:
    """P(win): more discount, better fit, more skill and spare capacity help;
    inflated commitments hurt."""
    # in place on one fresh array of the terms' common shape, each term added to the
    # running total in the order written (fewer temporaries on the pipeline's closes)
    shape = np.broadcast_shapes(*map(np.shape, (discount, fit, skill, overforecast, load)))
    logit = np.multiply(win.discount_coef, discount, out=np.empty(shape))
    logit += win.intercept
    logit += win.fit_coef * (fit - 0.5)
    logit += win.skill_coef * skill
    logit -= win.overforecast_coef * overforecast
    logit += win.workload_coef * (1.0 - load)
    return expit(logit, out=logit)[()]  # a scalar for scalar terms


def two_year_term_probability(discount, market) -> np.ndarray:
    """P(a won deal is signed for 24 months rather than 12): customers trade a longer
    commitment for a discount (log-odds rise by `term_discount_coef` per unit)."""
    base = np.clip(market.share_24_month_terms, 1e-9, 1 - 1e-9)
    return expit(np.log(base / (1 - base)) + market.term_discount_coef * np.asarray(discount))


def booked_acv(need, overforecast, discount) -> np.ndarray:
    """Annual contract value booked: need x (1 + overforecast) x (1 - discount), $/yr."""
    return need * (1.0 + overforecast) * (1.0 - discount)


def bad_debt_probability(fit, billing: Billing) -> np.ndarray:
    """P(a customer never pays its invoices)."""
    return expit(billing.bad_debt_intercept - billing.bad_debt_fit_coef * (fit - 0.5))


def payment_class(u_pay, fit, billing: Billing) -> np.ndarray:
    """How a customer pays, from its uniform draw: 2 never (bad debt, likelier at low
    fit), 1 late (`late_payer_share` of the rest), 0 on time."""
    p_never = bad_debt_probability(fit, billing)
    late = (u_pay - p_never) < billing.late_payer_share * (1.0 - p_never)
    return np.where(u_pay < p_never, 2, np.where(late, 1, 0)).astype(np.int8)


def deployment_probability(fit, overforecast, wait_months, deployment: Deployment):
    """P(successful deployment): fit helps; over-promising and queueing hurt."""
    logit = (
        deployment.intercept
        + deployment.fit_coef * (fit - 0.5)
        - deployment.overforecast_coef * overforecast
        - deployment.delay_coef * wait_months
    )
    return expit(logit)


def adoption(deploy_state: np.ndarray, deployment: Deployment) -> np.ndarray:
    """Share of true need in use: partial before go-live, full after success,
    reduced after failure. States: 0 waiting/onboarding, 1 succeeded, 2 failed."""
    levels = np.array([deployment.usage_before_go_live, 1.0, deployment.usage_after_failure])
    return levels[deploy_state]


def health_base_logit(fit, deploy_state, overforecast, time_to_value, h: Health):
    """The part of a customer's health log-odds that changes only at events (signing,
    go-live): fit, deployment outcome, over-promising and months from close to value."""
    return (
        h.intercept
        + h.fit_coef * (fit - 0.5)
        + h.deployed_coef * (deploy_state == 1)
        - h.failed_coef * (deploy_state == 2)
        - h.overforecast_coef * overforecast
        - h.time_to_value_coef * time_to_value
    )


def health(base_logit, months_waiting, csm_coverage, h: Health) -> np.ndarray:
    """Customer health: the probability a surveyed customer says it is satisfied.
    `months_waiting` counts months since close for a customer not yet live (0 once
    live, when its time to value is in the base logit). Keeps the input's dtype:
    the engine runs this for every customer every month in float32."""
    live = np.ndim(months_waiting) == 0 and months_waiting == 0
    if live and getattr(csm_coverage, "dtype", None) == getattr(base_logit, "dtype", 0):
        # the engine's live customers, in place on one fresh array: -logit is
        # -(CSM term) - base, the same numbers as negating the sum (rounding is
        # symmetric in sign)
        negative = h.csm_coef * csm_coverage
        negative *= -1.0
        negative -= base_logit
        return _logistic_of_negative(negative)
    logit = base_logit - h.time_to_value_coef * months_waiting + h.csm_coef * csm_coverage
    with np.errstate(over="ignore"):
        if isinstance(logit, np.ndarray):  # a fresh array: 1 / (1 + exp(-logit)) in place
            return _logistic_of_negative(np.negative(logit, out=logit))
        return 1.0 / (1.0 + np.exp(-logit))


def _logistic_of_negative(negative: np.ndarray) -> np.ndarray:
    """1 / (1 + exp(x)) of a fresh array x, in place."""
    with np.errstate(over="ignore"):
        np.exp(negative, out=negative)
    negative += 1.0
    return np.divide(1.0, negative, out=negative)


def csm_coverage(n_csms: int, active_customers: np.ndarray, h: Health) -> np.ndarray:
    """Share of accounts the CSM team can cover fully (1 when there are enough CSMs)."""
    capacity = n_csms * h.accounts_per_csm
    return np.minimum(1.0, capacity / np.maximum(active_customers, 1))


def support_strain(wait_days, support: Support) -> np.ndarray:
    """Health log-odds a customer loses when its support tickets waited `wait_days`
    for an agent in the month."""
    return support.wait_coef * wait_days


def usage_drift(growth_noise, usage: Usage) -> np.ndarray:
    """A customer's own monthly log-growth of real use at health 0.5 (its
    `growth_noise` is a standard-normal draw)."""
    return (usage.growth_mean + usage.growth_sd * growth_noise) / MONTHS_PER_YEAR


def monthly_usage_growth(health_now, drift, usage: Usage) -> np.ndarray:
    """Multiplicative change of real use this month: healthy customers expand,
    unhealthy ones contract."""
    if isinstance(health_now, np.ndarray):  # the hot path: in place on one fresh array
        log_growth = np.subtract(health_now, 0.5)
        log_growth *= usage.growth_health_coef / MONTHS_PER_YEAR
        log_growth += drift
        return np.exp(log_growth, out=log_growth)
    return np.exp(drift + (usage.growth_health_coef / MONTHS_PER_YEAR) * (health_now - 0.5))


def minimum_billing(commitment, usage_contract) -> np.ndarray:
    """The least a customer is billed, $/yr: a commit (take-or-pay) contract's
    commitment; nothing for a usage contract, which bills real use only."""
    return np.where(usage_contract, 0.0, commitment)


def billed_arr(minimum, use) -> np.ndarray:
    """Annualized billing: real use at the contract price, but at least the
    commitment of a commit contract (use above it is billed as overage), $/yr."""
    return np.maximum(minimum, use)


def renewal_price(price, discount_persists: bool) -> np.ndarray:
    """Price (fraction of list) after renewal: unchanged if the discount persists,
    otherwise back to list."""
    return price if discount_persists else np.ones_like(price)


def renewal_step_up(price, new_price) -> np.ndarray:
    """Relative price rise at renewal, e.g. 1/(1 - d) - 1 when a discount d ends."""
    return new_price / price - 1.0


def renewal_probability(health_now, fit, step_up, renewal: Renewal) -> np.ndarray:
    """P(renew at term end): satisfied, well-fitting customers renew; step-ups deter."""
    logit = (
        renewal.intercept
        + renewal.health_coef * (health_now - 0.5)
        + renewal.fit_coef * (fit - 0.5)
        - renewal.step_up_coef * step_up
    )
    return expit(logit)


def attrition_hazard(pay_shortfall, recent_clawback, attrition: Attrition) -> np.ndarray:
    """Monthly probability a rep quits. `pay_shortfall` = max(0, 1 - trailing pay /
    market OTE); `recent_clawback` flags a clawback in the last few months."""
    log_rise = (
        attrition.pay_shortfall_coef * pay_shortfall
        + attrition.clawback_shock_coef * recent_clawback
    )
    return np.minimum(1.0, attrition.base_monthly_hazard * np.exp(log_rise))
