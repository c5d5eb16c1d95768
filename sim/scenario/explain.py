"""Every setting of a scenario, its value and where it comes from.

A scenario file sets some keys; `extends` brings in others; every other key takes
the schema's default. `settings` lists them all, so nothing a plan inherits is
silent: `sim validate --explain FILE` prints the list and each run's
manifest.json records the defaults used (`defaults_used`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel

DEFAULT = "default"
SKIPPED = ("name", "description")  # labels, not settings


@dataclass(frozen=True)
class Setting:
    key: str  # e.g. 'plans["blended"].quota.multiple_of_ote'
    value: object
    source: str  # the file that set it, "default" (the schema's), or "given" (Python)
    unit: str
    meaning: str

    @property
    def is_default(self) -> bool:
        return self.source == DEFAULT


def settings(model: BaseModel, provenance: dict | None = None) -> list[Setting]:
    """Every leaf setting of `model` (a Scenario, or any part of one), in schema order.
    `provenance` maps key paths (tuples of keys and list indices) to the file that set
    them (see `sim.scenario.loader.read_scenario`); without it a set key's source is
    "given"."""
    return list(_walk(model, (), "", provenance or {}, defaulted=False))


def defaults_used(model: BaseModel) -> dict[str, object]:
    """The settings no file set, key -> value (JSON-ready): what was inherited silently."""
    return {s.key: _jsonable(s.value) for s in settings(model) if s.is_default}


def _walk(model: BaseModel, loc: tuple, prefix: str, provenance: dict, defaulted: bool):
    for name, field in type(model).model_fields.items():
        key = field.alias or name
        value = getattr(model, name)
        here = (*loc, key)
        text = f"{prefix}.{key}" if prefix else key
        default = defaulted or name not in model.model_fields_set
        if isinstance(value, BaseModel):
            yield from _walk(value, here, text, provenance, default)
        elif isinstance(value, list) and value and all(isinstance(v, BaseModel) for v in value):
            for i, item in enumerate(value):
                yield from _walk(
                    item, (*here, i), f"{text}[{_label(item, i)}]", provenance, default
                )
        elif name not in SKIPPED:
            extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
            source = DEFAULT if default else provenance.get(here, "given")
            yield Setting(text, value, source, str(extra.get("unit", "")), field.description or "")


def _label(item: BaseModel, index: int) -> str:
    for attr in ("name", "type", "dist"):
        value = getattr(item, attr, None)
        if isinstance(value, str) and value:
            return json.dumps(value)
    return str(index)


def _jsonable(value):
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def toml_value(value) -> str:
    """A value as it would be written in a scenario file."""
    if value is None:
        return "(unset)"
    return json.dumps(_jsonable(value))


def explain(model: BaseModel, provenance: dict | None = None) -> str:
    """The settings as lines `key = value  # source`, with the unit and meaning of
    every default, so a reader sees what each plan inherits without writing it."""
    rows = settings(model, provenance)
    lefts = [f"{s.key} = {toml_value(s.value)}" for s in rows]
    widths: dict[str, int] = {}  # aligned within each table (a section, or one plan)
    for left, s in zip(lefts, rows, strict=True):
        widths[_table(s.key)] = min(max(widths.get(_table(s.key), 0), len(left)), 80)
    lines = [
        "# every setting, its value and where it comes from: the file that set it, or "
        "DEFAULT (the schema's default, with its unit and meaning)"
    ]
    for left, s in zip(lefts, rows, strict=True):
        width = widths[_table(s.key)]
        if s.is_default:
            note = f"DEFAULT [{s.unit}] {s.meaning}" if s.unit else f"DEFAULT {s.meaning}"
        else:
            note = _shown(s.source)
        lines.append(f"{left.ljust(width)}  # {note}")
    return "\n".join(lines)


def _table(key: str) -> str:
    return key.split(".", 1)[0]


def _shown(source: str) -> str:
    """A file path relative to the working folder when it lies inside it."""
    path = Path(source)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return source
