"""The figures of a run's report, drawn with matplotlib's headless Agg backend.

Each `*_figure` function takes analysis tables (or the run) and returns a
matplotlib Figure, or None when it has nothing to show; `png` renders one to
bytes. Figures are built with `matplotlib.figure.Figure` directly, never through
pyplot: they render with the Agg raster backend whatever the session's backend
is, need no display, keep no global state and are freed with the object.
Figures are sized to the number of plans and drawn at a modest resolution.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, FuncFormatter, MaxNLocator

from sim.metrics import HEADLINE, metric
from sim.report.journey import ROLES, STAGES

DPI = 90
STRATEGY_COLUMNS = {
    "chosen_discount": "discount chosen",
    "chosen_overforecast": "overforecast chosen",
    "chosen_fit_threshold": "fit threshold chosen",
    "quarter_end_share": "share of deals closed at quarter end",
}
NOT_COMPONENTS = ("comp_cost_ratio", "comp_cost_role_")


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


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
    return fig, fig.subplots(nrows, ncols, gridspec_kw=grid, **kwargs)


def label_width(labels, fontsize: float = 8) -> float:
    """Inches a column of tick labels needs."""
    return 0.25 + 0.075 * fontsize / 8 * max((len(str(x)) for x in labels), default=4)


def colors(plans: list[str]) -> dict[str, tuple]:
    cmap = colormaps["tab20" if len(plans) > 10 else "tab10"]
    return {p: cmap(i % cmap.N) for i, p in enumerate(plans)}


def axis_format(unit: str) -> FuncFormatter:
    """Tick labels in the metric's unit: $M/$K for money, % for fractions."""
    if unit.startswith("$"):
        return TickFormatter("money")
    if unit.startswith("fraction"):
        return TickFormatter("fraction")
    return FuncFormatter(lambda v, _: f"{v:,.3g}")


class TickFormatter(Formatter):
    """Ticks with the fewest decimals (0 to 3) that show every tick of the axis
    exactly, the same for all of them ($3.0M, $3.2M; 8.0%, 8.5%): money in $K or $M,
    fractions in %."""

    def __init__(self, kind: str):
        self.kind, self.scale, self.suffix, self.places = kind, 1.0, "", 0

    def set_locs(self, locs):
        super().set_locs(locs)
        locs = np.asarray(locs, float)
        if self.kind == "money":
            big = np.abs(locs).max() if len(locs) else 0.0
            self.scale, self.suffix = (1e6, "M") if big >= 1e6 else (1e3, "K")
        else:
            self.scale, self.suffix = 0.01, "%"
        scaled = locs / self.scale
        self.places = next(
            (d for d in range(3) if np.allclose(scaled, np.round(scaled, d), atol=1e-9)), 3
        )

    def __call__(self, value, pos=None):
        text = f"{abs(value) / self.scale:.{self.places}f}{self.suffix}"
        sign = "-" if value < 0 and float(text.rstrip("%MK")) != 0 else ""
        return f"{sign}${text}" if self.kind == "money" else f"{sign}{text}"


def _plan_height(n_plans: int) -> float:
    return 0.28 * n_plans + 1.0


# --- Distributions ----------------------------------------------------------------------


def distributions_figure(replications: pd.DataFrame, metrics=HEADLINE) -> Figure:
    """One panel per headline metric: each plan's spread over replications (box P25-P75,
    whiskers P10-P90, line median, dot mean)."""
    plans = list(dict.fromkeys(replications.plan))
    metrics = [m for m in metrics if m in replications]
    ncols = 4
    nrows = -(-len(metrics) // ncols)
    height = nrows * _plan_height(len(plans)) + (nrows - 1) * 0.6 + 0.75
    fig, axes = subplots(
        nrows,
        ncols,
        (15, height),
        (label_width(plans), 0.3, 0.35, 0.4),
        (0.2, 0.6),
        sharey=True,
        squeeze=False,
    )
    groups = {p: g for p, g in replications.groupby("plan", sort=False)}
    y = np.arange(len(plans))
    for ax, name in zip(axes.flat, metrics, strict=False):
        q = np.array([_quantiles(groups[p][name].to_numpy(float)) for p in plans])
        ax.barh(y, q[:, 3] - q[:, 1], left=q[:, 1], height=0.6, color="#c6dbef", ec="#4292c6")
        ax.hlines(y, q[:, 0], q[:, 4], color="#4292c6", lw=1)
        ax.vlines(q[:, 2], y - 0.3, y + 0.3, color="#08519c", lw=1.5)
        ax.plot(q[:, 5], y, "o", color="black", ms=3)
        ax.set_title(name, fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(4))
        ax.xaxis.set_major_formatter(axis_format(metric(name).unit))
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes.flat[len(metrics) :]:
        ax.set_visible(False)
    axes[0, 0].set_yticks(y, plans)
    axes[0, 0].invert_yaxis()
    return fig


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
    """Each plan's mean comp cost against mean revenue, numbered (the legend names
    them); error bars are the 95% paired CIs of its differences from the baseline;
    the efficient frontier is drawn and ringed."""
    plans = list(dict.fromkeys(summary.plan))
    means = summary.pivot(index="plan", columns="metric", values="mean").loc[plans]
    frontier = efficient_plans(means[x], means[y])
    names = {
        plan: f"{number} {plan}"
        + (" (baseline)" if plan == baseline else "")
        + (" *" if plan in frontier else "")
        for number, plan in enumerate(plans, start=1)
    }
    legend = label_width([*names.values(), "efficient frontier"]) + 0.6
    fig, ax = subplots(1, 1, (11 + legend, 6.5), (0.9, legend, 0.2, 0.6))
    palette = colors(plans)
    diffs = comparison.set_index(["plan", "metric"])
    ax.plot(
        means.loc[frontier, x],
        means.loc[frontier, y],
        "-",
        color="tab:green",
        lw=6,
        alpha=0.25,
        solid_capstyle="round",
        label="efficient frontier",
    )
    for number, plan in enumerate(plans, start=1):
        errors = {}
        if plan != baseline:
            errors = {"xerr": _err(diffs.loc[(plan, x)]), "yerr": _err(diffs.loc[(plan, y)])}
        name = names[plan]
        ax.errorbar(
            means.at[plan, x],
            means.at[plan, y],
            fmt="o",
            color=palette[plan],
            ms=9 if plan == baseline else 6,
            capsize=2,
            label=name,
            mec="black" if plan == baseline else palette[plan],
            **errors,
        )
        ax.annotate(
            str(number),
            (means.at[plan, x], means.at[plan, y]),
            xytext=(4, 3),
            textcoords="offset points",
            fontsize=8,
            fontweight="bold",
        )
    ax.set_xlabel(f"{x} (mean, $/yr)")
    ax.set_ylabel(f"{y} (mean, $/yr)")
    ax.xaxis.set_major_formatter(axis_format("$"))
    ax.yaxis.set_major_formatter(axis_format("$"))
    ax.grid(alpha=0.3)
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=8,
        title="* on the frontier",
        title_fontsize=8,
    )
    return fig


def _err(row: pd.Series) -> np.ndarray:
    return np.array(
        [[max(row["diff"] - row.diff_ci_low, 0)], [max(row.diff_ci_high - row["diff"], 0)]]
    )


# --- ARR over time ----------------------------------------------------------------------


def arr_figure(arr_by_month: dict[str, np.ndarray], baseline: str) -> Figure:
    """Left: ending ARR by month, median and P10-P90 band per plan. Right: the paired
    difference from the baseline, median and P10-P90 over replications."""
    plans = list(arr_by_month)
    palette = colors(plans)
    legend_rows = -(-len(plans) // 5)
    panels = 2 if len(plans) > 1 else 1  # a difference needs a second plan
    size = (15 if panels == 2 else 8, 5.0 + 0.2 * legend_rows)
    margins = (0.9, 0.2, 0.4, 0.8 + 0.2 * legend_rows)
    fig, axes = subplots(1, panels, size, margins, (1.1, 0), squeeze=False)
    left = axes[0, 0]
    base = arr_by_month[baseline]
    _bands(left, arr_by_month, palette)
    left.set_title("ARR at month end: median, P10-P90 band", fontsize=10)
    if panels == 2:
        right = axes[0, 1]
        others = {p: arr - base for p, arr in arr_by_month.items() if p != baseline}
        _bands(right, others, palette)
        right.axhline(0, color="black", lw=0.8)
        right.set_title(f"ARR minus {baseline} (same company-runs): median, P10-P90", fontsize=10)
    for ax in axes[0]:
        ax.set_xlabel("month of the horizon")
        ax.yaxis.set_major_formatter(axis_format("$"))
        ax.grid(alpha=0.3)
    fig.legend(
        *left.get_legend_handles_labels(),
        loc="lower center",
        ncol=min(len(plans), 5),
        fontsize=8,
        frameon=False,
    )
    return fig


def _bands(ax, series: dict[str, np.ndarray], palette) -> None:
    """Median line and P10-P90 band over replications of each (replications, months)."""
    for plan, values in series.items():
        months = np.arange(1, values.shape[1] + 1)
        p10, p50, p90 = np.percentile(values, [10, 50, 90], axis=0)
        ax.plot(months, p50, color=palette[plan], lw=1.5, label=plan)
        ax.fill_between(months, p10, p90, color=palette[plan], alpha=0.1, lw=0)


# --- Strategy mix -----------------------------------------------------------------------


def strategy_figure(summary: pd.DataFrame) -> Figure | None:
    """Mean strategy each plan induces (with 95% CI), for the strategy columns the run
    recorded; None when it recorded none (e.g. fixed given strategies)."""
    present = [c for c in STRATEGY_COLUMNS if c in set(summary.metric)]
    if not present:
        return None
    plans = list(dict.fromkeys(summary.plan))
    palette = colors(plans)
    fig, axes = subplots(
        1,
        len(present),
        (3.5 * len(present) + label_width(plans), _plan_height(len(plans)) + 0.4),
        (label_width(plans), 0.3, 0.35, 0.45),
        (0.55, 0),
        sharey=True,
        squeeze=False,
    )
    for ax, name in zip(axes[0], present, strict=True):
        rows = summary[summary.metric == name].set_index("plan").loc[plans]
        y = np.arange(len(plans))
        err = np.vstack([rows["mean"] - rows.ci_low, rows.ci_high - rows["mean"]]).clip(min=0)
        ax.barh(
            y, rows["mean"], xerr=np.nan_to_num(err), color=[palette[p] for p in plans], capsize=2
        )
        ax.set_title(STRATEGY_COLUMNS[name], fontsize=10)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.xaxis.set_major_formatter(TickFormatter("fraction"))
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


def components_figure(replications: pd.DataFrame) -> Figure:
    """Mean comp cost per year of each plan, stacked by component (negative lines,
    such as clawbacks, to the left of zero)."""
    plans = list(dict.fromkeys(replications.plan))
    means = replications.groupby("plan", sort=False).mean(numeric_only=True).loc[plans]
    columns = [c for c in component_columns(means.columns) if (means[c].abs() > 0).any()]
    cmap = colormaps["tab20"]
    size = (13, _plan_height(len(plans)) + 0.5)
    fig, ax = subplots(1, 1, size, (label_width(plans), 2.6, 0.2, 0.6))
    y = np.arange(len(plans))
    right = np.zeros(len(plans))
    left = np.zeros(len(plans))
    for i, column in enumerate(columns):
        values = means[column].to_numpy(float)
        start = np.where(values >= 0, right, left + values)
        ax.barh(
            y,
            np.abs(values),
            left=start,
            color=cmap(i % 20),
            label=column[len("comp_cost_") :],
            height=0.7,
        )
        right += np.where(values >= 0, values, 0)
        left += np.where(values < 0, values, 0)
    ax.set_yticks(y, plans)
    ax.invert_yaxis()
    ax.axvline(0, color="black", lw=0.8)
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
    size = (5.2 * ncols, 2.5 * nrows)
    fig, axes = subplots(nrows, ncols, size, (0.9, 0.1, 0.3, 0.45), (1.1, 0.8), squeeze=False)
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
    size = (12, 0.38 * len(plans) + 1.2)
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
    fig.colorbar(image, ax=ax, label="% change in annual pay", shrink=0.8)
    return fig
