"""The contract every registered pay component fulfils, and what is derived from the
registry: the scenario union, the OTE check, journey cells, capitalized lines,
budget scaling (`scale_variable_pay`) and warm-up tails (`plan_tail_months`).

One world (`contract_world`, built with test_components.World) exercises every
kind of event a component can pay on over a plan year: sales (one small, one
low-fit), a hire into a vacant seat (draws), deployments, first invoices, cash,
forecasts, CSAT surveys, an early churn (clawbacks), a renewal with expansion and
the year-end GRR cohort (team and GRR bonuses)."""

from __future__ import annotations

import json
import math
import pkgutil
import re
import sys
import typing

import numpy as np
import pytest
from helpers import ROOT, sim_main
from test_components import World, commission

import sim.plans.components
from sim.plans.base import DEAL_CELLS, ROLES, STAGES, ComponentConfig
from sim.plans.config import AnyComponentConfig, Plan, plan_tail_months, scale_variable_pay
from sim.plans.ote import ote_basis, payout_at_attainment
from sim.plans.payroll import Payroll
from sim.plans.registry import REGISTRY, component_types
from sim.scenario import validate_scenario

TYPES = component_types()
PAYROLL_LINES = {"base_salary", "csm_base_salary", "balance_carried"}
QUOTA = {"amount": 1_200_000}
SCENARIO = validate_scenario({"plans": [{"name": "p", "components": []}]}, "x.toml")


def defaults(kind: str) -> ComponentConfig:
    return REGISTRY[kind](type=kind)


def plan_with(*components, **plan) -> Plan:
    """A plan of a 10% bookings commission (so that multipliers, timing and clawbacks
    have deal pay to act on) and `components`."""
    extra = [
        c.model_dump(by_alias=True) if isinstance(c, ComponentConfig) else c for c in components
    ]
    if not any(c["type"] == "bookings_commission" for c in extra):
        extra = [commission(), *extra]
    plan.setdefault("quota", QUOTA)
    plan.setdefault("policies", {"renewal_credit": ["ae", "csm"]})
    return Plan(name="p", components=extra, **plan)


def contract_world(plan: Plan) -> list:
    """A plan year on the contract world; the payslip of every month."""
    world = World(seats=3, n_csms=1, occupied=[[True, True, False]])
    payroll = Payroll(plan, world.shape, world.n_csms)
    slips = []
    small = big = None
    for month in range(12):
        world.forecast = np.full(world.shape, 250_000.0)
        if month == 0:
            small = world.sell(0, 20_000, fit=0.3, discount=0.25)
            big = world.sell(1, 300_000, fit=0.8, discount=0.05)
        if month == 1:
            world.hire(2)
            world.deploy(small, success=False)
            world.deploy(big)
            world.pay_invoice(big)
        if month in (1, 2, 3):
            world.collect(big, 25_000.0)
        if month == 4:
            world.sell(2, 80_000, fit=0.6)
        if month == 5:
            world.churn(small)
        if month % 3 == 2:
            world.set_survey([[3, 9, 1]], [[4, 10, 2]])
        if month == 11:
            world.renew(big, 360_000)
            world.extra["cohort"] = {
                "start_arr": np.array([400_000.0]),
                "end_arr": np.array([420_000.0]),
                "end_arr_capped": np.array([380_000.0]),
            }
        slips.append(world.step(payroll))
    return slips


def variable_lines(slips) -> dict[str, float]:
    """Dollars per line over the year, payroll's own lines left out."""
    out: dict[str, float] = {}
    for slip in slips:
        for name, amount in slip.by_component.items():
            if name not in PAYROLL_LINES:
                out[name] = out.get(name, 0.0) + float(np.sum(amount))
    return out


# --- the registry ---------------------------------------------------------------------


def test_every_component_module_registers_one_component_named_after_the_file():
    modules = sorted(m.name for m in pkgutil.iter_modules(sim.plans.components.__path__))
    assert modules == sorted(TYPES)
    for kind, config in REGISTRY.items():
        assert config.__module__ == f"sim.plans.components.{kind}"
        assert typing.get_args(config.model_fields["type"].annotation) == (kind,)


def test_the_scenario_union_is_the_registry():
    members = typing.get_args(typing.get_args(AnyComponentConfig)[0])
    assert set(members) == set(REGISTRY.values())


def test_sim_schema_and_the_readme_cover_every_component():
    done = sim_main("schema")
    assert done.returncode == 0, done.stderr
    schema = json.loads(done.stdout)
    tags = {
        d["properties"]["type"]["const"]
        for d in schema["$defs"].values()
        if "type" in d.get("properties", {}) and "const" in d["properties"]["type"]
    }
    assert set(TYPES) <= tags
    reference = (ROOT / "docs" / "plans.md").read_text()
    table = set(re.findall(r"^\| `([a-z_]+)`", reference, re.M))
    missing = [kind for kind in TYPES if kind not in table]
    assert not missing, f"docs/plans.md's component table lacks {missing}"


# --- the contract, per component --------------------------------------------------------


@pytest.mark.parametrize("kind", TYPES)
def test_every_setting_is_documented_with_a_default_and_a_unit(kind):
    config = REGISTRY[kind]
    assert sys.modules[config.__module__].__doc__, f"{kind}: say what it pays in the module"
    for name, field in config.model_fields.items():
        if name == "type":
            continue
        unit = (field.json_schema_extra or {}).get("unit")
        assert field.description and unit and not field.is_required(), (kind, name)


@pytest.mark.parametrize("kind", TYPES)
def test_builds_and_pays_finite_amounts_on_its_own_line(kind):
    plan = plan_with(defaults(kind))
    slips = contract_world(plan)
    lines = variable_lines(slips)
    for slip in slips:
        assert slip.ae.shape == (1, 3) and np.isfinite(slip.ae).all()
        assert slip.csm.shape == (1, 1) and np.isfinite(slip.csm).all()
        assert all(np.isfinite(v).all() for v in slip.by_component.values())
        np.testing.assert_allclose(sum(slip.by_component.values()), slip.total)
    config = plan.components[-1]
    assert set(lines) <= {"bookings_commission", config.line}, lines
    if config.has_line:
        assert lines.get(config.line, 0.0) != 0.0, f"{kind} paid nothing on the contract world"


@pytest.mark.parametrize("kind", TYPES)
def test_declares_its_journey_cells(kind):
    config = defaults(kind)
    plan = plan_with(config)
    cells = config.journey_cells(plan)
    assert all(role in ROLES and stage in STAGES for role, stage in cells), cells
    if config.deal_pay:
        assert cells == DEAL_CELLS
    if config.unstaged or not config.has_line:
        assert config.restages_deal_pay or cells == ()
    else:
        assert cells, f"{kind} pays but declares no journey cells"


@pytest.mark.parametrize("kind", TYPES)
def test_declares_its_pay_at_100_percent(kind):
    config = defaults(kind)
    pay = config.ote_pay(ote_basis(plan_with(config), SCENARIO))
    assert math.isfinite(pay) and pay >= 0
    attainment_pay = ("bookings_commission", "logo_bonus", "revenue_commission",
                      "forecast_accuracy", "attainment_bonus")  # fmt: skip
    assert (pay > 0) == (kind in attainment_pay), (kind, pay)


def _leaves(node, path=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key))
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value, (*path, "*"))
    else:
        yield path, node


@pytest.mark.parametrize("kind", TYPES)
def test_scaling_by_two_doubles_its_variable_pay_settings_and_nothing_else(kind):
    config = defaults(kind)
    if kind == "bookings_commission":
        config = config.model_copy(update={"rate": 0.3})
    variable = {tuple(p.split(".")) for p in config.variable_pay}
    before = list(_leaves(config.model_dump()))
    after = list(_leaves(config.scaled(2.0).model_dump()))
    assert [p for p, _ in before] == [p for p, _ in after]
    for (path, old), (_, new) in zip(before, after, strict=True):
        settings = tuple(k for k in path if k != "*")
        assert new == (2 * old if settings in variable else old), (kind, path, old, new)
    for path in variable:
        assert any(tuple(k for k in p if k != "*") == path for p, _ in before), path


@pytest.mark.parametrize("kind", TYPES)
def test_a_plan_scaled_by_two_pays_twice_the_variable_pay(kind):
    # every line is homogeneous in the variable settings (and target variable pay)
    plan = plan_with(defaults(kind), variable_cap=3.0)
    doubled = scale_variable_pay(plan, 2.0)
    once, twice = variable_lines(contract_world(plan)), variable_lines(contract_world(doubled))
    assert set(once) == set(twice)
    for name in once:
        assert twice[name] == pytest.approx(2 * once[name], rel=1e-12, abs=1e-9), name
    at_100 = payout_at_attainment(plan, SCENARIO)
    at_100_doubled = payout_at_attainment(doubled, SCENARIO)
    assert at_100_doubled.pop("base_salary") == at_100.pop("base_salary")
    for name, amount in at_100.items():
        assert at_100_doubled[name] == pytest.approx(2 * amount), name


@pytest.mark.parametrize("kind", TYPES)
def test_declares_a_tail(kind):
    tail = defaults(kind).tail_months()
    assert isinstance(tail, int) and tail >= 0


# --- what is derived from it -----------------------------------------------------------------


def test_scale_variable_pay_keeps_base_quota_and_policies():
    plan = Plan(
        name="p",
        base_salary=80_000,
        ote=160_000,
        variable_cap=2.0,
        quota={"multiple_of_ote": 5.0, "tiers": [{"from": 0}, {"from": 1, "multiplier": 2}]},
        policies={"max_discount": 0.3},
        components=[commission(rate=0.08), {"type": "logo_bonus", "amount": 2_000}],
    )
    scaled = scale_variable_pay(plan, 1.25)
    assert scaled.base_salary == 80_000 and scaled.csm_base_salary == plan.csm_base_salary
    assert scaled.ote == 80_000 + 1.25 * 80_000
    assert scaled.annual_quota == plan.annual_quota == 800_000  # pinned, not 5 x the new OTE
    assert scaled.quota.tiers == plan.quota.tiers and scaled.policies == plan.policies
    assert scaled.variable_cap == 2.0
    assert [c.rate if c.type == "bookings_commission" else c.amount for c in scaled.components] == [
        pytest.approx(0.1),
        pytest.approx(2_500),
    ]
    assert scale_variable_pay(plan, 1.0) == plan.model_copy(
        update={"quota": plan.quota.model_copy(update={"amount": 800_000.0})}
    )


def test_scale_variable_pay_refuses_a_rate_above_one():
    with pytest.raises(ValueError, match="rate"):
        scale_variable_pay(plan_with(commission(rate=0.6)), 2.0)


def test_plan_tail_months_is_the_longest_tail():
    assert plan_tail_months(plan_with()) == 0
    assert (
        plan_tail_months(plan_with(commission(paid_at_booking=0.5, remainder_after_months=9))) == 9
    )
    plan = plan_with(
        {"type": "revenue_commission", "months": 24},
        {"type": "clawback", "window_months": 12},
        {"type": "deployment_holdback", "window_months": 6},
    )
    assert plan_tail_months(plan) == 24
    assert plan_tail_months(plan_with(quota={"amount": 1e6, "ratchet_up": 0.5})) == 12
    assert plan_tail_months(Plan(name="p", components=[])) == 0


def test_capitalized_lines_come_from_the_registry():
    plan = plan_with({"type": "logo_bonus"}, {"type": "renewal_commission"}, {"type": "spiff"})
    payroll = Payroll(plan, (1, 2), 0)
    assert set(payroll.capitalized) == {"bookings_commission", "logo_bonus", "renewal_commission"}
    assert {k for k, c in REGISTRY.items() if c.capitalized} == {
        "attainment_bonus",
        "bookings_commission",
        "logo_bonus",
        "renewal_commission",
        "clawback",
    }
