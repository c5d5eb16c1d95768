"""Random streams: one independent generator per (seed, replication, stream name),
and keyed draws for the luck of each opportunity.

Replication i's root is the i-th child that `SeedSequence(seed).spawn` would
give (spawn key `(i,)`); each named stream is a child of that root. So a
replication's draws depend on the seed and its index only: not on the chunk it
runs in, not on the number of workers, and not on what the plan decides. Two
plans run on the same seed therefore face the same market (common random
numbers). Streams are append-only: a new stream gets a new index so that
existing streams keep their numbers.

An opportunity's later luck (its need, term, the uniform that decides its win,
its deployment, payment, growth and each renewal) is drawn from a 64-bit key
the opportunity carries, through the SplitMix64 mixing function (Steele, Lea
and Flood 2014; the generator numpy uses to seed its own). Each kind of draw
has a fixed counter, so `keyed_uniform(key, DRAW["u_deploy"])` is the same
number whenever and for whichever plan it is asked for, and nothing is drawn
for the many opportunities that are never pursued.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

STREAMS = (
    "opportunities",  # arrivals, fit, thinning uniform and key of every opportunity
    "initial_book",  # the installed base at the start
    "reps",  # tenure of starting reps, traits of every hire
    "attrition",  # the uniform that decides each quit
    "surveys",  # unused since surveys draw from account keys; kept so indices stay put
    "strategy",  # given strategies (behaviour mode "fixed")
)

# Counters of the keyed draws; append only. "renewal" + k decides the k-th renewal.
DRAW = {
    "u_win": 1,
    "cycle": 2,
    "need": 3,
    "term": 4,
    "usage_contract": 5,
    "u_deploy": 6,
    "u_pay": 7,
    "growth_noise": 8,
    "cancel": 9,
    "csm": 10,
    "pull_loss": 11,
    "push_loss": 12,
    # the events engine's days: the fraction of its month an opportunity arrives on
    # (and closes on, cycles being whole months), the day a pulled deal closes and a
    # held one is booked
    "arrival_day": 13,
    "pull_day": 15,
    "release_day": 16,
    "renewal": 100,
    "survey": 1000,
    # + 2n: the gap before a customer's n-th support ticket; + 2n + 1: its handling time
    "ticket": 100_000,
}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def stream(seed: int, replication: int, name: str) -> np.random.Generator:
    """The generator for one named stream of one replication."""
    key = (int(replication), STREAMS.index(name))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


def draw_keys(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(0, 2**64, size=n, dtype=np.uint64, endpoint=False)


def keyed_uniform(keys: np.ndarray, counter) -> np.ndarray:
    """Uniform [0, 1) draws, one per key, for draw number `counter` (int or array)."""
    if np.ndim(counter) == 0:  # wrap-around arithmetic on Python ints avoids numpy warnings
        z = keys + np.uint64(((int(counter) + 1) * int(_GOLDEN)) % 2**64)
    else:
        z = keys + (np.asarray(counter, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
    # the SplitMix64 finalizer, in place on z and one scratch array (fewer temporaries)
    shifted = np.right_shift(z, np.uint64(30))
    z ^= shifted
    z *= _M1
    np.right_shift(z, np.uint64(27), out=shifted)
    z ^= shifted
    z *= _M2
    np.right_shift(z, np.uint64(31), out=shifted)
    z ^= shifted
    z >>= np.uint64(11)
    return np.multiply(z, 1.0 / 9007199254740992.0)  # converts to float64 in the same pass


def keyed_uniforms(keys: np.ndarray, *counters: int) -> np.ndarray:
    """`keyed_uniform` for several draw numbers at once, one row each: the same
    numbers, in one pass over the keys."""
    return keyed_uniform(keys[None, :], np.array(counters, dtype=np.uint64)[:, None])


def keyed_normal(keys: np.ndarray, counter) -> np.ndarray:
    """Standard normal draws by inverting the uniform (never exactly 0)."""
    return to_normal(keyed_uniform(keys, counter))


def to_normal(u: np.ndarray) -> np.ndarray:
    """The standard normal quantile of keyed uniforms (a uniform of 0 maps to the
    quantile of 1e-300, not minus infinity)."""
    return ndtri(np.maximum(u, 1e-300))
