"""Big runs: the estimate before them, the memory guard, and cluster backends."""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import run_cli, sim_main, small_scenario, small_scenario_file

import sim
import sim.runner
from sim.estimate import Estimate


def test_a_big_run_tells_its_estimate_first_and_the_numbers_do_not_change(monkeypatch):
    scenario = small_scenario()
    plain = sim.run(scenario, replications=12, seed=4, chunk_size=2)
    monkeypatch.setattr(sim.runner, "PILOT_CHUNKS", 3)
    said = []
    piloted = sim.run(scenario, replications=12, seed=4, chunk_size=2, notify=said.append)
    assert len(said) == 1 and said[0].startswith("estimate for 12 replications")
    assert "of memory for the results" in said[0]
    pd.testing.assert_frame_equal(piloted.replications, plain.replications)


def test_estimate_text_scales_with_workers():
    estimate = Estimate(
        replications=10**6, one_off=2.0, per_chunk=1.0, chunks=10_000, memory=3e9, disk=2e10
    )
    assert estimate.seconds(2) == pytest.approx(2.0 + 5_000)
    text = estimate.text(2, "local")
    assert "83 min with 2 worker(s)" in text and "3.0 GB of memory" in text and "20.0 GB" in text


def test_a_replication_count_beyond_memory_is_refused_before_anything_runs(tmp_path):
    scenario = small_scenario_file(tmp_path)
    result = sim_main("run", scenario, "-n", 10**12, "--out", tmp_path / "out", "-q")
    assert result.returncode == 2
    assert result.stderr.startswith("sim: error: --replications 1,000,000,000,000: the results")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists() and not (tmp_path / ".out.chunks").exists()


def test_a_refused_count_leaves_an_earlier_runs_checkpoints_alone(tmp_path):
    scenario = small_scenario_file(tmp_path)
    kept = tmp_path / ".out.chunks" / "chunk-000000000000-000000000002.pkl"
    kept.parent.mkdir()
    kept.write_bytes(b"an interrupted run's chunk")
    result = sim_main("run", scenario, "-n", 10**12, "--out", tmp_path / "out", "-q")
    assert result.returncode == 2 and "discarded" not in result.stderr
    assert kept.read_bytes() == b"an interrupted run's chunk"


def test_an_unknown_scheduler_use_is_a_one_line_error(tmp_path):
    scenario = small_scenario_file(tmp_path)
    result = sim_main("run", scenario, "-n", 2, "--scheduler", "tcp://x:1", "--out", tmp_path / "o")
    assert result.returncode == 2
    # found before any work: no progress bar (or anything else) before the error
    assert result.stderr == "sim: error: --scheduler needs --backend dask or ray\n"
    assert not (tmp_path / ".o.chunks").exists()


def test_dask_local_cluster_gives_the_bytes_of_one_local_job(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    scenario = small_scenario_file(tmp_path)
    common = ["-n", 8, "--chunk-size", 2, "--seed", 7, "-q"]
    local = run_cli("run", scenario, *common, "--jobs", 1, "--out", tmp_path / "local")
    assert local.returncode == 0, local.stderr
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        on_dask = run_cli(
            "run", scenario, *common, "--backend", "dask", "--scheduler", address,
            "--out", tmp_path / "dask",
        )  # fmt: skip
    assert on_dask.returncode == 0, on_dask.stderr
    for name in ("replications.csv", "by_year.csv", "summary.csv"):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


@pytest.mark.slow  # starting Ray takes tens of seconds
def test_ray_gives_the_numbers_of_one_local_job():
    pytest.importorskip("ray")
    scenario = small_scenario()
    local = sim.run(scenario, replications=6, seed=8, chunk_size=2)
    on_ray = sim.run(scenario, replications=6, seed=8, chunk_size=2, jobs=2, backend="ray")
    pd.testing.assert_frame_equal(on_ray.replications, local.replications)


def test_a_missing_backend_says_how_to_install_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_dask(name, *args, **kwargs):
        if name.startswith("dask"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_dask)
    with pytest.raises(sim.UserError, match=r'pip install -e "\.\[dask\]"'):
        sim.run(small_scenario(), replications=2, backend="dask")
