"""Random streams: keyed draws are uniform, independent across counters, stable."""

import numpy as np
from scipy import stats

from sim.streams import DRAW, draw_keys, keyed_normal, keyed_uniform, keyed_uniforms, stream


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


def test_keyed_uniform_is_splitmix64():
    """The in-place arithmetic gives SplitMix64's output (reference values computed with
    Python integers), so no draw changes with how it is computed."""
    keys = np.array([0, 1, 2**63 + 12345, 2**64 - 1], dtype=np.uint64)

    def splitmix(key: int, counter: int) -> float:
        mask = 2**64 - 1
        z = (key + (counter + 1) * 0x9E3779B97F4A7C15) & mask
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        return ((z ^ (z >> 31)) >> 11) / 2.0**53

    for counter in (1, DRAW["renewal"] + 3):
        expected = [splitmix(int(k), counter) for k in keys]
        assert keyed_uniform(keys, counter).tolist() == expected


def test_several_keyed_draws_at_once_are_the_same_draws():
    keys = draw_keys(np.random.default_rng(2), 1000)
    rows = keyed_uniforms(keys, DRAW["need"], DRAW["term"], DRAW["renewal"] + 4)
    for row, counter in zip(rows, (DRAW["need"], DRAW["term"], DRAW["renewal"] + 4), strict=True):
        np.testing.assert_array_equal(row, keyed_uniform(keys, counter))
    assert keyed_uniforms(keys[:0], 1, 2).shape == (2, 0)
