"""Every kind of bad input gives one line naming the file, the key and the problem,
a non-zero exit, no traceback and no result written; checked through `sim`: each case
through the command's entry point in this process (`sim_main`), and a run, a validate
and a missing file as separate `sim` processes (`run_cli`)."""

import os

import pytest
from helpers import DEFAULT, run_cli, sim_main, small_scenario_file

GOOD_PLAN = '[[plans]]\nname = "a"\ncomponents = []\n'

CASES = {
    # name: (file text, text the one-line error must contain)
    "typo": (
        "[market]\nopportunities_per_rep_mnth = 3\n" + GOOD_PLAN,
        ["market.opportunities_per_rep_mnth", "did you mean 'opportunities_per_rep_month'"],
    ),
    "wrong_type": ('[company]\nn_reps = "many"\n' + GOOD_PLAN, ["company.n_reps", "integer"]),
    "negative_rate": (
        "[market]\nopportunities_per_rep_month = -2.0\n" + GOOD_PLAN,
        ["market.opportunities_per_rep_month", "greater than or equal to 0"],
    ),
    "probability_above_one": (
        "[health]\nsurvey_response_rate = 1.5\n" + GOOD_PLAN,
        ["health.survey_response_rate", "less than or equal to 1"],
    ),
    "missing_extends": (
        'extends = "nowhere.toml"\n' + GOOD_PLAN,
        ["extends", "nowhere.toml", "not found"],
    ),
    "invalid_toml": ("[market\nfit_a = 2\n", ["invalid TOML"]),
    "unknown_component": (
        '[[plans]]\nname = "a"\n[[plans.components]]\ntype = "bonus_for_all"\n',
        ['plans["a"].components', "bonus_for_all"],
    ),
    "share_above_one": (
        "[market]\nshare_usage_contracts = 1.2\n" + GOOD_PLAN,
        ["market.share_usage_contracts"],
    ),
    "comp_ratio_limit_in_percent": (
        "[finance]\ncomp_ratio_limit = 9\n" + GOOD_PLAN,
        ["finance.comp_ratio_limit", "less than or equal to 1 (got 9)"],
    ),
    # beliefs reps hold about the world: checked with the file, not mid-run (a traceback)
    "belief_key_typo": (
        "[behavior.beliefs.overrides]\nmarket = { need_mediann = 3.0 }\n" + GOOD_PLAN,
        ["behavior.beliefs.overrides: market.need_mediann: unknown key", "'need_median'"],
    ),
    "belief_table_typo": (
        "[behavior.beliefs.overrides]\nrenewl = { intercept = 3.0 }\n" + GOOD_PLAN,
        ["behavior.beliefs.overrides: renewl: not a scenario table", "'renewal'"],
    ),
    "belief_bad_value": (
        '[behavior.beliefs.overrides]\nreps = { skill = { dist = "normal", sd = -1 } }\n'
        + GOOD_PLAN,
        ["behavior.beliefs.overrides: reps.skill.sd: Input should be greater than or equal to 0"],
    ),
    "no_plans": ("[market]\nfit_a = 2.0\n", ["plans", "missing"]),
    "tiers_out_of_order": (
        GOOD_PLAN + "[plans.quota]\ntiers = [{ from = 0.0, multiplier = 1.0 }, "
        "{ from = 1.2, multiplier = 2.0 }, { from = 1.0, multiplier = 1.5 }]\n",
        ['plans["a"].quota', "out of order"],
    ),
    "holdback_share_above_one": (
        '[[plans]]\nname = "a"\n[[plans.components]]\ntype = "deployment_holdback"\nshare = 1.5\n',
        ['plans["a"].components["deployment_holdback"].share', "less than or equal to 1"],
    ),
    "typo_in_component": (
        '[[plans]]\nname = "a"\n[[plans.components]]\ntype = "clawback"\nwindow_mnths = 6\n',
        ["window_mnths", "did you mean 'window_months'"],
    ),
    "plan_without_components": (
        f'extends = "{DEFAULT.as_posix()}"\n[[plans]]\nname = "a"\nbase_salary = 90000.0\n',
        ['plans["a"].components', "missing", "never inherited", "components = []"],
    ),
    "typo_in_plan": (
        '[[plans]]\nname = "a"\ncomponents = []\nbase_salry = 1.0\n',
        ['plans["a"].base_salry', "did you mean 'base_salary'"],
    ),
}


def assert_one_line_error(result, *needles):
    assert result.returncode == 2, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0], (needle, lines[0])


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_scenario_gives_one_line_and_writes_nothing(tmp_path, case):
    text, needles = CASES[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    out = tmp_path / "out"
    result = sim_main("run", path, "--out", out, "-n", "2")
    assert_one_line_error(result, str(path), *needles)
    assert not out.exists()


def test_a_bad_scenario_through_a_separate_sim_process(tmp_path):
    text, needles = CASES["typo_in_component"]
    path = tmp_path / "typo.toml"
    path.write_text(text)
    out = tmp_path / "out"
    assert_one_line_error(run_cli("run", path, "--out", out, "-n", "2"), str(path), *needles)
    assert not out.exists()


def test_validate_reports_the_same_error(tmp_path):
    path = tmp_path / "typo.toml"
    path.write_text(CASES["typo"][0])
    assert_one_line_error(run_cli("validate", path), str(path), "did you mean")


def test_missing_scenario_file(tmp_path):
    assert_one_line_error(run_cli("run", tmp_path / "none.toml"), "none.toml", "not found")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_unwritable_output_folder(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = sim_main("run", "scenarios/default.toml", "--out", locked / "res", "-n", "2")
        assert_one_line_error(result, "--out", "cannot write")
    finally:
        locked.chmod(0o700)


def test_output_path_that_is_a_file(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("x")
    result = sim_main("run", "scenarios/default.toml", "--out", target, "-n", "2")
    assert_one_line_error(result, "--out", "not a folder")
    assert target.read_text() == "x"


def test_output_folder_holding_other_files_is_left_alone(tmp_path):
    """A result replaces its --out folder whole: a folder of the user's own files
    (`--out ~/Documents`, `--out results`) is refused before any simulation, not
    deleted (it was, silently, until the audit of session 8)."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("precious")
    result = sim_main("run", "scenarios/default.toml", "--out", mine, "-n", "2")
    assert_one_line_error(result, "--out", "notes.txt", "no compsim result")
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
    assert (mine / "notes.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"], "staging left behind"


def test_output_folder_that_is_the_working_folder(tmp_path):
    """`--out .` once ran the whole simulation, then failed on renaming the working
    folder with a traceback; the working folder, and any folder holding it, is refused
    at once, even when empty."""
    work = tmp_path / "work"
    work.mkdir()
    for out in (".", ".."):
        result = sim_main("run", DEFAULT, "--out", out, "-n", "2", cwd=work)
        assert_one_line_error(result, f"--out {out}", "the folder you are in")
    assert not list(work.iterdir())


def test_an_earlier_result_or_an_empty_folder_may_be_replaced(tmp_path):
    small = small_scenario_file(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    for out in (empty, empty):  # empty, then holding the first run's result
        result = sim_main("run", small, "-n", "2", "--out", out, "-q")
        assert result.returncode == 0, result.stderr
    assert (empty / "report.html").exists()


@pytest.mark.parametrize(
    "args,needle",
    [
        (["-n", "0"], "at least 1"),
        (["-n", "ten"], "whole number"),
        (["--seed", "-3"], "0 or more"),
        (["--jobs", "0"], "at least 1"),
    ],
)
def test_bad_options(args, needle):
    assert_one_line_error(sim_main("run", "scenarios/default.toml", *args), needle)


def test_output_folder_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    result = sim_main("run", "scenarios/default.toml", "--out", blocker / "res", "-n", "2")
    assert_one_line_error(result, "--out", "cannot write")


def test_validate_checks_every_file_and_reports_every_problem(tmp_path):
    good = "scenarios/default.toml"
    two = tmp_path / "two.toml"
    two.write_text(
        "[market]\nfit_a = -1.0\nopportunities_per_rep_mnth = 3\n"
        '[[plans]]\nname = "a"\n[[plans.components]]\ntype = "bookings_comission"\n'
    )
    dist = tmp_path / "dist.toml"
    dist.write_text('[reps]\nskill = { dist = "normla", mean = 0.0 }\n' + GOOD_PLAN)
    result = sim_main("validate", two, good, dist)
    assert result.returncode == 2
    assert f"{good}: ok" in result.stdout  # checked although a file before it failed
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 4, result.stderr
    assert all(line.startswith("sim: error: ") for line in lines)
    expected = [
        (two, "market.fit_a", "greater than 0"),
        (two, "market.opportunities_per_rep_mnth", "did you mean 'opportunities_per_rep_month'"),
        (
            two,
            'plans["a"].components["bookings_comission"].type',
            "did you mean 'bookings_commission'",
        ),
        (dist, "reps.skill.dist", "unknown distribution 'normla' (did you mean 'normal'?)"),
    ]
    for line, (path, key, problem) in zip(lines, expected, strict=True):
        assert f"{path}: {key}: " in line and problem in line, line
    assert "valid number" not in result.stderr  # the union's noise is gone
    assert "Traceback" not in result.stderr


def test_run_reports_every_problem_of_the_file_and_writes_nothing(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text("[company]\nn_reps = 0\nmonths = 6\n" + GOOD_PLAN)
    out = tmp_path / "out"
    result = sim_main("run", path, "--out", out, "-n", "2")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert [line.split(": ")[3] for line in lines] == ["company.n_reps", "company.months"]
    assert not out.exists()


def test_a_distribution_of_another_family_replaces_the_inherited_one(tmp_path):
    """The default file's skill is a normal (mean, sd); a file extending it with a beta
    must not inherit the normal's parameters (each would be an 'unknown key' blamed on
    the default file): the beta's own mistake is the one line. Another normal, or a
    table without `dist`, still merges over the inherited one."""
    extends = f'extends = "{DEFAULT.as_posix()}"\n[reps]\n'
    bad = tmp_path / "beta.toml"
    bad.write_text(extends + 'skill = { dist = "beta", a = 0.0, b = 2.0 }\n')
    result = sim_main("validate", bad)
    assert_one_line_error(result, f"{bad}: reps.skill.a: ", "greater than 0")
    assert "default.toml" not in result.stderr

    good = tmp_path / "good.toml"
    good.write_text(extends + 'skill = { dist = "beta", a = 2.0, b = 2.0, low = -0.5 }\n')
    explained = sim_main("validate", "--explain", good)
    assert explained.returncode == 0, explained.stderr
    skill = [line for line in explained.stdout.splitlines() if line.startswith("reps.skill.")]
    assert [line.split(" = ")[0] for line in skill] == [
        "reps.skill.dist",
        *(f"reps.skill.{k}" for k in ("a", "b", "low", "high")),
    ]
    assert all(str(good) in line for line in skill[:4])  # high: the beta's default

    partial = tmp_path / "partial.toml"
    partial.write_text(extends + "skill = { sd = 0.5 }\n")
    skill = [
        line
        for line in sim_main("validate", "--explain", partial).stdout.splitlines()
        if line.startswith("reps.skill.")
    ]
    values = [line.split("#")[0].split(" = ")[1].strip() for line in skill]
    assert values == ['"normal"', "0.0", "0.5"]


def test_a_value_out_of_its_range_is_quoted_once(tmp_path):
    path = tmp_path / "strategy.toml"
    path.write_text(f'extends = "{DEFAULT.as_posix()}"\n[strategy]\ndiscount = 1.5\n')
    result = sim_main("validate", path)
    assert_one_line_error(result, "strategy.discount: must lie in [0, 1), got 1.5")
    assert result.stderr.count("1.5") == 1, result.stderr
