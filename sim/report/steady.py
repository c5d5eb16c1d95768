"""The report's view of steadiness: the warm-up used, and each headline change year by
year, with a warning naming every change that still moves (see `sim.steadiness`)."""

from __future__ import annotations

import html
import textwrap

import pandas as pd

from sim.metrics import HEADLINE
from sim.report.narrative import label, signed
from sim.steadiness import not_steady


def esc(text) -> str:
    return html.escape(str(text))


def warm_up_text(meta: dict) -> str:
    """E.g. "after a 35-month warm-up (auto: revenue_realization's 24-month pay tail
    plus 11 months of ramp and pipeline)"."""
    record = meta.get("warm_up")
    if not record:
        return ""
    months, tail = record["months"], record["longest_plan_tail"]
    if record["setting"] == "auto":
        lead = record["parts"]["ramp"] + record["parts"]["pipeline"]
        longest = max(tail["months"], record["parts"]["pay_memory"])
        why = (
            f"{tail['plan']}'s {tail['months']}-month pay tail"
            if tail["plan"] and tail["months"] >= record["parts"]["pay_memory"]
            else f"{longest} months of pay memory"
        )
        return (
            f"after a {months}-month warm-up (auto: {why} plus {lead} months of ramp and pipeline)"
        )
    return f"after a {months}-month warm-up (set in the scenario)"


def _moves(row) -> str:
    unit = " pt" if row.unit == "pt" else "%"
    return (
        f"{label(row.metric)} {signed(100 * row.first)}{unit} in year {row.first_year}, "
        f"{signed(100 * row.last)}{unit} in year {row.last_year}"
    )


def still_moving(changes: pd.DataFrame) -> dict[str, list[str]]:
    """Plan -> the changes that are not steady, as text."""
    out: dict[str, list[str]] = {}
    for row in not_steady(changes).itertuples():
        out.setdefault(row.plan, []).append(_moves(row))
    return out


def console_text(result, analysis, width: int) -> str:
    """The warm-up line, its warning if any, and the changes still moving."""
    lines = []
    warning = (result.meta.get("warm_up") or {}).get("warning")
    if warning:
        lines += textwrap.wrap(f"WARNING: {warning}", width)
    moving = still_moving(analysis.changes_by_year)
    if moving:
        count = sum(len(v) for v in moving.values())
        lines += textwrap.wrap(
            f"Still moving: {count} headline changes differ between the first and last "
            "year by more than their 95% intervals allow and by 1 point or more "
            "(changes_by_year.csv; report):",
            width,
        )
        for plan, items in moving.items():
            lines += textwrap.wrap(
                f"{plan}: " + "; ".join(items) + ".",
                width,
                initial_indent="  ",
                subsequent_indent="      ",
            )
    return "\n".join(lines)


def warning_html(result, analysis) -> str:
    """A box above the answer: a warm-up shorter than the plans need, and every
    change still moving, named."""
    parts = []
    warning = (result.meta.get("warm_up") or {}).get("warning")
    if warning:
        parts.append(f"<p><b>Warm-up too short:</b> {esc(warning)}.</p>")
    moving = still_moving(analysis.changes_by_year)
    if moving:
        items = "".join(
            f"<li><b>{esc(plan)}</b>: {esc('; '.join(v))}.</li>" for plan, v in moving.items()
        )
        parts.append(
            "<p><b>Still moving:</b> these changes differ between the first and last "
            "reported year by more than their 95% intervals allow (and by 1 point or "
            "more), so the horizon average "
            "is not the long-run effect (see <a href='#by-year'>year by year</a>):</p>"
            f"<ul>{items}</ul>"
        )
    if not parts:
        return ""
    return f'<div class="warn">{"".join(parts)}</div>'


def book_text(meta: dict) -> str:
    """What the warm-up cannot settle: the installed base's compounding, and the plans
    whose pay grows with it."""
    record = meta.get("warm_up")
    if not record:
        return ""
    paid = record.get("pays_on_installed_base") or {}
    named = "; ".join(f"{plan} ({', '.join(kinds)})" for plan, kinds in paid.items())
    return (
        f"The company has been selling for {record['months']} months when reporting "
        "starts (the warm-up), with a fixed sales team and a growing customer book. "
        "What a plan does to that book (revenue, ending ARR, GRR, NRR) compounds over "
        "customer lifetimes of about ten years, so those changes depend on the "
        "company's age and may keep moving past the horizon"
        + (f"; so does the cost of plans paying on the whole book: {named}" if named else "")
        + "."
    )


def by_year_section(analysis, meta: dict | None = None) -> str:
    """Each plan's change from the baseline per headline metric, first year to last
    year; changes still moving are marked."""
    table = analysis.changes_by_year
    if table.empty:
        return ""
    years = sorted(table.year.unique())
    metrics = [m for m in HEADLINE if m in set(table.metric)]
    cells = table.set_index(["plan", "metric", "year"])
    head = "".join(f"<th>{esc(label(m))}</th>" for m in metrics)
    rows = []
    for plan in dict.fromkeys(table.plan):
        out = [f'<td class="name">{esc(plan)}</td>']
        for m in metrics:
            values = [cells.loc[(plan, m, y)] for y in years]
            unit = " pt" if values[0].unit == "pt" else "%"
            text = " &rarr; ".join(f"{signed(100 * v.change)}" for v in values) + unit
            steady = bool(values[0].steady)
            css = "" if steady else ' class="moving"'
            out.append(f"<td{css}>{text}</td>")
        rows.append("<tr>" + "".join(out) + "</tr>")
    span = f"year {years[0]}" + (f" to year {years[-1]}" if len(years) > 1 else "")
    return (
        '<h2 id="by-year">Year by year: is each change steady?</h2>\n'
        f'<p class="note">The paired change against {esc(analysis.baseline)} in each '
        f"reported year, {span} (% for money and counts, pt for rates). "
        "<span class='moving'>Highlighted</span>: the first and last year differ by more "
        "than their 95% intervals allow and by 1 point or more, so the change is still "
        "moving: a late-arriving "
        "cost or an effect that compounds (ARR). Data: changes_by_year.csv.</p>\n"
        + (f'<p class="note">{esc(book_text(meta))}</p>\n' if meta and book_text(meta) else "")
        + f'<div class="scroll"><table><tr><th class="name">plan</th>{head}</tr>'
        + "".join(rows)
        + "</table></div>"
    )
