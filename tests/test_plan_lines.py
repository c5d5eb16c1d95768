"""Bonuses and several measures in one plan: attainment bonuses on their own quota,
several bookings-commission lines with deal filters, AE expansion pay; each
expected dollar worked out by hand (worlds and defaults as in test_components.py:
base $75K against $150K OTE, annual quota $1.2M, so $300K a quarter)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import DEFAULT, ROOT
from test_components import QUOTA, World, commission, line, make_payroll, variable

import sim
from sim.errors import ScenarioError
from sim.plans.ote import payout_at_attainment
from sim.scenario import validate_scenario

STEPS = [{"at": 1.0, "amount": 5_000.0}, {"at": 1.25, "amount": 2_500.0}]


def bonus(**extra) -> dict:
    return {"type": "attainment_bonus", "steps": STEPS, **extra}


# --- attainment bonus ------------------------------------------------------------------


def test_quarterly_bonus_steps_paid_once_in_the_quarters_last_month():
    world = World(seats=3)
    pay = make_payroll(world, bonus())  # bonus quota: 1 x $300K a quarter
    world.sell(0, 200_000)
    world.sell(1, 310_000)  # 103%: the first step
    world.sell(2, 380_000)  # 127%: both steps
    assert line(world.step(pay), "attainment_bonus") == 0  # month 0: not the quarter's end
    world.sell(0, 100_000)  # seat 0 reaches exactly 100% in month 1
    world.step(pay)
    slip = world.step(pay)  # month 2, the quarter's last
    np.testing.assert_allclose(variable(slip), [5_000, 5_000, 7_500])
    world.sell(0, 299_000)  # next quarter: credit starts again from zero
    slips = world.idle(pay, 3)
    np.testing.assert_allclose(variable(slips[-1]), [0, 0, 0])


def test_bonus_quota_as_a_multiple_or_an_amount():
    world = World(seats=2)
    pay = make_payroll(
        world,
        bonus(name="half", quota_multiple=0.5, steps=[{"at": 1.0, "amount": 1_000}]),
        bonus(name="fixed", quota_amount=100_000, steps=[{"at": 2.0, "amount": 3_000}]),
    )
    world.sell(0, 150_000)  # half: 150K / 150K = 1.0; fixed: 150K / 100K = 1.5
    world.sell(1, 200_000)  # half: 1.33; fixed: 2.0
    slip = world.idle(pay, 3)[-1]
    assert line(slip, "half") == 2_000 and line(slip, "fixed") == 3_000
    np.testing.assert_allclose(variable(slip), [1_000, 4_000])


def test_monthly_and_annual_bonus_periods():
    world = World(seats=1)
    pay = make_payroll(
        world,
        bonus(name="monthly", period="month", steps=[{"at": 1.0, "amount": 100}]),
        bonus(name="annual", period="year", steps=[{"at": 1.0, "amount": 10_000}]),
    )
    slips = []
    for _ in range(12):
        world.sell(0, 100_000)  # exactly a month's share of $1.2M, every month
        slips.append(world.step(pay))
    assert [line(s, "monthly") for s in slips] == [100] * 12
    assert [line(s, "annual") for s in slips] == [0] * 11 + [10_000]


def test_a_rep_who_leaves_before_the_period_ends_forfeits_the_bonus():
    world = World(seats=2)
    pay = make_payroll(world, bonus())
    world.sell(0, 400_000)
    world.sell(1, 400_000)
    world.step(pay)
    world.quit(1)  # leaves at the end of month 1
    world.step(pay)
    slip = world.step(pay)
    assert slip.ae[0, 0] - 75_000 / 12 == 7_500 and slip.ae[0, 1] == 0


@pytest.mark.parametrize("prorate, expected", [(True, 5_000 * 2 / 3), (False, 0.0)])
def test_new_hire_mid_quarter_prorated_or_not(prorate, expected):
    world = World(seats=1, occupied=[[False]])
    pay = make_payroll(world, bonus(prorate_new_hires=prorate))
    world.step(pay)
    world.hire(0)  # month 1: two months of the quarter in seat
    world.sell(0, 210_000)  # prorated quota 2/3 x 300K = 200K: 105%; full quota: 70%
    world.step(pay)
    slip = world.step(pay)
    assert variable(slip)[0] == pytest.approx(expected)


def test_bonus_quota_follows_a_ratcheted_commission_quota():
    world = World(seats=1)
    pay = make_payroll(
        world, bonus(period="year", steps=[{"at": 1.0, "amount": 10_000}]),
        quota={**QUOTA, "ratchet_up": 0.5},
    )  # fmt: skip
    world.sell(0, 1_800_000)  # 150%: next year's quota 1.2M x 1.25 = 1.5M
    assert line(world.idle(pay, 12)[-1], "attainment_bonus") == 10_000
    world.sell(0, 1_400_000)  # 93% of the ratcheted quota (117% of the old one)
    assert line(world.idle(pay, 12)[-1], "attainment_bonus") == 0


def test_the_variable_cap_applies_to_the_bonus():
    world = World(seats=1)
    pay = make_payroll(world, bonus(), variable_cap=0.05)  # 5% of $75K: $3,750 a year
    world.sell(0, 400_000)
    slips = world.idle(pay, 3)
    assert sum(line(s, "attainment_bonus") for s in slips) == pytest.approx(3_750)


def test_ote_check_counts_the_bonus_at_100_percent():
    quarterly = bonus(steps=[{"at": 1.0, "amount": 5_625}])
    plan = {"name": "q", "components": [commission(rate=0.07), quarterly]}
    scenario = validate_scenario({"plans": [plan]}, "x.toml")
    lines = payout_at_attainment(scenario.plans[0], scenario)
    # 7% of 5 x $150K = $52,500 commission and 4 quarters x $5,625 = $22,500 bonus
    assert lines["bookings_commission"] == pytest.approx(52_500)
    assert lines["attainment_bonus"] == pytest.approx(22_500)
    assert "attainment_bonus" not in payout_at_attainment(scenario.plans[0], scenario, 0.99)
    assert payout_at_attainment(scenario.plans[0], scenario, 1.3)["attainment_bonus"] == 22_500


# --- several commission lines, AE expansion --------------------------------------------------


def test_bookings_lines_with_filters_pay_only_the_deals_they_admit():
    world = World(seats=1)
    pay = make_payroll(
        world,
        commission(name="commit", rate=0.10, contract="commit"),
        commission(name="usage", rate=0.06, contract="usage"),
        commission(name="two_year", rate=0.02, term=24, min_fit=0.5),
    )
    world.sell(0, 100_000, fit=0.6, term=24)  # commit, 2 years, fit 0.6: 10% + 2%
    world.sell(0, 100_000, fit=0.4, term=24)  # commit, 2 years, fit 0.4: 10%
    cid = world.sell(0, 50_000, fit=0.9)  # made a usage contract below: 6%
    world.deals[cid]["usage_contract"] = True
    slip = world.step(pay)
    assert line(slip, "commit") == 20_000
    assert line(slip, "usage") == 3_000
    assert line(slip, "two_year") == 2_000
    assert variable(slip)[0] == 25_000


def test_repeated_bookings_lines_need_distinct_names():
    with pytest.raises(ScenarioError, match="distinct names"):
        validate_scenario(
            {"plans": [{"name": "p", "components": [commission(), commission(rate=0.05)]}]}, "x"
        )
    with pytest.raises(ScenarioError, match="taken by a report line"):
        validate_scenario({"plans": [{"name": "p", "components": [commission(name="ratio")]}]}, "x")


def test_ae_expansion_commission_on_the_reps_own_accounts():
    world = World(seats=2, n_csms=1)
    pay = make_payroll(
        world,
        commission(name="new_business", rate=0.10),
        {"type": "expansion_commission", "role": "ae", "rate": 0.05},
    )
    a = world.sell(0, 100_000)
    b = world.sell(1, 100_000)
    world.step(pay)
    world.quit(1)
    world.step(pay)
    world.renew(a, 160_000)  # +60K: 5% = 3,000 to seat 0
    world.renew(b, 200_000)  # seat 1 is vacant: nobody is paid
    slip = world.step(pay)
    assert line(slip, "expansion_commission") == 3_000
    np.testing.assert_allclose(slip.ae[0] - [75_000 / 12, 0], [3_000, 0])
    assert slip.csm.sum() == 85_000 / 12  # the CSM is paid base only


def test_bonus_settings_are_checked():
    for wrong, needle in [
        (bonus(quota_amount=1.0, quota_multiple=1.0), "not both"),
        (bonus(steps=[{"at": 1.2, "amount": 1}, {"at": 1.0, "amount": 1}]), "out of order"),
        (bonus(steps=[]), "at least 1"),
    ]:
        with pytest.raises(ScenarioError, match=needle):
            validate_scenario({"plans": [{"name": "p", "components": [wrong]}]}, "x.toml")


# --- the bundled literature designs and the README's examples ------------------------------

LITERATURE = ROOT / "scenarios" / "literature.toml"


def test_literature_plans_keep_their_names_and_cite_their_sources():
    scenario = sim.load_scenario(LITERATURE)
    names = [p.name for p in scenario.plans]
    assert names == ["linear", "quarterly_bonus", "overachievement", "capped", "ratchet"]
    for plan in scenario.plans[1:]:
        assert re.search(r"\(\d{4}\)", plan.description), plan.name
    linear, capped = scenario.plan("linear"), scenario.plan("capped")
    over, ratchet = scenario.plan("overachievement"), scenario.plan("ratchet")
    # each design differs from its comparison by its own feature (and the rate that
    # keeps its expected cost comparable)
    assert capped.quota.cap == 1.5 and linear.quota.cap is None
    assert ratchet.quota.tiers == over.quota.tiers and ratchet.quota.ratchet_up == 0.5
    assert over.quota.ratchet_up == 0 and linear.quota.ratchet_up == 0
    assert scenario.plan("quarterly_bonus").component("attainment_bonus").period == "quarter"


@pytest.mark.slow
def test_literature_plans_cost_about_the_same_as_linear_as_written():
    """literature.toml's claim: with reps not responding (behaviour mode "fixed"), each
    plan's mean comp cost is within 1.5% of linear's at 200 replications (its seed)."""
    scenario = sim.load_scenario(LITERATURE)
    fixed = scenario.model_copy(
        update={"behavior": scenario.behavior.model_copy(update={"mode": "fixed"})}
    )
    cost = sim.run(fixed, replications=200).compare(baseline="linear")
    cost = cost.query("metric == 'comp_cost'")
    assert len(cost) == 4
    assert (cost.rel_change.abs() < 0.015).all(), cost[["plan", "rel_change"]]


@pytest.mark.slow
def test_once_reps_respond_an_accelerator_costs_more_and_a_cap_less():
    """literature.toml's other claim (docs/behavior.md): reps who choose work an
    accelerator harder and a capped plan less, so their comp costs part ways."""
    result = sim.run(sim.load_scenario(LITERATURE), replications=40, seed=3)
    cost = result.compare(baseline="linear").query("metric == 'comp_cost'").set_index("plan")
    assert cost.loc["overachievement", "rel_ci_low"] > 0.03, cost.rel_change
    assert cost.loc["capped", "rel_ci_high"] < 0, cost.rel_change


def test_readme_scenario_examples_validate(tmp_path):
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    text = "".join(page.read_text() for page in pages)
    blocks = re.findall(r"```toml\n(.*?)```", text, re.S)
    assert len(blocks) >= 3
    for i, block in enumerate(blocks):
        path = tmp_path / f"example_{i}.toml"
        body = re.sub(r"^extends = .*$", "", block, flags=re.M)
        path.write_text(f'extends = "{DEFAULT.as_posix()}"\n{body}')
        sim.load_scenario(path)
