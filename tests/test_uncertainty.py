"""Honest intervals: runs with different seeds differ by what their intervals say.

The reps' choice model is built once per run and shared by every replication; if its
random numbers came from the run's seed, its Monte Carlo error would be a hidden
shared random effect and two runs' intervals would not overlap as often as they
should. Over SEEDS seeds of a small scenario, each pair (i, j) of runs gives, per
headline metric and for the paired difference of two plans,
z = (m_i - m_j) / sqrt(se_i^2 + se_j^2), which must behave like a standard normal:
mean z^2 within its sampling range (chi-square bound) and |z| < 1.96 at about the
nominal rate. (Pairs share runs, so the z's are correlated; the bounds are loose
enough for that and the seeds are fixed, so the test never flakes.)
"""

import itertools
from pathlib import Path

import numpy as np
import pytest
from helpers import small_scenario

import sim
from sim.metrics import HEADLINE

SEEDS = (101, 202, 303, 404, 505, 606)
PLANS = [
    {"name": "standard", "components": [{"type": "bookings_commission", "rate": 0.10}]},
    {
        "name": "holdback",
        "components": [
            {"type": "bookings_commission", "rate": 0.11},
            {"type": "deployment_holdback", "share": 0.5},
        ],
    },
]


def _z_scores(runs, column):
    z = []
    for a, b in itertools.combinations(runs, 2):
        (ma, sa), (mb, sb) = a[column], b[column]
        z.append((ma - mb) / np.sqrt(sa**2 + sb**2))
    return np.array(z)


def _mean_se(values):
    values = values[np.isfinite(values)]
    return values.mean(), values.std(ddof=1) / np.sqrt(len(values))


@pytest.mark.slow
def test_intervals_cover_the_spread_between_seeds():
    scenario = small_scenario(
        company={"n_reps": 10, "n_csms": 3, "months": 24, "burn_in_months": 6},
        initial_book={"customers": 120},
        behavior={"mode": "dynamic", "skill_bins": 3},
        plans=PLANS,
    )
    runs = []
    for seed in SEEDS:
        rows = sim.run(scenario, replications=60, seed=seed).replications
        by = {p: g.reset_index(drop=True) for p, g in rows.groupby("plan")}
        stats = {m: _mean_se(by["standard"][m].to_numpy()) for m in HEADLINE}
        diff = by["holdback"]["new_arr"].to_numpy() - by["standard"]["new_arr"].to_numpy()
        stats["diff_new_arr"] = _mean_se(diff)
        runs.append(stats)
    columns = [*HEADLINE, "diff_new_arr"]
    z = np.concatenate([_z_scores(runs, c) for c in columns])
    n_pairs = len(SEEDS) * (len(SEEDS) - 1) // 2
    # a hidden shared effect of k standard errors would push mean z^2 to about 1 + k^2
    assert np.mean(z**2) < 2.0, f"mean z^2 {np.mean(z**2):.2f} over {len(z)} pair-metrics"
    assert np.mean(np.abs(z) < 1.96) > 0.85
    for column in columns:  # no single metric is badly off either
        zc = _z_scores(runs, column)
        assert np.mean(zc**2) < 4.0, f"{column}: mean z^2 {np.mean(zc**2):.2f} ({n_pairs} pairs)"


FAST = {
    "mode": "dynamic",
    "skill_bins": 2,
    "grid": {"discount": [0.0, 0.2], "overforecast": [0.0, 0.3], "fit_threshold": [0.0]},
}


def test_the_choice_model_does_not_depend_on_the_run_seed():
    scenario = small_scenario(behavior=FAST, plans=PLANS[:1])
    one = sim.run(scenario, replications=4, seed=1)
    two = sim.run(scenario, replications=4, seed=2)
    a, b = one.choice_models["standard"], two.choice_models["standard"]
    assert a.seed == b.seed
    np.testing.assert_array_equal(a.model.cumulative, b.model.cumulative)
    other = scenario.model_copy(
        update={"behavior": scenario.behavior.model_copy(update={"seed": 7})}
    )
    c = sim.run(other, replications=4, seed=1).choice_models["standard"]
    assert c.seed != a.seed  # behavior.seed varies the choice model on purpose
    record = one.meta["choice_models"]["standard"]
    assert {"markets_per_strategy", "split_half_difference", "converged", "seconds"} <= set(record)


def test_behavior_replicates_report_how_much_estimates_move(tmp_path):
    import json

    import pandas as pd
    from helpers import sim_main

    path = tmp_path / "s.toml"
    path.write_text(
        'extends = "' + str(Path(__file__).parents[1] / "scenarios" / "default.toml") + '"\n'
        "[company]\nn_reps = 6\nmonths = 12\n[initial_book]\ncustomers = 60\n"
        "[behavior]\nskill_bins = 2\n[behavior.grid]\ndiscount = [0.0, 0.2]\n"
        "overforecast = [0.0]\nfit_threshold = [0.0]\n"
    )
    out = tmp_path / "out"
    done = sim_main("run", path, "-n", "4", "--behavior-replicates", "2", "--out", out)
    assert done.returncode == 0, done.stderr
    spread = pd.read_csv(out / "choice_model_spread.csv")
    assert {"estimate_0", "estimate_1", "choice_sd", "run_se", "ratio"} <= set(spread.columns)
    assert (spread.choice_sd >= 0).all()
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["choice_model_spread"]["replicates"] == 2
    assert "choice-model spread" in done.stdout
