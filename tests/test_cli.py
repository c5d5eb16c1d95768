"""The `sim` command end to end, and the Python API it wraps."""

import json
import os
import re
import stat
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from helpers import DEFAULT, ROOT, run_cli, sim_main, small_scenario, small_scenario_file

import sim
from sim.analysis import SUMMARY_COLUMNS
from sim.metrics import METRIC_NAMES


def test_sim_run_end_to_end(tmp_path):
    out = tmp_path / "res"
    result = run_cli("run", "scenarios/default.toml", "-n", "6", "--seed", "4", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "standard" in result.stdout and "comp_cost_ratio" in result.stdout
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns) == SUMMARY_COLUMNS
    assert set(METRIC_NAMES) <= set(summary.metric)
    assert (summary.loc[summary.metric == "new_arr", "n"] == 6).all()
    rows = pd.read_csv(out / "replications.csv")
    assert list(rows.columns[:2]) == ["plan", "replication"]
    assert list(rows.columns[2 : 2 + len(METRIC_NAMES)]) == list(METRIC_NAMES)
    assert len(rows) == 6
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 4 and manifest["replications"] == 6
    assert manifest["chunk_size"] == 6 and manifest["chunk_size_setting"] == "auto"
    assert manifest["company_years_per_second"] > 0
    assert manifest["scenario"]["company"]["n_reps"] == 20
    assert "numpy" in manifest["versions"]
    assert manifest["command"].startswith("sim run")
    assert not list(tmp_path.glob(".res.*")), "staging folders left behind"


def test_rerun_replaces_the_previous_result(tmp_path):
    out = tmp_path / "res"
    small = small_scenario_file(tmp_path)
    for seed in ("1", "2"):
        assert sim_main("run", small, "-n", "2", "--seed", seed, "--out", out, "-q").returncode == 0
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2


@pytest.mark.parametrize("umask, mode", [(0o022, 0o755), (0o027, 0o750)], ids=["022", "027"])
def test_a_result_folder_gets_the_permissions_the_umask_gives(tmp_path, umask, mode):
    """Colleagues on a shared drive can open a result as they can any folder the user
    makes (the staging folder once came from tempfile.mkdtemp, always 0700)."""
    out = tmp_path / "res"
    small = small_scenario_file(tmp_path)
    before = os.umask(umask)
    try:
        assert sim_main("run", small, "-n", "2", "--out", out, "-q").returncode == 0
    finally:
        os.umask(before)
    assert stat.S_IMODE(out.stat().st_mode) == mode
    assert stat.S_IMODE((out / "report.html").stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize(
    "command", [["metrics"], ["schema"], ["validate", "--explain", "scenarios/default.toml"]]
)
def test_a_reader_that_stops_early_ends_the_command_quietly(command):
    """`sim schema | head`: the reader closes the pipe before the command has written
    (here at once, so the case never depends on timing); no traceback, status 141."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", *command],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and stderr == "", stderr


def test_a_usage_error_is_one_line_with_one_prefix_and_help_shows_defaults():
    done = sim_main("run", "scenarios/default.toml", "-o", "/tmp/x")
    expected = "sim: error: unrecognized arguments: -o /tmp/x (see 'sim run --help')\n"
    assert done.returncode == 2 and done.stderr == expected
    done = sim_main("run", "--jobs", "x", "scenarios/default.toml")
    assert done.stderr.startswith("sim: error: argument --jobs/-j: expected a whole number")
    shown = " ".join(sim_main("run", "--help").stdout.split())
    assert "worker processes, or auto: one per CPU this process may use (default: 1)" in shown
    assert "root random seed (default: simulation.seed of the scenario)" in shown
    assert "(default: None)" not in shown and "(default: False)" not in shown
    assert "(default: cash)" in " ".join(sim_main("budget", "--help").stdout.split())


def test_version_names_the_installed_package():
    from importlib import metadata

    done = sim_main("--version")
    assert done.returncode == 0 and done.stdout == f"compsim {metadata.version('compsim')}\n"


def test_validate_schema_and_metrics_commands():
    ok = run_cli("validate", "scenarios/default.toml")
    assert ok.returncode == 0 and "ok" in ok.stdout
    schema = json.loads(sim_main("schema").stdout)
    market = schema["$defs"]["Market"]["properties"]["opportunities_per_rep_month"]
    assert market["unit"] == "opportunities/rep/month" and market["default"] == 6.8
    listing = sim_main("metrics").stdout
    for name in METRIC_NAMES:
        assert name in listing


def test_the_schema_accepts_the_bundled_scenario_files_as_an_editor_reads_them(tmp_path):
    """`sim schema` is for editors that check a TOML file against it: every bundled
    scenario as written (two of them extend default.toml) is valid, so is a file that
    extends another and sets no plans, and a typo or a file with neither plans nor
    extends is not."""
    import tomllib

    jsonschema = pytest.importorskip("jsonschema")  # nbformat's dependency (dev extras)
    validator = jsonschema.Draft202012Validator(json.loads(sim_main("schema").stdout))
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        errors = [e.message for e in validator.iter_errors(tomllib.loads(path.read_text()))]
        assert errors == [], (path.name, errors)
    child = {"extends": "default.toml", "market": {"need_median": 40000.0}}
    assert validator.is_valid(child)
    assert not validator.is_valid(child | {"market": {"need_medain": 40000.0}})
    assert not validator.is_valid({"market": {"need_median": 40000.0}})  # no plans


def test_a_plan_with_no_components_is_salary_only_and_validate_says_so(tmp_path):
    path = tmp_path / "salary.toml"
    path.write_text(
        f'extends = "{DEFAULT.as_posix()}"\n[[plans]]\nname = "salary"\n'
        "base_salary = 100000.0\ncomponents = []\n"
    )
    done = sim_main("validate", path, "scenarios/default.toml")
    assert done.returncode == 0, done.stderr
    assert "plan 'salary': salary only, no components" in done.stdout
    assert "plan 'standard'" not in done.stdout
    plans = [{"name": "salary", "base_salary": 100_000.0, "components": []}]
    rows = sim.run(small_scenario(plans=plans), replications=2, seed=1).replications
    np.testing.assert_allclose(rows["ae_pay"], 100_000.0)
    paid = [c for c in rows if c.startswith("comp_cost_") and rows[c].abs().sum() > 0]
    assert set(paid) <= {
        "comp_cost_base_salary",
        "comp_cost_csm_base_salary",
        "comp_cost_ratio",
        "comp_cost_role_ae",
        "comp_cost_role_csm",
    }, paid


def test_python_api_returns_dataframes():
    result = sim.run(small_scenario(), replications=4, seed=1)
    assert isinstance(result.replications, pd.DataFrame)
    summary = result.summary()
    assert list(summary.columns) == SUMMARY_COLUMNS
    row = summary[summary.metric == "revenue"].iloc[0]
    assert row.ci_low <= row["mean"] <= row.ci_high
    assert result.arr_by_month["standard"].shape == (4, 24)
    assert "RunResult(" in repr(result)


@pytest.mark.slow  # 14 plans' choice models: heavy
def test_seed_designs_end_to_end(tmp_path):
    out = tmp_path / "seed"
    result = run_cli("run", "scenarios/seed_designs.toml", "-n", "4", "--out", out)
    assert result.returncode == 0, result.stderr
    assert "OTE check" in result.stdout
    summary = pd.read_csv(out / "summary.csv")
    plans = {
        "upfront_bookings",
        "revenue_realization",
        "logo_bonus",
        "deployment_holdback",
        "clawback",
        "renewal_kicker",
        "icp_gated",
        "pay_on_invoice",
        "csat_individual",
        "csat_company",
        "csm_grr_bonus",
        "overlap_renewal_credit",
        "success_team_veto",
        "blended",
    }
    assert set(summary.plan) == plans
    rows = pd.read_csv(out / "replications.csv")
    comp_lines = [
        c
        for c in rows.columns
        if c.startswith("comp_cost_")
        and c not in ("comp_cost_ratio",)
        and not c.startswith("comp_cost_role_")
    ]
    # the component lines add up to the cash comp cost, plan by plan
    # (to the 10 significant digits the CSV keeps)
    gap = (rows[comp_lines].sum(axis=1) - rows["comp_cost"]).abs() / rows["comp_cost"]
    assert gap.max() < 1e-8
    roles = rows["comp_cost_role_ae"] + rows["comp_cost_role_csm"]
    assert ((roles - rows["comp_cost"]).abs() / rows["comp_cost"]).max() < 1e-8
    held = rows[rows.plan == "deployment_holdback"]
    assert (held["holdback_forfeited"] > 0).all()
    assert (rows[rows.plan == "clawback"]["clawbacks_recovered"] > 0).all()
    ote = pd.read_csv(out / "ote_check.csv")
    assert set(ote.plan) == plans and (ote.payout_at_100 > 0).all()


def test_a_choice_model_short_of_convergence_is_one_warning_line(tmp_path):
    """The command's warnings are its own lines, not Python's source-file lines, and
    come from the calling process whether the choice model was built or cached."""
    path = tmp_path / "strict.toml"
    path.write_text(
        f'extends = "{DEFAULT.as_posix()}"\nname = "strict"\n[company]\nn_reps = 6\n'
        "[behavior]\nmax_payoff_replications = 8\nchoice_tolerance = 0.0001\n"
    )
    for attempt in ("built", "cached"):
        done = run_cli("run", path, "-n", "2", "--out", tmp_path / attempt)
        assert done.returncode == 0, done.stderr
        lines = [line for line in done.stderr.splitlines() if "warning" in line.lower()]
        assert len(lines) == 1, (attempt, done.stderr)
        assert lines[0].startswith("sim: warning: plan 'standard': the reps' choice model did")
        assert ".py:" not in done.stderr and "UserWarning" not in done.stderr
        manifest = json.loads((tmp_path / attempt / "manifest.json").read_text())
        assert manifest["choice_models"]["standard"]["converged"] is False


def test_ranking_by_a_probability_shows_its_wilson_interval(tmp_path):
    """Ranked by the chance of breaking the comp limit, each plan's figure is a
    percentage with its Wilson 95% interval, which keeps a width when no company-run
    breaks the limit: not '0 ±0', which read as certainly never."""
    two = "".join(
        f'[[plans]]\nname = "{name}"\ncomponents = [{{ type = "bookings_commission", '
        f"rate = {rate} }}]\n"
        for name, rate in (("standard", 0.1), ("richer", 0.12))
    )
    out = tmp_path / "out"
    done = sim_main(
        "run", small_scenario_file(tmp_path, two), "-n", "4", "--objective", "over_comp_limit",
        "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    ranking = done.stdout.split("Ranking by over_comp_limit", 1)[1].split("\n\n")[0]
    assert "(lower is better; mean [95% CI])" in " ".join(ranking.split())
    row = next(line for line in ranking.splitlines() if line.startswith("1  "))
    assert re.search(r"\d+\.\d% \[\d+\.\d%, \d+\.\d%\]", row) and "±" not in row, row
    # its change in percentage points: from a probability of 0 a relative change is n/a
    other = next(line for line in ranking.splitlines() if line.startswith("2  "))
    assert re.search(r" [+-]\d+\.\d pt \[", other) and "n/a" not in other, other
    page = (out / "report.html").read_text()
    assert re.search(r"<td>\d+\.\d% <span class='ci'>\[\d+\.\d%, \d+\.\d%\]</span>", page)


def test_commands_that_only_read_files_import_no_simulation_code():
    """`sim --version`, `validate`, `schema` and `metrics` start in a fraction of a
    second: they import neither pandas, scipy, joblib nor the engine (1 s, before the
    package's names were imported on first use)."""
    code = (
        "import sys\n"
        "from sim.cli import main\n"
        "for argv in (['--version'], ['validate', sys.argv[1]], ['schema'], ['metrics']):\n"
        "    try:\n"
        "        main(argv)\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('pandas', 'scipy', 'joblib', 'matplotlib', 'sim.engine', 'sim.runner')\n"
        "print(sorted(m for m in heavy if m in sys.modules), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(DEFAULT)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().splitlines()[-1] == "[]"


def test_the_package_functions_stay_functions_once_their_modules_are_imported():
    import sim
    import sim.budget
    import sim.optimize
    import sim.sweep
    from sim.sweep import sweep

    assert sim.sweep is sweep
    assert callable(sim.budget) and callable(sim.optimize) and callable(sim.run)
    # and a submodule is there on first use, as docs/plans.md uses it
    code = "import sim; print(sim.plans.scale_variable_pay.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "scale_variable_pay", done.stderr


def test_jobs_auto_is_one_worker_per_usable_cpu_and_the_same_numbers(tmp_path):
    """`--jobs auto` runs one worker per CPU the process may use (its affinity) and
    writes the numbers of `--jobs 1`; anything else that is not a whole number is
    refused, naming auto."""
    scenario = small_scenario_file(tmp_path)
    for jobs in ("1", "auto"):
        done = sim_main("run", scenario, "-n", "8", "-j", jobs, "-q", "--out", tmp_path / jobs)
        assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "auto" / "manifest.json").read_text())
    assert manifest["jobs"] == len(os.sched_getaffinity(0))
    one, auto = ((tmp_path / j / "replications.csv").read_bytes() for j in ("1", "auto"))
    assert one == auto
    done = sim_main("budget", scenario, "--comp-ratio", "0.09", "-j", "many")
    assert done.returncode == 2
    assert "--jobs/-j: expected a whole number or auto, got 'many'" in done.stderr


def test_a_run_says_so_before_it_builds_choice_models(tmp_path, monkeypatch):
    """Building the choice models of many plans takes a minute before the progress bar
    can start (seed_designs' 14 on a fresh cache: about 30 s of silence): a run says
    what it is doing first, unless --quiet; a run that finds them cached says nothing."""
    monkeypatch.setenv("COMPSIM_CACHE", str(tmp_path / "cache"))

    def scenario(rate: float):  # reps choosing, on a plan no other test builds
        path = tmp_path / f"odd{rate}.toml"
        path.write_text(
            f'extends = "{DEFAULT.as_posix()}"\nname = "odd"\n[company]\nn_reps = 6\n'
            f'[[plans]]\nname = "odd"\ncomponents = [{{ type = "bookings_commission", '
            f"rate = {rate} }}]\n"
        )
        return path

    line = "sim: building the reps' choice models of 1 plan (once: later runs"
    first, again = (
        sim_main("run", scenario(0.0731), "-n", "2", "--out", tmp_path / name)
        for name in ("a", "b")
    )
    assert first.returncode == 0 and line in first.stderr
    assert again.returncode == 0 and "building" not in again.stderr
    quiet = sim_main("run", scenario(0.0737), "-n", "2", "-q", "--out", tmp_path / "q")
    assert quiet.returncode == 0 and "building" not in quiet.stderr
