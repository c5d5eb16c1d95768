"""report.html and the files beside it: self-contained, valid, every figure present."""

import base64
import dataclasses
import json
from html.parser import HTMLParser

import matplotlib
import pandas as pd
import pytest
from helpers import ROOT, sim_main, small_scenario

import sim
from sim.analysis import analyze
from sim.cli import main
from sim.outputs import write_run
from sim.report import html as report_html
from sim.report import plots
from sim.report.html import _strategy_caption as strategy_caption
from sim.report.html import render_report
from sim.report.journey import NOT_STAGED, ROLES, STAGES, ownership_matrix

FIGURES = (
    "frontier",
    "arr",
    "arr-difference",
    "distributions",
    "components",
    "strategy",
    "ownership",
    "winners",
)
VOID = {"meta", "img", "br", "hr", "link", "input", "col", "area", "base", "wbr", "source"}


class Page(HTMLParser):
    """Collects tags, ids, links and image sources, and checks tags are balanced."""

    def __init__(self, text: str):
        super().__init__()
        self.stack, self.errors, self.ids, self.links, self.images = [], [], set(), [], []
        self.tags = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        for key in ("href", "src"):
            if key in attrs:
                (self.images if tag == "img" else self.links).append(attrs[key])
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")


def journey_scenario():
    return small_scenario(
        plans=[
            {"name": "standard"},
            {
                "name": "overlap",
                "policies": {"renewal_credit": ["ae", "csm"]},
                "components": [
                    {"type": "bookings_commission", "rate": 0.07},
                    {"type": "deployment_holdback", "share": 0.5},
                    {"type": "renewal_commission", "rate": 0.02, "csm_rate": 0.01},
                    {"type": "grr_bonus", "target_bonus": 5000.0},
                ],
            },
        ]
    )


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    result = sim.run(journey_scenario(), replications=8, seed=5)
    out = tmp_path_factory.mktemp("run") / "out"
    write_run(result, out, command="sim run small.toml -n 8", xlsx=True)
    return result, out


def test_report_is_valid_self_contained_html_with_every_figure(run_folder):
    result, out = run_folder
    text = (out / "report.html").read_text(encoding="utf-8")
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>")
    assert not page.errors and not page.stack, page.errors or page.stack
    for name in FIGURES:
        assert f"fig-{name}" in page.ids, name
    assert "headline" in page.ids and "ote" in page.ids
    assert page.images and all(src.startswith("data:image/png;base64,") for src in page.images)
    for src in page.images:
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(link.startswith("#") for link in page.links), page.links
    assert "<script" not in text and "@import" not in text and "url(" not in text
    assert "sim run small.toml -n 8" in text and str(result.seed) in text
    assert "overlap" in text and "pt [" in text  # the plain-language changes


def test_run_folder_holds_every_table_and_the_workbook(run_folder):
    result, out = run_folder
    comparison = pd.read_csv(out / "comparison.csv")
    assert list(comparison.columns[:9]) == [
        "plan",
        "baseline",
        "metric",
        "diff",
        "diff_ci_low",
        "diff_ci_high",
        "rel_change",
        "p_better",
        "n",
    ]
    assert set(comparison.baseline) == {"standard"}
    pay = pd.read_csv(out / "winners_losers.csv")
    assert sorted(set(pay.skill_decile)) == list(range(1, 11))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["baseline"] == "standard" and "common_random_numbers" in manifest
    inherited = manifest["defaults_used"]["settings"]  # nothing a plan inherits is silent
    assert inherited['plans["standard"].base_salary'] == 75_000.0
    assert inherited['plans["overlap"].components["bookings_commission"].basis'] == "acv"
    book = pd.read_excel(out / "results.xlsx", sheet_name=None)
    assert {"Summary", "By year", "Comparison", "Replications", "Assumptions"} <= set(book)
    assert len(book["Replications"]) == len(result.replications)


def test_ownership_matrix_places_every_staged_dollar_and_shows_gaps_and_overlaps(run_folder):
    result, _ = run_folder
    matrix = ownership_matrix(result)
    assert len(matrix) == 2 * len(ROLES) * len(STAGES)
    cell = matrix.set_index(["plan", "role", "stage"]).dollars
    assert (matrix[matrix.role.isin(["onboarding", "support"])].dollars == 0).all()
    assert cell["overlap", "AE", "renewal"] > 0 and cell["overlap", "CSM", "renewal"] > 0
    assert cell["overlap", "AE", "onboarding"] > 0 and cell["overlap", "AE", "conversion"] > 0
    assert cell["standard", "AE", "conversion"] > 0
    means = result.replications.groupby("plan").mean(numeric_only=True)
    for plan in ("standard", "overlap"):
        staged = [
            c
            for c in means.columns
            if c.startswith("comp_cost_")
            and c != "comp_cost_ratio"
            and not c.startswith("comp_cost_role_")
            and c[len("comp_cost_") :] not in NOT_STAGED
        ]
        total = matrix[matrix.plan == plan].dollars.sum()
        assert total == pytest.approx(means.loc[plan, staged].sum(), rel=1e-9), plan


def test_strategy_mix_is_skipped_with_a_note_when_the_run_records_no_strategies(run_folder):
    result, _ = run_folder
    recorded = [c for c in plots.STRATEGY_COLUMNS if c in result.replications]
    assert recorded, "the metrics record chosen strategies"
    bare = dataclasses.replace(result, replications=result.replications.drop(columns=recorded))
    assert plots.strategy_figure(bare.summary()) is None
    text = render_report(bare, analyze(bare))
    page = Page(text)
    assert "fig-strategy" not in page.ids and "strategy" in page.ids and not page.errors
    assert "recorded no chosen strategies" in text


def test_the_page_is_the_same_to_the_byte_whatever_the_jobs_drawing_it(run_folder):
    """Figures are drawn over the run's workers; each figure whole in one process, so
    the page must not depend on how many (nor on a session's matplotlib settings,
    which worker processes do not share: a notebook's style must not leak in)."""
    result, out = run_folder
    analysis = analyze(result)
    command = "sim run small.toml -n 8"
    serial = render_report(result, analysis, command, jobs=1)
    assert serial == (out / "report.html").read_text(encoding="utf-8")
    assert render_report(result, analysis, command, jobs=2) == serial
    with matplotlib.rc_context({"font.size": 19.0, "axes.facecolor": "red", "lines.linewidth": 4}):
        assert render_report(result, analysis, command, jobs=1) == serial


def test_figures_are_drawn_over_the_runs_jobs_when_plans_are_many(run_folder, monkeypatch):
    """A few plans' figures take about a second: workers would take longer to start."""
    result, _ = run_folder
    on_two = dataclasses.replace(result, jobs=2)
    asked = []
    drawn = plots.render_pngs
    monkeypatch.setattr(plots, "render_pngs", lambda f, jobs: asked.append(jobs) or drawn(f, 1))
    render_report(on_two, analyze(on_two))
    monkeypatch.setattr(report_html, "PARALLEL_FROM_PLANS", len(result.plans))
    render_report(on_two, analyze(on_two))
    render_report(on_two, analyze(on_two), jobs=1)
    assert asked == [1, 2, 1]


def test_strategy_caption_names_every_panel_the_figure_draws(run_folder):
    """The figure drew an effort panel its caption did not name (audit of session 8)."""
    result, out = run_folder
    text = (out / "report.html").read_text(encoding="utf-8")
    caption = text.split('id="fig-strategy"', 1)[1].split("</figcaption>", 1)[0]
    summary = analyze(result).summary
    panels = plots.strategy_panels(summary, timing=False)
    assert "chosen_effort" in panels and "quarter_end_share" not in panels
    figure = plots.strategy_figure(summary, timing=False)
    assert len(figure.axes) == len(panels)
    for ax in figure.axes:
        assert ax.get_title().removesuffix(" chosen") in caption, ax.get_title()
    assert "that panel is left out" in caption
    with_timing = plots.strategy_panels(summary, timing=True)
    assert with_timing == [*panels, "quarter_end_share"]
    caption = strategy_caption(with_timing, timing=True)
    assert caption.endswith(
        "effort and the share of deals closed in a quarter's last month (timing games)."
    )


def test_headline_units_read_as_the_numbers_under_them(run_folder):
    """Rates are shown in % (91.4%), so their column says %, not 'fraction'."""
    _, out = run_folder
    text = (out / "report.html").read_text(encoding="utf-8")
    head = text.split('<table id="headline">', 1)[1].split("</tr>", 1)[0]
    assert "fraction" not in head
    assert "grr<br><span class='ci'>%</span>" in head
    assert "comp_cost_ratio<br><span class='ci'>% of revenue</span>" in head
    assert "rep_attrition<br><span class='ci'>%/yr</span>" in head


def test_frontier_keeps_only_plans_nobody_beats_on_cost_and_revenue():
    cost = pd.Series({"a": 1.0, "b": 2.0, "c": 2.0, "d": 3.0})
    revenue = pd.Series({"a": 10.0, "b": 12.0, "c": 11.0, "d": 12.0})
    assert plots.efficient_plans(cost, revenue) == ["a", "b"]


TINY = """
extends = "{default}"
name = "tiny"
[simulation]
chunk_size = 4
[company]
n_reps = 6
n_csms = 2
months = 24
burn_in_months = 3
[initial_book]
customers = 60
[[plans]]
name = "standard"
[[plans.components]]
type = "bookings_commission"
rate = 0.10
[[plans]]
name = "richer"
[[plans.components]]
type = "bookings_commission"
rate = 0.12
"""


def test_sim_run_writes_the_report_with_the_chosen_baseline(tmp_path):
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(TINY.format(default=(ROOT / "scenarios" / "default.toml").as_posix()))
    out = tmp_path / "res"
    done = sim_main(
        "run",
        scenario,
        "-n",
        "4",
        "--baseline",
        "richer",
        "--out",
        out,
        "--precision",
        "0.5",
        "--max-replications",
        "8",
        "--xlsx",
    )
    assert done.returncode == 0, done.stderr
    assert "Against richer" in done.stdout and "report.html" in done.stdout
    assert set(pd.read_csv(out / "comparison.csv").baseline) == {"richer"}
    assert "Baseline: <b>richer</b>" in (out / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["precision"]["target"] == 0.5
    assert manifest["precision"]["replications_used"] == manifest["replications"] <= 8
    assert (out / "results.xlsx").exists()


def test_max_replications_needs_precision(capsys):
    assert main(["run", "scenarios/default.toml", "--max-replications", "5"]) == 2
    assert "--max-replications needs --precision" in capsys.readouterr().err
    assert main(["run", "scenarios/default.toml", "--precision", "2"]) == 2


def test_the_page_names_choice_models_short_of_convergence(tmp_path, run_folder):
    """The console warns when a plan's choice model did not converge; a forwarded page
    must say so too, naming the plan and why its intervals leave that error out."""
    path = tmp_path / "strict.toml"
    path.write_text(
        f'extends = "{(ROOT / "scenarios" / "default.toml").as_posix()}"\nname = "strict"\n'
        "[company]\nn_reps = 6\n[behavior]\nmax_payoff_replications = 8\n"
        "choice_tolerance = 0.0001\n"
    )
    done = sim_main("run", path, "-n", "2", "-q", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    page = " ".join((tmp_path / "out" / "report.html").read_text().split())
    assert '<div class="warn"><p><b>Choice models short of convergence:</b>' in page
    assert "the reps' choices of <b>standard</b> (halves differ by" in page
    assert "max_payoff_replications = 8 belief-world markets" in page
    assert "the intervals on this page do not include it" in page
    converged = (run_folder[1] / "report.html").read_text()
    assert "Choice models short" not in converged


def test_a_chance_is_never_shown_as_0_or_100_percent_unless_it_is():
    """Chances are shown to the whole percent, but the upper end of a Wilson interval
    when none of 1,000 company-runs broke a limit (0.38%) read as '0% [0%, 0%]',
    certainly never."""
    from sim.report.finance import format_cell
    from sim.report.table import chance

    shown = {v: chance(v) for v in (0.0, 0.0004, 0.0038, 0.0123, 0.5, 0.9961, 0.9996, 1.0)}
    assert shown == {
        0.0: "0%",
        0.0004: "<0.1%",
        0.0038: "0.4%",
        0.0123: "1%",
        0.5: "50%",
        0.9961: "99.6%",
        0.9996: ">99.9%",
        1.0: "100%",
    }
    assert format_cell(0.0038, "probability") == "0.4%"
