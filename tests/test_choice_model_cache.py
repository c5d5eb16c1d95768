"""The disk cache of choice models, shared by runs in several processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import DEFAULT, ROOT


def test_two_runs_started_together_build_a_choice_model_once(tmp_path):
    """Two `sim run`s of one scenario started at the same moment on an empty cache:
    without the cache's build lock both built the choice model (each found the cache
    empty); with it, one builds and the other waits and reads the model it stored.
    Whichever way the two are timed, exactly one manifest says it was built."""
    scenario = tmp_path / "small.toml"
    scenario.write_text(
        f'extends = "{DEFAULT.as_posix()}"\nname = "small"\n'
        "[company]\nn_reps = 6\nn_csms = 2\nmonths = 24\n[initial_book]\ncustomers = 60\n"
        # a build of about 1.5 s, much longer than the two starts are apart
        "[behavior]\npayoff_replications = 64\nmax_payoff_replications = 64\n"
    )
    env = {**os.environ, "COMPSIM_CACHE": str(tmp_path / "cache")}
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "sim", "run", scenario, "-n", "4", "--quiet", "--out", out],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for out in (tmp_path / "out0", tmp_path / "out1")
    ]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read()
    built = [
        "from_cache"
        not in json.loads((tmp_path / f"out{i}" / "manifest.json").read_text())["choice_models"][
            "standard"
        ]
        for i in range(2)
    ]
    assert sorted(built) == [False, True]
    assert (tmp_path / "out0" / "replications.csv").read_bytes() == (
        tmp_path / "out1" / "replications.csv"
    ).read_bytes()
