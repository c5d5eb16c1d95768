"""Random streams: keyed draws are uniform, independent across counters, stable."""

import numpy as np
from scipy import stats

from sim.streams import DRAW, draw_keys, keyed_normal, keyed_uniform, stream


def test_named_streams_are_reproducible_and_distinct():
    a = stream(1, 5, "opportunities").random(4)
    assert np.array_equal(a, stream(1, 5, "opportunities").random(4))
    assert not np.array_equal(a, stream(1, 6, "opportunities").random(4))
    assert not np.array_equal(a, stream(1, 5, "reps").random(4))
    assert not np.array_equal(a, stream(2, 5, "opportunities").random(4))


def test_replication_stream_is_the_spawned_child():
    child = np.random.SeedSequence(7).spawn(4)[3]
    expected = np.random.Generator(np.random.PCG64(child.spawn(1)[0])).random(3)
    assert np.array_equal(stream(7, 3, "opportunities").random(3), expected)


def test_keyed_uniforms_are_uniform_and_independent_across_counters():
    keys = draw_keys(np.random.default_rng(0), 200_000)
    u1, u2 = keyed_uniform(keys, DRAW["u_win"]), keyed_uniform(keys, DRAW["u_deploy"])
    assert stats.kstest(u1, "uniform").pvalue > 1e-3
    assert abs(np.corrcoef(u1, u2)[0, 1]) < 4 / np.sqrt(len(keys))
    assert 0 <= u1.min() and u1.max() < 1
    assert stats.kstest(keyed_normal(keys, DRAW["need"]), "norm").pvalue > 1e-3
    # sequential keys (worst case for a weak mixer) still give uniform draws
    seq = np.arange(100_000, dtype=np.uint64)
    assert stats.kstest(keyed_uniform(seq, 1), "uniform").pvalue > 1e-3


def test_keyed_draws_are_stable_for_array_counters():
    keys = draw_keys(np.random.default_rng(1), 5)
    scalar = keyed_uniform(keys, DRAW["renewal"] + 2)
    vector = keyed_uniform(keys, np.full(5, DRAW["renewal"] + 2, dtype=np.uint64))
    np.testing.assert_array_equal(scalar, vector)
