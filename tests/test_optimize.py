"""Plan optimization: a known optimum, constraints, the recheck, the command."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from helpers import run_cli, sim_main, small_scenario, small_scenario_file, xlsx_formats

import sim
from sim.excel import MONEY, PERCENT
from sim.optimize import Criterion, longest_warm_up, make_levers, optimize, parse_criterion

NO_ATTRITION = {"base_monthly_hazard": 0.0, "pay_shortfall_coef": 0.0, "clawback_shock_coef": 0.0}
RATE = "components.0.rate"


@pytest.fixture(scope="module")
def linear():
    """Reps with given strategies and nobody quitting: the market does not answer the
    rate, so comp cost is exactly linear in it and revenue does not move. Rep pay
    then rises with the rate, and the most pay within a comp cost ratio limit is at the
    rate where the ratio meets the limit, known from two runs."""
    scenario = small_scenario(attrition=NO_ATTRITION)
    ratio = {}
    for rate in (0.0, 0.2):
        changed = scenario.with_values({f"plans.standard.{RATE}": rate})
        ratio[rate] = sim.run(changed, replications=12, seed=6).summary().set_index("metric")
    low, high = (ratio[r].at["comp_cost_ratio", "mean"] for r in (0.0, 0.2))
    limit = low + 0.6 * (high - low)
    return scenario, limit, 0.2 * (limit - low) / (high - low)  # the optimum: 0.12


def test_finds_the_known_optimum_of_a_linear_trade_off(linear):
    scenario, limit, optimum = linear
    result = optimize(
        scenario, "standard", {RATE: (0.0, 0.3)}, "ae_pay",
        constraints=[f"comp_cost_ratio<={limit}"], budget_evals=16, replications=12, seed=6,
    )  # fmt: skip
    search = result.table().query("phase in ['design', 'search'] and feasible")
    best_searched = search.loc[search.ae_pay.idxmax(), RATE]
    assert best_searched == pytest.approx(optimum, abs=0.002)
    assert result.best.levers[RATE] == pytest.approx(optimum, abs=0.01)
    assert len(result.problem.evaluations) <= 16 + 4  # the budget, then the recheck


def test_the_recheck_runs_on_fresh_company_runs_paired_with_the_plan_as_written(linear):
    scenario, limit, _ = linear
    result = optimize(
        scenario, "standard", {RATE: (0.0, 0.3)}, "ae_pay",
        constraints=[f"comp_cost_ratio<={limit}"], budget_evals=6, replications=8, seed=6,
        recheck_replications=10,
    )  # fmt: skip
    table = result.recheck_table()
    assert table.as_written.sum() == 1 and table.best.sum() == 1
    assert (result.best.seed, result.best.replications) == (7, 10)
    as_written = table[table.as_written].iloc[0]
    assert as_written[RATE] == 0.10 and as_written.objective_vs_as_written == 0.0
    # pay rises with the rate: a rechecked setting above 0.10 pays more in every pair
    richer = table[table[RATE] > 0.105]
    assert (richer.objective_vs_as_written_ci_low > 0).all()
    best = sim.run(result.best_scenario, jobs=1).summary().set_index(["plan", "metric"])
    assert best.at[("standard-best", "ae_pay"), "mean"] == pytest.approx(
        result.best.stats["ae_pay"]
    )


def test_criteria():
    assert parse_criterion("revenue", "--objective", bounded=False) == Criterion("revenue")
    c = parse_criterion("p90:comp_cost_ratio<=9%", "--constraint", bounded=True)
    assert (c.metric, c.quantile, c.op, c.bound) == ("comp_cost_ratio", 0.9, "<=", 0.09)
    assert c.statistic(np.arange(101.0)) == pytest.approx(90.0)
    assert c.slack(0.08) == pytest.approx(0.01) and c.clearly_broken(0.095, 0.1)
    low, high = c.interval(np.arange(1000.0))
    assert low < 900 < high and high - low < 50
    for text, message in [
        ("revenu", "'revenu': no such metric (did you mean 'revenue'?)"),
        ("comp_cost_ratio<=x", "'x' is not a number"),
        ("p150:revenue>=1", "between p1 and p99"),
    ]:
        with pytest.raises(sim.UserError, match=re.escape(message)):
            parse_criterion(text, "--constraint", bounded="=" in text)


@pytest.fixture
def small_file(tmp_path_factory):
    return small_scenario_file(tmp_path_factory.mktemp("scenario"))


def test_sim_optimize_writes_its_folder(tmp_path, small_file):
    out = tmp_path / "opt"
    done = run_cli(
        "optimize", small_file, "--lever", f"{RATE}=0.08:0.12",
        "--lever", "base_salary=70000:80000", "--objective", "revenue",
        "--constraint", "comp_cost_ratio<=0.2", "--budget-evals", "5", "-n", "3",
        "--recheck-replications", "3", "--out", out, "-j", "2", "--xlsx",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    names = {p.name for p in out.iterdir()}
    expected = {"optimize.csv", "recheck.csv", "best.toml", "report.html", "manifest.json"}
    assert expected | {"optimize.xlsx"} <= names
    table = pd.read_csv(out / "optimize.csv")
    assert {RATE, "base_salary", "revenue", "comp_cost_ratio", "feasible"} <= set(table.columns)
    assert table.best.sum() == 1
    best = sim.load_scenario(out / "best.toml")
    assert [p.name for p in best.plans] == ["standard", "standard-best"]
    assert "Efficient frontier" in (out / "report.html").read_text()
    # optimize.xlsx: each column in its unit (a ratio's interval was in $, showing $0)
    evaluations = xlsx_formats(out / "optimize.xlsx", "Evaluations")
    assert evaluations["revenue_ci_low"] == evaluations["revenue"] == MONEY
    assert evaluations["comp_cost_ratio_ci_high"] == evaluations["comp_cost_ratio"] == PERCENT
    assert (evaluations[RATE], evaluations["base_salary"]) == ("0.00%", MONEY)
    recheck = xlsx_formats(out / "optimize.xlsx", "Recheck")
    assert recheck["objective_vs_as_written_ci_low"] == MONEY


def test_sim_optimize_shows_money_in_dollars_and_every_setting_it_rechecked(tmp_path):
    """Console and report show money as $ to 3 significant figures (a lever too, by its
    schema unit), the console lists as many settings as it says it rechecks, and a plan
    name reaches the report escaped."""
    plans = '[[plans]]\nname = "a<q>&b"\ncomponents = [{ type = "bookings_commission" }]\n'
    out = tmp_path / "opt"
    done = sim_main(
        "optimize", small_scenario_file(tmp_path, plans), "--lever", f"{RATE}=0.08:0.12",
        "--lever", "base_salary=70000:80000", "--objective", "revenue", "--budget-evals", "4",
        "--constraint", "revenue>=1000000",
        "-n", "3", "--recheck-replications", "3", "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "subject to revenue>=$1.00M;" in done.stdout  # a bound in its unit, not 1e+06
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["constraints"] == ["revenue>=1000000"]  # as typed
    shown = done.stdout.split("\nwrote ")[0]  # the rows, not the files' wrapped line
    rows = [line.split()[0] for line in shown.splitlines() if line.startswith("  ")]
    assert "best" in rows and not re.search(r"\de[+-]\d", done.stdout), done.stdout
    assert re.search(r"base_salary=\$\d\d\.\dK: revenue \$[\d.]+M \[", done.stdout)
    others = int(re.search(r"recheck: (\d+) other setting", done.stderr).group(1))
    assert len(rows) == others + 1, (done.stdout, done.stderr)
    page = re.sub(r'src="data:[^"]*"', "", (out / "report.html").read_text())
    assert "<q>" not in page and "'a&lt;q&gt;&amp;b-best'" in page
    assert not re.search(r"\de[+-]\d", page) and "<td>$7" in page


@pytest.mark.parametrize(
    "args, message",
    [
        (["--constraint", "comp_cost_ratio<=0.001"], "no lever setting met the constraints"),
        (["--lever", "components.0.basis=1:2"], "components.0.basis: is 'acv', not a number"),
        (["--lever", "components.0.rate=0.2:0.1"], "LOW must be below HIGH"),
        (["--lever", "components.0.rte=0:1"], "--lever plans.standard.components.0.rte: unknown"),
        (["--lever", "components.0.rate=0.5:1.5"], "Input should be less than or equal to 1"),
        (["--objective", "revnue"], "did you mean 'revenue'?"),
        (["--plan", "nope"], "--plan 'nope': no plan of that name"),
    ],
)
def test_sim_optimize_bad_input_is_one_line_and_writes_nothing(tmp_path, small_file, args, message):
    base = ["--lever", f"{RATE}=0.08:0.12", "--objective", "revenue"]
    done = sim_main(
        "optimize", small_file, *base, *args, "--budget-evals", "2", "-n", "2",
        "--out", tmp_path / "opt", "-q",
    )  # fmt: skip
    assert done.returncode == 2 and message in done.stderr, done.stderr
    assert done.stderr.count("\n") == 1
    assert not list(tmp_path.iterdir())


def test_every_lever_setting_warms_up_as_long_as_the_longest_needs():
    """A lever that lengthens a tail (here the months a deferred half of the commission
    waits) would give each setting its own automatic warm-up, so settings would be
    compared at different company ages: the search fixes the longest any corner
    needs, and best.toml carries it."""
    plan = {
        "name": "deferred",
        "components": [
            {"type": "bookings_commission", "paid_at_booking": 0.5, "remainder_after_months": 6}
        ],
    }
    scenario = small_scenario(company={"burn_in_months": "auto"}, plans=[plan])
    levers = make_levers(scenario, "deferred", {"components.0.remainder_after_months": (6, 30)})
    lead = scenario.warm_up_months - 12  # 12 months of pay memory outlast the 6-month tail
    assert longest_warm_up(scenario, levers) == lead + 30
    assert longest_warm_up(scenario.with_values({"company.burn_in_months": 5}), levers) is None


def test_progress_shows_each_simulation_once_in_order(tmp_path, small_file):
    """Progress names every search simulation once, in the order run: COBYLA starts
    from the best design point and may ask for a setting again, answered from the
    cache; those were shown again (a design's 'evaluation 3' after 'design: 4
    settings', 'evaluation 25' after 26)."""
    out = tmp_path / "opt"
    done = sim_main(
        "optimize", small_file, "--lever", f"{RATE}=0.08:0.12", "--objective", "revenue",
        "--budget-evals", "8", "-n", "3", "--recheck-replications", "3", "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(out / "optimize.csv")
    designed = (table.phase == "design").sum()
    assert f"design: {designed} settings\n" in done.stderr
    best = re.search(r"design: best revenue \$[\d.]+[KM] \(evaluation (\d+)\)", done.stderr)
    assert best and int(best.group(1)) <= designed, done.stderr
    shown = [int(n) for n in re.findall(r"^evaluation (\d+): revenue \$", done.stderr, re.M)]
    assert shown == list(table.evaluation[table.phase == "search"]), done.stderr


def test_the_plan_as_written_is_the_best_when_the_recheck_finds_nothing_better(linear, monkeypatch):
    """The best setting is chosen among every rechecked setting, the plan as written
    included (it lies in the box): when the fresh company-runs show the search's
    candidates worse than it, it is the answer, not the least bad candidate."""
    import importlib

    module = importlib.import_module("sim.optimize")  # `sim.optimize` is the function

    scenario, _, _ = linear
    recheck = module._recheck

    def candidates_do_worse(problem, feasible, runs):
        candidates, as_written = recheck(problem, feasible, runs)
        for e in candidates:
            if e is not as_written:  # as if the search's best had been lucky
                e.stats["ae_pay"] = as_written.stats["ae_pay"] - 1000.0
        return candidates, as_written

    monkeypatch.setattr(module, "_recheck", candidates_do_worse)
    # unconstrained, pay rises with the rate: the search's best are far above 0.10
    result = optimize(
        scenario, "standard", {RATE: (0.0, 0.3)}, "ae_pay", budget_evals=16, replications=8,
        seed=6,
    )  # fmt: skip
    assert result.as_written.phase == "as_written"  # not one of the search's best three
    assert result.best is result.as_written
    assert result.recheck_table().query("best").as_written.all()
