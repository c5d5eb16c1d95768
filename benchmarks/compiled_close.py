"""What compiling one step of the engine would gain: the pipeline's close step as one
numba kernel against the numpy code the engine runs.

    pip install numba   # not a dependency of compsim; this script only measures
    python benchmarks/compiled_close.py [--replications N] [--rounds K]

Runs one chunk of N company-runs of the default scenario (reps choosing) and keeps
what each month's close step is given (the deals due, the seats and their offered
discounts), then times that step both ways on the same inputs, alternating K times:
numpy as `Pipeline.close` does it (the deal desk's discount, the win probability,
the keyed win uniform, the success team's veto) and one numba loop over the deals
doing the same. Prints both CPU times per chunk, the ratio, and in how many months
the two give the same wins. The numba kernel is compiled before timing. This is the
measurement behind the README's estimate of what a compiled engine would gain.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

import sim
from sim import world
from sim.engine import pipeline
from sim.streams import _GOLDEN, _M1, _M2, DRAW

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from record import recorded  # noqa: E402


def capture(scenario, replications: int) -> list[tuple]:
    """(pipeline, rows due, occupied seats, offered discount by seat, policies) of every
    month of one chunk in which deals close."""
    months, close = [], pipeline.Pipeline.close

    def spy(self, k, occupied, behavior, action, months_left, policies):
        due = pipeline.pop_due({m: list(parts) for m, parts in self.due.items()}, k)
        if len(due):
            seats = (occupied.ravel().copy(), behavior.discount.ravel().copy())
            months.append((self, due, *seats, policies))
        return close(self, k, occupied, behavior, action, months_left, policies)

    pipeline.Pipeline.close = spy
    try:
        sim.run(scenario, replications=replications, seed=1, jobs=1, chunk_size=replications)
    finally:
        pipeline.Pipeline.close = close
    return months


def numpy_close(scenario):
    levers = scenario.behavior.levers

    def step(pipe, rows, occupied, discount, policies):
        owner = pipe.opp.owner[rows]
        o, offered, load, skill = pipe._brought(rows, owner).T
        none_pulled = np.zeros(len(rows))
        offered = np.where(occupied[owner], discount[owner], offered)
        d = pipeline.close_discount(offered, none_pulled, policies, levers)
        key, fit = pipe.opp.key[rows], pipe.opp.fit[rows]
        p_win = world.win_probability(d, fit, skill, o.astype(float), load, scenario.win)
        return pipeline.wins(key, p_win, none_pulled, levers) & pipeline.passes_veto(fit, policies)

    return step


def numba_close(scenario):
    import numba

    @numba.njit
    def kernel(rows, owner_of, occupied, discount, brought, arrival, keys, fits, coef, counter):
        max_discount, veto, intercept, d_coef, f_coef, s_coef, o_coef, w_coef, seats = coef
        s32, w32 = np.float32(s_coef), np.float32(w_coef)
        won = np.empty(len(rows), np.bool_)
        for i in range(len(rows)):
            r = rows[i]
            owner = owner_of[r]
            at = arrival[r] * np.int64(seats) + owner
            o, offered, load, skill = brought[at, 0], brought[at, 1], brought[at, 2], brought[at, 3]
            d = discount[owner] if occupied[owner] else np.float64(offered)
            d = min(min(d, max_discount), 0.99)
            logit = d_coef * d + intercept
            logit += f_coef * (fits[r] - 0.5)
            logit += np.float64(s32 * skill)
            logit -= o_coef * np.float64(o)
            logit += np.float64(w32 * (np.float32(1.0) - load))
            z = keys[r] + counter  # SplitMix64, as sim.streams.keyed_uniform
            z = (z ^ (z >> np.uint64(30))) * _M1
            z = (z ^ (z >> np.uint64(27))) * _M2
            z = z ^ (z >> np.uint64(31))
            u = np.float64(z >> np.uint64(11)) * (1.0 / 9007199254740992.0)
            won[i] = u < 1.0 / (1.0 + np.exp(-logit)) and fits[r] >= veto
        return won

    w = scenario.win
    counter = np.uint64(((DRAW["u_win"] + 1) * int(_GOLDEN)) % 2**64)

    def step(pipe, rows, occupied, discount, policies):
        seats = pipe.at_pursuit.shape[1]
        coef = (
            policies.max_discount,
            policies.veto_fit_below,
            w.intercept,
            w.discount_coef,
            w.fit_coef,
            w.skill_coef,
            w.overforecast_coef,
            w.workload_coef,
            float(seats),
        )
        brought = pipe.at_pursuit.reshape(-1, pipe.at_pursuit.shape[2])
        opp = pipe.opp
        return kernel(
            rows,
            opp.owner,
            occupied,
            discount,
            brought,
            opp.arrival_month,
            opp.key,
            opp.fit,
            coef,
            counter,
        )

    return step


def cpu_seconds(step, months) -> float:
    start = time.process_time()
    for month in months:
        step(*month)
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    try:
        import numba  # noqa: F401
    except ImportError:
        sys.exit(
            "compiled_close.py needs numba, which compsim does not depend on: pip install numba"
        )
    scenario = sim.load_scenario(ROOT / "scenarios" / "default.toml")
    months = capture(scenario, args.replications)
    ways = {"numpy": numpy_close(scenario), "numba": numba_close(scenario)}
    same = sum(np.array_equal(ways["numpy"](*m), ways["numba"](*m)) for m in months)  # compiles
    times: dict[str, list[float]] = {way: [] for way in ways}
    for _ in range(args.rounds):
        for way, step in ways.items():
            times[way].append(cpu_seconds(step, months))
    numpy_s, numba_s = (float(np.median(times[way])) for way in ways)
    deals = sum(len(m[1]) for m in months)
    print(
        f"default.toml, one chunk of {args.replications} company-runs: {len(months)} months "
        f"of closes, {deals:,} deals closing; median CPU of {args.rounds} alternating rounds"
    )
    print(f"numpy (the engine's Pipeline.close)  {numpy_s * 1e3:6.1f} ms per chunk")
    print(f"numba (one loop over the deals)      {numba_s * 1e3:6.1f} ms per chunk")
    print(
        f"numba runs the step {numpy_s / numba_s:.2f}x as fast; the same wins in {same} of "
        f"{len(months)} months"
    )


if __name__ == "__main__":
    with recorded(
        "compiled_close", "python " + " ".join(["benchmarks/compiled_close.py", *sys.argv[1:]])
    ):
        main()
