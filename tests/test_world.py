"""The world's response functions: directions the domain predicts, exact values."""

import numpy as np
from scipy.special import expit

from sim import world
from sim.scenario.schema import Billing, Deployment, Health, Renewal, Reps, Usage, Win

WIN, DEP, H, RN = Win(), Deployment(), Health(), Renewal()


def test_ramp_is_linear_then_full():
    reps = Reps(ramp_months=4, ramp_start=0.25)
    np.testing.assert_allclose(
        world.ramp_fraction(np.arange(7), reps), [0.25, 0.4375, 0.625, 0.8125, 1, 1, 1]
    )
    assert (world.ramp_fraction(np.arange(3), Reps(ramp_months=0)) == 1).all()


def test_win_probability_directions():
    base = dict(discount=0.1, fit=0.5, skill=0.0, overforecast=0.0, load=1.0, win=WIN)
    p0 = world.win_probability(**base)
    assert np.isclose(p0, expit(WIN.intercept + WIN.discount_coef * 0.1))
    assert world.win_probability(**{**base, "discount": 0.3}) > p0
    assert world.win_probability(**{**base, "fit": 0.9}) > p0
    assert world.win_probability(**{**base, "skill": 0.5}) > p0
    assert world.win_probability(**{**base, "overforecast": 0.3}) < p0
    assert world.win_probability(**{**base, "load": 0.5}) > p0


def test_booked_acv_and_billing():
    assert np.isclose(world.booked_acv(100.0, 0.2, 0.1), 108.0)
    commit = world.minimum_billing(np.array([100.0, 100.0]), np.array([False, True]))
    np.testing.assert_allclose(commit, [100.0, 0.0])
    np.testing.assert_allclose(world.billed_arr(commit, np.array([80.0, 80.0])), [100.0, 80.0])
    np.testing.assert_allclose(world.billed_arr(commit, np.array([130.0, 130.0])), [130.0, 130.0])


def test_payment_classes_have_the_configured_shares():
    u = (np.arange(100_000) + 0.5) / 100_000
    billing = Billing(bad_debt_intercept=-2.0, bad_debt_fit_coef=0.0, late_payer_share=0.2)
    cls = world.payment_class(u, np.full(u.shape, 0.5), billing)
    p_never = expit(-2.0)
    assert abs((cls == 2).mean() - p_never) < 1e-4
    assert abs((cls == 1).mean() - 0.2 * (1 - p_never)) < 1e-4
    low, high = (world.bad_debt_probability(f, Billing()) for f in (0.1, 0.9))
    assert low > high


def test_deployment_health_renewal_directions():
    assert world.deployment_probability(0.9, 0, 0, DEP) > world.deployment_probability(
        0.2, 0, 0, DEP
    )
    assert world.deployment_probability(0.5, 0.3, 0, DEP) < world.deployment_probability(
        0.5, 0, 0, DEP
    )
    assert world.deployment_probability(0.5, 0, 3, DEP) < world.deployment_probability(
        0.5, 0, 0, DEP
    )
    live, failed = (world.health_base_logit(0.5, s, 0.0, 2.0, H) for s in (1, 2))
    assert live > failed
    assert world.health(live, 0, 1.0, H) > world.health(live, 0, 0.0, H)
    assert world.health(live, 4, 0.0, H) < world.health(live, 0, 0.0, H)
    np.testing.assert_allclose(
        world.adoption(np.array([0, 1, 2]), DEP),
        [DEP.usage_before_go_live, 1.0, DEP.usage_after_failure],
    )
    assert world.renewal_probability(0.9, 0.5, 0, RN) > world.renewal_probability(0.3, 0.5, 0, RN)
    assert world.renewal_probability(0.7, 0.5, 0.2, RN) < world.renewal_probability(0.7, 0.5, 0, RN)


def test_renewal_step_up_when_discount_ends():
    price = np.array([0.8, 1.0])
    new = world.renewal_price(price, discount_persists=False)
    np.testing.assert_allclose(world.renewal_step_up(price, new), [0.25, 0.0])
    kept = world.renewal_price(price, discount_persists=True)
    np.testing.assert_allclose(world.renewal_step_up(price, kept), [0.0, 0.0])


def test_usage_grows_when_healthy_and_shrinks_when_not():
    usage = Usage(growth_mean=0.0, growth_health_coef=0.4, growth_sd=0.1)
    drift = world.usage_drift(np.zeros(2), usage)
    growth = world.monthly_usage_growth(np.array([0.9, 0.1]), drift, usage)
    assert growth[0] > 1 > growth[1]
    assert np.isclose(growth[0] ** 12, np.exp(0.4 * 0.4))


def test_attrition_rises_with_pay_shortfall_and_clawbacks():
    from sim.scenario.schema import Attrition

    a = Attrition()
    base = world.attrition_hazard(0.0, False, a)
    assert np.isclose(base, a.base_monthly_hazard)
    assert world.attrition_hazard(0.3, False, a) > base
    assert world.attrition_hazard(0.0, True, a) > base
    assert world.attrition_hazard(50.0, True, a) == 1.0


def test_csm_coverage():
    np.testing.assert_allclose(world.csm_coverage(2, np.array([100, 600, 0]), H), [1.0, 0.5, 1.0])
