"""Do this checkout and an earlier revision give the same distributions?

    python benchmarks/agreement.py [--before REV] [--replications N] [--seed S]

For changes that draw other random numbers to the same distributions (e.g. the
ICP fit drawn as an order statistic of uniforms instead of by numpy's Beta
sampler), outputs are no longer bit-identical, so this checks what must still
hold: every metric's mean per plan, and every paired difference of a plan
against the first plan, agree between the two revisions within Monte Carlo
error. Each side runs `sim.run` on N replications in a fresh process importing
its own code (REV exported with `git archive`); the two samples use different
random numbers, so each gap is divided by the standard error of a difference
of independent means, sqrt(se_before^2 + se_now^2). Prints the largest |z|,
how many comparisons exceed 3 and 4 (expect about 0.3% beyond 3 by chance, and
none beyond 4), and the metrics beyond 3.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from record import recorded  # noqa: E402
from speedup import export  # noqa: E402

BEFORE = "c640ecd"  # main before the order-statistic fit draws
SCENARIOS = ("scenarios/default.toml", "scenarios/literature.toml")  # 1 plan, 5 plans
RUN = (
    "import sys, sim; s = sim.load_scenario(sys.argv[1]); "
    "r = sim.run(s, replications=int(sys.argv[2]), seed=int(sys.argv[3])); "
    "assert sim.__file__.startswith(sys.argv[5]), sim.__file__; "
    "r.replications.to_pickle(sys.argv[4])"
)


def replications(source: Path, scenario: str, n: int, seed: int, out: Path) -> pd.DataFrame:
    """One row per plan and replication, from the code in `source`."""
    subprocess.run(
        [sys.executable, "-c", RUN, scenario, str(n), str(seed), str(out), str(source)],
        cwd=source,
        env=dict(os.environ, PYTHONPATH=str(source), COMPSIM_CACHE=str(out.parent / source.name)),
        check=True,
        capture_output=True,
    )
    return pd.read_pickle(out)


def samples(rows: pd.DataFrame) -> dict[str, np.ndarray]:
    """'plan metric' -> values per replication, and 'plan - first metric' -> paired
    differences against the first plan."""
    metrics = [c for c in rows.columns if c not in ("plan", "replication")]
    by_plan = {p: g.sort_values("replication") for p, g in rows.groupby("plan", sort=False)}
    first = next(iter(by_plan))
    out = {}
    for plan, g in by_plan.items():
        for m in metrics:
            out[f"{plan} {m}"] = g[m].to_numpy(float)
            if plan != first:
                diff = g[m].to_numpy(float) - by_plan[first][m].to_numpy(float)
                out[f"{plan} - {first} {m}"] = diff
    return out


def z_scores(before: dict, now: dict) -> dict[str, float]:
    """Gap of means over the standard error of the difference, per shared sample;
    samples with no variance on either side and equal means are skipped."""
    out = {}
    for name in before.keys() & now.keys():
        a, b = before[name], now[name]
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        if len(a) < 2 or len(b) < 2:
            continue
        se = np.sqrt(a.var(ddof=1) / len(a) + b.var(ddof=1) / len(b))
        gap = b.mean() - a.mean()
        if se == 0:
            if gap != 0:
                out[name] = np.inf
            continue
        out[name] = gap / se
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=BEFORE, help="git revision to compare with")
    parser.add_argument("--replications", type=int, default=400)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        before = export(args.before, Path(tmp) / "before")
        for scenario in SCENARIOS:
            got = {
                side: samples(
                    replications(
                        source, scenario, args.replications, args.seed, Path(tmp) / f"{side}.pkl"
                    )
                )
                for side, source in (("before", before), ("now", ROOT))
            }
            z = z_scores(got["before"], got["now"])
            worst = max(z, key=lambda k: abs(z[k]))
            beyond3 = sorted((k for k in z if abs(z[k]) > 3), key=lambda k: -abs(z[k]))
            print(
                f"{scenario}, {args.replications} replications per side, seed {args.seed}: "
                f"{len(z)} means and paired differences compared with {args.before}; "
                f"largest |z| {abs(z[worst]):.2f} ({worst}); beyond 3: {len(beyond3)}, "
                f"beyond 4: {sum(abs(z[k]) > 4 for k in z)}"
            )
            for name in beyond3:
                print(f"  z = {z[name]:+.2f}  {name}")


if __name__ == "__main__":
    with recorded("agreement", "python " + " ".join(["benchmarks/agreement.py", *sys.argv[1:]])):
        main()
