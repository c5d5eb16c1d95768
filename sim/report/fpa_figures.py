"""Figures of the FP&A pages: sweep response curves, plans at equal budget, and the
optimizer's efficient frontier. Drawn headless like every report figure
(`sim.report.plots`)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.metrics import metric
from sim.report.plots import axis_format, colors, label_width, subplots

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


def sweep_figure(table: pd.DataFrame, axes: list[str], metrics=SWEEP_METRICS) -> Figure:
    """Each metric against the first swept setting: one line per plan (and per value
    of any other swept setting), the band its 95% CI."""
    metrics = [m for m in metrics if m in set(table.metric)]
    x_key, others = axes[0], axes[1:]
    series = table.groupby(["plan", *others], sort=False) if others else table.groupby("plan")
    names = [_series_name(key, others) for key, _ in series]
    palette = colors(names)
    numeric = pd.api.types.is_numeric_dtype(table[x_key])
    categories = list(dict.fromkeys(table[x_key]))
    legend = label_width(names) + 0.4
    cols = min(4, len(metrics))
    rows = int(np.ceil(len(metrics) / cols))
    fig, grid = subplots(
        rows, cols, (3.4 * cols + legend, 2.9 * rows + 0.4), (0.8, legend, 0.3, 0.7), (0.75, 0.75)
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
        if not numeric:
            ax.set_xticks(range(len(categories)), [str(c) for c in categories])
        ax.set_xlabel(x_key.split(".")[-1], fontsize=8)
    for ax in panels[len(metrics) :]:
        ax.set_visible(False)
    handles, labels = panels[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper right", fontsize=7, frameon=False)
    return fig


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
