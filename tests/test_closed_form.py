"""Closed-form checks of the engine: simulated means against exact expectations.

With strategies pinned, no ramp, no attrition and no workload effect, every
opportunity exists and is pursued, so the expected number of pursued deals that
close inside the horizon, of deals won and of ACV booked follow from the
model's own formulas. Each check allows 4 standard errors of the mean over
replications (fixed seeds: these tests cannot flake).
"""

import numpy as np
from helpers import ledger_totals, small_scenario
from scipy import integrate, stats

from sim import world

N_REPLICATIONS = 200

PINNED = dict(
    company={"n_reps": 5, "months": 24, "burn_in_months": 0},
    reps={"ramp_months": 0, "skill": 0.0},
    attrition={"base_monthly_hazard": 0.0, "pay_shortfall_coef": 0.0},
    win={"workload_coef": 0.0},
    strategy={"discount": 0.1, "overforecast": 0.05, "fit_threshold": 0.0},
)


def within_4se(values: np.ndarray, expected: float) -> tuple[bool, str]:
    mean, se = values.mean(), values.std(ddof=1) / np.sqrt(len(values))
    return abs(
        mean - expected
    ) < 4 * se, f"mean {mean:.4g} vs expected {expected:.4g} (se {se:.3g})"


def expected_closed(scenario) -> float:
    """E[pursued opportunities closing inside the horizon]: arrivals at rate x seats in
    each month k close within the horizon with P(cycle <= T - 1 - k), cycle geometric."""
    m, c = scenario.market, scenario.company
    T, p = c.months + scenario.warm_up_months, 1.0 / m.sales_cycle_months
    months_left = T - 1 - np.arange(T)
    return m.opportunities_per_rep_month * c.n_reps * np.sum(1 - (1 - p) ** months_left)


def expected_win_probability(scenario) -> float:
    m, s = scenario.market, scenario.strategy
    p_win = lambda fit: world.win_probability(  # noqa: E731
        s.discount, fit, 0.0, s.overforecast, 1.0, scenario.win
    )
    value, _ = integrate.quad(lambda f: p_win(f) * stats.beta.pdf(f, m.fit_a, m.fit_b), 0, 1)
    return value


def test_opportunities_wins_and_booked_acv_match_closed_form():
    scenario = small_scenario(**PINNED)
    totals = ledger_totals(scenario, seed=3, replications=np.arange(N_REPLICATIONS))
    closed = expected_closed(scenario)
    won = closed * expected_win_probability(scenario)
    m, s = scenario.market, scenario.strategy
    acv = (
        won * m.need_median * np.exp(m.need_sigma**2 / 2) * (1 + s.overforecast) * (1 - s.discount)
    )
    for name, expected in (("pursued", closed), ("won", won), ("acv", acv)):
        ok, text = within_4se(totals[name], expected)
        assert ok, f"{name}: {text}"


def test_fit_threshold_pursues_only_the_share_above_it():
    scenario = small_scenario(**{**PINNED, "strategy": {"fit_threshold": 0.6}})
    totals = ledger_totals(scenario, seed=4, replications=np.arange(N_REPLICATIONS))
    share_above = stats.beta.sf(0.6, scenario.market.fit_a, scenario.market.fit_b)
    ok, text = within_4se(totals["pursued"], expected_closed(scenario) * share_above)
    assert ok, text


def test_constant_renewal_probability_is_realized():
    scenario = small_scenario(
        **PINNED,
        renewal={"intercept": 1.0, "health_coef": 0.0, "fit_coef": 0.0, "step_up_coef": 0.0},
        billing={"bad_debt_intercept": -40.0},
    )
    totals = ledger_totals(scenario, seed=5, replications=np.arange(100))
    p = 1 / (1 + np.exp(-1.0))
    n = totals["renewals"].sum()
    share = totals["renewed"].sum() / n
    assert n > 1000
    assert abs(share - p) < 4 * np.sqrt(p * (1 - p) / n), (share, p, n)


def test_renewals_match_the_models_probability_with_default_coefficients():
    scenario = small_scenario(**PINNED)
    totals = ledger_totals(scenario, seed=6, replications=np.arange(100))
    n = totals["renewals"].sum()
    gap = (totals["renewed"].sum() - totals["p_renew"].sum()) / n
    # Bernoulli trials with varying p: var of the sum is at most n/4.
    assert abs(gap) < 4 * np.sqrt(0.25 / n), (gap, n)


def test_no_churn_and_no_growth_keep_retention_exactly_one():
    import sim

    scenario = small_scenario(
        **{
            **PINNED,
            "renewal": {"intercept": 40.0, "discount_persists": True},
            "billing": {"bad_debt_intercept": -40.0},
            "usage": {"growth_mean": 0.0, "growth_sd": 0.0, "growth_health_coef": 0.0},
            "deployment": {
                "usage_before_go_live": 1.0,
                "usage_after_failure": 1.0,
                "cancel_after_failure": 0.0,
            },
            "strategy": {"discount": 0.1, "overforecast": 0.0, "fit_threshold": 0.0},
            "initial_book": {"customers": 60, "overforecast": 0.0},
        }
    )
    rows = sim.run(scenario, replications=4, seed=1).replications
    np.testing.assert_allclose(rows["grr"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(rows["nrr"], 1.0, rtol=1e-9)
    np.testing.assert_allclose(rows["logo_churn"], 0.0, atol=1e-12)
