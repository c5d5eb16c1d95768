"""Write a scenario back to a TOML file that `load_scenario` reads to the same scenario.

Only settings that differ from the schema's defaults are written (the rest come
back as defaults), so a written scenario shows what makes it itself: budgeted
rates, an optimized plan. `[[plans]]` and `[[plans.components]]` are arrays of
tables as in hand-written files; other lists of tables (quota tiers, bands) and
distributions are inline.
"""

from __future__ import annotations

import json
import math
from typing import Any

ARRAYS_OF_TABLES = ("plans", "components")


def scenario_to_toml(scenario, header: str = "") -> str:
    """The scenario as TOML text, `header` (lines of text) as a leading comment."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["name"] = scenario.name  # always named, even when the name is empty
    lines = [f"# {line}".rstrip() for line in header.splitlines()]
    _table(data, [], lines)
    return "\n".join(lines).strip() + "\n"


def _table(data: dict, path: list[str], lines: list[str]) -> None:
    """Write a table's plain keys, then its sub-tables and arrays of tables."""
    nested = {k: v for k, v in data.items() if _is_table(k, v)}
    for key, value in data.items():
        if key not in nested and value is not None:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in nested.items():
        here = [*path, _key(key)]
        if isinstance(value, dict):
            if not value:
                continue
            lines += ["", f"[{'.'.join(here)}]"]
            _table(value, here, lines)
        else:
            for item in value:
                lines += ["", f"[[{'.'.join(here)}]]"]
                _table(item, here, lines)


def _is_table(key: str, value: Any) -> bool:
    if isinstance(value, dict):
        return "dist" not in value  # a distribution is written inline
    return (
        key in ARRAYS_OF_TABLES
        and isinstance(value, list)
        and all(isinstance(v, dict) for v in value)
    )


def _key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None)
        return "{ " + items + " }" if items else "{}"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")
