"""Figures the documentation quotes are what the model gives now: the README's sample
table of `sim run scenarios/default.toml` and the calibration block of
docs/calibration.md (written by `benchmarks/calibration.py`).

Both come from the default scenario on its own seed, whose first 200 replications
this test runs again. A quoted mean over 1,000 replications differs from the mean
of its first 200 by Monte Carlo error of standard deviation sd x sqrt(1/200 -
1/1000): it must lie within 4 such standard errors. A figure quoted from the same
replications the test runs (the calibration block; the literature table, in a slow
test) does not differ at all while the model is unchanged: it must lie inside the
95% interval of the model's figure now, or it would mislead a reader of its
interval. Each allows the rounding of the printed figure. A change of the model
that moves a quoted figure beyond that fails here until the docs are regenerated.
"""

import re

import numpy as np
import pytest
from helpers import DEFAULT, ROOT

import sim

RUNS = 200
Z = 4.0  # standard errors of the difference between a quoted mean and the test's own
WITHIN_CI = 1.96  # standard errors: a figure quoted from the test's own replications


@pytest.fixture(scope="module")
def first_result():
    scenario = sim.load_scenario(DEFAULT)
    return sim.run(scenario, replications=RUNS, seed=scenario.simulation.seed, jobs=1)


@pytest.fixture(scope="module")
def first_runs(first_result):
    return first_result.replications.set_index("plan").loc[first_result.plans[0]]


def parse_figure(text: str) -> tuple[float, float]:
    """A figure as `sim run` prints it ($16.8M, 333, 90.0%) and half its last digit."""
    number = re.fullmatch(r"\$?(-?[\d.,]+)([KM%]?)", text)
    assert number, f"not a printed figure: {text!r}"
    digits, unit = number.group(1).replace(",", ""), number.group(2)
    scale = {"K": 1e3, "M": 1e6, "%": 0.01, "": 1.0}[unit]
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    return float(digits) * scale, 0.5 * 10.0**-decimals * scale


def readme_table() -> dict[str, str]:
    """metric -> mean as printed, from the README's sample output."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("it prints a table like", 1)[1].split("```", 2)[1]
    rows = [line.split() for line in block.splitlines() if re.match(r"[a-z_]+ +\S+ \[", line)]
    return {row[0]: row[1] for row in rows}


def calibration_block() -> dict[str, float]:
    """metric -> value, from the block benchmarks/calibration.py writes."""
    text = (ROOT / "docs" / "calibration.md").read_text(encoding="utf-8")
    block = text.split("<!-- bench:calibration -->", 1)[1].split("<!-- /bench:calibration -->")[0]
    found = re.findall(r"^\s+(?:ok |OUT)?\s*([a-z_]+)\s+(-?[\d.e+-]+)", block, re.M)
    return {name: float(value) for name, value in found}


def test_readme_sample_table_is_the_model_now(first_runs):
    quoted = readme_table()
    assert len(quoted) >= 6, "the README's sample table was not found"
    for metric, printed in quoted.items():
        value, rounding = parse_figure(printed)
        runs = first_runs[metric].to_numpy(float)
        error = runs.std(ddof=1) * np.sqrt(1 / RUNS - 1 / 1000)
        assert abs(value - runs.mean()) <= Z * error + rounding, (
            f"README quotes {metric} {printed}; its first {RUNS} replications give "
            f"{runs.mean():.4g}: run `sim run scenarios/default.toml` and update the table"
        )


def test_calibration_figures_are_the_model_now(first_runs):
    quoted = calibration_block()
    metrics = [m for m in quoted if m in first_runs.columns]
    assert len(metrics) >= 8, "docs/calibration.md's calibration block was not found"
    for metric in metrics:
        runs = first_runs[metric].to_numpy(float)
        error = runs.std(ddof=1) / np.sqrt(RUNS)
        assert abs(quoted[metric] - runs.mean()) <= WITHIN_CI * error + 5e-4 * abs(
            quoted[metric]
        ), (
            f"docs/calibration.md quotes {metric} {quoted[metric]:.4g}; the model gives "
            f"{runs.mean():.4g}: run `python benchmarks/calibration.py`"
        )


def literature_table() -> dict[str, list[str]]:
    """plan -> its row's cells (new ARR, revenue, comp cost changes; effort; share at
    quota), from docs/behavior.md's table of the literature plans."""
    text = (ROOT / "docs" / "behavior.md").read_text(encoding="utf-8")
    block = text.split("## What the literature plans do", 1)[1].split("\n\n")
    rows = next(part for part in block if part.startswith("| plan |")).splitlines()[2:]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    return {re.match(r"`(\w+)`", c[0]).group(1): c[1:] for c in cells}


@pytest.mark.slow  # five plans' choice models and 100 company-runs each: about a minute
def test_literature_table_is_the_model_now():
    # the table's command: `sim run scenarios/literature.toml -n 100`, default seed: each
    # figure inside the 95% interval of the model's figure now, give or take rounding
    scenario = sim.load_scenario(ROOT / "scenarios" / "literature.toml")
    result = sim.run(scenario, replications=100, seed=scenario.simulation.seed)
    summary = result.summary().set_index(["plan", "metric"])
    changes = result.compare("linear").set_index(["plan", "metric"])
    for plan, cells in literature_table().items():
        for cell, name in zip(cells[:3], ("new_arr", "revenue", "comp_cost"), strict=True):
            if cell == "—":
                continue
            row = changes.loc[(plan, name)]
            se = (row.rel_ci_high - row.rel_ci_low) / 2 / 1.96
            quoted = float(cell.replace("−", "-").rstrip("%")) / 100
            assert abs(quoted - row.rel_change) <= WITHIN_CI * se + 0.0005, (plan, name, cell)
        for cell, name, rounding in (
            (cells[3], "chosen_effort", 0.005),
            (cells[4], "share_at_quota", 0.005),
        ):
            row = summary.loc[(plan, name)]
            se = (row.ci_high - row.ci_low) / 2 / 1.96
            quoted = float(cell.rstrip("%")) / (100 if cell.endswith("%") else 1)
            assert abs(quoted - row["mean"]) <= WITHIN_CI * se + rounding, (plan, name, cell)


def test_fpa_doc_s_comp_cost_ratio_by_year_is_the_model_now(first_result):
    """docs/fpa.md: "comp cost is about A% of revenue in year 1 and about B% in year 3,
    for a C% three-year figure" (the default scenario): each within half a point (the
    doc said 13% for year 1 after the model had moved to 11.5%)."""
    text = " ".join((ROOT / "docs" / "fpa.md").read_text(encoding="utf-8").split())
    quoted = re.search(
        r"comp cost is about ([\d.]+)% of revenue in year 1 and about ([\d.]+)% in year 3, "
        r"for an? ([\d.]+)% three-year figure",
        text,
    ).groups()
    by_year = first_result.summary_by_year().query("metric == 'comp_cost_ratio'")
    model = [*by_year.set_index("year").loc[[1, 3], "mean"]]
    model.append(first_result.replications.comp_cost_ratio.mean())
    for figure, value in zip(quoted, model, strict=True):
        assert abs(float(figure) - 100 * value) <= 0.5, (quoted, model)
