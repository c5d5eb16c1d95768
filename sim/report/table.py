"""The compact console table `sim run` prints: mean and 95% CI per plan."""

from __future__ import annotations

import math

import pandas as pd

from sim.metrics import HEADLINE, metric


def format_value(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if unit.startswith("$"):
        return _money(value)
    if unit.startswith("fraction"):
        return f"{100 * value:.1f}%"
    return f"{value:,.1f}"


def _money(value: float) -> str:
    size = abs(value)
    if size >= 1e9:
        return f"${value / 1e9:.2f}B"
    if size >= 1e6:
        return f"${value / 1e6:.2f}M"
    if size >= 1e3:
        return f"${value / 1e3:.1f}K"
    return f"${value:.0f}"


def headline_table(summary: pd.DataFrame, metrics: tuple[str, ...] = HEADLINE) -> str:
    """Rows: metrics; columns: plans; cells: 'mean [low, high]'."""
    plans = list(dict.fromkeys(summary["plan"]))
    rows = []
    for name in metrics:
        unit = metric(name).unit
        cells = []
        for plan in plans:
            row = summary[(summary.plan == plan) & (summary.metric == name)]
            if row.empty:
                cells.append("")
                continue
            r = row.iloc[0]
            cells.append(
                f"{format_value(r['mean'], unit)} "
                f"[{format_value(r['ci_low'], unit)}, {format_value(r['ci_high'], unit)}]"
            )
        rows.append([name, *cells])
    widths = [max(len(str(x)) for x in col) for col in zip(["metric", *plans], *rows, strict=True)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True))  # noqa: E731
    out = [line(["metric", *plans]), line(["-" * w for w in widths])]
    out += [line(r) for r in rows]
    return "\n".join(out)


def ote_table(check) -> str:
    """The OTE check as text: stated OTE, payout at 100% attainment, simulated pay."""
    lines = [
        "OTE check (AE, $/yr): stated | plan pays at 100% attainment | "
        "simulated mean pay of full-year reps [95% CI]"
    ]
    width = max(len(p) for p in check.plan)
    for row in check.itertuples():
        lines.append(
            f"  {row.plan.ljust(width)}  {_money(row.ote)} | {_money(row.payout_at_100)} | "
            f"{_money(row.simulated_mean_pay)} [{_money(row.simulated_ci_low)}, "
            f"{_money(row.simulated_ci_high)}]"
        )
    return "\n".join(lines)
