"""What kind of work a chunk's CPU time is: the machine code it runs, sampled with
Linux `perf`, sorted into kinds, to tell what compiling the engine could remove.

    python benchmarks/cpu_kinds.py [--replications N] [--chunks K]

Runs K chunks of N company-runs of the default scenario (reps choosing) under
`perf record` (Linux; `perf` must be installed and allowed to sample, see
/proc/sys/kernel/perf_event_paranoid), sampling only once the choice model is built
and the engine warmed up, then sorts every sampled function (numpy's loops, libm,
the random generator, the kernel's page handling, the Python interpreter) into:

- the arithmetic the model asks for, which any engine does: random numbers, the
  exponentials and logarithms, the keyed uniforms' hashing;
- moving data between arrays: gathers and scatters (fancy indexing, `take`,
  `where`), sums by group (`bincount`) and sorts, which a compiled engine does
  fewer of but still does;
- what a compiled engine fusing a month's passes into loops removes: elementwise
  passes over whole arrays (each reads and writes memory), allocating and copying
  temporaries and faulting their pages in, numpy's per-call overhead and the Python
  interpreter between calls.

The shares say what compiling can gain: if only the first two groups remained,
a chunk would take their share of today's time. The script also times the sampled
chunks, and says how much of the last group compiled code would have to remove for
the target (30,000 rep-years/s per core).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from record import recorded  # noqa: E402

# (kind, pattern on "library [.] symbol"), first match wins
KINDS = (
    (
        "random numbers (PCG64, Poisson, geometric, Beta's uniforms)",
        "model",
        r"pcg64|random_|legacy_|buffered_|next_double|next_uint",
    ),
    (
        "exp, log, expit, normal quantile (libm, numpy SIMD)",
        "model",
        r"\bexp|_exp|log|ndtri|expit|xsf|ieee754|pow|fetestexcept",
    ),
    (
        "keyed uniforms' hashing (uint64 shifts, xor, multiply)",
        "model",
        r"ULONG_|LONG_right|LONG_bitwise",
    ),
    (
        "gathers and scatters (fancy indexing, take, where, nonzero)",
        "data",
        r"mapiter|TakeFrom|PyArray_Where|Nonzero|boolean_subscript|array_assign_boolean"
        r"|fasttake|_take|Repeat|PutTo|index",
    ),
    (
        "sums by group, reductions, sorts",
        "data",
        r"bincount|reduce|argsort|radixsort|quicksort|sort|argmin|argmax|cumsum|searchsorted"
        r"|binsearch",
    ),
    (
        "elementwise passes and casts",
        "fused",
        r"DOUBLE_|FLOAT_|INT_|SHORT_|BYTE_|BOOL_|UBYTE|LONG_|cast|_aligned|_contig|strided"
        r"|clip|minimum|maximum",
    ),
    (
        "temporaries: allocation, copies, page faults",
        "fused",
        r"memmove|memset|memcpy|malloc|free|clear_page|page_fault|alloc|folio|mmap|munmap"
        r"|_raw_spin|zap|PyDataMem|mm_fault|anonymous_page|unlink_chunk|memcg|unmap|lru"
        r"|rmqueue|pte|vma|mas_",
    ),
    (
        "numpy's per-call overhead (creating arrays, dispatching ufuncs)",
        "fused",
        r"PyArray_|npyiter|NpyIter|ufunc|array_|npy_|arr_|get_wrapped|Descr|broadcast"
        r"|convert|resolve|dtype|PyUFunc|execute|promot",
    ),
    (
        "the Python interpreter between calls",
        "fused",
        r"_PyEval|PyObject|dict|unicode|gc_|visit_|_Py|Py|frame|vectorcall|cfunction|lookup"
        r"|tuple|list|long_|method|initialize_locals|gil",
    ),
)
TARGET = 30_000  # rep-years per second per core (issue 11)
GROUPS = {
    "model": "the arithmetic the model asks for",
    "data": "moving data between arrays",
    "fused": "what fusing passes into compiled loops removes",
}

WORK = """
import os, sys
import numpy as np
import sim
from sim.choice_model import choice_models
from sim.runner import run_chunk
scenario = sim.load_scenario(sys.argv[1])
n, chunks = int(sys.argv[2]), int(sys.argv[3])
models = choice_models(scenario, 1)
run_chunk(scenario, 7, np.arange(3), models)
with open(sys.argv[4], "w") as control:  # start sampling now
    control.write("enable\\n")
import time
started = time.process_time()
for seed in range(1, chunks + 1):
    run_chunk(scenario, seed, np.arange(n), models)
years = chunks * n * scenario.company.n_reps * scenario.company.months / 12
print(years / (time.process_time() - started))  # rep-years per CPU second
"""


def sample(replications: int, chunks: int, folder: Path) -> tuple[list[tuple[float, str]], float]:
    """(share in %, "library [.] symbol") of every function perf sampled, and the
    rep-years per CPU second the sampled chunks ran at."""
    fifo = folder / "control"
    os.mkfifo(fifo)
    data = folder / "perf.data"
    scenario = ROOT / "scenarios" / "default.toml"
    # perf opens the fifo for reading before it starts the workload, which opens it
    # for writing when it is ready to be measured
    record = ["perf", "record", "-q", "-D", "-1", f"--control=fifo:{fifo}", "-o", str(data)]
    work = [sys.executable, "-c", WORK, str(scenario), str(replications), str(chunks), str(fifo)]
    done = subprocess.run([*record, "--", *work], check=True, capture_output=True, text=True)
    report = subprocess.run(
        ["perf", "report", "-i", str(data), "--no-children", "--sort", "dso,symbol",
         "-g", "none", "--stdio"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    out = []
    for line in report.splitlines():
        found = re.match(r"\s*([\d.]+)%\s+(.*)", line)
        if found and not line.lstrip().startswith("#"):
            out.append((float(found[1]), " ".join(found[2].split())))
    return out, float(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=200)
    parser.add_argument("--chunks", type=int, default=8)
    args = parser.parse_args()
    if shutil.which("perf") is None:
        sys.exit("cpu_kinds.py: needs Linux perf (apt install linux-perf, or linux-tools)")
    with tempfile.TemporaryDirectory() as folder:
        samples, rate = sample(args.replications, args.chunks, Path(folder))
    shares = dict.fromkeys([k for k, _, _ in KINDS] + ["other"], 0.0)
    groups = dict.fromkeys(GROUPS, 0.0)
    for share, symbol in samples:
        for kind, group, pattern in KINDS:
            if re.search(pattern, symbol):
                shares[kind] += share
                groups[group] += share
                break
        else:
            shares["other"] += share
    total = sum(shares.values())
    print(
        f"default.toml: {args.chunks} chunks of {args.replications} company-runs, reps "
        f"choosing; CPU samples by kind of machine code (% of {total:.0f}% sampled):"
    )
    for (kind, group, _), next_group in zip(
        KINDS, [g for _, g, _ in KINDS[1:]] + [None], strict=True
    ):
        print(f"  {shares[kind]:5.1f}%  {kind}")
        if group != next_group:
            print(f"  {groups[group]:5.1f}%  = {GROUPS[group]}")
    print(f"  {shares['other']:5.1f}%  other")
    kept = groups["model"] + groups["data"]
    needed = 100 * rate / TARGET
    print(
        f"the sampled chunks ran at {rate:,.0f} rep-years per CPU second (under perf); the "
        f"target, {TARGET:,} rep-years/s per core, needs a chunk in {needed:.0f}% of that "
        f"time. Compiled loops that removed all of the last group and nothing else would "
        f"take {kept:.0f}% ({100 / kept:.1f}x, {rate * 100 / kept:,.0f} rep-years/s): the "
        f"target needs {100 * (100 - needed) / (100 - kept):.0f}% of that group removed"
    )


if __name__ == "__main__":
    with recorded("cpu_kinds", "python benchmarks/cpu_kinds.py"):
        main()
