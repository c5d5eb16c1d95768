"""Checkpoints and resumption: a killed run continues where it stopped, to the byte."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
from helpers import ROOT, run_cli, sim_main, small_scenario, small_scenario_file

import sim
from sim.errors import UserError
from sim.store import DiskStore

CSVS = [
    "replications.csv",
    "by_year.csv",
    "summary.csv",
    "summary_by_year.csv",
    "comparison.csv",
    "winners_losers.csv",
    "ote_check.csv",
]
TWO_PLANS = """
[[plans]]
name = "standard"
[[plans.components]]
type = "bookings_commission"
rate = 0.10
[[plans]]
name = "richer"
[[plans.components]]
type = "bookings_commission"
rate = 0.14
"""


# 12 chunks of 2: the run is killed once 3 are checkpointed (a chunk takes a few tenths
# of a second, the watcher looks every 20 ms), leaving several to resume
REPLICATIONS, CHUNK = 24, 2


def _run_args(scenario, out, *extra):
    return [
        "run", scenario, "-n", REPLICATIONS, "--chunk-size", CHUNK, "--seed", 5,
        "--out", out, "-q", *extra,
    ]  # fmt: skip


def _chunk_files(folder):
    return sorted(folder.glob("chunk-*.pkl")) if folder.exists() else []


def test_a_killed_run_resumes_without_redoing_chunks_and_writes_the_same_bytes(tmp_path):
    scenario = small_scenario_file(tmp_path, TWO_PLANS)
    reference = sim_main(*_run_args(scenario, tmp_path / "whole"))
    assert reference.returncode == 0, reference.stderr

    out, staging = tmp_path / "killed", tmp_path / ".killed.chunks"
    command = [sys.executable, "-m", "sim", *map(str, _run_args(scenario, out))]
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(_chunk_files(staging)) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    finished = len(_chunk_files(staging))
    assert 3 <= finished < REPLICATIONS // CHUNK  # killed mid-way
    assert not out.exists()  # nothing written

    resumed = run_cli(*_run_args(scenario, out, "--resume"))
    assert resumed.returncode == 0, resumed.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["resumed_chunks"] >= finished  # finished chunks were not redone
    assert manifest["resumed_replications"] == CHUNK * manifest["resumed_chunks"]
    # throughput of this invocation: the chunks taken from checkpoints are not counted
    simulated = REPLICATIONS - manifest["resumed_replications"]
    expected = simulated * 2 * 2 / manifest["wall_seconds"]  # 2 plans x 2 reported years
    assert manifest["company_years_per_second"] == pytest.approx(expected, rel=0.01, abs=0.1)
    for name in CSVS:
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name
    assert not staging.exists()  # checkpoints go once the result is written


def test_resume_refuses_checkpoints_of_another_run(tmp_path):
    folder = tmp_path / ".out.chunks"
    DiskStore(folder, {"seed": 1})
    with pytest.raises(UserError, match="seed differs"):
        DiskStore(folder, {"seed": 2}, resume=True)
    assert DiskStore(folder, {"seed": 1}, resume=True).resumed == 0


def test_resume_of_a_different_seed_is_a_one_line_error(tmp_path):
    scenario = small_scenario_file(tmp_path)
    staging = tmp_path / ".out.chunks"
    DiskStore(staging, {"scenario": "something else", "seed": 5, "compsim": sim.__version__})
    result = sim_main(*_run_args(scenario, tmp_path / "out", "--resume"))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert "holds chunks of a different run (scenario differs)" in result.stderr
    assert not (tmp_path / "out").exists()


def test_disk_store_keeps_whole_files_only(tmp_path):
    store = DiskStore(tmp_path / "s", {"seed": 1})
    store.put(0, 2, {"a": [1.0, 2.0]})
    (tmp_path / "s" / ".chunk-000000000002-000000000004.pkl.123.part").write_bytes(b"\x80")
    assert store.finished() == [(0, 2)]
    assert store.get(0, 2) == {"a": [1.0, 2.0]}


def test_streamed_tables_equal_the_in_memory_ones(tmp_path):
    # A run that keeps its chunks on disk reads its large tables back chunk by chunk;
    # they must be exactly what the in-memory run (another chunk size) assembles.
    scenario = small_scenario(
        plans=[{"name": "a"}, {"name": "b", "components": [{"type": "logo_bonus"}]}]
    )
    memory = sim.run(scenario, replications=10, seed=3, chunk_size=10)
    store = DiskStore(tmp_path / "chunks", {"seed": 3})
    disk = sim.run(scenario, replications=10, seed=3, chunk_size=3, store=store)
    assert disk._streams("rep_years") and disk._streams("by_year")  # nothing large held
    pd.testing.assert_frame_equal(disk.winners_losers(), memory.winners_losers())
    pd.testing.assert_frame_equal(disk.summary_by_year(), memory.summary_by_year())
    disk.write_by_year(tmp_path / "streamed.csv")
    memory.by_year.to_csv(tmp_path / "whole.csv", index=False, float_format="%.10g")
    assert (tmp_path / "streamed.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    pd.testing.assert_frame_equal(disk.by_year, memory.by_year)
    for plan in ("a", "b"):
        for key, values in memory.rep_years[plan].items():
            assert (disk.rep_years[plan][key] == values).all()
