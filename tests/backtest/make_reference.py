"""Write the back-test reference: per-metric mean, sd and n of a small scenario in
the "fixed" and "qbr" behaviour modes, as the model stood before reps gained effort,
a state-dependent policy and timing reach (commit 562e79e).

`tests/test_backtest.py` checks that, with every new lever off, today's model gives
the same distributions (means within 4 standard errors of the difference). Re-run
this script only when a change is meant to move these numbers, and say so in the
commit message.

    python tests/backtest/make_reference.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from helpers import small_scenario  # noqa: E402

import sim  # noqa: E402

MODES = {
    "fixed": {"mode": "fixed", "levers": {"effort": False}},
    "qbr": {
        "mode": "qbr",
        "levers": {"effort": False},
        "skill_bins": 3,
        "patience_bins": 1,
        "grid": {
            "discount": [0.0, 0.15, 0.3],
            "overforecast": [0.0, 0.3],
            "fit_threshold": [0.0, 0.4],
        },
    },
}
COMPANY = {"n_reps": 10, "n_csms": 3, "months": 24, "burn_in_months": 3}
REPLICATIONS, SEED = 300, 101


def scenario(mode: str):
    return small_scenario(
        company=COMPANY,
        initial_book={"customers": 120},
        behavior=MODES[mode],
        plans=[{"name": "standard"}],
    )


def main() -> None:
    out = {}
    for mode in MODES:
        rows = sim.run(scenario(mode), replications=REPLICATIONS, seed=SEED).replications
        metrics = [c for c in rows.columns if c not in ("plan", "replication")]
        out[mode] = {
            m: {"mean": float(rows[m].mean()), "sd": float(rows[m].std(ddof=1)), "n": len(rows)}
            for m in metrics
            if rows[m].notna().all()
        }
    (HERE / "reference.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
