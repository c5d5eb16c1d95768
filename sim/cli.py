"""The `sim` command: a thin layer over the Python API.

    sim run SCENARIO [--replications N] [--seed S] [--jobs J] [--out DIR]
                     [--baseline PLAN] [--objective METRIC]
                     [--precision X [--max-replications N]] [--xlsx]
                     [--engine batch|events]
    sim validate FILE [FILE ...] [--explain]
    sim schema
    sim metrics [SCENARIO]

A user's mistake is reported as one line on stderr with exit status 2; an
interrupted run exits 130 and leaves no result behind; output cut short by its
reader (`sim metrics | head`) ends quietly with status 141, as after SIGPIPE.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import sys
import textwrap
import warnings
from pathlib import Path

from sim.errors import ScenarioError, UserError
from sim.execution import BACKENDS, check_backend
from sim.fpa_cli import COMMANDS as FPA_COMMANDS
from sim.fpa_cli import add_parsers as add_fpa_parsers


class _Help(argparse.HelpFormatter):
    """Each option's default after its help, unless it has none (None, off, empty) or
    the help already says it."""

    def _get_help_string(self, action) -> str:
        text = action.help or ""
        default = action.default
        if not action.option_strings or "default" in text or default is argparse.SUPPRESS:
            return text
        if default is None or default is False or default == []:
            return text
        return f"{text} (default: %(default)s)"


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # one line, no usage dump; main() adds "sim: error:"
        raise UserError(f"{message} (see '{self.prog} --help')")


def _whole_number(minimum: int, rule: str):
    """An argparse type: a whole number of at least `minimum`."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be {rule}, got {value}")
        return value

    return parse


_positive = _whole_number(1, "at least 1")
_seed = _whole_number(0, "0 or more")


def _jobs(text: str) -> int:
    """An argparse type for --jobs: a whole number of at least 1, or `auto`: one worker
    per CPU this process may run on (its affinity, which a container or `taskset`
    narrows, not the machine's count)."""
    if text.strip().lower() != "auto":
        if not text.strip().lstrip("+-").isdigit():
            raise argparse.ArgumentTypeError(f"expected a whole number or auto, got {text!r}")
        return _positive(text)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - macOS and Windows have no affinity call
        return max(os.cpu_count() or 1, 1)


JOBS_HELP = "worker processes, or auto: one per CPU this process may use"


def _precision(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.01, got {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (0.01 = 1%), got {text}")
    return value


def _version() -> str:
    from sim import __version__

    return __version__


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sim", description="Monte Carlo simulator of sales compensation plans")
    parser.add_argument("--version", action="version", version=f"compsim {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="simulate every plan of a scenario and write results")
    run.add_argument("scenario", help="scenario file (TOML)")
    run.add_argument(
        "--replications",
        "-n",
        type=_positive,
        help="company-runs per plan (default: simulation.replications of the scenario)",
    )
    run.add_argument(
        "--seed", type=_seed, help="root random seed (default: simulation.seed of the scenario)"
    )
    run.add_argument("--jobs", "-j", type=_jobs, default=1, help=JOBS_HELP)
    run.add_argument(
        "--chunk-size",
        type=_positive,
        help="replications per task (default: simulation.chunk_size of the scenario)",
    )
    run.add_argument("--out", help="output folder (default: results/<scenario name>)")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar or table")
    run.add_argument(
        "--baseline", help="plan every other plan is compared with (default: the first)"
    )
    run.add_argument(
        "--precision",
        type=_precision,
        help="add chunks until every headline 95%% CI half-width is within this fraction "
        "of its mean (0.01 = 1%%); --replications is then the minimum",
    )
    run.add_argument(
        "--max-replications",
        type=_positive,
        help="most replications --precision may use (default 10,000)",
    )
    run.add_argument("--xlsx", action="store_true", help="also write results.xlsx (FP&A)")
    run.add_argument(
        "--engine",
        choices=("batch", "events"),
        default="batch",
        help="batch (default: monthly, vectorized, fast) or events (simpy, in days: "
        "day-level metrics, a cross-check of the batch engine; docs/events.md)",
    )
    run.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted run from its checkpointed chunks (same scenario, seed, "
        "--out)",
    )
    run.add_argument(
        "--backend",
        choices=BACKENDS,
        default="local",
        help="where chunks run: local processes (default), a Dask or a Ray cluster",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="the cluster to use with --backend dask (tcp://host:8786) or ray (ray://host:10001)",
    )
    run.add_argument(
        "--objective",
        default="revenue",
        metavar="METRIC",
        help="metric the ranking orders plans by (default: revenue; `sim metrics` lists them)",
    )
    run.add_argument(
        "--behavior-seed",
        type=_seed,
        help="seed of the reps' choice model (default: behavior.seed of the scenario)",
    )
    run.add_argument(
        "--behavior-replicates",
        type=_positive,
        metavar="K",
        help="also rerun on the same markets with K-1 further independent choice models and "
        "report how much each estimate moves (choice_model_spread.csv)",
    )

    validate = sub.add_parser(
        "validate", help="check scenario files: every problem of every file, one line each"
    )
    validate.add_argument("files", nargs="+")
    validate.add_argument(
        "--explain",
        action="store_true",
        help="also print every setting, its value and the file it comes from "
        "(DEFAULT: inherited from the schema, with its unit and meaning)",
    )

    sub.add_parser("schema", help="print the scenario JSON schema (for editors)")
    metrics = sub.add_parser("metrics", help="list the metrics and their definitions")
    metrics.add_argument(
        "scenario",
        nargs="?",
        help="also list the pay lines (comp_cost_<line>) this scenario's plans produce",
    )
    add_fpa_parsers(sub)
    return parser


def show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning as the command's own line ("sim: warning: ..."), not a source line,
    printed above any progress bar."""
    from tqdm import tqdm

    tqdm.write(f"sim: warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    shown, warnings.showwarning = warnings.showwarning, show_warning
    try:
        args, extra = build_parser().parse_known_args(argv)
        if extra:  # the command's own help lists what it takes
            raise UserError(
                f"unrecognized arguments: {' '.join(extra)} (see 'sim {args.command} --help')"
            )
        code = COMMANDS[args.command](args, argv)
        sys.stdout.flush()  # a reader gone before the end shows here, not at exit
        return code
    except BrokenPipeError:
        return _reader_gone()
    except UserError as exc:
        for line in exc.lines():
            print(f"sim: error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("sim: interrupted; no result written", file=sys.stderr)
        return 130
    finally:
        warnings.showwarning = shown


def _reader_gone() -> int:
    """stdout's reader has closed it (`sim metrics | head`): stop quietly with the status
    of a command ended by SIGPIPE, as `yes | head` does. What is still buffered goes
    to /dev/null, so the interpreter's own flush at exit does not fail again (the
    recipe of Python's signal module docs)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):  # stdout is no file (tests)
        pass
    return 141  # 128 + SIGPIPE (13), written out: Windows has no SIGPIPE


def cmd_run(args, argv) -> int:
    from sim import load_scenario, run
    from sim.analysis import analyze, resolve_baseline
    from sim.estimate import check_memory
    from sim.outputs import check_output_dir, write_run
    from sim.ranking import check_objective
    from sim.runner import planned_replications

    if args.max_replications and args.precision is None:
        raise UserError("--max-replications needs --precision")
    check_backend(args.backend, args.scheduler)
    scenario = load_scenario(args.scenario)
    objective = check_objective(args.objective, scenario.plans)
    if args.behavior_seed is not None:
        behavior = scenario.behavior.model_copy(update={"seed": args.behavior_seed})
        scenario = scenario.model_copy(update={"behavior": behavior})
    if args.behavior_replicates == 1:
        raise UserError("--behavior-replicates: need at least 2 choice models to compare")
    if args.engine == "batch" and scenario.support.agents > 0:
        raise ScenarioError(
            args.scenario,
            "support.agents",
            f"{scenario.support.agents} support agents need --engine events "
            "(the batch engine has no support queue; set 0 to run it)",
        )
    baseline = resolve_baseline([p.name for p in scenario.plans], args.baseline)
    out = check_output_dir(args.out or Path("results") / scenario.name)
    seed = scenario.simulation.seed if args.seed is None else args.seed
    # A count refused for memory is refused before an earlier run's checkpoints go.
    n = planned_replications(scenario, args.replications, args.precision, args.max_replications)
    check_memory(scenario, n, rows_on_disk=True)
    store = open_checkpoints(out, scenario, seed, args.resume, args.engine)
    try:
        result = run(
            scenario,
            replications=args.replications,
            seed=seed,
            jobs=args.jobs,
            chunk_size=args.chunk_size,
            progress=not args.quiet,
            precision=args.precision,
            max_replications=args.max_replications,
            baseline=baseline,
            store=store,
            backend=args.backend,
            scheduler=args.scheduler,
            engine=args.engine,
            notify=lambda text: print(f"sim: {text}", file=sys.stderr, flush=True),
        )
    except UserError:
        if not store.finished():
            store.remove()
        raise
    except KeyboardInterrupt:
        kept = len(store.finished())
        if kept:
            print(
                f"sim: {kept} finished chunk(s) kept in {store.folder}; the same command "
                "with --resume continues",
                file=sys.stderr,
            )
        raise
    command = "sim " + " ".join(shlex.quote(a) for a in argv)
    extra = {}
    if args.behavior_replicates:
        from sim.outputs import csv_writer
        from sim.spread import choice_model_spread, spread_record

        spread = choice_model_spread(
            result,
            args.behavior_replicates,
            jobs=args.jobs,
            chunk_size=args.chunk_size,
            engine=args.engine,
        )
        result.meta["choice_model_spread"] = spread_record(spread)
        extra["choice_model_spread.csv"] = csv_writer(spread)
    analysis = analyze(result, objective=objective)
    write_run(
        result,
        out,
        command=command,
        scenario_file=args.scenario,
        xlsx=args.xlsx,
        analysis=analysis,
        extra_files=extra,
    )
    store.remove()
    if not args.quiet:
        print_run(result, analysis, out, args.xlsx)
    return 0


def open_checkpoints(out: Path, scenario, seed: int, resume: bool, engine: str = "batch"):
    """The run's checkpoint store beside `out` (see `sim.store.DiskStore`)."""
    from sim import __version__
    from sim.outputs import checkpoint_dir
    from sim.store import DiskStore

    folder = checkpoint_dir(out)
    fingerprint = {
        "scenario": scenario.model_dump(mode="json"),
        "seed": seed,
        "compsim": __version__,
    }
    if engine != "batch":  # batch checkpoints keep the fingerprint they always had
        fingerprint["engine"] = engine
    store = DiskStore(folder, fingerprint, resume=resume)
    if resume and not store.resumed:
        print(f"sim: nothing to resume in {folder}; starting afresh", file=sys.stderr)
    elif store.discarded:
        print(
            f"sim: discarded {store.discarded} checkpointed chunk(s) of an earlier run in "
            f"{folder} (use --resume to continue one)",
            file=sys.stderr,
        )
    return store


def print_run(result, analysis, out: Path, xlsx: bool) -> None:
    """The console summary, 100 columns wide: headline table, ranking, each plan's answer
    against the baseline (worse first), OTE check."""
    from sim.report.narrative import plan_answer
    from sim.report.steady import console_text, warm_up_text
    from sim.report.table import (
        WIDTH,
        answers_text,
        headline_table,
        ote_table,
        ranking_table,
        written,
    )

    scenario = result.scenario
    engine = "events engine, " if result.meta.get("engine") == "events" else ""
    reused = result.meta.get("resumed_chunks")
    reused = f"; {reused} chunk(s) taken from checkpoints, not counted" if reused else ""
    print(
        f"{scenario.name}: {result.n_replications} replications x "
        f"{len(scenario.plans)} plan(s), seed {result.seed}, {engine}"
        f"{result.wall_seconds:.1f}s ({result.company_years_per_second:,.0f} "
        f"company-years/s{reused})"
    )
    spread = result.meta.get("choice_model_spread")
    if spread:
        print(
            f"choice-model spread over {spread['replicates']} choice models: at most "
            f"{spread['largest_ratio_to_run_se']:.2f} x the run's standard error "
            f"({spread['largest']})"
        )
    print(
        textwrap.fill(
            f"{scenario.company.months} months reported {warm_up_text(result.meta)}", WIDTH
        )
    )
    precision = result.meta.get("precision")
    if precision:
        state = "met" if precision["met"] else "NOT met (limit reached)"
        print(f"precision {100 * precision['target']:g}%: {state}")
    print(headline_table(analysis.summary))
    others = [p for p in result.plans if p != analysis.baseline]
    if others:
        print()
        print(ranking_table(analysis.ranking, analysis.baseline))
        print(f"\nAgainst {analysis.baseline} (paired 95% CI; % change, pt for fractions):")
        answers = [
            plan_answer(analysis.comparison, analysis.summary, plan, analysis.baseline)
            for plan in others
        ]
        print(answers_text(answers))
    moving = console_text(result, analysis, WIDTH)
    if moving:
        print("\n" + moving)
    print()
    print(ote_table(analysis.ote_check))
    print(written(out))


def cmd_validate(args, argv) -> int:
    """Check every file given; print each problem as its own line; exit 2 if any."""
    from sim.scenario.explain import explain
    from sim.scenario.loader import read_scenario, validate_scenario

    failed = False
    for path in args.files:
        try:
            raw, provenance = read_scenario(path)
            scenario = validate_scenario(raw, path, provenance)
        except UserError as exc:
            failed = True
            for line in exc.lines():
                print(f"sim: error: {line}", file=sys.stderr)
            continue
        print(
            f"{path}: ok ({len(scenario.plans)} plan(s): "
            f"{', '.join(p.name for p in scenario.plans)})"
        )
        for plan in scenario.plans:
            if plan.salary_only:
                print(
                    f"  plan '{plan.name}': salary only, no components "
                    f"(pays ${plan.base_salary:,.0f}/yr against a stated OTE of ${plan.ote:,.0f})"
                )
        if args.explain:
            print(explain(scenario, provenance))
    return 2 if failed else 0


def cmd_schema(args, argv) -> int:
    from sim.scenario.schema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return 0


def cmd_metrics(args, argv) -> int:
    """Every metric a run writes: name, unit, definition, better direction; headline
    metrics marked. Pay lines: those of SCENARIO's plans, or of every component."""
    from sim.metrics import METRICS, pay_line_metrics

    plans = None
    if args.scenario:
        from sim import load_scenario

        plans = load_scenario(args.scenario).plans
    direction = {True: " (higher is better)", False: " (lower is better)", None: ""}
    for m in [*METRICS, *pay_line_metrics(plans)]:
        mark = " [headline]" if m.headline else ""
        print(f"{m.name:30s} [{m.unit}] {m.definition}{direction[m.higher_is_better]}{mark}")
    if plans is None:
        print(
            "(a component line that carries a `name` reports as comp_cost_<name>; "
            "`sim metrics SCENARIO` lists a scenario's own lines)"
        )
    return 0


COMMANDS = {
    "run": cmd_run,
    "validate": cmd_validate,
    "schema": cmd_schema,
    "metrics": cmd_metrics,
    **FPA_COMMANDS,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
