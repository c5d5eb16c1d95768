"""Market draws: the ICP-fit sampler gives exactly Beta(a, b), fast or not."""

import numpy as np
import pytest
from scipy import stats

from sim.market import beta_draws


@pytest.mark.parametrize("a, b", [(2, 2), (1, 1), (3, 2), (1, 4), (2.5, 2.0), (5, 5)])
def test_fit_draws_are_beta_distributed(a, b):
    """Whole-number shapes use the order statistic of uniforms, others numpy's beta:
    both must match Beta(a, b) (Kolmogorov-Smirnov) and its mean within 4 standard
    errors."""
    n = 100_000
    x = beta_draws(np.random.default_rng(11), a, b, n)
    assert x.shape == (n,) and 0 <= x.min() and x.max() <= 1
    assert stats.kstest(x, stats.beta(a, b).cdf).pvalue > 1e-3
    mean, sd = stats.beta(a, b).mean(), stats.beta(a, b).std()
    assert abs(x.mean() - mean) < 4 * sd / np.sqrt(n)


def test_fit_draws_are_reproducible():
    one = beta_draws(np.random.default_rng(3), 2, 2, 1000)
    assert np.array_equal(one, beta_draws(np.random.default_rng(3), 2, 2, 1000))
