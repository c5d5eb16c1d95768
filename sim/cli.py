"""The `sim` command: a thin layer over the Python API.

    sim run SCENARIO [--replications N] [--seed S] [--jobs J] [--out DIR]
    sim validate FILE [FILE ...]
    sim schema
    sim metrics

A user's mistake is reported as one line on stderr with exit status 2; an
interrupted run exits 130 and leaves no result behind.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from sim.errors import UserError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        raise UserError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sim", description="Monte Carlo simulator of sales compensation plans")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="simulate every plan of a scenario and write results")
    run.add_argument("scenario", help="scenario file (TOML)")
    run.add_argument("--replications", "-n", type=_positive, help="company-runs per plan")
    run.add_argument("--seed", type=_seed, help="root random seed")
    run.add_argument("--jobs", "-j", type=_positive, default=1, help="worker processes")
    run.add_argument("--chunk-size", type=_positive, help="replications per task")
    run.add_argument("--out", help="output folder (default: results/<scenario name>)")
    run.add_argument("--quiet", "-q", action="store_true", help="no progress bar or table")

    validate = sub.add_parser("validate", help="check scenario files")
    validate.add_argument("files", nargs="+")

    sub.add_parser("schema", help="print the scenario JSON schema (for editors)")
    sub.add_parser("metrics", help="list the metrics and their definitions")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args, argv)
    except UserError as exc:
        print(f"sim: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("sim: interrupted; no result written", file=sys.stderr)
        return 130


def cmd_run(args, argv) -> int:
    from sim import load_scenario, run
    from sim.analysis import ote_check
    from sim.outputs import check_output_dir, write_run
    from sim.report.table import headline_table, ote_table

    scenario = load_scenario(args.scenario)
    out = check_output_dir(args.out or Path("results") / scenario.name)
    result = run(
        scenario,
        replications=args.replications,
        seed=args.seed,
        jobs=args.jobs,
        chunk_size=args.chunk_size,
        progress=not args.quiet,
    )
    command = "sim " + " ".join(shlex.quote(a) for a in argv)
    write_run(result, out, command=command, scenario_file=args.scenario)
    if not args.quiet:
        print(
            f"{scenario.name}: {result.n_replications} replications x "
            f"{len(scenario.plans)} plan(s), seed {result.seed}, "
            f"{result.wall_seconds:.1f}s ({result.company_years_per_second:,.0f} "
            f"company-years/s)"
        )
        print(headline_table(result.summary()))
        print()
        print(ote_table(ote_check(result)))
        print(f"wrote {out}/ (summary.csv, replications.csv, ote_check.csv, manifest.json)")
    return 0


def cmd_validate(args, argv) -> int:
    from sim import load_scenario

    for path in args.files:
        scenario = load_scenario(path)
        print(
            f"{path}: ok ({len(scenario.plans)} plan(s): "
            f"{', '.join(p.name for p in scenario.plans)})"
        )
    return 0


def cmd_schema(args, argv) -> int:
    from sim.scenario.schema import Scenario

    print(json.dumps(Scenario.model_json_schema(), indent=2))
    return 0


def cmd_metrics(args, argv) -> int:
    from sim.metrics import METRICS

    for m in METRICS:
        print(f"{m.name:20s} [{m.unit}] {m.definition}")
    return 0


COMMANDS = {"run": cmd_run, "validate": cmd_validate, "schema": cmd_schema, "metrics": cmd_metrics}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
