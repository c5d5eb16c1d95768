"""Flat memory: per-replication rows in column files, and statistics read back from them
one column (or one chunk) at a time give the same bits as the whole table in memory."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from helpers import small_scenario

import sim
from sim import analysis, outputs
from sim.analysis import streamed_quantiles
from sim.collect import Chunks
from sim.engine.company import PlanOutcome
from sim.metrics import HEADLINE
from sim.rows import ArrByMonth, DiskRows, MemoryRows
from sim.steadiness import changes_by_year
from sim.store import DiskStore


def _chunk(rng, rows: int, lacks_revenue: bool = False) -> dict:
    """Two plans' outcomes on a chunk of `rows` replications (3 years, 24 months)."""
    outcomes = {}
    for plan in ("a", "b"):
        metrics = {"new_arr": rng.normal(size=rows), "revenue": rng.normal(size=rows)}
        if plan == "b":
            metrics["comp_cost_bonus"] = rng.normal(size=rows)
        if lacks_revenue:
            del metrics["revenue"]
        by_year = {"revenue": rng.normal(size=(rows, 3))}
        outcomes[plan] = PlanOutcome(metrics, rng.normal(size=(rows, 24)), {}, by_year=by_year)
    return outcomes


def test_column_files_answer_as_memory_whatever_order_chunks_arrive_in(tmp_path):
    rng = np.random.default_rng(7)
    chunks = Chunks(10, 3)  # chunks of 3, 3, 3 and 1 replications
    parts = [_chunk(rng, 3), _chunk(rng, 3, lacks_revenue=True), _chunk(rng, 3), _chunk(rng, 1)]
    memory, disk = MemoryRows(chunks), DiskRows(tmp_path / "rows", chunks)
    for i, outcomes in enumerate(parts):
        memory.put(i, outcomes)
    for i in reversed(range(len(parts))):  # completion order must not matter
        assert not disk.done(i)
        disk.put(i, parts[i])
        assert disk.done(i)
    for k in (1, 2, 4):
        for plan in ("a", "b"):
            assert disk.names(plan, k) == memory.names(plan, k)
            for name in memory.names(plan, k):
                np.testing.assert_array_equal(
                    disk.column(plan, name, k), memory.column(plan, name, k)
                )
            for year in (1, 2, 3):
                np.testing.assert_array_equal(
                    disk.year_column(plan, "revenue", year, k),
                    memory.year_column(plan, "revenue", year, k),
                )
        arr = disk.arr_by_month(["a", "b"], k)
        assert isinstance(arr, ArrByMonth) and list(arr) == ["a", "b"]
        for plan, values in memory.arr_by_month(["a", "b"], k).items():
            np.testing.assert_array_equal(arr[plan], values)
    assert np.isnan(disk.column("a", "revenue", 4)[3:6]).all()  # the chunk lacking it


@pytest.mark.parametrize("seed", range(40))
def test_streamed_quantiles_are_numpys_to_the_bit(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    values = rng.lognormal(size=n) if seed % 2 else np.round(rng.normal(size=n), 1)  # ties
    if seed % 10 == 0:
        values[:] = 2.5  # a single value
    blocks = np.split(values, np.sort(rng.integers(0, n, size=4)))
    q = np.linspace(0, 1, 11)
    got = streamed_quantiles(lambda: iter(blocks), q)
    assert np.array_equal(got, np.quantile(values, q))


def test_streamed_quantiles_of_nothing_are_none():
    assert streamed_quantiles(lambda: iter([np.zeros(0)]), [0.5]) is None


def test_a_checkpointed_run_holds_no_rows_and_gives_the_in_memory_numbers(tmp_path):
    scenario = small_scenario(
        plans=[{"name": "a"}, {"name": "b", "components": [{"type": "logo_bonus"}]}]
    )
    memory = sim.run(scenario, replications=10, seed=3, chunk_size=10)
    disk = sim.run(
        scenario, replications=10, seed=3, chunk_size=3, store=DiskStore(tmp_path / "c", {})
    )
    collector, _ = disk.source
    assert isinstance(collector.rows, DiskRows)  # nothing per replication kept in memory
    pd.testing.assert_frame_equal(disk.replications, memory.replications)
    for plan in ("a", "b"):
        np.testing.assert_array_equal(disk.arr_by_month[plan], memory.arr_by_month[plan])
    pd.testing.assert_frame_equal(
        changes_by_year(disk.year_columns(HEADLINE), "a"),
        changes_by_year(memory.by_year_of(HEADLINE), "a"),
    )
    pd.testing.assert_frame_equal(disk.summary(), memory.summary())


def test_statistics_by_column_are_the_whole_tables_and_outputs_never_read_it(tmp_path):
    scenario = small_scenario(
        plans=[
            {"name": "a"},
            {"name": "b", "components": [{"type": "logo_bonus"}]},
            {"name": "c", "components": [{"type": "clawback"}]},
        ]
    )
    run = sim.run(
        scenario, replications=12, seed=5, chunk_size=5, store=DiskStore(tmp_path / "c", {})
    )
    outputs.write_run(run, tmp_path / "out", xlsx=True)
    assert "replications" not in vars(run)  # every output read it one column at a time
    by_column = {
        "summary": run.summary(),
        "compare": run.compare(),
        "crn_gain": run.crn_gain(),
        "precision": analysis.relative_precision(run.columns(), "a"),
        "means": run.plan_means(),
        "first": run.replications_of(["new_arr", "comp_cost_logo_bonus"], first=4),
    }
    table = run.replications  # now read whole: the same statistics from the table
    assert len(table) == 3 * 12 and run.n_replications == 12
    assert (tmp_path / "out" / "replications.csv").read_text() == table.to_csv(
        index=False, float_format=outputs.FLOAT_FORMAT
    )
    pd.testing.assert_frame_equal(by_column["summary"], analysis.summarize(table, run.metrics))
    pd.testing.assert_frame_equal(by_column["compare"], analysis.compare(table, "a"))
    pd.testing.assert_frame_equal(
        by_column["crn_gain"], analysis.crn_gain(table, "a", list(HEADLINE))
    )
    pd.testing.assert_frame_equal(by_column["precision"], analysis.relative_precision(table, "a"))
    means = table.groupby("plan", sort=False)[run.metrics].mean()
    pd.testing.assert_frame_equal(by_column["means"], means, check_names=False, rtol=1e-12)
    first = table[table.replication < 4][["plan", "replication", "new_arr", "comp_cost_logo_bonus"]]
    pd.testing.assert_frame_equal(by_column["first"], first.reset_index(drop=True))
    assert (table.loc[table.plan != "b", "comp_cost_logo_bonus"] == 0).all()  # a line not paid
