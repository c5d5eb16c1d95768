"""Dotted paths into a scenario, for sweeps, budgets and optimization.

A path names one setting: `market.opportunities_per_rep_month`,
`finance.gross_margin`, `plans.standard.components.0.rate`. Tables are entered
by key; lists by position (`plans.0`, `components.1`) or, where their items have
one, by name: a plan by its `name`, a component by its `type` (or a SPIFF's
`name`) when that is unique in the plan. `Scenario.with_values` sets several
paths at once and validates the result like a scenario file, so a value out of
range or a misspelt key is a one-line error naming the path.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel

from sim.errors import UserError


def with_values(scenario, values: dict[str, Any], source: str = "--set"):
    """A copy of `scenario` with each dotted path in `values` set to its value."""
    from sim.scenario.loader import validate_scenario

    raw = scenario.model_dump(mode="python", by_alias=True)
    for path, value in values.items():
        container, key = locate(raw, path)
        container[key] = value
    return validate_scenario(raw, source)


def check_paths(scenario, paths, option: str) -> None:
    """Each of `paths` names a setting of `scenario`; else a one-line error led by the
    command-line option that gave it (`--set plans.standard.components.0.rte: unknown
    key (did you mean 'rate'?)`), before any work starts."""
    raw = scenario.model_dump(mode="python", by_alias=True)
    for path in paths:
        try:
            locate(raw, path)
        except UserError as exc:
            raise UserError(f"{option} {exc}") from None


def get_value(scenario, path: str) -> Any:
    """The current value at a dotted path."""
    container, key = locate(scenario.model_dump(mode="python", by_alias=True), path)
    return container[key]


def unit_of(scenario, path: str) -> str:
    """The unit the schema gives the setting at a dotted path ('' if none): a model's
    field by its key, a list's item by position or name, as `locate` finds them."""
    raw = scenario.model_dump(mode="python", by_alias=True)
    node, model, unit = raw, scenario, ""
    for depth, part in enumerate(path.split(".")):
        key = _step(node, part, ".".join(path.split(".")[: depth + 1]))
        if isinstance(model, BaseModel):
            name, field = next(
                (n, f) for n, f in type(model).model_fields.items() if (f.alias or n) == key
            )
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            unit, model = str(extra.get("unit", "")), getattr(model, name)
        else:  # a list's item, or a plain table's entry: no field of its own
            unit, model = "", model[key] if isinstance(model, list | dict) else None
        node = node[key]
    return unit


def locate(raw: dict, path: str) -> tuple[Any, Any]:
    """The table (or list) holding the setting at `path`, and its key (or index) there.
    Raises a one-line `UserError` naming the path when a step does not exist."""
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise UserError(f"{path!r}: a path is dotted keys such as market.need_median")
    node: Any = raw
    for depth, part in enumerate(parts):
        here = ".".join(parts[: depth + 1])
        key = _step(node, part, here)
        if depth == len(parts) - 1:
            return node, key
        node = node[key]
        if not isinstance(node, dict | list):
            raise UserError(f"{here}: is a single value ({node!r}); nothing below it")
    raise AssertionError("unreachable")  # pragma: no cover


def _step(node: Any, part: str, here: str) -> Any:
    if isinstance(node, dict):
        if part in node:
            return part
        raise UserError(f"{here}: unknown key{_hint(part, list(node))}")
    if part.lstrip("-").isdigit():
        index = int(part)
        if not -len(node) <= index < len(node):
            raise UserError(f"{here}: no item {index} (the list has {len(node)})")
        return index
    matches = [i for i, item in enumerate(node) if part in _names(item)]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise UserError(f"{here}: {len(matches)} items are called {part!r}; use a position")
    names = list(dict.fromkeys(n for item in node for n in _names(item)))
    listed = f"; choose from {', '.join(names)} or a position" if names else ""
    raise UserError(f"{here}: no item called {part!r}{_hint(part, names) or listed}")


def _names(item: Any) -> list[str]:
    """What a list item may be called: its `name` and its `type`, where it has them."""
    if not isinstance(item, dict):
        return []
    return list(dict.fromkeys(item[k] for k in ("name", "type") if isinstance(item.get(k), str)))


def _hint(part: str, choices: list[str]) -> str:
    near = difflib.get_close_matches(part, choices, n=1, cutoff=0.6)
    return f" (did you mean '{near[0]}'?)" if near else ""
