"""Every report figure is readable: no text beyond the figure's edge, no two tick
labels of an axis alike or touching. Measured with matplotlib's renderer on the
figures as the reports draw them (one plan, several plans, sweeps, budgets, the
optimizer), and on the cases that were broken: a long title on a one-plan figure,
fit thresholds of a few hundredths, nine sweep points a half-percent apart."""

import itertools

import numpy as np
import pandas as pd
import pytest
from helpers import sim_main, small_scenario, small_scenario_file
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

import sim
from sim.analysis import analyze
from sim.budget import Target
from sim.report import fpa_figures, plots
from sim.report.journey import ownership_matrix
from sim.report.table import WIDTH, format_value, sweep_table
from sim.scenario.paths import unit_of

RATE = "plans.standard.components.0.rate"


def layout_problems(fig: Figure) -> list[str]:
    """What makes `fig` hard to read, as drawn: a text beyond the figure's edge, an
    axis whose tick labels repeat or touch."""
    renderer = plots.renderer(fig)
    edge = fig.bbox
    problems, undrawn = [], _undrawn_tick_labels(fig)
    for text in fig.findobj(Text):
        shown = text.get_visible() and text.get_text().strip() and id(text) not in undrawn
        if not shown or (text.axes is not None and not text.axes.get_visible()):
            continue
        box = text.get_window_extent(renderer)
        if not (edge.x0 <= box.x0 and box.x1 <= edge.x1 and edge.y0 <= box.y0 <= box.y1 <= edge.y1):
            problems.append(f"text {text.get_text()!r} runs beyond the figure")
    for ax in fig.axes:
        if ax.get_visible():
            problems += _tick_problems(ax, renderer)
    return problems


def _undrawn_tick_labels(fig: Figure) -> set[int]:
    """The labels of ticks outside their axis's view, which matplotlib does not draw."""
    undrawn = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = 1e-9 * (high - low)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - slack <= tick.get_loc() <= high + slack:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    return undrawn


def _tick_problems(ax, renderer) -> list[str]:
    problems = []
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        low, high = sorted(axis.get_view_interval())
        slack = 1e-9 * (high - low)
        labels = [
            tick.label1
            for tick in axis.get_major_ticks()
            if low - slack <= tick.get_loc() <= high + slack
            and tick.label1.get_visible()
            and tick.label1.get_text()
        ]
        texts = [label.get_text() for label in labels]
        if len(set(texts)) < len(texts):
            problems.append(f"{ax.get_title()!r}: {name} tick labels repeat: {texts}")
        boxes = [label.get_window_extent(renderer) for label in labels]
        start = (lambda b: b.x0) if name == "x" else (lambda b: b.y0)
        for a, b in itertools.pairwise(sorted(boxes, key=start)):
            if a.overlaps(b):
                problems.append(f"{ax.get_title()!r}: {name} tick labels touch: {texts}")
                break
    return problems


def test_the_check_finds_a_cut_title_and_repeated_or_touching_ticks():
    fig, ax = plots.subplots(1, 1, (4, 3))
    fig.suptitle("a title far too long for a figure four inches wide, cut at both ends")
    ax.set_xlim(0, 0.02)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.2f}"))  # the old format
    ax.set_ylim(0.08, 0.12)
    ax.set_yticks(np.linspace(0.08, 0.12, 41))
    found = layout_problems(fig)
    assert any("runs beyond the figure" in p for p in found), found
    assert any("x tick labels repeat" in p for p in found), found
    assert any("y tick labels touch" in p for p in found), found


@pytest.fixture(scope="module")
def runs():
    one = sim.run(small_scenario(), replications=6, seed=3)
    several = sim.run(
        small_scenario(
            plans=[
                {"name": "standard"},
                {
                    "name": "holdback_and_renewals",
                    "components": [
                        {"type": "bookings_commission", "rate": 0.07},
                        {"type": "deployment_holdback", "share": 0.5},
                        {"type": "renewal_commission", "rate": 0.02, "csm_rate": 0.01},
                    ],
                },
                {"name": "richer", "components": [{"type": "bookings_commission", "rate": 0.14}]},
            ]
        ),
        replications=6,
        seed=3,
    )
    return {"one plan": one, "three plans": several}


def run_figures(result) -> dict[str, Figure]:
    """Every figure of a run's report.html (`sim.report.html._figures`)."""
    analysis = analyze(result)
    figures = {
        "frontier": plots.frontier_figure(analysis.summary, analysis.comparison, analysis.baseline),
        "arr": plots.arr_figure(result.arr_by_month, analysis.baseline),
        "arr difference": plots.arr_difference_figure(result.arr_by_month, analysis.baseline),
        "distributions": plots.distributions_figure(result.replications),
        "components": plots.components_figure(result.replications),
        "strategy": plots.strategy_figure(analysis.summary),
        "attainment": plots.attainment_figure(result.rep_year_parts()),
        "ownership": plots.ownership_figure(ownership_matrix(result)),
        "winners": plots.winners_losers_figure(analysis.winners_losers),
    }
    return {name: fig for name, fig in figures.items() if fig is not None}


@pytest.mark.parametrize("case", ["one plan", "three plans"])
def test_every_run_figure_keeps_its_text_inside_and_its_ticks_apart(runs, case):
    figures = run_figures(runs[case])
    assert {"frontier", "arr", "distributions", "components", "ownership"} <= set(figures)
    for name, fig in figures.items():
        assert not layout_problems(fig), (name, layout_problems(fig))


def test_the_ownership_title_fits_a_one_plan_figure():
    matrix = pd.DataFrame(
        [("standard", role, stage, 1.6e6 if (role, stage) == ("AE", "conversion") else 0.0)
         for role in plots.ROLES for stage in plots.STAGES],
        columns=["plan", "role", "stage", "dollars"],
    )  # fmt: skip
    fig = plots.ownership_figure(matrix)
    assert fig.get_figwidth() < 6  # one plan: the narrowest the report draws
    assert not layout_problems(fig), layout_problems(fig)
    assert "nobody paid" in fig.get_suptitle()  # the colours are still explained


def _strategy_summary(thresholds: dict[str, float]) -> pd.DataFrame:
    rows = []
    for plan, value in thresholds.items():
        for name, mean in (("chosen_discount", 0.11), ("chosen_fit_threshold", value)):
            rows.append((plan, name, mean, 0.95 * mean, 1.05 * mean))
    return pd.DataFrame(rows, columns=["plan", "metric", "mean", "ci_low", "ci_high"])


@pytest.mark.parametrize("top", [0.003, 0.02, 0.27, 0.9])
def test_strategy_mix_fit_threshold_ticks_are_distinct(top):
    fig = plots.strategy_figure(_strategy_summary({"standard": top, "other": top / 3}))
    fit = next(ax for ax in fig.axes if ax.get_title() == "fit threshold chosen")
    low, high = fit.get_xlim()
    plots.renderer(fig)
    texts = [
        t.get_text()
        for loc, t in zip(fit.get_xticks(), fit.get_xticklabels(), strict=True)
        if low <= loc <= high
    ]
    assert len(texts) >= 3 and len(set(texts)) == len(texts), texts
    assert not layout_problems(fig), layout_problems(fig)


def _sweep_table(values, plans=("standard",)) -> pd.DataFrame:
    rows = []
    for point, (value, plan) in enumerate(itertools.product(values, plans)):
        for name, mean in (("revenue", 4e7 + 1e8 * point), ("comp_cost_ratio", 0.07)):
            rows.append((point, value, plan, name, mean, 0.97 * mean, 1.03 * mean))
    return pd.DataFrame(
        rows, columns=["point", RATE, "plan", "metric", "mean", "ci_low", "ci_high"]
    )


@pytest.mark.parametrize(
    "values, unit",
    [
        (list(np.linspace(0.08, 0.12, 9)), "fraction of basis"),  # was 0.0800.0850.0900...
        ([0.05, 0.06, 0.0625, 0.15], "fraction of basis"),  # too close for a tick each
        ([60_000, 75_000, 90_000], "$/yr"),
        (list(range(1, 25)), "months"),
        ([5, 6.8, 8], "opportunities/rep/month"),
        (["rep", "team", "company", "a much longer category name"], ""),
        (["upfront_bookings", "overlap_renewal_credit", "success_team_veto", "x"], ""),
    ],
)
def test_sweep_response_curves_have_readable_ticks(values, unit):
    fig = fpa_figures.sweep_figure(_sweep_table(values), [RATE], x_unit=unit)
    assert not layout_problems(fig), layout_problems(fig)


def test_a_few_swept_values_are_the_ticks_and_the_axis_is_in_the_unit():
    table = _sweep_table([0.08, 0.1, 0.12])
    fig = fpa_figures.sweep_figure(table, [RATE], x_unit="fraction of basis")
    ax = fig.axes[0]
    plots.renderer(fig)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["8%", "10%", "12%"]
    assert ax.get_xlabel() == "rate (% of basis)"
    assert fpa_figures.setting_label("plans.standard.base_salary", "$/yr") == "base_salary ($/yr)"
    assert fpa_figures.setting_label("reps.skill.mean", "same as the parameter") == "mean"


def test_unit_of_a_path_is_the_schema_unit():
    scenario = small_scenario()
    assert unit_of(scenario, RATE) == "fraction of basis"
    assert unit_of(scenario, "plans.standard.components.bookings_commission.rate") == (
        "fraction of basis"
    )
    assert unit_of(scenario, "plans.0.base_salary") == "$/yr"
    assert unit_of(scenario, "market.opportunities_per_rep_month") == "opportunities/rep/month"


def test_budget_and_optimizer_figures_are_readable():
    evaluations = pd.DataFrame(
        {
            "plan": ["standard"] * 4 + ["a_plan_with_a_long_name"] * 4,
            "scale": [1.0, 0.0, 2.0, 1.4, 1.0, 0.0, 2.0, 1.7],
            "statistic": [0.074, 0.05, 0.099, 0.09, 0.078, 0.05, 0.111, 0.09],
        }
    )
    target = Target("comp_ratio", 0.09)
    fig = fpa_figures.budget_trace_figure(
        evaluations, {"standard": 1.4, "a_plan_with_a_long_name": 1.7}, target
    )
    assert not layout_problems(fig), layout_problems(fig)
    rng = np.random.default_rng(1)
    n = 12
    search = pd.DataFrame(
        {
            "evaluation": np.arange(1, n + 1),
            "comp_cost_ratio": rng.uniform(0.07, 0.095, n),
            "revenue": rng.uniform(3e7, 6.5e7, n),
            "feasible": rng.uniform(size=n) < 0.7,
        }
    )
    search["best_search"] = search.revenue == search.revenue[search.feasible].max()
    fig = fpa_figures.frontier_figure(search, "revenue", True, 0.09)
    assert not layout_problems(fig), layout_problems(fig)
    # the plan as written is named clipped only when it was moved into the levers' box
    labels = [text.get_text() for text in fig.legends[0].get_texts()]
    assert "as written" in labels and not any("clipped" in label for label in labels)
    fig = fpa_figures.frontier_figure(search, "revenue", True, 0.09, clipped=True)
    assert "as written, clipped into the box" in [t.get_text() for t in fig.legends[0].get_texts()]


def test_sweep_table_lists_every_point_with_its_means_in_100_columns():
    table = _sweep_table(list(np.linspace(0.08, 0.12, 9)), plans=("standard", "other"))
    text = sweep_table(table, [RATE])
    lines = text.splitlines()
    assert max(map(len, lines)) <= WIDTH
    assert sum(line.startswith("rate=0.085 other") for line in lines) == 1
    first = next(line for line in lines if line.startswith("rate=0.08 standard"))
    assert "$40.0M ±1.2M" in first  # the first point's revenue, its CI ±3%


def test_sim_sweep_prints_its_table_unless_quiet(tmp_path):
    small = small_scenario_file(tmp_path)
    args = ("sweep", small, "--set", f"{RATE}=0.08,0.12", "-n", "2", "--seed", "4")
    shown = sim_main(*args, "--out", tmp_path / "a")
    assert shown.returncode == 0, shown.stderr
    table = pd.read_csv(tmp_path / "a" / "sweep.csv")
    revenue = table[table.metric == "revenue"].set_index(RATE)["mean"]
    lines = shown.stdout.splitlines()
    for value, label in ((0.08, "rate=0.08 "), (0.12, "rate=0.12 ")):
        row = next(line for line in lines if line.startswith(label))
        assert format_value(revenue[value], "$") in row
    table_lines = lines[1 : lines.index(next(x for x in lines if x.startswith("wrote ")))]
    assert len(table_lines) > 4 and max(map(len, lines)) <= WIDTH  # the files' line too
    quiet = sim_main(*args, "--out", tmp_path / "b", "-q")
    assert quiet.returncode == 0 and quiet.stdout == ""


@pytest.mark.parametrize(
    "kind, ticks, labels",
    [
        ("number", [0, 0.005, 0.01, 0.015, 0.02], ["0.000", "0.005", "0.010", "0.015", "0.020"]),
        ("fraction", [0.08, 0.085, 0.09], ["8.0%", "8.5%", "9.0%"]),
        ("fraction", [1 / 30, 2 / 30, 3 / 30], ["3.3%", "6.7%", "10.0%"]),  # no round label
        ("money", [3.0e6, 3.2e6], ["$3.0M", "$3.2M"]),
        ("money", [-5e4, 0, 5e4], ["-$50K", "$0K", "$50K"]),
        ("number", [1000, 1500, 2000], ["1,000", "1,500", "2,000"]),
    ],
)
def test_tick_labels_take_the_fewest_decimals_that_tell_them_apart(kind, ticks, labels):
    formatter = plots.TickFormatter(kind)
    formatter.set_locs(ticks)
    assert [formatter(t) for t in ticks] == labels


@pytest.mark.parametrize("seed", [0, 1])
def test_histogram_columns_draw_the_pixels_of_bars(seed):
    """The attainment histograms draw their bins as one collection (`_columns`) for
    speed: the same PNG as `Axes.bar`, with empty and sliver bins, on any scale."""
    rng = np.random.default_rng(seed)
    edges = plots.ATTAINMENT_BINS
    heights = rng.exponential(0.02, len(edges) - 1) * (rng.random(len(edges) - 1) > 0.2)
    heights[:3] = [0.0, 1e-5, 0.0]
    pictures = []
    for as_collection in (False, True):
        fig, ax = plots.subplots(1, 1, (4, 3))
        if as_collection:
            ax.add_collection(plots._columns(edges[:-1], heights, np.diff(edges), "#1f77b4"))
        else:
            ax.bar(edges[:-1], heights, width=np.diff(edges), align="edge", color="#1f77b4")
        ax.axvline(1.0, color="0.3", lw=0.8, ls="--")
        pictures.append(plots.png(fig))
    assert pictures[0] == pictures[1]
