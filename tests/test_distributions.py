"""The distribution functions compsim takes from scipy.special give the numbers
scipy.stats gives: `sim run` does not import scipy.stats (about a second to import), so
these are the only check that the two agree, to the bit, on this scipy."""

import numpy as np
import pytest
from helpers import DEFAULT
from scipy import stats

import sim
from sim.analysis import _t, proportion_ci
from sim.choice_model import deal_size_pmf
from sim.plans.base import _beta_sf


@pytest.mark.parametrize("level", [0.8, 0.9, 0.95, 0.99])
def test_t_quantile_is_scipy_stats(level):
    for n in [*range(2, 200), 1_000, 100_000]:
        assert _t(n, level) == float(stats.t.ppf(0.5 + level / 2, n - 1))


def test_wilson_interval_uses_the_normal_quantile():
    values = np.r_[np.ones(30), np.zeros(70)]
    _, low, high, n = proportion_ci(values)
    p, z = 0.3, float(stats.norm.ppf(0.975))
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert (low, high) == (centre - half, centre + half)


@pytest.mark.parametrize("a,b", [(2, 2), (1, 1), (0.5, 3.3), (5, 1.5)])
def test_beta_tail_is_scipy_stats(a, b):
    for x in [-0.1, 0.0, 0.05, 0.3, 0.5, 0.77, 1.0, 1.2]:
        assert _beta_sf(x, a, b) == float(stats.beta.sf(x, a, b))


def test_deal_size_pmf_is_the_lognormal_of_scipy_stats():
    scenario = sim.load_scenario(DEFAULT)
    overforecast, discount, step, n = np.array([0.0, 0.2]), np.array([0.0, 0.1, 0.3]), 5_000.0, 60
    pmf = deal_size_pmf(scenario, overforecast, discount, step, n)
    m = scenario.market
    scale = (1 + overforecast)[:, None] * (1 - discount)[None, :]
    edges = (np.arange(n + 1) - 0.5).clip(min=0) * step
    edges[-1] = np.inf
    cdf = stats.lognorm.cdf(edges / scale[..., None], s=m.need_sigma, scale=m.need_median)
    np.testing.assert_array_equal(pmf, np.diff(cdf, axis=-1))
    np.testing.assert_allclose(pmf.sum(axis=-1), 1.0)
