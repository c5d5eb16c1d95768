"""Scale: peak memory of `sim run` at a small and a large replication count, and the
time a killed run takes to resume.

    python benchmarks/scale.py [--small 1000] [--large 100000] [--resume-replications 2000]

Each measurement runs the `sim` command in a fresh process, as a user would, with
one job (the main process holds the results, so its memory is the one that could
grow) and reads that process's peak resident memory from the operating system.
Target (issue "Speed and scale"): the large run peaks within 1.5x the small one.
The resume check kills a run (SIGKILL) once half its chunks are checkpointed, then
times `--resume` against an uninterrupted run of the same command.
Results are written to benchmarks/results.md (section "scale").
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import recorded

ROOT = Path(__file__).resolve().parents[1]
PEAK = (
    "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def sim_command(scenario: str, n: int, out: Path) -> list[str]:
    return [sys.executable, "-m", "sim", "run", scenario, "-n", str(n), "--out", str(out), "-q"]


def peak_memory(scenario: str, n: int, folder: Path) -> tuple[float, float]:
    """Peak resident MiB and wall seconds of `sim run -n n` in its own process."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *sim_command(scenario, n, folder / f"n{n}")],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(done.stdout.split()[-1]) / 1024, time.perf_counter() - started


def resume_time(scenario: str, n: int, chunk: int, folder: Path) -> dict:
    """Uninterrupted time, then a run killed at half its chunks and resumed."""
    command = [*sim_command(scenario, n, folder / "whole"), "--chunk-size", str(chunk)]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
    whole = time.perf_counter() - started

    out = folder / "killed"
    command = [*sim_command(scenario, n, out), "--chunk-size", str(chunk)]
    staging = folder / ".killed.chunks"
    total = -(-n // chunk)
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.DEVNULL)
    started = time.perf_counter()
    while len(list(staging.glob("chunk-*.pkl"))) < total // 2 and process.poll() is None:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    killed_after = time.perf_counter() - started
    kept = len(list(staging.glob("chunk-*.pkl")))
    started = time.perf_counter()
    subprocess.run([*command, "--resume"], check=True, cwd=ROOT, capture_output=True)
    resumed = time.perf_counter() - started
    manifest = json.loads((out / "manifest.json").read_text())
    same = all(
        (out / name).read_bytes() == (folder / "whole" / name).read_bytes()
        for name in ("replications.csv", "by_year.csv", "summary.csv")
    )
    return {
        "whole": whole,
        "killed_after": killed_after,
        "kept": kept,
        "total": total,
        "resumed": resumed,
        "resumed_chunks": manifest.get("resumed_chunks", 0),
        "identical": same,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "default.toml"))
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--resume-replications", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="compsim-scale-") as tmp:
        folder = Path(tmp)
        print(f"scenario {Path(args.scenario).name}, one job, peak resident memory of `sim run`")
        peaks = {}
        for n in (args.small, args.large):
            peaks[n], seconds = peak_memory(args.scenario, n, folder)
            print(f"  {n:>9,} replications: {peaks[n]:6.0f} MiB peak, {seconds:7.1f} s wall")
        ratio = peaks[args.large] / peaks[args.small]
        verdict = "within" if ratio <= 1.5 else "NOT within"
        print(f"  ratio {ratio:.2f} ({verdict} the 1.5x target)")
        r = resume_time(args.scenario, args.resume_replications, 100, folder)
        print(
            f"resume: {args.resume_replications:,} replications ({r['total']} chunks) take "
            f"{r['whole']:.1f} s uninterrupted; killed (SIGKILL) after {r['killed_after']:.1f} s "
            f"with {r['kept']} chunks checkpointed, `--resume` finished in {r['resumed']:.1f} s "
            f"reusing {r['resumed_chunks']} chunks; results byte-identical: {r['identical']}"
        )


if __name__ == "__main__":
    with recorded("scale", "python benchmarks/scale.py"):
        main()
