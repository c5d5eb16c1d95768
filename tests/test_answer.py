"""The whole answer: every worse headline metric named first, a ranking by a stated
objective, what to watch, and numbers formatted the same everywhere."""

import re

import numpy as np
import pandas as pd
import pytest
from helpers import sim_main, small_scenario_file

from sim.analysis import compare, summarize
from sim.errors import UserError
from sim.metrics import HEADLINE
from sim.ranking import check_objective, rank_plans
from sim.report.narrative import plain_summary, plan_answer
from sim.report.table import WIDTH, format_value, headline_table, money, ranking_table

N = 50


def replications() -> pd.DataFrame:
    """Three plans on the same 50 markets: 'fast' earns 5% more revenue but loses 12 pt
    more reps and pays clawbacks; 'same' differs from 'base' by noise only."""
    rng = np.random.default_rng(7)
    market = rng.normal(0, 1, N)
    market -= market.mean()
    rows = []
    for plan, lift, attrition, clawbacks in (
        ("base", 0.0, 0.34, 0.0),
        ("fast", 0.05, 0.46, 120_000.0),
        ("same", 0.0, 0.34, 0.0),
    ):
        noise = rng.normal(0, 0.002, N)
        table = {name: 1e6 * (1 + 0.1 * market) * (1 + noise) for name in HEADLINE}
        table["grr"] = 0.9 + 0.01 * market + noise
        table["nrr"] = 1.05 + 0.01 * market + noise
        table["comp_cost_ratio"] = 0.08 + 0.001 * market + noise / 10
        table["margin_after_comp"] = 0.67 - table["comp_cost_ratio"]
        table["revenue"] = 40e6 * (1 + lift) * (1 + 0.1 * market) * (1 + noise)
        table["rep_attrition"] = attrition + 0.02 * market + noise
        table["clawbacks_recovered"] = clawbacks * (1 + noise)
        table["holdback_forfeited"] = np.zeros(N)
        table["ae_pay"] = 160_000.0 * (1 + noise)
        rows.append(pd.DataFrame({"plan": plan, "replication": np.arange(N), **table}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def tables():
    reps = replications()
    metrics = [c for c in reps.columns if c not in ("plan", "replication")]
    return summarize(reps, metrics), compare(reps, "base", metrics)


def test_answer_names_every_worse_headline_metric_first(tables):
    summary, comparison = tables
    answer = plan_answer(comparison, summary, "fast", "base")
    assert [c.metric for c in answer.worse] == ["rep_attrition"]
    text = plain_summary(comparison, "fast", "base", summary)
    assert text.index("Worse on 1: rep attrition +12.0 pt") < text.index("Better: revenue +5.0%")
    assert "Watch: rep attrition 34.0% -> 46.0%/yr; clawbacks recovered $0 -> $120K/yr" in text
    assert answer.n_metrics == len(HEADLINE)  # new logos and rep attrition are headline
    same = plain_summary(comparison, "same", "base", summary)
    assert "Worse on no headline metric" in same and "Watch" not in same


def test_ranking_orders_by_the_objective_and_marks_plans_worse_on_nothing(tables):
    summary, comparison = tables
    ranking = rank_plans(summary, comparison, "base", "revenue")
    assert ranking.plan.iloc[0] == "fast" and list(ranking["rank"]) == [1, 2, 3]
    flags = dict(zip(ranking.plan, ranking.no_headline_worse, strict=True))
    assert flags == {"fast": False, "base": True, "same": True}
    assert ranking.set_index("plan").at["fast", "worse_metrics"] == "rep_attrition"
    # lower is better for attrition: the plan that loses most reps ranks last
    by_attrition = rank_plans(summary, comparison, "base", "rep_attrition")
    assert by_attrition.plan.iloc[-1] == "fast"
    assert by_attrition.change_unit.iloc[-1] == "pt"
    table = ranking_table(ranking, "base")
    assert all(len(line) <= WIDTH for line in table.splitlines())


def test_objective_must_be_a_metric_with_a_direction():
    assert check_objective("comp_cost") == "comp_cost"
    with pytest.raises(UserError, match="did you mean 'revenue'"):
        check_objective("revenu")
    with pytest.raises(UserError, match="no better direction"):
        check_objective("ae_pay")


def test_a_run_ranks_by_any_listed_metric_with_a_direction_pay_lines_included(tmp_path):
    """`sim metrics SCENARIO` lists the pay lines of the scenario's plans (lower is
    better): `sim run --objective` takes them as `sim optimize` does; a plan without
    the line pays $0 on it; a line no plan has is named as absent."""
    plans = (
        '[[plans]]\nname = "book"\ncomponents = [{ type = "bookings_commission" }]\n'
        '[[plans]]\nname = "rev"\ncomponents = [{ type = "revenue_commission" }]\n'
    )
    scenario = small_scenario_file(tmp_path, plans)
    listed = sim_main("metrics", scenario).stdout
    for objective in ("comp_cost_base_salary", "comp_cost_revenue_commission"):
        assert re.search(rf"^{objective} .*\(lower is better\)", listed, re.M), listed
        out = tmp_path / objective
        done = sim_main("run", scenario, "-n", "2", "--objective", objective, "--out", out, "-q")
        assert done.returncode == 0, done.stderr
        assert set(pd.read_csv(out / "ranking.csv").objective) == {objective}
    ranking = pd.read_csv(tmp_path / "comp_cost_revenue_commission" / "ranking.csv")
    assert list(ranking.plan) == ["book", "rev"] and ranking["mean"].iloc[0] == 0
    bad = sim_main("run", scenario, "--objective", "comp_cost_spiff", "--out", tmp_path / "x")
    assert bad.returncode == 2 and "no plan has a 'spiff' pay line" in bad.stderr, bad.stderr


def test_numbers_are_formatted_the_same_everywhere():
    assert [money(v) for v in (15.26e6, 3.6e6, 161_500, 999_700, 950, -121_000)] == [
        "$15.3M",
        "$3.60M",
        "$162K",
        "$1.00M",
        "$950",
        "-$121K",
    ]
    assert format_value(0.9024, "fraction") == "90.2%"
    assert format_value(453.2, "logos/yr") == "453"


def test_console_fits_100_columns_with_plans_as_rows_beyond_four(tables):
    summary, _ = tables
    base = summary[summary.plan == "base"]
    many = pd.concat([base.assign(plan=f"plan_with_a_long_name_{i}") for i in range(14)])
    text = headline_table(many)
    lines = text.splitlines()
    assert all(len(line) <= WIDTH for line in lines), max(map(len, lines))
    assert sum(line.startswith("plan_with_a_long_name_13") for line in lines) >= 2  # rows
    few = headline_table(summary[summary.plan != "same"])  # (new_logos here: 1,000,000/yr)
    assert few.splitlines()[0].split() == ["metric", "base", "fast"]
    # four plans whose intervals are too wide for columns (117 columns) become rows
    four = pd.concat([base.assign(plan=f"deployment_holdback_{i}") for i in range(4)])
    lines = headline_table(four).splitlines()
    assert all(len(line) <= WIDTH for line in lines), max(map(len, lines))
    assert sum(line.startswith("deployment_holdback_3") for line in lines) >= 1


FIVE_PLANS = "".join(
    f'[[plans]]\nname = "plan_{i}"\n[[plans.components]]\n'
    f'type = "bookings_commission"\nrate = {0.06 + 0.02 * i}\n'
    for i in range(5)
)


def test_sim_run_objective_ranks_plans_and_rejects_unknown_metrics(tmp_path):
    scenario = small_scenario_file(tmp_path, FIVE_PLANS)
    out = tmp_path / "res"
    done = sim_main("run", scenario, "-n", "3", "--objective", "comp_cost", "--out", out)
    assert done.returncode == 0, done.stderr
    assert all(len(line) <= WIDTH for line in done.stdout.splitlines()), done.stdout
    assert "Ranking by comp_cost (lower is better" in done.stdout
    assert "mean ± half-width" in done.stdout  # five plans: plans as rows
    ranking = pd.read_csv(out / "ranking.csv")
    assert list(ranking["rank"]) == list(range(1, 6))
    assert ranking["mean"].is_monotonic_increasing
    bad = sim_main("run", scenario, "--objective", "revnue", "--out", out)
    assert bad.returncode == 2 and "did you mean 'revenue'" in bad.stderr
