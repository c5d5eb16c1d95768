"""The report pages of the FP&A commands: `sim sweep`, `sim budget`, `sim optimize`.

Each is one self-contained HTML file in the command's output folder, styled like
a run's report.html (`sim.report.html`), figures embedded as PNG.
"""

from __future__ import annotations

from importlib import metadata

import pandas as pd

from sim.metrics import metric_unit
from sim.report import plots
from sim.report.finance import constraints_text, format_cell, setting_text, signed_cell
from sim.report.fpa_figures import sweep_figure
from sim.report.html import STYLE, _section, esc
from sim.report.table import SWEEP_METRICS as TABLE_METRICS
from sim.scenario.paths import unit_of
from sim.sweep import show

CRN_NOTE = (
    "Every point is simulated on the same company-runs (same seed and replications: "
    "common random numbers), so replication i of two points meets the same "
    "opportunities and luck and differs only by the settings. That makes the "
    "difference between two points far more precise than their separate intervals "
    "suggest (the change columns are paired, with their own 95% CI), and it makes the "
    "response curves smooth rather than jagged with noise. It does not remove the "
    "uncertainty of each point's level (the shaded 95% CI of the mean), nor the spread "
    "of single futures (P10-P90), and a setting that changes the market itself (e.g. "
    "opportunities per rep) changes which opportunities exist, so pairing helps less "
    "there than for a plan's rates."
)


def page(title: str, sub: list[str], body: list[str], command: str | None) -> str:
    """A whole self-contained page."""
    try:
        version = metadata.version("compsim")
    except metadata.PackageNotFoundError:  # pragma: no cover
        version = "unknown"
    reproduce = f"<code>{esc(command)}</code>" if command else "the Python API"
    subs = "".join(f'<p class="sub">{s}</p>\n' for s in sub)
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{esc(title)}</h1>\n{subs}"
        + "\n".join(body)
        + f"\n<footer>compsim {esc(version)} · reproduce with {reproduce}</footer>\n"
        "</body>\n</html>\n"
    )


def value_cell(row, unit: str, change: bool = False) -> str:
    """'mean [low, high]' (and the paired change under it) for an HTML table."""
    text = (
        f"{format_cell(row['mean'], unit)}<br><span class='ci'>"
        f"[{format_cell(row.ci_low, unit)}, {format_cell(row.ci_high, unit)}]</span>"
    )
    if change and pd.notna(row.get("diff")):
        text += (
            f"<br><span class='delta'>{signed_cell(row['diff'], unit)} "
            f"[{signed_cell(row.diff_ci_low, unit)}, {signed_cell(row.diff_ci_high, unit)}]</span>"
        )
    return text


def sweep_page(result, command: str | None = None) -> str:
    """The sweep's response curves and its table of points."""
    table = result.table()
    keys = list(result.axes)
    fig = sweep_figure(table, keys, x_unit=unit_of(result.scenario, keys[0]))
    caption = (
        f"Each metric against {keys[0]}: mean per point (dots) with its 95% CI (band), one "
        "line per plan" + (" and value of the other swept settings" if keys[1:] else "") + "."
    )
    axes = "; ".join(
        f"<code>{esc(k)}</code> = {esc(', '.join(map(show, vals)))}"
        for k, vals in result.axes.items()
    )
    sub = [
        f"{len(result.points)} point(s): {axes}.",
        f"{result.replications:,} company-runs per point and plan, seed {result.seed}; "
        f"{result.wall_seconds:.0f} s.",
    ]
    body = [
        _section("Response curves", plots.png(fig), caption, "curves"),
        _points_table(table, keys),
        f"<h2>How to read it</h2>\n<p class='note'>{esc(CRN_NOTE)}</p>",
    ]
    return page(f"Sweep: {result.scenario.name}", sub, body, command)


def _points_table(table: pd.DataFrame, keys: list[str]) -> str:
    metrics = [m for m in TABLE_METRICS if m in set(table.metric)]
    head = "".join(f"<th>{esc(k.split('.')[-1])}</th>" for k in keys)
    head += "".join(f"<th>{esc(m)}</th>" for m in metrics)
    rows = []
    indexed = table.set_index(["point", "plan", "metric"])
    for (point, plan), _ in table.groupby(["point", "plan"], sort=False):
        first = table[(table.point == point) & (table.plan == plan)].iloc[0]
        cells = "".join(f"<td>{esc(show(first[k]))}</td>" for k in keys)
        for name in metrics:
            row = indexed.loc[(point, plan, name)]
            cells += f"<td>{value_cell(row, metric_unit(name), change=point != 0)}</td>"
        rows.append(f'<tr><td class="name">{esc(plan)}</td>{cells}</tr>')
    return (
        "<h2>The points</h2>\n<p class='note'>Mean with its 95% CI; under it, the paired "
        "change from the first point for the same plan with its 95% CI (money in $, rates in "
        "percentage points). All metrics: sweep.csv.</p>\n"
        f"<div class='scroll'><table><tr><th class='name'>plan</th>{head}</tr>"
        + "".join(rows)
        + "</table></div>"
    )


BUDGET_METRICS = (
    "revenue",
    "new_arr",
    "ending_arr",
    "grr",
    "comp_cost",
    "operating_margin",
    "over_comp_limit",
)


def budget_page(result, analysis, command: str | None = None) -> str:
    """The plans at equal budget, how each was scaled, and how the numbers were made."""
    from sim.report.fpa_figures import budget_trace_figure

    target, table = result.target, result.table()
    evaluations = result.evaluation_table()
    scales = {name: solved.scale for name, solved in result.plans.items()}
    sub = [
        f"Every plan's variable pay scaled so that {esc(target.describe())}; then compared at "
        f"that equal budget against <b>{esc(analysis.baseline)}</b>.",
        f"{result.run.n_replications:,} company-runs per evaluation, seed {result.seed}; "
        f"{len(evaluations)} evaluations in all; {result.wall_seconds:.0f} s."
        + (f" Every figure is of year {target.year}." if target.year else ""),
    ]
    frontier = plots.frontier_figure(analysis.summary, analysis.comparison, analysis.baseline)
    body = [
        _budget_table(table, analysis, target),
        _section(
            "Revenue against comp cost at equal budget",
            plots.png(frontier),
            "Mean comp cost against mean revenue per year of the budgeted plans; error bars are "
            f"the 95% paired CIs of each plan's difference from {analysis.baseline}. At an equal "
            "comp cost ratio, a plan further up and right earns more for the same share of "
            "revenue.",
            "frontier",
        ),
        _section(
            "How each plan was scaled",
            plots.png(budget_trace_figure(evaluations, scales, target)),
            "The target statistic at every scale the root finder evaluated (each a whole "
            "simulation on the same company-runs, reps re-choosing their strategy at every "
            "scale); the dashed line is the target and a ring marks the scale found. Data: "
            "budget_evaluations.csv.",
            "trace",
        ),
        f"<h2>How to read it</h2>\n<p class='note'>{esc(BUDGET_NOTE)}</p>",
    ]
    return page(f"Budget: {result.scenario.name}", sub, body, command)


BUDGET_NOTE = (
    "Scale 1 is the plan as written; scale 1.2 pays every commission rate, bonus and "
    "draw 20% more (and states a 20% higher target variable pay), with the same base "
    "salary and quota. For each plan a bracketing root finder (scipy's brentq) searched "
    "the scale whose statistic meets the target, each evaluation a whole simulation on the "
    "same seed and company-runs (common random numbers), so the function it solves is "
    "deterministic; reps re-choose their strategy at every scale, which makes it move in "
    "small steps. 'Achieved' is the statistic at the scale found with its 95% CI (Student-t "
    "for a mean, order statistics for a percentile): the target is met up to that Monte "
    "Carlo uncertainty, which shrinks with more company-runs (-n). The plans are then "
    "compared on the same company-runs, so their differences at equal budget are paired. "
    "budgeted.toml is the scenario with the scaled plans: `sim run budgeted.toml` reproduces "
    "these numbers with the same seed and replications."
)


def _budget_table(table: pd.DataFrame, analysis, target) -> str:
    summary = analysis.summary.set_index(["plan", "metric"])
    diffs = analysis.comparison.set_index(["plan", "metric"])
    metrics = [m for m in BUDGET_METRICS if m in set(analysis.summary.metric)]
    head = "".join(f"<th>{esc(m)}</th>" for m in metrics)
    rows = []
    for r in table.itertuples():
        achieved = (
            f"{format_cell(r.achieved, 'fraction')}<br><span class='ci'>"
            f"[{format_cell(r.achieved_ci_low, 'fraction')}, "
            f"{format_cell(r.achieved_ci_high, 'fraction')}]</span>"
        )
        cells = f"<td>{r.scale:.3f}</td><td>{format_cell(r.ote, '$')}</td><td>{achieved}</td>"
        for name in metrics:
            row = summary.loc[(r.plan, name)].copy()
            if (r.plan, name) in diffs.index:
                d = diffs.loc[(r.plan, name)]
                row["diff"], row["diff_ci_low"], row["diff_ci_high"] = (
                    d["diff"],
                    d.diff_ci_low,
                    d.diff_ci_high,
                )
            cells += f"<td>{value_cell(row, metric_unit(name), change='diff' in row)}</td>"
        base = " (baseline)" if r.plan == analysis.baseline else ""
        rows.append(f'<tr><td class="name">{esc(r.plan)}{base}</td>{cells}</tr>')
    return (
        "<h2>The plans at equal budget</h2>\n<p class='note'>Scale found for each plan's "
        "variable pay, the OTE it implies, the achieved target statistic with its 95% CI, "
        "then each metric's mean with its 95% CI and, under it, the paired change against "
        f"the baseline. All numbers: budget.csv, summary.csv, comparison.csv.</p>\n"
        "<div class='scroll'><table><tr><th class='name'>plan</th><th>scale</th><th>OTE</th>"
        f"<th>achieved: {esc(target.describe().split(' = ')[0])}</th>{head}</tr>"
        + "".join(rows)
        + "</table></div>"
    )


OPTIMIZE_NOTE = (
    "Each evaluation is a whole simulation of the plan at one lever setting, reps choosing "
    "their strategies against it, on the same seed and company-runs (common random "
    "numbers), so settings are compared on the same futures. The search starts from the "
    "plan as written and a scrambled Sobol design over the lever box, then runs COBYLA "
    "(derivative-free, with bounds and constraints) from the best design point. Picking "
    "the best of many noisy evaluations favours lucky ones, so the best few settings and "
    "the plan as written are simulated again on fresh company-runs (the next seed) with "
    "more replications; the best setting is chosen on those numbers among the ones whose "
    "constraints the recheck does not clearly break. A change against the plan as written "
    "whose interval includes zero is no evidence of improvement."
)


def optimize_page(result, command: str | None = None) -> str:
    from sim.report.fpa_figures import frontier_figure

    p, best = result.problem, result.best
    table = result.table()
    search = table[table.phase.isin(["design", "search"])].copy()
    best_levers = tuple(best.levers[lv.key] for lv in p.levers)
    search["best_search"] = [
        tuple(r[lv.key] for lv in p.levers) == best_levers for r in search.to_dict("records")
    ]
    bound = next(
        (c.bound for c in p.constraints if c.name == "comp_cost_ratio" and c.op == "<="), None
    )
    clipped = result.as_written.levers != p.evaluations[0].levers  # the design's first
    goal = ("maximize " if p.maximize else "minimize ") + p.objective.name
    subject = constraints_text(p.constraints) or "no constraints"
    sub = [
        f"Plan <b>{esc(p.plan)}</b>: {esc(goal)} subject to {esc(subject)}, over "
        + "; ".join(
            f"<code>{esc(lv.key)}</code> in [{setting_text(lv.low, lv.unit)}, "
            f"{setting_text(lv.high, lv.unit)}]"
            for lv in p.levers
        )
        + ".",
        f"{len(search)} search simulations of {p.runs[0]:,} company-runs (seed {p.runs[1]}), "
        f"then a recheck on {best.replications:,} fresh company-runs (seed {best.seed}); "
        f"{result.wall_seconds:.0f} s. Search: {esc(result.converged)}",
    ]
    body = [
        _recheck_table(result),
        _section(
            "Efficient frontier and the search",
            plots.png(frontier_figure(search, p.objective.name, p.maximize, bound, clipped)),
            f"Left: every search evaluation's {p.objective.name} against its mean comp cost "
            "ratio (filled: meets the constraints; hollow: does not). The green line is the "
            "efficient frontier: settings no other beats on both. Right: the objective at each "
            "evaluation and the best feasible so far. Data: optimize.csv.",
            "frontier",
        ),
        f"<h2>How to read it</h2>\n<p class='note'>{esc(OPTIMIZE_NOTE)}</p>",
    ]
    return page(f"Optimize: {p.scenario.name}", sub, body, command)


def _recheck_table(result) -> str:
    p = result.problem
    table = result.recheck_table()
    criteria = [p.objective, *p.constraints]
    names = list(dict.fromkeys([c.name for c in criteria] + ["comp_cost_ratio"]))
    head = "".join(f"<th>{esc(lv.key)}</th>" for lv in p.levers)
    head += "".join(f"<th>{esc(n)}</th>" for n in names)
    head += f"<th>{esc(p.objective.name)} vs as written (paired)</th>"
    rows = []
    unit = metric_unit(p.objective.metric)
    for r in table.to_dict(orient="records"):
        label = " = ".join(
            k for k, on in (("best", r["best"]), ("as written", r["as_written"])) if on
        )
        cells = "".join(f"<td>{setting_text(r[lv.key], lv.unit)}</td>" for lv in p.levers)
        for n in names:
            row = pd.Series(
                {"mean": r[n], "ci_low": r[f"{n}_ci_low"], "ci_high": r[f"{n}_ci_high"]}
            )
            cells += f"<td>{value_cell(row, metric_unit(n.split(':')[-1]))}</td>"
        diff = pd.Series(
            {
                "mean": r["objective_vs_as_written"],
                "ci_low": r["objective_vs_as_written_ci_low"],
                "ci_high": r["objective_vs_as_written_ci_high"],
            }
        )
        low, high = signed_cell(diff.ci_low, unit), signed_cell(diff.ci_high, unit)
        cells += (
            f"<td>{signed_cell(diff['mean'], unit)}<br><span class='ci'>[{low}, {high}]</span></td>"
        )
        rows.append(f"<tr><td class='name'>{label}</td>{cells}</tr>")
    return (
        "<h2>The best settings, rechecked on fresh company-runs</h2>\n<p class='note'>Each "
        "statistic with its 95% CI on the recheck's company-runs, and the paired change in "
        "the objective against the plan as written. best.toml holds the plan as written and "
        f"the best setting (as '{esc(p.plan)}-best'): <code>sim run best.toml</code> compares "
        "them. "
        "All numbers: recheck.csv.</p>\n"
        f"<div class='scroll'><table><tr><th class='name'></th>{head}</tr>"
        + "".join(rows)
        + "</table></div>"
    )
