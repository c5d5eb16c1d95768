"""The figures of a run's report, drawn with matplotlib's headless Agg backend.

Each `*_figure` function takes analysis tables (or the run) and returns a
matplotlib Figure, or None when it has nothing to show; `png` renders one to
bytes. Figures are built with `matplotlib.figure.Figure` directly, never through
pyplot: they render with the Agg raster backend whatever the session's backend
is, need no display, keep no global state and are freed with the object.
Figures are sized to the number of plans and drawn at a modest resolution.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd
from matplotlib import colormaps, rc_context, rcParams, rcParamsOrig
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import Formatter, MaxNLocator

from sim.analysis import Replications, as_columns, plan_means
from sim.metrics import HEADLINE, metric
from sim.report.journey import ROLES, STAGES
from sim.report.labels import label_line_ends, label_points

DPI = 90
# strategy metric -> (panel title, axis label with unit, tick format)
STRATEGY_COLUMNS = {
    "chosen_discount": ("discount chosen", "% of list price", "fraction"),
    "chosen_overforecast": ("overforecast chosen", "% of true need", "fraction"),
    "chosen_fit_threshold": ("fit threshold chosen", "ICP-fit score (0 to 1)", "number"),
    "chosen_effort": ("effort chosen", "x normal activity", "number"),
    "quarter_end_share": ("deals closed in a quarter's last month", "% of deals won", "fraction"),
}
TIMING_ONLY = ("quarter_end_share",)  # structurally 1/3 unless reps play timing games
NOT_COMPONENTS = ("comp_cost_ratio", "comp_cost_role_")


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def render_pngs(figures: list[tuple[Callable, tuple]], jobs: int = 1) -> list[bytes | None]:
    """PNG bytes of each figure `draw(*args)` of `figures` (None where `draw` gives no
    figure), in order. With `jobs` above 1 they are drawn in that many worker processes
    (joblib; the run's own workers when still up), each figure whole in one of them, so
    the bytes are the same whatever `jobs`: every figure is drawn with matplotlib's
    settings as loaded, not as a session may have changed them since. `args` should be
    small (figures' data, reduced): it is sent to a worker."""
    if jobs <= 1 or len(figures) <= 1:
        return [draw_png(draw, args) for draw, args in figures]
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=min(jobs, len(figures)), batch_size=1)
    return parallel(delayed(draw_png)(draw, args) for draw, args in figures)


def draw_png(draw: Callable, args: tuple) -> bytes | None:
    """`draw(*args)` as PNG bytes (None for no figure), with matplotlib's settings as
    loaded (its matplotlibrc), whatever a session has changed since."""
    changed = {
        key: value
        for key, value in rcParamsOrig.items()
        if key not in SESSION_SETTINGS and rcParams[key] != value
    }
    with rc_context(changed) if changed else contextlib.nullcontext():
        fig = draw(*args)
        return None if fig is None else png(fig)


SESSION_SETTINGS = ("backend", "backend_fallback", "interactive")  # not drawing settings


def renderer(fig: Figure):
    """The figure drawn (without rasterizing) on an Agg canvas at the PNG's resolution,
    and that canvas's renderer: where every text of it lands in the PNG (text is
    hinted to whole pixels, so a measure at another resolution differs a little)."""
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.set_dpi(DPI)
    fig.draw_without_rendering()
    return fig.canvas.get_renderer()


def subplots(
    nrows=1, ncols=1, size=(10, 6), margins=(0.9, 0.3, 0.4, 0.6), gaps=(0.5, 0.5), **kwargs
):
    """A headless figure and its axes (as pyplot.subplots, without pyplot), laid out
    once with fixed margins: `size` (width, height), `margins` (left, right, top,
    bottom) and `gaps` (between columns, between rows), all in inches. Fixed
    margins mean the figure is drawn once, not measured and redrawn."""
    width, height = size
    left, right, top, bottom = margins
    axis_width = (width - left - right - (ncols - 1) * gaps[0]) / ncols
    axis_height = (height - top - bottom - (nrows - 1) * gaps[1]) / nrows
    fig = Figure(figsize=size)
    grid = {
        "left": left / width,
        "right": 1 - right / width,
        "top": 1 - top / height,
        "bottom": bottom / height,
        "wspace": gaps[0] / axis_width,
        "hspace": gaps[1] / axis_height,
    }
    # Titles sit at the top of their axes (no figure puts ticks or an offset text
    # above an axes): placed there outright, matplotlib does not measure every axis's
    # tick labels at each draw to see whether a title must move up (a tenth of a
    # report's drawing time; the same pixels).
    with rc_context({"axes.titley": 1.0}):
        axes = fig.subplots(nrows, ncols, gridspec_kw=grid, **kwargs)
    return fig, axes


def label_width(labels, fontsize: float = 8) -> float:
    """Inches a column of tick labels needs."""
    return 0.25 + 0.075 * fontsize / 8 * max((len(str(x)) for x in labels), default=4)


# 20 distinct colours dark enough for text on white: matplotlib's tab10 (olive and cyan
# darkened), then ten that differ from it in hue or lightness (no pastel pairs), so 14+
# plans stay apart; markers add a second cue.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#9a9a00",
    "#0097a7",
    "#000000",
    "#d4a000",
    "#00008b",
    "#6a9f00",
    "#800000",
    "#006060",
    "#f4736a",
    "#5b8fd0",
    "#a0845c",
    "#5f6b7a",
)
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">", "h", "p")


def colors(plans: list[str]) -> dict[str, tuple]:
    """A distinct colour per plan (or per component), in order."""
    return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(plans)}


def markers(plans: list[str]) -> dict[str, str]:
    """A marker per plan; with `colors`, no two of up to 60 plans look alike."""
    return {p: MARKERS[i % len(MARKERS)] for i, p in enumerate(plans)}


def axis_format(unit: str) -> Formatter:
    """Tick labels in a unit: $M/$K for money, % for fractions and probabilities, plain
    numbers otherwise, always with as many decimals as the ticks need to differ."""
    if unit.startswith("$"):
        return TickFormatter("money")
    if unit.startswith(("fraction", "probability")):
        return TickFormatter("fraction")
    return TickFormatter("number")


class TickFormatter(Formatter):
    """Ticks with the fewest decimals that show every tick of the axis exactly, the
    same for all of them ($3.0M, $3.2M; 8.0%, 8.5%; 0.000, 0.005, 0.010), so no two
    ticks read alike: money in $K or $M, fractions in %, numbers as they are."""

    MAX_PLACES = 4

    def __init__(self, kind: str):
        self.kind, self.scale, self.suffix, self.places = kind, 1.0, "", 0

    def set_locs(self, locs):
        super().set_locs(locs)
        locs = np.asarray(locs, float)
        if self.kind == "money":
            big = np.abs(locs).max() if len(locs) else 0.0
            self.scale, self.suffix = (1e6, "M") if big >= 1e6 else (1e3, "K")
        elif self.kind == "fraction":
            self.scale, self.suffix = 0.01, "%"
        scaled = locs / self.scale
        places = range(self.MAX_PLACES + 1)
        exact = (d for d in places if np.allclose(scaled, np.round(scaled, d), rtol=0, atol=1e-9))
        # ticks no round number shows (thirds): a decimal more than tells them apart
        apart = (
            min(d + 1, places[-1]) for d in places if len(set(np.round(scaled, d))) == len(scaled)
        )
        self.places = next(exact, None)
        if self.places is None:
            self.places = next(apart, places[-1])

    def __call__(self, value, pos=None):
        text = f"{abs(value) / self.scale:,.{self.places}f}{self.suffix}"
        sign = "-" if value < 0 and float(text.rstrip("%MK").replace(",", "")) != 0 else ""
        return f"{sign}${text}" if self.kind == "money" else f"{sign}{text}"


def _plan_height(n_plans: int) -> float:
    return 0.28 * n_plans + 1.0


# --- Distributions ----------------------------------------------------------------------


def distributions_figure(replications: Replications, metrics=HEADLINE) -> Figure:
    """One panel per headline metric: each plan's spread over replications (box P25-P75,
    whiskers P10-P90, line median, dot mean). Reads one plan and metric at a time."""
    return draw_distributions(*distribution_quantiles(replications, metrics))


def distribution_quantiles(replications: Replications, metrics=HEADLINE):
    """What `draw_distributions` draws: the plans, and per headline metric the P10,
    P25, P50, P75, P90 and mean of each plan (an array of plans x 6)."""
    columns = as_columns(replications)
    plans = columns.plans
    quantiles = {
        name: np.array([_quantiles(columns.column(p, name)) for p in plans])
        for name in metrics
        if name in columns
    }
    return plans, quantiles


def draw_distributions(plans: list[str], quantiles: dict[str, np.ndarray]) -> Figure:
    metrics = list(quantiles)
    ncols = 4
    nrows = -(-len(metrics) // ncols)
    height = nrows * _plan_height(len(plans)) + (nrows - 1) * 0.8 + 0.95
    fig, axes = subplots(
        nrows,
        ncols,
        (15, height),
        (label_width(plans), 0.3, 0.35, 0.6),
        (0.2, 0.8),
        sharey=True,
        squeeze=False,
    )
    y = np.arange(len(plans))
    for ax, name in zip(axes.flat, metrics, strict=False):
        q = quantiles[name]
        ax.barh(y, q[:, 3] - q[:, 1], left=q[:, 1], height=0.6, color="#c6dbef", ec="#4292c6")
        ax.hlines(y, q[:, 0], q[:, 4], color="#4292c6", lw=1)
        ax.vlines(q[:, 2], y - 0.3, y + 0.3, color="#08519c", lw=1.5)
        ax.plot(q[:, 5], y, "o", color="black", ms=3)
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(unit_label(metric(name).unit), fontsize=8)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(axis_format(metric(name).unit))
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    axes[0, 0].set_yticks(y, plans)
    axes[0, 0].invert_yaxis()
    return fig


def unit_label(unit: str) -> str:
    """A metric's unit as an axis label: fractions in %, e.g. '% of revenue', '%/yr'."""
    return "%" + unit[len("fraction") :] if unit.startswith("fraction") else unit


def _quantiles(values: np.ndarray) -> list[float]:
    """P10, P25, P50, P75, P90 and mean, ignoring NaN (all NaN if none)."""
    values = values[~np.isnan(values)]
    if not len(values):
        return [np.nan] * 6
    return [*np.percentile(values, [10, 25, 50, 75, 90]), float(values.mean())]


# --- Cost versus revenue ----------------------------------------------------------------


def efficient_plans(cost: pd.Series, value: pd.Series) -> list[str]:
    """Plans no other plan beats on both: none costs no more and earns more (or costs
    less and earns as much). Returned from cheapest to dearest."""
    frontier = []
    for plan in cost.sort_values(kind="stable").index:
        dominated = (
            (cost <= cost[plan])
            & (value >= value[plan])
            & ((cost < cost[plan]) | (value > value[plan]))
        ).any()
        if not dominated:
            frontier.append(plan)
    return frontier


def frontier_figure(
    summary: pd.DataFrame,
    comparison: pd.DataFrame,
    baseline: str,
    x: str = "comp_cost",
    y: str = "revenue",
) -> Figure:
    """Each plan's mean comp cost against mean revenue, named beside its point (names
    placed so they do not overlap); error bars are the 95% paired CIs of its
    differences from the baseline; the efficient frontier is drawn as a band."""
    plans = list(dict.fromkeys(summary.plan))
    means = summary.pivot(index="plan", columns="metric", values="mean").loc[plans]
    frontier = efficient_plans(means[x], means[y])
    fig, ax = subplots(1, 1, (12, 7.5), (1.0, 0.3, 0.5, 0.7))
    palette, shapes = colors(plans), markers(plans)
    diffs = comparison.set_index(["plan", "metric"])
    ax.plot(
        means.loc[frontier, x],
        means.loc[frontier, y],
        "-",
        color="tab:green",
        lw=8,
        alpha=0.2,
        solid_capstyle="round",
        label="efficient frontier (no plan beats these on both)",
    )
    bars = []  # error bars, which names must not cover
    for plan in plans:
        errors = {}
        if plan != baseline:
            errors = {"xerr": _err(diffs.loc[(plan, x)]), "yerr": _err(diffs.loc[(plan, y)])}
            cx, cy = means.at[plan, x], means.at[plan, y]
            (left,), (right,) = errors["xerr"]
            (down,), (up,) = errors["yerr"]
            bars += [((cx - left, cy), (cx + right, cy)), ((cx, cy - down), (cx, cy + up))]
        ax.errorbar(
            means.at[plan, x],
            means.at[plan, y],
            fmt=shapes[plan],
            color=palette[plan],
            ms=10 if plan == baseline else 7,
            capsize=2,
            elinewidth=0.8,
            mec="black" if plan == baseline else palette[plan],
            **errors,
        )
    _pad_limits(ax, 0.08)
    names = [
        plan + (" (baseline)" if plan == baseline else "") + (" *" if plan in frontier else "")
        for plan in plans
    ]
    label_points(
        ax,
        means[x].to_numpy(),
        means[y].to_numpy(),
        names,
        [palette[p] for p in plans],
        fontsize=8.5,
        segments=bars,
    )
    ax.set_xlabel(f"{x}: comp cost, cash paid (mean, $/yr)")
    ax.set_ylabel(f"{y}: revenue recognized (mean, $/yr)")
    ax.xaxis.set_major_formatter(axis_format("$"))
    ax.yaxis.set_major_formatter(axis_format("$"))
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8, title="* on the frontier", title_fontsize=8)
    return fig


def _pad_limits(ax, share: float) -> None:
    """Widen both axes by `share` of their span on each side: room for labels."""
    for get, set_ in ((ax.get_xlim, ax.set_xlim), (ax.get_ylim, ax.set_ylim)):
        low, high = get()
        pad = share * (high - low)
        set_(low - pad, high + pad)


def _err(row: pd.Series) -> np.ndarray:
    return np.array(
        [[max(row["diff"] - row.diff_ci_low, 0)], [max(row.diff_ci_high - row["diff"], 0)]]
    )


# --- ARR over time ----------------------------------------------------------------------


BANDS_UP_TO = 4  # more plans than this: median lines only (bands would hide each other)


def arr_figure(arr_by_month: Mapping[str, np.ndarray], baseline: str) -> Figure:
    """ARR at each month end per plan: median line (and P10-P90 band for a few plans),
    each line named at its end."""
    return draw_arr(arr_quantiles(arr_by_month), baseline)


def arr_quantiles(arr_by_month: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Per plan, P10, P50 and P90 over company-runs of ARR at each month end (3 x months)."""
    return {plan: _by_month(values) for plan, values in arr_by_month.items()}


def draw_arr(quantiles: Mapping[str, np.ndarray], baseline: str) -> Figure:
    plans = list(quantiles)
    palette = colors(plans)
    names = [p + (" (baseline)" if p == baseline else "") for p in plans]
    names_width = label_width(names, 8) + 0.6  # the names at the lines' ends, suffix included
    fig, ax = subplots(1, 1, (11 + names_width, 5.5), (1.0, names_width, 0.4, 0.7))
    bands = len(plans) <= BANDS_UP_TO
    ends = []
    for plan, (p10, p50, p90) in quantiles.items():
        months = np.arange(1, len(p50) + 1)
        ax.plot(months, p50, color=palette[plan], lw=2.2 if plan == baseline else 1.4)
        if bands:
            ax.fill_between(months, p10, p90, color=palette[plan], alpha=0.12, lw=0)
        ends.append(p50[-1])
    ax.set_xlim(0.5, months[-1] + 0.5)
    ax.set_title(
        "ARR at month end: median over company-runs"
        + (", P10-P90 band" if bands else " (spread: see the next figure)"),
        fontsize=10,
    )
    ax.set_xlabel("month of the reported horizon")
    ax.set_ylabel("ARR ($)")
    ax.yaxis.set_major_formatter(axis_format("$"))
    ax.grid(alpha=0.3)
    label_line_ends(ax, months[-1], ends, names, [palette[p] for p in plans])
    return fig


def _by_month(values: np.ndarray) -> np.ndarray:
    """P10, P50 and P90 over company-runs of each month of (runs, months) values, a
    month at a time (no sorted copy of the whole array)."""
    return np.array([np.percentile(values[:, m], [10, 50, 90]) for m in range(values.shape[1])]).T


def arr_difference_figure(arr_by_month: Mapping[str, np.ndarray], baseline: str) -> Figure | None:
    """One small panel per plan: its ARR minus the baseline's in the same company-run,
    median and P10-P90 band over company-runs, on a common scale; None for one plan."""
    others = arr_difference_quantiles(arr_by_month, baseline)
    return draw_arr_difference(list(arr_by_month), others, baseline)


def arr_difference_quantiles(
    arr_by_month: Mapping[str, np.ndarray], baseline: str
) -> dict[str, np.ndarray]:
    """Per plan but the baseline, P10, P50 and P90 over company-runs of its ARR minus the
    baseline's in the same company-run (3 x months). Plans are read one at a time
    (`arr_by_month` may read them from disk)."""
    base = arr_by_month[baseline]
    return {p: _by_month(arr_by_month[p] - base) for p in arr_by_month if p != baseline}


def draw_arr_difference(
    plans: list[str], others: Mapping[str, np.ndarray], baseline: str
) -> Figure | None:
    if not others:
        return None
    palette = colors(plans)
    ncols = min(4, len(others))
    nrows = -(-len(others) // ncols)
    fig, axes = subplots(
        nrows,
        ncols,
        (3.6 * ncols + 0.9, 2.3 * nrows + 0.6),
        (1.0, 0.2, 0.35, 0.55),
        (0.25, 0.5),
        sharex=True,
        sharey=True,
        squeeze=False,
    )
    for ax, (plan, (p10, p50, p90)) in zip(axes.flat, others.items(), strict=False):
        months = np.arange(1, len(p50) + 1)
        ax.fill_between(months, p10, p90, color=palette[plan], alpha=0.2, lw=0)
        ax.plot(months, p50, color=palette[plan], lw=1.6)
        ax.axhline(0, color="black", lw=0.7)
        ax.set_title(plan, fontsize=9, color=palette[plan])
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(axis_format("$"))
    for ax in axes.flat[len(others) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel(f"ARR minus {baseline} ($)", fontsize=8)
    for col in range(ncols):
        visible = [ax for ax in axes[:, col] if ax.get_visible()]
        visible[-1].set_xlabel("month", fontsize=8)
        visible[-1].xaxis.set_tick_params(labelbottom=True)
    return fig


# --- Strategy mix -----------------------------------------------------------------------


def strategy_panels(summary: pd.DataFrame, timing: bool = True) -> list[str]:
    """The strategy columns `strategy_figure` draws, in order: those the run recorded,
    the quarter-end share only when reps may play timing games (`timing`), since
    otherwise it is 1/3 by construction."""
    recorded = set(summary.metric)
    return [c for c in STRATEGY_COLUMNS if c in recorded and (timing or c not in TIMING_ONLY)]


def strategy_figure(summary: pd.DataFrame, timing: bool = True) -> Figure | None:
    """Mean strategy each plan induces (with 95% CI), one panel per column of
    `strategy_panels`. None when nothing is left to show."""
    present = strategy_panels(summary, timing)
    if not present:
        return None
    plans = list(dict.fromkeys(summary.plan))
    palette = colors(plans)
    fig, axes = subplots(
        1,
        len(present),
        (3.5 * len(present) + label_width(plans), _plan_height(len(plans)) + 0.8),
        (label_width(plans), 0.3, 0.35, 0.85),
        (0.55, 0),
        sharey=True,
        squeeze=False,
    )
    for ax, name in zip(axes[0], present, strict=True):
        title, unit, kind = STRATEGY_COLUMNS[name]
        rows = summary[summary.metric == name].set_index("plan").loc[plans]
        y = np.arange(len(plans))
        err = np.vstack([rows["mean"] - rows.ci_low, rows.ci_high - rows["mean"]]).clip(min=0)
        ax.barh(
            y, rows["mean"], xerr=np.nan_to_num(err), color=[palette[p] for p in plans], capsize=2
        )
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(f"{unit} (mean, 95% CI)", fontsize=9)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(TickFormatter(kind))
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=8)
    axes[0, 0].set_yticks(np.arange(len(plans)), plans)
    axes[0, 0].invert_yaxis()
    return fig


# --- Comp cost by component -------------------------------------------------------------


def component_columns(columns) -> list[str]:
    comps = [c for c in columns if c.startswith("comp_cost_") and not c.startswith(NOT_COMPONENTS)]
    first = [c for c in ("comp_cost_base_salary", "comp_cost_csm_base_salary") if c in comps]
    return first + [c for c in comps if c not in first]


def components_figure(replications: Replications) -> Figure:
    """Mean comp cost per year of each plan, stacked by component (negative lines,
    such as clawbacks, to the left of zero)."""
    return draw_components(component_means(replications))


def component_means(replications: Replications) -> pd.DataFrame:
    """Each plan's mean cash paid per year by component (plans x comp_cost_<line>)."""
    source = as_columns(replications)
    return plan_means(source, component_columns(source.metrics))


def draw_components(means: pd.DataFrame) -> Figure:
    plans = list(means.index)
    columns = [c for c in component_columns(means.columns) if (means[c].abs() > 0).any()]
    palette = colors(columns)
    size = (13, _plan_height(len(plans)) + 0.5)
    fig, ax = subplots(1, 1, size, (label_width(plans, 10), 2.6, 0.2, 0.6))
    y = np.arange(len(plans))
    right = np.zeros(len(plans))
    left = np.zeros(len(plans))
    for column in columns:
        values = means[column].to_numpy(float)
        start = np.where(values >= 0, right, left + values)
        ax.barh(
            y,
            np.abs(values),
            left=start,
            color=palette[column],
            label=column[len("comp_cost_") :],
            height=0.7,
        )
        right += np.where(values >= 0, values, 0)
        left += np.where(values < 0, values, 0)
    ax.set_yticks(y, plans)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
    ax.use_sticky_edges = False  # a zero-width bar at a stack's end would pin the limit
    ax.margins(x=0.02)
    ax.xaxis.set_major_formatter(axis_format("$"))
    ax.set_xlabel("comp cost, cash paid ($/yr, mean over replications)")
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


# --- Customer-journey ownership ---------------------------------------------------------


def ownership_figure(matrix: pd.DataFrame) -> Figure:
    """One small heat map per plan: roles x journey stages, cash per year in each cell.
    Stage labels in red mark a gap (nobody paid), in orange an overlap (two roles)."""
    plans = list(dict.fromkeys(matrix.plan))
    ncols = min(3, len(plans))
    nrows = -(-len(plans) // ncols)
    width = 5.2 * ncols
    title = wrap(OWNERSHIP_TITLE, width - 0.2, 10)
    top = 0.55 + 0.18 * len(title)  # the title's lines, then the plans' names
    size = (width, 2.5 * nrows + top - 0.3)
    fig, axes = subplots(nrows, ncols, size, (0.9, 0.1, top, 0.45), (1.1, 0.8), squeeze=False)
    fig.suptitle("\n".join(title), fontsize=10, y=1 - 0.1 / size[1], va="top")
    top = max(float(matrix.dollars.max()), 1.0)
    cmap = colormaps["Blues"].with_extremes(bad="#eeeeee")
    for ax, plan in zip(axes.flat, plans, strict=False):
        grid = (
            matrix[matrix.plan == plan]
            .pivot(index="role", columns="stage", values="dollars")
            .loc[list(ROLES), list(STAGES)]
            .to_numpy(float)
        )
        shown = np.where(np.abs(grid) > 0.5, grid, np.nan)
        ax.imshow(shown, cmap=cmap, vmin=0, vmax=top * 1.3, aspect="auto")
        for (i, j), value in np.ndenumerate(grid):
            if abs(value) <= 0.5:
                continue  # grey: nobody paid
            ax.text(
                j,
                i,
                _kilo(value),
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if value > 0.75 * top else "black",
            )
        ax.set_xticks(range(len(STAGES)), [s.replace(" ", "\n") for s in STAGES], fontsize=7.5)
        ax.set_yticks(range(len(ROLES)), ROLES, fontsize=8)
        paid = np.abs(grid) > 0.5
        for j, label in enumerate(ax.get_xticklabels()):
            roles_paid = paid[:, j].sum()
            if roles_paid == 0:
                label.set_color("red")
            elif roles_paid > 1:
                label.set_color("darkorange")
        ax.set_title(plan, fontsize=9)
        ax.tick_params(length=0)
    for ax in axes.flat[len(plans) :]:
        ax.set_visible(False)
    return fig


OWNERSHIP_TITLE = (
    "Cash paid per year ($, mean over company-runs) by role (rows) and customer-journey "
    "stage (columns). Stage in red: nobody paid; in orange: two roles paid."
)


def wrap(text: str, width: float, fontsize: float) -> list[str]:
    """`text` in lines that fit `width` inches at `fontsize` points: a character of
    matplotlib's default font is at most about 0.6 of the size wide on average."""
    return textwrap.wrap(text, max(20, int(width * 72 / (0.6 * fontsize))))


def _kilo(value: float) -> str:
    sign = "-" if value < 0 else ""
    if abs(value) >= 1e6:
        return f"{sign}${abs(value) / 1e6:.1f}M"
    return f"{sign}${abs(value) / 1e3:.0f}K"


# --- Winners and losers -----------------------------------------------------------------


def winners_losers_figure(table: pd.DataFrame) -> Figure | None:
    """Rows: plans; columns: skill deciles of the baseline's reps; cells: % change in a
    rep's annual pay against the baseline (bold where the 95% CI excludes zero)."""
    if table.empty or table.n.sum() == 0:
        return None
    plans = list(dict.fromkeys(table.plan))
    grid = table.pivot(index="plan", columns="skill_decile", values="rel_change").loc[plans]
    sure = (table.diff_ci_low > 0) | (table.diff_ci_high < 0)
    sure = (
        table.assign(sure=sure)
        .pivot(index="plan", columns="skill_decile", values="sure")
        .loc[plans]
    )
    values = 100 * grid.to_numpy(float)
    limit = max(np.nanmax(np.abs(values)) if np.isfinite(values).any() else 1.0, 0.5)
    size = (12, max(0.38 * len(plans) + 1.2, 2.2))  # the colour bar's label needs 2.2
    fig, ax = subplots(1, 1, size, (label_width(plans), 0.2, 0.2, 0.6))
    image = ax.imshow(values, cmap="RdBu", vmin=-limit, vmax=limit, aspect="auto")
    for (i, j), value in np.ndenumerate(values):
        if np.isfinite(value):
            ax.text(
                j,
                i,
                f"{value:+.1f}%",
                ha="center",
                va="center",
                fontsize=7.5,
                fontweight="bold" if sure.iat[i, j] else "normal",
                color="white" if abs(value) > 0.6 * limit else "black",
            )
    ax.set_xticks(range(grid.shape[1]), [f"D{d}" for d in grid.columns], fontsize=8)
    ax.set_yticks(range(len(plans)), plans, fontsize=8)
    ax.set_xlabel("skill decile of the baseline's full-year reps (D1 least skilled, D10 most)")
    bar = fig.colorbar(image, ax=ax, shrink=0.8)
    bar.set_label("% change in\nannual pay", fontsize=9)
    return fig


# --- Final attainment -------------------------------------------------------------------


ATTAINMENT_BINS = np.arange(0.0, 2.55, 0.05)  # x annual quota; 2.5 and beyond: one last bar


def attainment_figure(rep_years, bins: np.ndarray | None = None) -> Figure | None:
    """Histogram of final annual attainment of reps in seat the whole plan year, one
    panel per plan (shared axes), with quota marked: bunching just past quota or a
    tier edge, and a pile-up at a cap, are the signatures of plans reps game.

    `rep_years`: plan -> rep-year arrays, or a function giving such dicts chunk by
    chunk (counted chunk by chunk: exact, without holding every rep-year)."""
    bins = ATTAINMENT_BINS if bins is None else bins
    return draw_attainment(attainment_counts(rep_years, bins), bins)


def draw_attainment(counts: dict[str, tuple], bins: np.ndarray) -> Figure | None:
    top = bins[-1]
    plans = [p for p, (_, _, n) in counts.items() if n]
    if not plans:
        return None
    palette = colors(plans)
    ncols = min(len(plans), 4)
    nrows = int(np.ceil(len(plans) / ncols))
    fig, axes = subplots(
        nrows, ncols, (3.0 * ncols + 0.8, 2.1 * nrows + 0.6), (0.7, 0.2, 0.3, 0.5), (0.35, 0.55),
        sharex=True, sharey=True, squeeze=False,
    )  # fmt: skip
    for ax, plan in zip(axes.flat, plans, strict=False):
        below, above, n = counts[plan]
        share = below / n
        ax.add_collection(_columns(bins[:-1], share, np.diff(bins), palette[plan]))
        beyond = float(above) / n  # the last bar is everything from `top` up
        ax.bar(top, beyond, width=0.1, align="edge", color=palette[plan], hatch="///", alpha=0.5)
        ax.text(top + 0.05, beyond, f"≥{top:g}", ha="center", va="bottom", fontsize=7)
        ax.axvline(1.0, color="0.3", lw=0.8, ls="--")
        ax.set_title(plan, fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        ax.tick_params(labelsize=8)
        ax.yaxis.set_major_formatter(TickFormatter("fraction"))
    for ax in axes.flat[len(plans) :]:
        ax.set_visible(False)
    axes[0, 0].set_ylim(0, axes[0, 0].get_ylim()[1] * 1.12)  # room for the overflow label
    for ax in axes[-1]:
        ax.set_xlabel("final attainment (x annual quota)", fontsize=8)
    for ax in axes[:, 0]:
        ax.set_ylabel("share of rep-years", fontsize=8)
    return fig


def _columns(lefts, heights, widths, color) -> PatchCollection:
    """Bars standing on zero as one collection: the pixels of `Axes.bar(lefts, heights,
    widths, align="edge")` (tested), in a third of the time (`bar` adds and measures one
    patch per bar: 51 per plan). Not for bars with edges: those differ."""
    shapes = zip(lefts, widths, heights, strict=True)
    bars = [Rectangle((x, 0.0), w, h) for x, w, h in shapes]
    collection = PatchCollection(bars, facecolor=color, edgecolor="none", linewidth=0)
    collection.sticky_edges.y.append(0.0)  # as `bar`: the axis starts at zero, no margin
    return collection


def attainment_counts(rep_years, bins: np.ndarray) -> dict[str, tuple]:
    """Per plan: full-year rep-years per attainment bin below the last edge, how many
    reach it or more, and how many in all."""
    parts = rep_years if callable(rep_years) else lambda: iter([rep_years])
    top = bins[-1]
    counts: dict[str, tuple] = {}
    for part in parts():
        for plan, r in part.items():
            att = r["attainment"][r["full_year"].astype(bool)]
            below, above, n = counts.get(plan, (np.zeros(len(bins) - 1, np.int64), 0, 0))
            below = below + np.histogram(att[att < top], bins)[0]
            counts[plan] = (below, above + int((att >= top).sum()), n + len(att))
    return counts
