"""Workers used: the chunk size adapts to replications and jobs, results do not depend
on it, and progress advances after every plan of every chunk."""

import subprocess
import sys

import pandas as pd
import pytest
from helpers import small_scenario

import sim
from sim.progress import ProgressBar
from sim.runner import MAX_AUTO_CHUNK, chunk_size_for


def three_plans(**simulation):
    return small_scenario(
        simulation={"chunk_size": "auto", **simulation},
        plans=[
            {"name": "a"},
            {"name": "b", "components": [{"type": "bookings_commission", "rate": 0.12}]},
            {"name": "c", "components": [{"type": "logo_bonus", "amount": 2000.0}]},
        ],
    )


def test_auto_chunk_size_gives_every_worker_an_equal_share():
    assert chunk_size_for("auto", 100, 1) == 100
    assert chunk_size_for("auto", 100, 2) == 50  # both workers busy at 100 replications
    assert chunk_size_for("auto", 101, 2) == 51
    assert chunk_size_for("auto", 1000, 1) == MAX_AUTO_CHUNK
    assert chunk_size_for("auto", 3, 8) == 1
    assert chunk_size_for(7, 100, 2) == 7  # a number is taken as given


@pytest.mark.parametrize("replications", [1, 3, 100, 401, 1000, 1001, 12_345, 100_000])
@pytest.mark.parametrize("jobs", [1, 2, 3, 8])
def test_auto_chunks_are_as_many_for_every_worker(replications, jobs):
    """The busiest worker runs its equal share of the replications, give or take one
    per round of chunks (1,000 replications on 2 jobs: 6 chunks of 167, 3 each, not 5
    of 200, which leave one worker running the fifth alone); chunks are at most
    MAX_AUTO_CHUNK."""
    size = chunk_size_for("auto", replications, jobs)
    chunks = -(-replications // size)
    rounds = -(-chunks // jobs)
    assert size <= MAX_AUTO_CHUNK
    assert rounds * size <= -(-replications // jobs) + rounds, (size, chunks)


@pytest.fixture
def reports(monkeypatch):
    """Every progress report the bar receives, in order."""
    seen = []
    original = ProgressBar._add

    def record(self, n):
        seen.append(n)
        original(self, n)

    monkeypatch.setattr(ProgressBar, "_add", record)
    return seen


def test_progress_advances_after_every_plan_of_every_chunk(reports):
    result = sim.run(three_plans(), replications=6, seed=3, chunk_size=2, progress=True)
    assert result.n_replications == 6
    assert reports == [2] * (3 * 3)  # 3 chunks x 3 plans, 2 company-runs each


@pytest.mark.slow  # starting worker processes costs seconds
def test_progress_reaches_the_main_process_from_workers(reports):
    sim.run(three_plans(), replications=4, seed=3, jobs=2, progress=True)
    assert sorted(reports) == [2] * 6  # auto: 2 chunks of 2, each reporting 3 plans


def test_results_are_the_same_whatever_the_chunk_size_auto_picks():
    auto = sim.run(three_plans(), replications=6, seed=3)
    assert auto.chunk_size == 6
    fine = sim.run(three_plans(), replications=6, seed=3, chunk_size=1)
    pd.testing.assert_frame_equal(auto.replications, fine.replications)


def test_loky_replacing_a_grown_worker_is_not_shown_as_a_warning():
    """loky replaces a worker that grew by 300 MB (sim optimize's workers keep markets
    and choice models) with 'A worker stopped while some jobs were given to the
    executor. This can be caused by ... a memory leak.': no work is lost, so a user of
    `sim` or the Python API does not see it; other warnings still show."""
    code = (
        "import warnings, sim; sim.run; "  # what runs work imports the filter with it
        "warnings.warn('A worker stopped while some jobs were given to the executor. "
        "This can be caused by a too short worker timeout or by a memory leak.'); "
        "warnings.warn('something else')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0 and "A worker stopped" not in done.stderr, done.stderr
    assert "something else" in done.stderr
