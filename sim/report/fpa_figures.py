"""Figures of the FP&A pages: sweep response curves, plans at equal budget, and the
optimizer's efficient frontier. Drawn headless like every report figure
(`sim.report.plots`)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, MaxNLocator

from sim.metrics import metric
from sim.report.plots import axis_format, colors, label_width, subplots, wrap

SWEEP_METRICS = (
    "revenue",
    "new_arr",
    "ending_arr",
    "grr",
    "comp_cost",
    "comp_cost_ratio",
    "operating_margin",
    "over_comp_limit",
)


def _unit_format(ax, name: str, axis: str = "y") -> None:
    try:
        unit = metric(name).unit
    except KeyError:
        return
    fmt = axis_format("fraction" if unit == "probability" else unit)
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def sweep_figure(
    table: pd.DataFrame, axes: list[str], metrics=SWEEP_METRICS, x_unit: str = ""
) -> Figure:
    """Each metric against the first swept setting (in `x_unit`, its schema unit): one
    line per plan (and per value of any other swept setting), the band its 95% CI."""
    metrics = [m for m in metrics if m in set(table.metric)]
    x_key, others = axes[0], axes[1:]
    series = table.groupby(["plan", *others], sort=False) if others else table.groupby("plan")
    names = [_series_name(key, others) for key, _ in series]
    palette = colors(names)
    numeric = pd.api.types.is_numeric_dtype(table[x_key]) and not (
        pd.api.types.is_bool_dtype(table[x_key])
    )
    categories = list(dict.fromkeys(table[x_key]))
    legend = label_width(names) + 0.4
    cols = min(4, len(metrics))
    rows = int(np.ceil(len(metrics) / cols))
    x_label = "\n".join(wrap(setting_label(x_key, x_unit), PANEL_WIDTH, 8))
    ticks = category_labels(categories, PANEL_WIDTH) if not numeric else []
    lines = x_label.count("\n") + max((t.count("\n") for t in ticks), default=0)
    extra = 0.13 * lines  # room for a wrapped label's and wrapped ticks' further lines
    fig, grid = subplots(
        rows,
        cols,
        (3.4 * cols + legend, (2.9 + extra) * rows + 0.4),
        (0.8, legend, 0.3, 0.7 + extra),
        (0.75, 0.75 + extra),
    )
    panels = np.atleast_1d(grid).ravel()
    for ax, name in zip(panels, metrics, strict=False):
        for (_, group), series_name in zip(series, names, strict=True):
            rows_ = group[group.metric == name]
            x = rows_[x_key] if numeric else rows_[x_key].map(categories.index)
            color = palette[series_name]
            ax.plot(x, rows_["mean"], "o-", color=color, ms=3, lw=1.3, label=series_name)
            ax.fill_between(x, rows_.ci_low, rows_.ci_high, color=color, alpha=0.2, lw=0)
        ax.set_title(name, fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        _unit_format(ax, name)
        if numeric:
            setting_axis(ax.xaxis, x_unit, table[x_key])
        else:
            ax.set_xticks(range(len(categories)), ticks)
        ax.set_xlabel(x_label, fontsize=8)
    for ax in panels[len(metrics) :]:
        ax.set_visible(False)
    handles, labels = panels[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", fontsize=7, frameon=False)
    return fig


def setting_axis(axis, unit: str, values: pd.Series) -> None:
    """A swept setting's axis, labelled in the setting's unit ($, %, or as is): a tick
    at each value swept when they are few and far enough apart to be read, else at most
    5 round ticks (whole numbers for a whole-number setting: months, counts)."""
    points = np.unique(values.to_numpy(float))
    span = points[-1] - points[0]
    if 1 < len(points) <= 6 and np.diff(points).min() >= 0.12 * span:
        axis.set_major_locator(FixedLocator(points))
    else:
        whole = pd.api.types.is_integer_dtype(values) or unit in WHOLE_UNITS
        axis.set_major_locator(MaxNLocator(5, integer=whole))
    axis.set_major_formatter(axis_format(unit))


PANEL_WIDTH = 2.6  # inches of a response curve's axes


WHOLE_UNITS = ("months", "days", "seats", "people", "accounts", "agents", "rounds", "bins")


def setting_label(key: str, unit: str) -> str:
    """A swept setting's axis label: its last key and its unit, e.g. 'rate (% of basis)'."""
    for share in ("fraction", "probability"):  # shown in % by `axis_format`
        if unit.startswith(share):
            unit = "%" + unit[len(share) :]
    name = key.split(".")[-1]
    return f"{name} ({unit})" if unit not in UNITLESS else name


UNITLESS = ("", "1", "same as the parameter", "choice", "flag")  # no unit worth a label


def category_labels(categories: list, width: float, fontsize: float = 7) -> list[str]:
    """Category values as tick labels that share an axis `width` inches wide without
    touching: each cut into lines (at spaces, or within a long word) to fit its slot."""
    slot = width / max(len(categories), 1)
    chars = max(4, int(slot * 72 / (0.6 * fontsize)) - 1)
    return ["\n".join(textwrap.wrap(str(c), chars)) or str(c) for c in categories]


def _series_name(key, others: list[str]) -> str:
    if not others:
        return str(key if not isinstance(key, tuple) else key[0])
    plan, *values = key if isinstance(key, tuple) else (key,)
    rest = ", ".join(f"{k.split('.')[-1]}={v:g}" for k, v in zip(others, values, strict=True))
    return f"{plan} ({rest})"


def budget_trace_figure(evaluations: pd.DataFrame, scales: dict[str, float], target) -> Figure:
    """The root finder's path: the target statistic at every scale evaluated, per plan,
    against the target line; a ring marks the scale found."""
    plans = list(dict.fromkeys(evaluations.plan))
    palette = colors(plans)
    legend = label_width(plans) + 0.5
    fig, ax = subplots(1, 1, (9 + legend, 5.2), (0.9, legend, 0.3, 0.6))
    for plan in plans:
        rows = evaluations[evaluations.plan == plan].sort_values("scale")
        ax.plot(rows.scale, rows.statistic, "o-", color=palette[plan], ms=3, lw=1, label=plan)
        found = rows.iloc[(rows.scale - scales[plan]).abs().argmin()]
        ax.plot(found.scale, found.statistic, "o", ms=9, mfc="none", mec=palette[plan], mew=1.5)
    ax.axhline(target.value, color="black", lw=1, ls="--", label="target")
    ax.set_xlabel("scale of variable pay (1 = the plan as written)")
    ax.set_ylabel(target.describe().split(" = ")[0])
    ax.yaxis.set_major_formatter(axis_format("fraction"))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    return fig


def pareto(cost: np.ndarray, value: np.ndarray, maximize: bool = True) -> np.ndarray:
    """Indices of the points no other point beats on both (lower cost, better value),
    from the cheapest up."""
    better = value if maximize else -value
    order = np.lexsort((-better, cost))
    front, best = [], -np.inf
    for i in order:
        if better[i] > best:
            front.append(i)
            best = better[i]
    return np.array(front, dtype=int)


def frontier_figure(
    evaluations: pd.DataFrame, objective: str, maximize: bool, bound=None, clipped=False
) -> Figure:
    """Every search evaluation's objective against its comp cost ratio: feasible points
    filled, infeasible hollow, the efficient frontier as a line, the best setting a
    star and the plan as written a diamond (the first evaluation: `clipped` when the
    plan as written lies outside the levers' box, and was moved into it); a dashed line
    at a comp-cost-ratio bound."""
    fig, (left, right) = subplots(1, 2, (13, 5.3), (0.9, 0.3, 0.6, 0.6), (0.9, 0.5))
    x, y = evaluations["comp_cost_ratio"].to_numpy(), evaluations[objective].to_numpy()
    ok = evaluations["feasible"].to_numpy(bool)
    front = pareto(x, y, maximize)
    left.plot(
        x[front], y[front], "-", color="tab:green", lw=5, alpha=0.3, label="efficient frontier"
    )
    left.plot(x[ok], y[ok], "o", color="tab:blue", ms=5, label="feasible")
    left.plot(x[~ok], y[~ok], "o", mfc="none", mec="grey", ms=5, label="infeasible")
    written = "as written, clipped into the box" if clipped else "as written"
    left.plot(x[0], y[0], "D", color="black", ms=7, mfc="none", label=written)
    best = evaluations["best_search"].to_numpy(bool)
    if best.any():
        left.plot(x[best], y[best], "*", color="tab:red", ms=14, label="best")
    if bound is not None:
        left.axvline(bound, color="black", ls="--", lw=1, label="comp cost ratio bound")
    left.set_xlabel("comp cost ratio (mean)")
    left.set_ylabel(objective)
    left.xaxis.set_major_formatter(axis_format("fraction"))
    _unit_format(left, objective.split(":")[-1])
    left.grid(alpha=0.3)
    order = evaluations["evaluation"].to_numpy()
    pick = np.maximum.accumulate if maximize else np.minimum.accumulate
    so_far = pick(np.where(ok, y, -np.inf if maximize else np.inf))
    right.plot(order[ok], y[ok], "o", color="tab:blue", ms=4, alpha=0.6)
    right.plot(order[~ok], y[~ok], "o", mfc="none", mec="grey", ms=4)
    right.step(order, so_far, where="post", color="tab:red", label="best feasible so far")
    right.set_xlabel("evaluation")
    right.set_ylabel(objective)
    right.xaxis.set_major_locator(MaxNLocator(10, integer=True))
    _unit_format(right, objective.split(":")[-1])
    right.grid(alpha=0.3)
    # one legend for both panels, above them: inside, it would cover points
    (handles, labels), (more, names) = (
        left.get_legend_handles_labels(),
        right.get_legend_handles_labels(),
    )
    fig.legend(
        handles + more,
        labels + names,
        loc="upper center",
        ncols=len(labels) + len(names),
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, 1.0),
    )
    return fig
