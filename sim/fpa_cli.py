"""The FP&A commands of `sim`: sweep, budget (and optimize).

    sim sweep SCENARIO --set KEY=VALUES [--set KEY=VALUES ...] [-n N] [--seed S] [-j J]
              [--out DIR] [--xlsx] [--quiet]
    sim budget SCENARIO (--comp-ratio X | --operating-margin M) [--basis cash|expense]
               [--quantile Q] [--plans A,B] [--baseline PLAN] [-n N] [--seed S] [-j J] ...
    sim optimize SCENARIO [--plan NAME] --lever KEY=LOW:HIGH [--lever ...] --objective METRIC
                 [--minimize] [--constraint "[pNN:]METRIC<=X"] [--budget-evals N] ...

KEY is a dotted path into the scenario (`plans.standard.components.0.rate`,
`market.opportunities_per_rep_month`); VALUES a list `a,b,c` or `low:high:n`.
"""

from __future__ import annotations

import shlex
from pathlib import Path


def add_common(parser, what: str, same: str) -> None:
    """Options every FP&A command shares with `sim run`; `what` the replications count
    ('per point and plan'), `same` what shares the seed ('every point')."""
    from sim.cli import JOBS_HELP, _jobs, _positive, _seed

    parser.add_argument("scenario", help="scenario file (TOML)")
    parser.add_argument("--replications", "-n", type=_positive, help=f"company-runs {what}")
    parser.add_argument(
        "--seed",
        type=_seed,
        help=f"root random seed, the same for {same} (default: simulation.seed of the scenario)",
    )
    parser.add_argument("--jobs", "-j", type=_jobs, default=1, help=JOBS_HELP)
    parser.add_argument(
        "--chunk-size",
        type=_positive,
        help="replications per task (default: simulation.chunk_size of the scenario)",
    )
    parser.add_argument(
        "--out", help=f"output folder (default: results/<scenario name>-{parser.prog.split()[-1]})"
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress or table")
    parser.add_argument("--xlsx", action="store_true", help="also write an Excel workbook")


def add_parsers(sub) -> None:
    """Register the FP&A subcommands on `sub` (handlers: `COMMANDS`)."""
    sweep = sub.add_parser("sweep", help="run a scenario at several values of its settings")
    add_common(sweep, "per point and plan (default: the scenario's)", "every point")
    sweep.add_argument(
        "--set",
        action="append",
        required=True,
        metavar="KEY=VALUES",
        help="a dotted path and its values: a,b,c or low:high:n; repeat for a grid",
    )
    add_budget(sub)
    add_optimize(sub)


def _fraction(text: str) -> float:
    import argparse

    try:
        return float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a fraction such as 0.09 or 9%, got {text!r}"
        ) from None


def add_budget(sub) -> None:
    from sim.cli import _positive
    from sim.search_sizes import BUDGET_REPLICATIONS as DEFAULT_REPLICATIONS

    budget = sub.add_parser(
        "budget", help="scale each plan's variable pay to a comp-cost or margin target"
    )
    add_common(budget, f"per evaluation (default {DEFAULT_REPLICATIONS})", "every evaluation")
    target = budget.add_mutually_exclusive_group(required=True)
    target.add_argument("--comp-ratio", type=_fraction, help="comp cost / revenue, e.g. 0.09")
    target.add_argument("--operating-margin", type=_fraction, help="operating margin, e.g. 0.2")
    budget.add_argument(
        "--basis",
        choices=("cash", "expense"),
        default="cash",
        help="comp as cash paid or as expensed (ASC 340-40)",
    )
    budget.add_argument(
        "--quantile",
        type=_fraction,
        help="hold the target with this confidence (0.9: the P90 comp cost "
        "ratio, or the P10 margin), not on average",
    )
    budget.add_argument(
        "--year",
        type=_positive,
        help="hold the target in this reported year (1: next year's budget), not over the "
        "whole horizon",
    )
    budget.add_argument("--plans", help="comma-separated plans to budget (default: all)")
    budget.add_argument("--baseline", help="plan the others are compared with at equal budget")


def add_optimize(sub) -> None:
    from sim.cli import _positive
    from sim.search_sizes import OPTIMIZE_EVALS as DEFAULT_EVALS
    from sim.search_sizes import OPTIMIZE_REPLICATIONS as DEFAULT_REPLICATIONS

    opt = sub.add_parser("optimize", help="search a plan's levers for the best objective")
    add_common(
        opt,
        f"per search evaluation (default {DEFAULT_REPLICATIONS})",
        "every search evaluation (the recheck runs on the next seed)",
    )
    opt.add_argument("--plan", help="the plan whose levers move (default: the only or first)")
    opt.add_argument(
        "--lever",
        action="append",
        required=True,
        metavar="KEY=LOW:HIGH",
        help="a numeric setting of the plan (e.g. components.0.rate) and its bounds",
    )
    opt.add_argument(
        "--objective", required=True, help="metric to maximize (or pNN:METRIC for a percentile)"
    )
    opt.add_argument("--minimize", action="store_true", help="minimize the objective instead")
    opt.add_argument(
        "--constraint",
        action="append",
        default=[],
        metavar="[pNN:]METRIC<=X",
        help="e.g. comp_cost_ratio<=0.09 or p90:comp_cost_ratio<=0.1 (also >=); repeatable",
    )
    opt.add_argument(
        "--budget-evals",
        type=_positive,
        default=DEFAULT_EVALS,
        help=f"simulations the search may use (default {DEFAULT_EVALS})",
    )
    opt.add_argument(
        "--recheck-replications",
        type=_positive,
        help="company-runs for the recheck of the best settings (default 4 x --replications)",
    )


def command_line(argv: list[str]) -> str:
    return "sim " + " ".join(shlex.quote(a) for a in argv)


def cmd_sweep(args, argv) -> int:
    from sim import load_scenario
    from sim.fpa_outputs import write_sweep
    from sim.outputs import check_output_dir
    from sim.report.table import sweep_table, written
    from sim.scenario.paths import check_paths
    from sim.sweep import parse_axes, sweep

    scenario = load_scenario(args.scenario)
    axes = parse_axes(args.set)
    check_paths(scenario, axes, "--set")
    out = check_output_dir(args.out or Path("results") / f"{scenario.name}-sweep")
    result = sweep(
        scenario,
        axes,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        chunk_size=args.chunk_size,
        progress=not args.quiet,
        source=f"{args.scenario} with --set",
    )
    write_sweep(result, out, command_line(argv), args.scenario, args.xlsx)
    if not args.quiet:
        print(
            f"{scenario.name}: {len(result.points)} point(s) x {result.replications} "
            f"replications, seed {result.seed}, {result.wall_seconds:.1f}s"
        )
        print(sweep_table(result.table(), list(result.axes)))
        print(written(out))
    return 0


def cmd_budget(args, argv) -> int:
    from sim import load_scenario
    from sim.analysis import resolve_baseline
    from sim.budget import DEFAULT_REPLICATIONS, Target, budget
    from sim.fpa_outputs import write_budget
    from sim.outputs import check_output_dir

    if args.comp_ratio is not None:
        kind, value = "comp_ratio", args.comp_ratio
    else:
        kind, value = "operating_margin", args.operating_margin
    target = Target(kind, value, args.basis, args.quantile, args.year)
    scenario = load_scenario(args.scenario)
    plans = _plan_list(scenario, args.plans)
    baseline = resolve_baseline(plans, args.baseline)
    out = check_output_dir(args.out or Path("results") / f"{scenario.name}-budget")
    result = budget(
        scenario,
        target,
        replications=args.replications or DEFAULT_REPLICATIONS,
        seed=args.seed,
        jobs=args.jobs,
        chunk_size=args.chunk_size,
        plans=plans,
        progress=not args.quiet,
    )
    write_budget(result, out, command_line(argv), args.scenario, args.xlsx, baseline)
    if not args.quiet:
        print_budget(result, out)
    return 0


def _plan_list(scenario, text: str | None) -> list[str]:
    from sim.analysis import resolve_baseline

    names = [p.name for p in scenario.plans]
    if not text:
        return names
    chosen = [n.strip() for n in text.split(",") if n.strip()]
    for name in chosen:
        resolve_baseline(names, name, "--plans")  # a one-line error with a hint for a wrong name
    return chosen


def print_budget(result, out: Path) -> None:
    from sim.report.table import budget_table, written

    print(
        f"{result.scenario.name}: {result.target.describe()}, {result.run.n_replications} "
        f"replications per evaluation, seed {result.seed}, {result.wall_seconds:.1f}s"
    )
    print(budget_table(result.table()))
    print(written(out))


def cmd_optimize(args, argv) -> int:
    from sim import load_scenario
    from sim.fpa_outputs import write_optimize
    from sim.optimize import DEFAULT_REPLICATIONS, optimize, parse_levers
    from sim.outputs import check_output_dir

    scenario = load_scenario(args.scenario)
    plan = args.plan or scenario.plans[0].name
    out = check_output_dir(args.out or Path("results") / f"{scenario.name}-optimize")
    result = optimize(
        scenario,
        plan,
        parse_levers(args.lever),
        args.objective,
        maximize=not args.minimize,
        constraints=args.constraint,
        budget_evals=args.budget_evals,
        replications=args.replications or DEFAULT_REPLICATIONS,
        recheck_replications=args.recheck_replications,
        seed=args.seed,
        jobs=args.jobs,
        chunk_size=args.chunk_size,
        progress=not args.quiet,
    )
    write_optimize(result, out, command_line(argv), args.scenario, args.xlsx)
    if not args.quiet:
        print_optimize(result, out)
    return 0


_ENDS = ("", "_ci_low", "_ci_high")


def print_optimize(result, out: Path) -> None:
    from sim.metrics import metric_unit
    from sim.report.finance import constraints_text, format_cell, setting_text, signed_cell
    from sim.report.table import written

    p, best = result.problem, result.best
    name = p.objective.name
    print(
        f"{p.scenario.name}: {p.plan}, {'maximize' if p.maximize else 'minimize'} {name}"
        + (f" subject to {constraints_text(p.constraints)}" if p.constraints else "")
        + f"; {len(p.evaluations)} simulations, {result.wall_seconds:.1f}s"
    )
    table = result.recheck_table()
    unit = metric_unit(p.objective.metric)
    print(f"rechecked on {best.replications} fresh company-runs (seed {best.seed}):")
    for r in table.to_dict(orient="records"):
        levers = ", ".join(f"{lv.key}={setting_text(r[lv.key], lv.unit)}" for lv in p.levers)
        mark = "best" if r["best"] else ("as written" if r["as_written"] else "candidate")
        low, high = (format_cell(r[f"{name}_ci_{end}"], unit) for end in ("low", "high"))
        change = [signed_cell(r[f"objective_vs_as_written{end}"], unit) for end in _ENDS]
        print(
            f"  {mark:10s} {levers}: {name} {format_cell(r[name], unit)} [{low}, {high}]; "
            f"vs as written {change[0]} [{change[1]}, {change[2]}]"
        )
    if best is result.as_written:
        print("  no setting the search found beats the plan as written on fresh company-runs")
    print(written(out))


COMMANDS = {"sweep": cmd_sweep, "budget": cmd_budget, "optimize": cmd_optimize}
