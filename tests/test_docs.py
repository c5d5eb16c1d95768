"""The documentation inside the repository covers what the code writes: every output
file, manifest key and metric of a run is documented, `sim metrics` lists every
metric a run writes, links resolve, and nothing points outside the repository."""

import json
import re

import pandas as pd
import pytest
from helpers import ROOT, sim_main, small_scenario_file

from sim.metrics import METRICS

DOCS = ROOT / "docs"
# plans using every kind of pay line: named lines, CSM lines, recoveries, bonuses
PLANS = """
[[plans]]
name = "standard"
[[plans.components]]
type = "bookings_commission"
rate = 0.10
[[plans]]
name = "everything"
[plans.policies]
renewal_credit = ["ae", "csm"]
[[plans.components]]
type = "bookings_commission"
name = "new_business"
rate = 0.08
[[plans.components]]
type = "clawback"
window_months = 12
[[plans.components]]
type = "renewal_commission"
rate = 0.02
csm_rate = 0.01
[[plans.components]]
type = "spiff"
name = "deployment_spiff"
metric = "successful_deployments"
amount = 300.0
[[plans.components]]
type = "grr_bonus"
target_bonus = 5000.0
[[plans.components]]
type = "draw"
amount_per_month = 2000.0
months = 3
"""


def text(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def documented(name: str, page: str) -> bool:
    """`name` appears in code style on `page`, or it is a pay line the page documents
    by its pattern."""
    if f"`{name}`" in page:
        return True
    if name.startswith("comp_cost_role_"):
        return "`comp_cost_role_" in page
    return name.startswith("comp_cost_") and "`comp_cost_<component>`" in page


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("docs")
    scenario = small_scenario_file(folder, PLANS)
    out = folder / "out"
    done = sim_main("run", scenario, "-n", "2", "--out", out, "--xlsx", "-q")
    assert done.returncode == 0, done.stderr
    return scenario, out


def test_every_file_and_manifest_key_a_run_writes_is_documented(run_folder):
    _, out = run_folder
    page = text("outputs.md")
    missing = [f.name for f in out.iterdir() if f"`{f.name}`" not in page]
    assert not missing, f"docs/outputs.md does not describe {missing}"
    manifest = json.loads((out / "manifest.json").read_text())
    missing = [key for key in manifest if f"`{key}`" not in page]
    assert not missing, f"docs/outputs.md does not describe manifest keys {missing}"


def test_every_metric_is_documented_and_listed_by_sim_metrics(run_folder):
    scenario, out = run_folder
    page = text("metrics.md")
    written = set(pd.read_csv(out / "replications.csv").columns) - {"plan", "replication"}
    written |= set(pd.read_csv(out / "by_year.csv").columns) - {"plan", "replication", "year"}
    assert any(c.startswith("comp_cost_role_") for c in written)
    names = written | {m.name for m in METRICS}
    missing = sorted(n for n in names if not documented(n, page))
    assert not missing, f"docs/metrics.md does not document {missing}"
    listing = sim_main("metrics", scenario)
    assert listing.returncode == 0, listing.stderr
    listed = {line.split()[0] for line in listing.stdout.splitlines() if line.strip()}
    assert written <= listed, f"sim metrics omits {sorted(written - listed)}"
    plain = sim_main("metrics").stdout  # without a scenario: every registered line
    assert "comp_cost_bookings_commission" in plain and "comp_cost_role_csm" in plain


def test_links_resolve_and_nothing_points_outside_the_repository():
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    for page in pages:
        body = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", body):
            if "://" in target:
                continue
            assert (page.parent / target).resolve().is_file(), f"{page.name}: broken {target}"
    outside = re.compile(r"\.\./shared|DESIGN\.md|CALIBRATION\.md")
    tracked = [*pages, *ROOT.glob("scenarios/*.toml"), *ROOT.glob("sim/**/*.py")]
    tracked += [*ROOT.glob("benchmarks/*.py"), *ROOT.glob("tests/*.py")]
    tracked += [*ROOT.glob("notebooks/*.ipynb")]
    offenders = [
        str(p.relative_to(ROOT))
        for p in tracked
        if p.name != "test_docs.py" and outside.search(p.read_text(encoding="utf-8"))
    ]
    assert not offenders, f"files pointing outside the repository: {offenders}"
    index = text("README.md")
    for page in DOCS.glob("*.md"):
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not link {page.name}"
