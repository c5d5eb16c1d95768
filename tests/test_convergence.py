"""--precision: add chunks until the intervals are tight enough, deterministically."""

import json

import pandas as pd
import pytest
from helpers import small_scenario

import sim
from sim.analysis import precision_met, relative_precision
from sim.outputs import write_run

CHUNK = 4


def scenario():
    return small_scenario(
        simulation={"chunk_size": CHUNK},
        plans=[
            {"name": "a"},
            {"name": "b", "components": [{"type": "bookings_commission", "rate": 0.12}]},
        ],
    )


@pytest.fixture(scope="module")
def converged():
    return sim.run(scenario(), seed=7, precision=0.05, max_replications=400)


def test_stops_at_the_first_chunk_count_that_meets_the_precision(converged):
    record = converged.meta["precision"]
    used = converged.n_replications
    assert record["met"] and record["replications_used"] == used
    assert used % CHUNK == 0 and used > CHUNK
    rows = converged.replications
    for n in range(CHUNK, used + 1, CHUNK):
        table = relative_precision(rows[rows.replication < n], "a")
        assert precision_met(table, 0.05) == (n == used), n
    assert record["worst_relative_half_width"] <= 0.05


def test_replication_i_is_the_same_company_run_whatever_the_stopping_point(converged):
    plain = sim.run(scenario(), replications=converged.n_replications, seed=7)
    pd.testing.assert_frame_equal(plain.replications, converged.replications)


@pytest.mark.slow  # starting worker processes costs seconds
def test_same_precision_same_numbers_whatever_the_workers(converged):
    again = sim.run(scenario(), seed=7, precision=0.05, max_replications=400, jobs=2)
    pd.testing.assert_frame_equal(again.replications, converged.replications)


def test_a_looser_precision_uses_no_more_replications(converged):
    loose = sim.run(scenario(), seed=7, precision=0.10, max_replications=400)
    assert loose.meta["precision"]["met"]
    assert loose.n_replications <= converged.n_replications


def test_the_limit_stops_a_run_that_cannot_converge_and_says_so(tmp_path):
    result = sim.run(scenario(), seed=7, precision=0.001, max_replications=10)
    record = result.meta["precision"]
    assert result.n_replications == 10 and not record["met"]
    write_run(result, tmp_path / "out", command="sim run x --precision 0.001")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["precision"]["met"] is False
    assert manifest["precision"]["replications_used"] == manifest["replications"] == 10
    crn = manifest["common_random_numbers"]
    assert 0 < crn["median_variance_removed"]["revenue"] <= 1
    paired = {(r["plan"], r["metric"]): r for r in crn["by_plan"]}
    assert paired[("b", "revenue")]["paired_se"] < paired[("b", "revenue")]["unpaired_se"]
