"""How long the `sim` commands that only read files take to start and finish: the
wait a researcher has at every `sim validate` of an edited scenario.

    python benchmarks/startup.py [--rounds K]

Runs each command K times in a fresh interpreter, as a user's shell does, and prints
the median and fastest wall time of each. Most of it is imports; the package imports
its names on first use, so these commands need none of pandas, scipy, joblib or the
engine (tests/test_cli.py holds that).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from record import recorded  # noqa: E402

COMMANDS = (
    ["--version"],
    ["run", "--help"],
    ["validate", "scenarios/default.toml"],
    ["validate", "scenarios/seed_designs.toml"],
    ["metrics"],
    ["schema"],
)


def wall(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", *argv], cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    times = {" ".join(c): [] for c in COMMANDS}
    for _ in range(args.rounds):  # alternating, so a burst of load hits every command
        for command in COMMANDS:
            times[" ".join(command)].append(wall(command))
    print(f"wall time of `sim COMMAND` in a fresh interpreter, median (fastest) of {args.rounds}:")
    for name, seconds in times.items():
        print(f"  sim {name:<40} {statistics.median(seconds):5.2f} s ({min(seconds):.2f} s)")


if __name__ == "__main__":
    with recorded("startup", "python benchmarks/startup.py"):
        main()
