"""Sweeps and dotted paths: `Scenario.with_values`, `sim.sweep`, `sim sweep`."""

import json
import re
import warnings

import numpy as np
import pandas as pd
import pytest
from helpers import run_cli, sim_main, small_scenario, small_scenario_file, xlsx_formats

import sim
from sim.excel import MONEY
from sim.scenario.paths import get_value
from sim.sweep import _warn_if_ages_differ, grid, parse_axes, parse_values, sweep

RATE = "plans.standard.components.0.rate"


def test_with_values_sets_a_plan_component_and_a_market_key():
    scenario = small_scenario()
    changed = scenario.with_values({RATE: 0.12, "market.need_median": 40_000})
    assert changed.plans[0].components[0].rate == 0.12
    assert changed.market.need_median == 40_000
    assert scenario.plans[0].components[0].rate == 0.10  # the original is untouched
    by_name = scenario.with_values({"plans.standard.components.bookings_commission.rate": 0.12})
    by_index = scenario.with_values({"plans.0.components.0.rate": 0.12})
    assert by_name == by_index == scenario.with_values({RATE: 0.12})
    assert get_value(changed, RATE) == 0.12


@pytest.mark.parametrize(
    "path, value, message",
    [
        (
            "market.need_medain",
            1.0,
            "market.need_medain: unknown key (did you mean 'need_median'?)",
        ),
        ("plans.standrd.ote", 1.0, "plans.standrd: no item called 'standrd' (did you mean"),
        ("plans.standard.components.3.rate", 1.0, "components.3: no item 3 (the list has 1)"),
        ("market.need_median.x", 1.0, "market.need_median: is a single value"),
        (RATE, -0.1, "rate: Input should be greater than or equal to 0 (got -0.1)"),
    ],
)
def test_with_values_explains_a_bad_path_or_value_in_one_line(path, value, message):
    with pytest.raises(sim.UserError) as error:
        small_scenario().with_values({path: value})
    assert message in str(error.value) and "\n" not in str(error.value)


def test_values_lists_and_ranges():
    assert parse_values("0.08,0.1,0.12") == [0.08, 0.1, 0.12]
    assert parse_values("0.05:0.15:3") == pytest.approx([0.05, 0.10, 0.15])
    assert parse_values("12,24") == [12, 24] and parse_values("true") == [True]
    axes = parse_axes([f"{RATE}=0.1,0.2", "company.n_reps=5:7:2"])
    assert grid(axes) == [
        {RATE: 0.1, "company.n_reps": 5.0},
        {RATE: 0.1, "company.n_reps": 7.0},
        {RATE: 0.2, "company.n_reps": 5.0},
        {RATE: 0.2, "company.n_reps": 7.0},
    ]
    for bad in (f"{RATE}", f"{RATE}=0.1:0.2:1", f"{RATE}=a:b:c"):
        with pytest.raises(sim.UserError):
            parse_axes([bad])
    with pytest.raises(sim.UserError, match=f"^--set {RATE}=0.1:0.2:x: expected low:high:n"):
        parse_axes([f"{RATE}=0.1:0.2:x"])  # the error names the setting, not only its values
    # evenly spaced values as typed, not linspace's 0.12000000000000001
    assert parse_values("0.06:0.14:5") == [0.06, 0.08, 0.1, 0.12, 0.14]


def test_a_sweep_point_equals_a_separate_run_of_its_values():
    scenario = small_scenario()
    result = sweep(scenario, {RATE: [0.06, 0.14]}, replications=6, seed=9)
    for point, run in zip(result.points, result.runs, strict=True):
        alone = sim.run(scenario.with_values(point), replications=6, seed=9)
        pd.testing.assert_frame_equal(run.replications, alone.replications)
    table = result.table()
    assert list(table.columns[:4]) == ["point", RATE, "plan", "metric"]
    assert {"mean", "ci_low", "ci_high", "p10", "p50", "p90", "diff"} <= set(table.columns)
    cost = table[table.metric == "comp_cost"].set_index("point")
    assert cost.at[0, "diff"] == 0.0
    # a higher commission rate costs more in every paired company-run: the paired
    # interval excludes zero, and is narrower than either point's own interval
    assert cost.at[1, "diff_ci_low"] > 0
    width = lambda low, high: high - low  # noqa: E731
    paired = width(cost.at[1, "diff_ci_low"], cost.at[1, "diff_ci_high"])
    assert paired < width(cost.at[1, "ci_low"], cost.at[1, "ci_high"])


def test_sim_sweep_writes_its_folder(tmp_path):
    out = tmp_path / "sw"
    done = run_cli(
        "sweep", small_scenario_file(tmp_path), "--set", f"{RATE}=0.08:0.12:2",
        "-n", "3", "--seed", "2", "--out", out, "-q", "--xlsx",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    assert {"sweep.csv", "sweep_replications.csv", "report.html", "manifest.json"} <= names
    assert "sweep.xlsx" in names
    table = pd.read_csv(out / "sweep.csv")
    assert sorted(table[RATE].unique()) == [0.08, 0.12]
    assert (table.query("metric == 'revenue'").n == 3).all()  # some metrics can be undefined
    rows = pd.read_csv(out / "sweep_replications.csv")
    assert len(rows) == 2 * 3 and np.isfinite(rows.revenue).all()
    assert "Response curves" in (out / "report.html").read_text()
    formats = xlsx_formats(out / "sweep.xlsx", "Sweep")
    assert formats[RATE] == "0.00%"  # a rate, to tell 12.55% from 12.6%
    assert formats["mean"] == MONEY  # the first row's metric, new ARR


def test_a_range_s_values_are_shown_as_typed(tmp_path):
    """0.06:0.14:5 is 0.06, 0.08, 0.1, 0.12, 0.14 everywhere: in the report's table of
    points (which showed linspace's 0.12000000000000001) and the manifest; a whole
    number of a setting in decimals is shown as the console shows it (5, not 5.0)."""
    out = tmp_path / "sw"
    done = sim_main(
        "sweep", small_scenario_file(tmp_path), "--set", f"{RATE}=0.06:0.14:5",
        "--set", "market.opportunities_per_rep_month=5", "-n", "2", "--out", out, "-q",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    page = re.sub(r'src="data:[^"]*"', "", (out / "report.html").read_text())
    cells = re.findall(r"<td>([\d.]+)</td><td>([\d.]+)</td>", page)
    assert cells == [(rate, "5") for rate in ("0.06", "0.08", "0.1", "0.12", "0.14")], page
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["axes"][RATE] == [0.06, 0.08, 0.1, 0.12, 0.14]


@pytest.mark.parametrize(
    "option, message",
    [
        ("market.nope=1,2", "sim: error: --set market.nope: unknown key"),
        (f"{RATE}=0.1,-0.2", "rate: Input should be greater than or equal to 0"),
        (f"{RATE}", "expected KEY=VALUES"),
    ],
)
def test_sim_sweep_bad_input_is_one_line_and_writes_nothing(tmp_path, option, message):
    out = tmp_path / "results" / "sw"
    small = small_scenario_file(tmp_path)
    done = sim_main("sweep", small, "--set", option, "-n", "2", "--out", out)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert not out.exists() and not list(out.parent.glob("*"))


def test_points_whose_tails_set_different_automatic_warm_ups_are_named():
    """A swept deferral lengthens the plan's tail, so under "auto" each point warms up
    for its own: the sweep says so (the points' companies differ in age); a number
    for the warm-up keeps them equal and silences it."""
    deferred = "plans.standard.components.0.remainder_after_months"
    scenario = small_scenario(company={"burn_in_months": "auto"}).with_values(
        {"plans.standard.components.0.paid_at_booking": 0.5}
    )
    with pytest.warns(UserWarning, match=r"warm-up differs .*company.burn_in_months = 41"):
        _warn_if_ages_differ([scenario.with_values({deferred: m}) for m in (6, 30)])
    fixed = scenario.with_values({"company.burn_in_months": 40})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_if_ages_differ([fixed.with_values({deferred: m}) for m in (6, 30)])
