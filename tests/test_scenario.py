"""Scenario files: documented schema, defaults, extends, validation messages."""

import re
import typing

import pytest
from helpers import DEFAULT, ROOT, sim_main
from pydantic import BaseModel

import sim
from sim.errors import ScenarioError
from sim.params import Normal, Uniform
from sim.scenario.explain import defaults_used, explain, settings
from sim.scenario.loader import read_scenario, validate_scenario
from sim.scenario.schema import Scenario


def _models(model=Scenario, seen=None):
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        for arg in (field.annotation, *_all_args(field.annotation)):
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                _models(arg, seen)
    return seen


def _all_args(annotation):
    out = []
    for arg in typing.get_args(annotation):
        out += [arg, *_all_args(arg)]
    return out


def test_every_parameter_has_a_default_a_unit_and_a_meaning():
    missing = []
    for model in _models():
        for name, field in model.model_fields.items():
            if name in ("name", "description", "dist", "type", "plans", "components"):
                continue
            ann = field.annotation
            if issubclass(model, Scenario) or (
                isinstance(ann, type) and issubclass(ann, BaseModel)
            ):
                continue  # a section: each of its fields is checked in turn
            unit = (field.json_schema_extra or {}).get("unit")
            if not field.description or not unit or field.is_required():
                missing.append(f"{model.__name__}.{name}")
    assert not missing, f"undocumented parameters: {missing}"


def _assert_listed(model, table: str, text: str) -> None:
    assert f"[{table}]" in text, f"table [{table}] not in default.toml"
    for key, field in model.model_fields.items():
        ann = field.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            _assert_listed(ann, f"{table}.{key}", text)
        else:
            assert re.search(rf"^{key} = ", text, re.M), f"{table}.{key} not in default.toml"


def test_default_scenario_lists_every_model_coefficient():
    text = DEFAULT.read_text()
    for section, field in Scenario.model_fields.items():
        model = field.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            _assert_listed(model, section, text)


def test_default_scenario_loads_and_has_a_name():
    scenario = sim.load_scenario(DEFAULT)
    assert scenario.name == "default"
    assert [p.name for p in scenario.plans] == ["standard"]
    assert "Scenario(" in repr(scenario)


def test_all_bundled_scenarios_validate():
    for path in (ROOT / "scenarios").glob("*.toml"):
        sim.load_scenario(path)


def test_extends_deep_merges_tables_and_replaces_arrays(tmp_path):
    (tmp_path / "base.toml").write_text(
        "[market]\nneed_median = 1000.0\nfit_a = 3.0\n"
        '[[plans]]\nname = "a"\ncomponents = []\n[[plans]]\nname = "b"\ncomponents = []\n'
    )
    (tmp_path / "child.toml").write_text(
        'extends = "base.toml"\n[market]\nfit_a = 5.0\n[[plans]]\nname = "c"\ncomponents = []\n'
    )
    scenario = sim.load_scenario(tmp_path / "child.toml")
    assert scenario.market.need_median == 1000.0  # inherited
    assert scenario.market.fit_a == 5.0  # overridden
    assert [p.name for p in scenario.plans] == ["c"]  # array replaced whole
    assert scenario.name == "child"


def test_extends_cycle_is_an_error(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    with pytest.raises(ScenarioError, match="cycle"):
        sim.load_scenario(tmp_path / "a.toml")


def test_error_names_the_file_that_set_the_bad_key(tmp_path):
    (tmp_path / "base.toml").write_text(
        '[win]\nfit_coef = -1.0\n[[plans]]\nname = "a"\ncomponents = []\n'
    )
    (tmp_path / "child.toml").write_text('extends = "base.toml"\n')
    with pytest.raises(ScenarioError) as err:
        sim.load_scenario(tmp_path / "child.toml")
    assert str(err.value).startswith(str(tmp_path / "base.toml"))
    assert "win.fit_coef" in str(err.value)


def test_distribution_support_is_checked():
    with pytest.raises(ScenarioError, match=r"strategy\.discount"):
        sim.scenario.validate_scenario(
            {
                "plans": [{"name": "a", "components": []}],
                "strategy": {"discount": {"dist": "normal", "sd": 0.1}},
            },
            "x.toml",
        )
    ok = sim.scenario.validate_scenario(
        {
            "plans": [{"name": "a", "components": []}],
            "strategy": {"discount": {"dist": "uniform", "low": 0.0, "high": 0.3}},
        },
        "x.toml",
    )
    assert isinstance(ok.strategy.discount, Uniform)
    assert isinstance(ok.reps.skill, Normal)


def test_plan_names_must_be_unique():
    with pytest.raises(ScenarioError, match="unique"):
        sim.scenario.validate_scenario(
            {"plans": [{"name": "a", "components": []}, {"name": "a", "components": []}]}, "x.toml"
        )


def test_explain_names_the_source_of_every_setting_and_marks_defaults(tmp_path):
    (tmp_path / "base.toml").write_text(
        '[market]\nfit_a = 3.0\n[[plans]]\nname = "a"\n[plans.quota]\nmultiple_of_ote = 4.0\n'
    )
    child = tmp_path / "child.toml"
    child.write_text(
        'extends = "base.toml"\n[market]\nfit_b = 3.0\n[[plans]]\nname = "a"\n'
        '[[plans.components]]\ntype = "bookings_commission"\nrate = 0.08\n'
    )
    raw, provenance = read_scenario(child)
    scenario = validate_scenario(raw, child, provenance)
    rows = {s.key: s for s in settings(scenario, provenance)}
    assert rows["market.fit_a"].source == str((tmp_path / "base.toml").resolve())
    assert rows["market.fit_b"].source == str(child)
    assert rows["market.need_sigma"].is_default
    # the child's [[plans]] replaced the base's whole: its quota is the schema default
    assert rows['plans["a"].quota.multiple_of_ote'].is_default
    assert rows['plans["a"].quota.multiple_of_ote'].value == 5.0
    rate = rows['plans["a"].components["bookings_commission"].rate']
    assert rate.source == str(child) and rate.value == 0.08
    held = rows['plans["a"].components["bookings_commission"].paid_at_booking']
    assert held.is_default and held.unit == "fraction" and held.meaning
    used = defaults_used(scenario)
    assert used['plans["a"].base_salary'] == 75_000.0 and "market.fit_b" not in used
    text = explain(scenario, provenance)
    line = next(x for x in text.splitlines() if x.startswith('plans["a"].base_salary'))
    assert "DEFAULT [$/yr]" in line


def test_validate_explain_prints_every_setting_through_the_command():
    done = sim_main("validate", "--explain", "scenarios/seed_designs.toml")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(
        x.startswith('plans["blended"].components["clawback"].fraction = 1.0') and "DEFAULT" in x
        for x in lines
    )
    assert any(x.startswith("company.n_reps = 20") and "default.toml" in x for x in lines)
