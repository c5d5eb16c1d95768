"""The FP&A commands of `sim`: sweep (and budget, optimize).

    sim sweep SCENARIO --set KEY=VALUES [--set KEY=VALUES ...] [-n N] [--seed S] [-j J]
              [--out DIR] [--xlsx] [--quiet]

KEY is a dotted path into the scenario (`plans.standard.components.0.rate`,
`market.opportunities_per_rep_month`); VALUES a list `a,b,c` or `low:high:n`.
"""

from __future__ import annotations

import shlex
from pathlib import Path


def add_common(parser, what: str) -> None:
    """Options every FP&A command shares with `sim run`."""
    from sim.cli import _positive, _seed

    parser.add_argument("scenario", help="scenario file (TOML)")
    parser.add_argument("--replications", "-n", type=_positive, help=f"company-runs {what}")
    parser.add_argument("--seed", type=_seed, help="root random seed (the same for every point)")
    parser.add_argument("--jobs", "-j", type=_positive, default=1, help="worker processes")
    parser.add_argument("--chunk-size", type=_positive, help="replications per task")
    parser.add_argument("--out", help="output folder")
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress or table")
    parser.add_argument("--xlsx", action="store_true", help="also write an Excel workbook")


def add_parsers(sub) -> None:
    """Register the FP&A subcommands on `sub` (handlers: `COMMANDS`)."""
    sweep = sub.add_parser("sweep", help="run a scenario at several values of its settings")
    add_common(sweep, "per point and plan (default: the scenario's)")
    sweep.add_argument(
        "--set",
        action="append",
        required=True,
        metavar="KEY=VALUES",
        help="a dotted path and its values: a,b,c or low:high:n; repeat for a grid",
    )


def command_line(argv: list[str]) -> str:
    return "sim " + " ".join(shlex.quote(a) for a in argv)


def cmd_sweep(args, argv) -> int:
    from sim import load_scenario
    from sim.fpa_outputs import write_sweep
    from sim.outputs import check_output_dir
    from sim.sweep import parse_axes, sweep

    scenario = load_scenario(args.scenario)
    axes = parse_axes(args.set)
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
        print(f"wrote {out}/ ({', '.join(sorted(p.name for p in Path(out).iterdir()))})")
    return 0


COMMANDS = {"sweep": cmd_sweep}
