"""`report.html`: one self-contained page that answers "is plan B better than plan A,
by how much, and how sure are we?".

Everything is inside the file (figures as base64 PNG, styles inline), so it can
be opened anywhere or sent by email. Sections: the answer per plan, the headline
table, the figures, winners and losers, the assumptions, the OTE check, how the
numbers were made, and a footer with what reproduces them.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata

import numpy as np
import pandas as pd

from sim.analysis import RunAnalysis
from sim.choice_model import shortfalls
from sim.metrics import HEADLINE, metric
from sim.report import plots, steady
from sim.report.finance import finance_section
from sim.report.journey import CAPTION as OWNERSHIP_CAPTION
from sim.report.journey import ownership_matrix
from sim.report.narrative import describe, label, plan_answer
from sim.report.table import OTE_NOTE, chance, change_text, estimate_parts, format_value

STYLE = """
body { font-family: -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif; color: #222;
       max-width: 1280px; margin: 24px auto; padding: 0 16px; line-height: 1.4; }
h1 { margin-bottom: 0; }
h2 { border-bottom: 2px solid #ddd; padding-bottom: 4px; margin-top: 36px; }
.sub { color: #666; margin-top: 4px; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: right; vertical-align: top; }
th { background: #f4f6f8; } td.name, th.name { text-align: left; font-weight: 600; }
.ci { color: #777; font-size: 11px; } .delta { font-size: 11px; }
.better { color: #1a7f37; } .worse { color: #c62828; } .unclear, .neutral { color: #777; }
.answer li { margin: 6px 0; } .answer .plan { font-weight: 600; }
figure { margin: 16px 0 28px; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { color: #555; font-size: 13px; max-width: 1100px; }
.scroll { overflow-x: auto; } .note { color: #555; font-size: 13px; }
.warn { background: #fff4e5; border-left: 4px solid #e67e00; padding: 4px 12px; margin: 12px 0; }
.moving { background: #ffe8c2; }
footer { margin-top: 40px; border-top: 1px solid #ddd; padding-top: 8px; color: #555;
         font-size: 12px; }
code { background: #f4f6f8; padding: 1px 4px; border-radius: 3px; }
"""


# A worker process spends about 0.35 s of CPU importing matplotlib before its first
# figure, and more on a busy machine; the figures of one to three plans take 1-1.7 s
# in all (four plans about 2 s, 14 plans 5 s), too little to gain from workers.
PARALLEL_FROM_PLANS = 4


def render_report(
    result, analysis: RunAnalysis, command: str | None = None, jobs: int | None = None
) -> str:
    """The whole page as a string; its figures drawn over `jobs` worker processes
    (default: the run's --jobs when it compares `PARALLEL_FROM_PLANS` plans or more,
    else one), the same bytes whatever `jobs`."""
    if jobs is None:
        jobs = result.jobs if len(result.plans) >= PARALLEL_FROM_PLANS else 1
    figures = _figures(result, analysis, jobs)
    body = [
        _header(result, analysis),
        _answer(result, analysis),
        _headline_table(analysis),
        steady.by_year_section(analysis, result.meta),
        finance_section(result, analysis),
        *figures,
        _why(result),
        _assumptions(result),
        _ote(analysis.ote_check),
        _method(result, analysis),
        _footer(result, command),
    ]
    title = html.escape(f"compsim report: {result.scenario.name}")
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def esc(text) -> str:
    return html.escape(str(text))


def _money(value: float) -> str:
    return format_value(value, "$")


def _header(result, analysis: RunAnalysis) -> str:
    s = result.scenario
    precision = result.meta.get("precision")
    stop = ""
    if precision:
        state = "met" if precision["met"] else "NOT met"
        stop = f"; precision target {100 * precision['target']:g}% {state}"
    return (
        f"<h1>Which pay plan? {esc(s.name)}</h1>\n"
        f'<p class="sub">{esc(s.description)}</p>\n'
        f'<p class="sub">{len(s.plans)} plan(s), each on the same {result.n_replications:,} '
        f"simulated company-runs of {s.company.months} months "
        f"{esc(steady.warm_up_text(result.meta))} (seed {result.seed}{esc(stop)}). "
        f"Baseline: <b>{esc(analysis.baseline)}</b>.</p>\n"
        + steady.warning_html(result, analysis)
        + _choice_model_warning(result)
    )


def _choice_model_warning(result) -> str:
    """A box above the answer naming the plans whose reps' choice models fell short, as
    the console warns: a forwarded page must not hide it."""
    records = result.meta.get("choice_models") or {}
    b = result.scenario.behavior
    falls = {name: shortfalls(r, b) for name, r in records.items()}
    short = {
        name: f"halves differ by {records[name]['split_half_difference']:.3f}"
        for name, (not_converged, _) in falls.items()
        if not_converged
    }
    moving = {
        name: f"moved {records[name]['equilibrium_change']:.1%}"
        for name, (_, unsettled) in falls.items()
        if unsettled
    }
    parts = []
    if short:
        parts.append(
            f"<p><b>Choice models short of convergence:</b> the reps' choices of "
            f"{_named(short)} were estimated on behavior.max_payoff_replications = "
            f"{b.max_payoff_replications} belief-world markets per strategy, and their "
            f"choice probabilities still differ between the two halves of those markets "
            f"by more than choice_tolerance {b.choice_tolerance:g}. That error is shared "
            "by every company-run, so the intervals on this page do not include it: "
            "<code>sim run --behavior-replicates K</code> measures what it moves, and a "
            "larger max_payoff_replications removes it (the console says how large).</p>"
        )
    if moving:
        parts.append(
            f"<p><b>Free-riding fixed point not reached:</b> for {_named(moving)}, the "
            f"shared results reps expect still moved by more than equilibrium_tolerance "
            f"{b.equilibrium_tolerance:.1%} in the last of behavior.equilibrium_iterations "
            f"= {b.equilibrium_iterations} rounds.</p>"
        )
    return f'<div class="warn">{"".join(parts)}</div>\n' if parts else ""


def _named(details: dict[str, str]) -> str:
    """'<b>plan</b> (detail), ...' of each plan and its detail."""
    return ", ".join(f"<b>{esc(name)}</b> ({esc(detail)})" for name, detail in details.items())


# --- The answer ---------------------------------------------------------------------------


def _answer(result, analysis: RunAnalysis) -> str:
    others = [p for p in result.plans if p != analysis.baseline]
    if not others:
        return "<h2>The answer</h2>\n<p>One plan only: nothing to compare with.</p>"
    items = [_answer_item(analysis, plan) for plan in others]
    return (
        "<h2>The answer: each plan against the baseline</h2>\n"
        f'<p class="note">Changes against <b>{esc(analysis.baseline)}</b> on the same '
        "simulated markets, with 95% confidence intervals: money and counts as % change, "
        "rates and shares in percentage points (pt). Every headline metric that is "
        "<span class='worse'>worse</span> (95% CI wholly on the worse side) comes first, "
        "then the <span class='better'>better</span> ones, then those with no clear "
        "change; <b>watch</b> names rep attrition, clawbacks, held pay and rep pay when "
        "they move. P(better): share of the simulated company-runs in which the plan "
        "does better.</p>\n"
        '<ul class="answer">\n' + "\n".join(items) + "\n</ul>\n" + _ranking(analysis)
    )


def _answer_item(analysis: RunAnalysis, plan: str) -> str:
    answer = plan_answer(analysis.comparison, analysis.summary, plan, analysis.baseline)
    parts = []
    worse = answer.groups.get("worse", [])
    if worse:
        listed = ", ".join(f'<span class="worse">{esc(c.text)}</span>' for c in worse)
        parts.append(f"<b class='worse'>Worse on {len(worse)}:</b> {listed}.")
    else:
        parts.append(f"<b class='better'>Worse on no headline metric</b> (of {answer.n_metrics}).")
    better = answer.groups.get("better", [])
    if better:
        listed = ", ".join(f'<span class="better">{esc(c.text)}</span>' for c in better)
        parts.append(f"Better: {listed}.")
    unclear = answer.groups.get("no clear change", [])
    if unclear:
        names = ", ".join(esc(label(c.metric)) for c in unclear)
        parts.append(f'<span class="unclear">No clear change: {names}.</span>')
    if answer.watch:
        parts.append(f"<b>Watch:</b> {esc('; '.join(answer.watch))}.")
    rows = analysis.comparison[analysis.comparison.plan == plan].set_index("metric")
    odds = [
        f"{label} {chance(rows.at[name, 'p_better'])}"
        for name, label in (("revenue", "revenue"), ("comp_cost", "comp cost"), ("grr", "GRR"))
        if name in rows.index and np.isfinite(rows.at[name, "p_better"])
    ]
    odds_note = f' <span class="note">P(better): {esc(", ".join(odds))}.</span>' if odds else ""
    return f'<li><span class="plan">{esc(plan)}</span>: {" ".join(parts)}{odds_note}</li>'


def _ranking(analysis: RunAnalysis) -> str:
    """Plans best first by the objective, plans worse on no headline metric marked."""
    ranking = analysis.ranking
    if ranking.empty:
        return ""
    objective = analysis.objective
    unit = metric(objective).unit
    direction = "higher" if metric(objective).higher_is_better else "lower"
    rows = []
    for r in ranking.itertuples():
        base = r.plan == analysis.baseline
        change = (
            "baseline"
            if base
            else change_text(r.change, r.change_ci_low, r.change_ci_high, r.change_unit)
        )
        worse = ", ".join(label(m) for m in r.worse_metrics.split()) or "none"
        mark = "" if base else "&#10003;" if r.no_headline_worse else ""
        value, ci = estimate_parts(r.mean, r.ci_low, r.ci_high, unit)
        rows.append(
            f'<tr><td>{r.rank}</td><td class="name">{esc(r.plan)}</td>'
            f"<td>{esc(value)} <span class='ci'>{esc(ci)}</span></td>"
            f"<td>{esc(change)}</td><td style='text-align:center'>{mark}</td>"
            f"<td style='text-align:left' class='{'worse' if r.worse_on else ''}'>"
            f"{esc(worse)}</td></tr>"
        )
    shown = "Mean [95% CI]" if unit == "probability" else "Mean &plusmn; 95% CI half-width"
    return (
        f'<h3 id="ranking">Plans ranked by {esc(objective)} ({direction} is better)</h3>\n'
        f'<p class="note">{shown}; change against '
        f"{esc(analysis.baseline)} with its paired 95% CI. &#10003;: worse than "
        f"{esc(analysis.baseline)} on no headline metric. Rank by another metric with "
        "<code>sim run ... --objective METRIC</code>; data: ranking.csv.</p>\n"
        f"<table><tr><th>#</th><th class='name'>plan</th><th>{esc(objective)}</th>"
        f"<th>vs {esc(analysis.baseline)}</th><th>none worse</th>"
        f"<th class='name'>worse on</th></tr>{''.join(rows)}</table>"
    )


def _css(verdict: str) -> str:
    return {"better": "better", "worse": "worse"}.get(verdict, "unclear")


# --- Headline table -----------------------------------------------------------------------


def _headline_table(analysis: RunAnalysis) -> str:
    summary, comparison = analysis.summary, analysis.comparison
    metrics = [m for m in HEADLINE if m in set(summary.metric)]
    plans = list(dict.fromkeys(summary.plan))
    means = summary.set_index(["plan", "metric"])
    diffs = {(r.plan, r.metric): r for _, r in comparison.iterrows()}
    head = "".join(
        f"<th>{esc(m)}<br><span class='ci'>{esc(plots.unit_label(metric(m).unit))}</span></th>"
        for m in metrics
    )
    rows = []
    for plan in plans:
        cells = [
            f'<td class="name">{esc(plan)}{" (baseline)" if plan == analysis.baseline else ""}</td>'
        ]
        for m in metrics:
            r = means.loc[(plan, m)]
            unit = metric(m).unit
            cell = (
                f"{format_value(r['mean'], unit)}<br><span class='ci'>"
                f"[{format_value(r.ci_low, unit)}, {format_value(r.ci_high, unit)}]</span>"
            )
            if (plan, m) in diffs:
                change = describe(diffs[(plan, m)])
                cell += (
                    f'<br><span class="delta {_css(change.verdict)}">{esc(change.change)}</span>'
                )
            cells.append(f"<td>{cell}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return (
        "<h2>Headline metrics</h2>\n"
        '<p class="note">Mean per plan with its 95% confidence interval; under it, the '
        "paired change against the baseline (coloured when its 95% CI excludes no change).</p>\n"
        f'<div class="scroll"><table id="headline"><tr><th class="name">plan</th>{head}</tr>\n'
        + "\n".join(rows)
        + "\n</table></div>"
    )


# --- Figures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Figure:
    """A figure of the report: `draw(*args)` gives it (or None), from data reduced
    here, so it can be drawn in a worker process."""

    title: str
    slug: str
    draw: Callable
    args: tuple
    caption: str
    missing: str | None = None  # the note shown when `draw` gives none; None: no section


# Drawn dearest first (14 plans: about 1 s down to 0.2 s each), so that workers finish
# together.
DRAWING_ORDER = (
    "attainment",
    "arr-difference",
    "distributions",
    "ownership",
    "strategy",
    "frontier",
    "arr",
    "components",
    "winners",
)


def _figures(result, analysis: RunAnalysis, jobs: int = 1) -> list[str]:
    """Every figure of the report as an HTML <figure>, in reading order, drawn over
    `jobs` worker processes (the same bytes whatever `jobs`)."""
    figures = [
        _frontier(analysis),
        _arr(result, analysis),
        _arr_difference(result, analysis),
        _distributions(result),
        _components(result),
        _strategy(result, analysis),
        _attainment(result),
        _ownership(result),
        _winners(analysis),
    ]
    order = sorted(range(len(figures)), key=lambda i: DRAWING_ORDER.index(figures[i].slug))
    pngs = plots.render_pngs([(figures[i].draw, figures[i].args) for i in order], jobs)
    drawn = dict(zip(order, pngs, strict=True))
    return [
        _section(f.title, drawn[i], f.caption if drawn[i] else f.missing, f.slug)
        for i, f in enumerate(figures)
        if drawn[i] is not None or f.missing is not None
    ]


def _section(title: str, figure: bytes | None, caption: str, slug: str) -> str:
    head = f'<h2 id="{slug}">{esc(title)}</h2>\n'
    if figure is None:
        return head + f'<p class="note">{esc(caption)}</p>'
    data = base64.b64encode(figure).decode("ascii")
    return (
        head
        + f'<figure id="fig-{slug}"><img alt="{esc(title)}" src="data:image/png;base64,{data}">'
        f"<figcaption>{esc(caption)}</figcaption></figure>"
    )


def _frontier(analysis: RunAnalysis) -> _Figure:
    caption = (
        "Mean comp cost (cash paid) against mean revenue recognized, per year. Error bars: "
        f"95% paired CI of each plan's difference from {analysis.baseline} (the uncertainty "
        "that matters when choosing between plans run on the same markets). Green band, and * "
        "in the legend: the efficient frontier, plans that no other plan beats on both cost "
        "and revenue."
    )
    args = (analysis.summary, analysis.comparison, analysis.baseline)
    return _Figure("Comp cost against revenue", "frontier", plots.frontier_figure, args, caption)


def _arr(result, analysis: RunAnalysis) -> _Figure:
    bands = len(result.plans) <= plots.BANDS_UP_TO
    caption = (
        "ARR at each month end of the reported horizon, median over company-runs"
        + (" (line) and P10-P90 (band)" if bands else "")
        + "; each line is named at its end."
    )
    args = (plots.arr_quantiles(result.arr_by_month), analysis.baseline)
    return _Figure("ARR over time", "arr", plots.draw_arr, args, caption)


def _arr_difference(result, analysis: RunAnalysis) -> _Figure:
    caption = (
        f"Each plan's ARR minus {analysis.baseline}'s in the same company-run, month by "
        "month: median (line) and P10-P90 (band) of the paired difference, on a common "
        "scale. A band wholly above zero: the plan ends ahead in most simulated futures."
    )
    others = plots.arr_difference_quantiles(result.arr_by_month, analysis.baseline)
    args = (list(result.arr_by_month), others, analysis.baseline)
    title = f"ARR against {analysis.baseline}, plan by plan"
    return _Figure(title, "arr-difference", plots.draw_arr_difference, args, caption)


def _distributions(result) -> _Figure:
    caption = (
        "Spread of each headline metric over company-runs: box P25-P75, whiskers P10-P90, "
        "line median, dot mean. This is what one year-by-year future may look like, not the "
        "uncertainty of the mean."
    )
    args = plots.distribution_quantiles(result.columns())
    title = "Distributions over company-runs"
    return _Figure(title, "distributions", plots.draw_distributions, args, caption)


def _components(result) -> _Figure:
    caption = (
        "Mean cash paid per year by component (comp_cost_<component>), stacked; negative "
        "lines (clawbacks recovered, balances carried out) to the left of zero. The "
        "components sum to comp_cost."
    )
    args = (plots.component_means(result.columns()),)
    return _Figure("Comp cost by component", "components", plots.draw_components, args, caption)


def _strategy(result, analysis: RunAnalysis) -> _Figure:
    timing = bool(getattr(result.scenario.behavior.levers, "timing", True))
    missing = (
        f"Not available for this run: it recorded no chosen strategies (behaviour mode "
        f"'{result.scenario.behavior.mode}'), so there is no strategy mix to compare."
    )
    panels = plots.strategy_panels(analysis.summary, timing)
    caption = _strategy_caption(panels, timing) if panels else missing
    args = (analysis.summary, timing)
    title = "Strategy mix each plan induces"
    return _Figure(title, "strategy", plots.strategy_figure, args, caption, missing)


def _strategy_caption(panels: list[str], timing: bool) -> str:
    """Names every panel the strategy figure draws, in its order (the figure once had
    an effort panel its caption did not name)."""
    shown = [
        "the share of deals closed in a quarter's last month (timing games)"
        if name in plots.TIMING_ONLY
        else plots.STRATEGY_COLUMNS[name][0].removesuffix(" chosen")
        for name in panels
    ]
    listed = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]
    caption = f"Mean strategy chosen by reps under each plan (95% CI): {listed}."
    if not timing:
        caption += (
            " (Reps play no timing games in this scenario, so a third of deals close in a "
            "quarter's last month under every plan: that panel is left out.)"
        )
    return caption


def _attainment(result) -> _Figure:
    caption = (
        "Final annual attainment of reps in seat the whole plan year (share of rep-years per "
        "5% bin; the dashed line is quota). Bunching just past quota or a tier edge, and a "
        "pile-up at a cap, are the signatures of plans reps time their deals against."
    )
    bins = plots.ATTAINMENT_BINS
    args = (plots.attainment_counts(result.rep_year_parts(), bins), bins)
    return _Figure("Final attainment", "attainment", plots.draw_attainment, args, caption, caption)


def _ownership(result) -> _Figure:
    title = "Who is paid at each stage of the customer journey"
    args = (ownership_matrix(result),)
    return _Figure(title, "ownership", plots.ownership_figure, args, OWNERSHIP_CAPTION)


def _winners(analysis: RunAnalysis) -> _Figure:
    caption = (
        f"Change in an AE's annual pay against {analysis.baseline}, by skill decile of the "
        "baseline's reps in seat the whole year. A pair is the same rep in the same seat, "
        "year and company-run under both plans (reps who left under either plan are not "
        "counted). Bold: the 95% CI (clustered by company-run) excludes zero. Red cells "
        "are the reps who lose pay: see them before announcing a plan. Data: winners_losers.csv."
    )
    missing = (
        "One plan only: nothing to compare with."
        if analysis.winners_losers.empty
        else "No rep was in seat a whole plan year under both plans."
    )
    title = "Winners and losers: rep pay by skill decile"
    args = (analysis.winners_losers,)
    return _Figure(title, "winners", plots.winners_losers_figure, args, caption, missing)


# --- Assumptions, OTE check, method, footer -----------------------------------------------


def _why(result, top: int = 4) -> str:
    """For each plan, the strategies a median rep values most: why behaviour moves."""
    table = result.strategy_table()
    if not len(table):
        return ""
    rows = []
    for plan, group in table.groupby("plan", sort=False):
        best = group.head(top)
        cells = "; ".join(
            f"discount {r.discount:.0%}, overforecast {r.overforecast:.0%}, fit &ge; "
            f"{r.fit_threshold:.2f}"
            + (f", timing {esc(r.timing)}" if r.timing != "none" else "")
            + f" (CE {r.certainty_equivalent:.3f} OTE, chosen by {r.choice_share:.0%})"
            for r in best.itertuples()
        )
        rows.append(
            f'<tr><td class="name">{esc(plan)}</td><td style="text-align:left">{cells}</td></tr>'
        )
    return (
        "<h2>Why reps choose what they choose</h2>\n"
        '<p class="sub">The strategies a median rep values most under each plan: its '
        "certainty equivalent of pay (mean minus a risk charge and the felt cost of "
        "overforecasting, in units of annual OTE) and the share of such reps who choose "
        "it. Full table: strategy_ce.csv.</p>\n"
        f"<table>{''.join(rows)}</table>"
    )


def _assumptions(result) -> str:
    s = result.scenario
    facts = [
        (
            "company",
            f"{s.company.n_reps} AE seats, {s.company.n_csms} CSMs, "
            f"{s.initial_book.customers} customers at the start",
        ),
        (
            "horizon",
            f"{s.company.months} months reported "
            + (steady.warm_up_text(result.meta) or f"after {s.warm_up_months} months of warm-up"),
        ),
        (
            "market",
            f"{s.market.opportunities_per_rep_month:g} opportunities per rep per month, "
            f"median need {_money(s.market.need_median)}/yr at list",
        ),
        ("behaviour", f"mode '{s.behavior.mode}'"),
        ("finance", f"gross margin {100 * s.finance.gross_margin:.0f}%"),
    ]
    rows = "".join(
        f'<tr><td class="name">{esc(k)}</td><td style="text-align:left">{esc(v)}</td></tr>'
        for k, v in facts
    )
    plans = "".join(
        f'<tr><td class="name">{esc(p.name)}</td><td>{_money(p.base_salary)}</td>'
        f"<td>{_money(p.ote)}</td><td style='text-align:left'>"
        f"{esc(', '.join(c.type for c in p.components))}</td>"
        f"<td style='text-align:left'>{esc(p.description)}</td></tr>"
        for p in s.plans
    )
    return (
        "<h2>Key assumptions</h2>\n"
        f"<table>{rows}</table>\n"
        "<table><tr><th class='name'>plan</th><th>AE base</th><th>AE OTE</th>"
        f"<th class='name'>components</th><th class='name'>description</th></tr>{plans}</table>"
        "<p class='note'>Every other coefficient is in the scenario file and in "
        "manifest.json.</p>"
    )


def _ote(check: pd.DataFrame) -> str:
    rows = "".join(
        f'<tr><td class="name">{esc(r.plan)}</td><td>{_money(r.ote)}</td>'
        f"<td>{_money(r.payout_at_100)}</td><td>{_money(r.simulated_mean_pay)} "
        f"<span class='ci'>[{_money(r.simulated_ci_low)}, "
        f"{_money(r.simulated_ci_high)}]</span></td>"
        f"<td>{r.simulated_over_payout_at_100:.2f}</td></tr>"
        for r in check.itertuples()
    )
    return (
        '<h2 id="ote">OTE check (AE, $/yr)</h2>\n'
        "<table><tr><th class='name'>plan</th><th>stated OTE</th><th>plan pays at 100% "
        "attainment</th><th>simulated mean pay, full-year reps [95% CI]</th>"
        f"<th>simulated / at 100%</th></tr>{rows}</table>"
        f"<p class='note'>{esc(OTE_NOTE)}</p>"
    )


def _method(result, analysis: RunAnalysis) -> str:
    gain = analysis.crn_gain
    crn = ""
    if len(gain):
        med = gain.groupby("metric", sort=False).variance_removed.median()
        parts = ", ".join(f"{esc(m)} {100 * v:.0f}%" for m, v in med.items() if np.isfinite(v))
        crn = (
            "<p>Common random numbers removed this much of the variance of the differences "
            f"(median over plans): {parts}.</p>"
        )
    precision = result.meta.get("precision")
    stop = ""
    if precision:
        stop = (
            f"<p>Convergence: target {100 * precision['target']:g}% relative CI half-width; "
            f"{'met' if precision['met'] else 'not met'} with {precision['replications_used']:,} "
            f"replications (limit {precision['max_replications']:,}); widest: "
            f"{esc(precision['worst'])} at {100 * precision['worst_relative_half_width']:.2f}%.</p>"
        )
    return (
        "<h2>How to read the numbers</h2>\n<div class='note'>"
        "<p>Every plan is simulated on the same company-runs (the same opportunities, "
        "customers and luck: common random numbers), so replication i of two plans is a "
        "matched pair. A change is the mean of the paired differences with its Student-t "
        "95% interval; relative changes use the delta-method interval for a ratio of means. "
        "P(better) is the share of paired company-runs in which the plan beats the baseline "
        "(ties count half).</p>"
        f"{crn}{stop}</div>"
    )


def _footer(result, command: str | None) -> str:
    try:
        version = metadata.version("compsim")
    except metadata.PackageNotFoundError:  # pragma: no cover
        version = "unknown"
    reproduce = f"<code>{esc(command)}</code>" if command else "sim.run(...) from Python"
    return (
        f"<footer>compsim {esc(version)} · scenario {esc(result.scenario.name)} · seed "
        f"{result.seed} · {result.n_replications:,} replications · reproduce with "
        f"{reproduce}</footer>"
    )
