"""Steady state: the automatic warm-up covers every plan's longest tail, the manifest
records it, each headline change is shown year by year with a warning when it still
moves, and the answer does not change when the warm-up doubles."""

import re

import numpy as np
import pandas as pd
import pytest
from helpers import DEFAULT, ROOT, small_scenario

import sim
from sim.metrics import HEADLINE, metric
from sim.steadiness import MATERIAL, changes_by_year, not_steady
from sim.warmup import warm_up

# a plan paid at booking and one paid on 24 months of the account's revenue: the
# second's cost builds up for two years after its first deals
PLANS = [
    {"name": "bookings", "components": [{"type": "bookings_commission", "rate": 0.10}]},
    {
        "name": "revenue",
        "components": [{"type": "revenue_commission", "rate": 0.06, "months": 24}],
    },
]


def test_auto_warm_up_covers_the_longest_tail_of_any_plan():
    default = sim.load_scenario(DEFAULT)
    lead = default.reps.ramp_months + int(np.ceil(3 * default.market.sales_cycle_months))
    assert default.company.burn_in_months == "auto"
    assert default.warm_up_months == lead + 12  # no plan tail: 12 months of pay memory
    seeds = sim.load_scenario(ROOT / "scenarios" / "seed_designs.toml")
    record = warm_up(seeds)
    assert record.months == lead + 24 and record.longest_tail_plan == "revenue_realization"
    assert not record.short and record.warning() is None
    short = warm_up(seeds.with_values({"company.burn_in_months": 6}))
    assert short.months == 6 and short.short
    assert "revenue_realization" in short.warning() and "24-month" in short.warning()
    # plans whose pay grows with the whole book: renewals, CSAT, retention, expansion
    assert record.book_paid == {
        "renewal_kicker": ["renewal_commission"],
        "csat_individual": ["csat_modifier"],
        "csat_company": ["csat_modifier"],
        "csm_grr_bonus": ["grr_bonus"],
        "overlap_renewal_credit": ["renewal_commission"],
        "blended": ["renewal_commission"],
    }


def scenario(burn_in, **company):
    return small_scenario(company={"months": 24, "burn_in_months": burn_in, **company}, plans=PLANS)


def differences(result, plan="revenue") -> pd.DataFrame:
    """Each headline difference of `plan` from the run's baseline, with its standard
    error."""
    table = result.compare().query("plan == @plan").set_index("metric")
    table = table.loc[[m for m in HEADLINE if m in table.index]]
    se = (table.diff_ci_high - table.diff_ci_low) / (2 * 1.96)
    return pd.DataFrame({"diff": table["diff"], "se": se})


def z_scores(a: pd.DataFrame, b: pd.DataFrame) -> pd.Series:
    return (a["diff"] - b["diff"]) / np.sqrt(a.se**2 + b.se**2).replace(0, np.nan)


def test_doubling_the_auto_warm_up_leaves_every_headline_difference_in_place():
    auto = sim.run(scenario("auto"), replications=40, seed=4)
    months = auto.meta["warm_up"]["months"]
    assert months == auto.scenario.warm_up_months == 4 + 7 + 24  # the 24-month tail
    longer = sim.run(scenario(2 * months), replications=40, seed=4)
    z = z_scores(differences(auto), differences(longer))
    assert (z.abs().fillna(0) < 4).all(), z  # the same answer within 4 standard errors
    # and the test has teeth: with no warm-up the revenue plan's cost is still building
    cold = sim.run(scenario(0), replications=40, seed=4)
    assert abs(z_scores(differences(cold), differences(longer))["comp_cost"]) > 4


def test_manifest_and_report_record_the_warm_up(tmp_path):
    from sim.outputs import write_run

    result = sim.run(scenario(6), replications=6, seed=2)
    record = result.meta["warm_up"]
    assert record["months"] == 6 and record["setting"] == 6 and record["needed"] == 35
    assert record["pays_on_installed_base"] == {}  # commissions on bookings and revenue
    assert "revenue" in record["warning"]
    out = write_run(result, tmp_path / "out")
    manifest = (out / "manifest.json").read_text()
    assert '"warm_up"' in manifest and "shorter than the 35" in manifest
    page = (out / "report.html").read_text()
    assert "Warm-up too short" in page and 'id="by-year"' in page
    assert "selling for 6 months when reporting starts" in page
    assert (out / "changes_by_year.csv").exists()


def by_year(drift_per_year: float, years=3, n=200) -> pd.DataFrame:
    """Two plans on the same markets; plan b's revenue is (1 + 5% + drift x (year - 1))
    times a's, its GRR 1 pt above a's every year."""
    rng = np.random.default_rng(3)
    rows = []
    for year in range(1, years + 1):
        market = rng.lognormal(0, 0.2, n)
        noise = rng.normal(0, 0.01, n)
        for plan, lift, grr in (("a", 0.0, 0.0), ("b", 0.05 + drift_per_year * (year - 1), 0.01)):
            rows.append(
                pd.DataFrame(
                    {
                        "plan": plan,
                        "replication": np.arange(n),
                        "year": year,
                        "revenue": 40e6 * market * (1 + lift) * (1 + (plan == "b") * noise),
                        "grr": 0.9 + 0.01 * market + grr,
                    }
                )
            )
    return pd.concat(rows, ignore_index=True)


def test_a_change_that_grows_year_on_year_is_named_and_a_constant_one_is_not():
    growing = changes_by_year(by_year(0.03), "a", metrics=("revenue", "grr"))
    first = growing[(growing.year == 1) & (growing.metric == "revenue")].iloc[0]
    assert first.unit == "%" and first.change == pytest.approx(0.05, abs=0.005)
    assert first.drift == pytest.approx(0.06, abs=0.005)
    moving = not_steady(growing)
    assert list(moving.metric) == ["revenue"]  # GRR's +1 pt is the same every year
    assert moving.iloc[0].last == pytest.approx(0.11, abs=0.005)
    tiny = changes_by_year(by_year(0.003), "a", metrics=("revenue",))
    assert tiny.steady.all()  # significant, but 0.6 points over two years is immaterial


def reported_changes(compared: pd.DataFrame, plan) -> pd.DataFrame:
    """`plan`'s headline changes as the report states them (% for money and counts, pt
    for fractions), with standard errors, from a `compare()` table."""
    table = compared.query("plan == @plan").set_index("metric")
    table = table.loc[[m for m in HEADLINE if m in table.index]]
    pt = table.index.map(lambda m: metric(m).unit.startswith("fraction"))
    change = np.where(pt, table["diff"], table.rel_change)
    half = np.where(
        pt, table.diff_ci_high - table.diff_ci_low, table.rel_ci_high - table.rel_ci_low
    )
    return pd.DataFrame({"diff": change, "se": half / (2 * 1.96)}, index=table.index)


def moved(auto: pd.DataFrame, longer: pd.DataFrame, plan) -> tuple[list[str], list[str]]:
    """Headline metrics whose change from the baseline differs materially (1 point, the
    report's threshold) and significantly (4 standard errors) between two warm-ups'
    `compare()` tables; and those whose sign flips where both are sure."""
    a, b = reported_changes(auto, plan), reported_changes(longer, plan)
    gap = (a["diff"] - b["diff"]).abs()
    apart = (gap > 4 * np.sqrt(a.se**2 + b.se**2)) & (gap >= MATERIAL)
    sure = (a["diff"].abs() > 1.96 * a.se) & (b["diff"].abs() > 1.96 * b.se)
    flipped = sure & (np.sign(a["diff"]) != np.sign(b["diff"]))
    return list(a.index[apart]), list(a.index[flipped])


# what the installed base does: it compounds over customer lifetimes (docs/model.md)
BOOK = {"revenue", "ending_arr", "grr", "nrr", "comp_cost_ratio", "margin_after_comp"}


@pytest.mark.slow  # 14 plans, reps choosing, two warm-ups: several minutes
def test_seed_designs_answer_the_same_after_twice_the_auto_warm_up_or_say_why():
    """What the automatic warm-up is for (pay tails, the pipeline, ramp, pay memory)
    settles within it: when it doubles, new ARR, new logos, rep attrition and the comp
    cost of every plan that does not pay on the whole book stay in place, unless the
    auto run's report already names the change as still moving. What a plan does to
    the installed base compounds over customer lifetimes of about ten years while the
    fixed team's company ages with the warm-up; the report says so and names the plans
    paying on the book (whose cost grows with it), and no such change flips its sign
    silently."""
    seeds = sim.load_scenario(ROOT / "scenarios" / "seed_designs.toml")
    auto = sim.run(seeds, replications=60, seed=8, jobs=2)
    months = auto.meta["warm_up"]["months"]
    longer = sim.run(
        seeds.with_values({"company.burn_in_months": 2 * months}), replications=60, seed=8, jobs=2
    )
    book_paid = auto.meta["warm_up"]["pays_on_installed_base"]
    assert set(book_paid) == {
        "renewal_kicker", "csat_individual", "csat_company", "csm_grr_bonus",
        "overlap_renewal_credit", "blended",
    }  # fmt: skip
    warned = not_steady(changes_by_year(auto.by_year_of(HEADLINE), auto.plans[0]))
    named = set(zip(warned.plan, warned.metric, strict=True))
    a, b = auto.compare(), longer.compare()
    silent = {}
    for plan in auto.plans[1:]:
        apart, flipped = moved(a, b, plan)
        book = BOOK | ({"comp_cost"} if plan in book_paid else set())
        unexplained = [m for m in apart if m not in book] + flipped
        silent[plan] = [m for m in unexplained if (plan, m) not in named]
    assert not any(silent.values()), silent
    check_quoted_changes(a, b)


def quoted_changes() -> list[tuple[str, str, float, float]]:
    """(plan, metric, after the auto warm-up, after twice it) as docs/model.md quotes
    them: "`renewal_kicker` +3.9%, then +11.0%" (% change, or pt for GRR and NRR)."""
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    text = " ".join(text.split("In `seed_designs` (", 1)[1].split("No warm-up")[0].split())
    number = r"([+-]\d+\.\d)"
    found = [
        ("revenue_realization", "revenue", *re.search(
            rf"revenue is {number}% against `upfront_bookings` after the automatic \d+ "
            rf"months and {number}%", text).groups()),
        ("revenue_realization", "grr", *re.search(
            rf"GRR change {number} pt and {number} pt", text).groups()),
    ]  # fmt: skip
    for plan, unit in (
        ("clawback", " pt"),
        ("renewal_kicker", "%"),
        ("overlap_renewal_credit", "%"),
    ):
        then = re.search(rf"`{plan}` {number}{unit}, then {number}{unit}", text).groups()
        found.append((plan, "nrr" if plan == "clawback" else "comp_cost", *then))
    return [(plan, m, float(x), float(y)) for plan, m, x, y in found]


def check_quoted_changes(auto: pd.DataFrame, longer: pd.DataFrame) -> None:
    """Each change docs/model.md quotes is its run's, within the change's 95% interval
    give or take the rounding: not a figure of an older model."""
    quoted = quoted_changes()
    assert len(quoted) == 5, quoted
    for plan, name, *figures in quoted:
        for compared, figure in zip((auto, longer), figures, strict=True):
            row = compared.set_index(["plan", "metric"]).loc[(plan, name)]
            low, high = (
                (row.diff_ci_low, row.diff_ci_high) if name in ("grr", "nrr")
                else (row.rel_ci_low, row.rel_ci_high)
            )  # fmt: skip
            assert 100 * low - 0.05 <= figure <= 100 * high + 0.05, (plan, name, figure, low, high)
