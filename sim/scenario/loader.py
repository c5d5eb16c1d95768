"""Load a scenario file: parse TOML, follow `extends`, validate, explain mistakes.

`extends = "base.toml"` (relative to the file) inherits every setting of the base
file and deep-merges this file's tables over it; arrays such as `[[plans]]` are
replaced whole, not merged. Any mistake becomes a `ScenarioError` naming the file
that set the offending key, the key and the problem.
"""

from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError
from sim.scenario.schema import Scenario

Provenance = dict[tuple, str]


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and validate a scenario file."""
    path = Path(path)
    raw, provenance = _read_with_extends(path, chain=())
    raw.setdefault("name", path.stem)
    return validate_scenario(raw, path, provenance)


def validate_scenario(raw: dict, path: str | Path, provenance: Provenance | None = None):
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        raise _explain(exc, raw, str(path), provenance or {}) from None


def _read_with_extends(path: Path, chain: tuple[Path, ...]) -> tuple[dict, Provenance]:
    data = _read_toml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data, _provenance(data, str(path))
    if not isinstance(parent, str):
        raise ScenarioError(path, "extends", "must be a file name in quotes")
    parent_path = (path.parent / parent).resolve()
    if parent_path in chain or parent_path == path.resolve():
        raise ScenarioError(path, "extends", f"'{parent}' extends itself in a cycle")
    if not parent_path.is_file():
        raise ScenarioError(path, "extends", f"file '{parent}' not found (looked in {parent_path})")
    base, provenance = _read_with_extends(parent_path, (*chain, path.resolve()))
    provenance.update(_provenance(data, str(path)))
    return _deep_merge(base, data), provenance


def _read_toml(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path, None, "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(path, None, f"cannot read file ({exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(path, None, f"invalid TOML: {exc}") from None


def _deep_merge(base: dict, override: dict) -> dict:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _provenance(data: Any, path: str, prefix: tuple = ()) -> Provenance:
    out: Provenance = {prefix: path} if prefix else {}
    if isinstance(data, dict):
        for k, v in data.items():
            out.update(_provenance(v, path, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.update(_provenance(v, path, (*prefix, i)))
    return out


# --- turning a pydantic error into one line -------------------------------------------


def _explain(exc: ValidationError, raw: dict, path: str, provenance: Provenance) -> ScenarioError:
    error = exc.errors()[0]
    loc = _data_loc(error["loc"], raw)
    key = _format_key(loc, raw)
    source = _source_file(loc, provenance, path)
    problem = _problem(error, loc, raw)
    more = len(exc.errors()) - 1
    if more:
        problem += f" (and {more} more problem{'s' if more > 1 else ''})"
    return ScenarioError(source, key, problem)


def _data_loc(loc: tuple, raw: dict) -> tuple:
    """Drop the tags pydantic inserts for tagged unions, keeping keys that exist in data."""
    out, node = [], raw
    for part in loc:
        if isinstance(node, dict) and part in node:
            out.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict | list):
            if isinstance(part, str) and _model_for_tag(part) is not None:
                continue  # a union tag such as 'bookings_commission' or 'normal'
            out.append(part)
            node = None
        else:
            break
    return tuple(out)


def _format_key(loc: tuple, raw: dict) -> str:
    text = ""
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            label = part
            if isinstance(node, list) and part < len(node) and isinstance(node[part], dict):
                label = node[part].get("name", node[part].get("type", part))
                label = f'"{label}"' if isinstance(label, str) else label
            text += f"[{label}]"
        else:
            text += f".{part}" if text else str(part)
        node = node[part] if isinstance(node, dict | list) and _has(node, part) else None
    return text or "(top level)"


def _has(node, part) -> bool:
    return (isinstance(node, dict) and part in node) or (
        isinstance(node, list) and isinstance(part, int) and part < len(node)
    )


def _source_file(loc: tuple, provenance: Provenance, default: str) -> str:
    for n in range(len(loc), 0, -1):
        if loc[:n] in provenance:
            return provenance[loc[:n]]
    return default


def _problem(error: dict, loc: tuple, raw: dict) -> str:
    kind, msg = error["type"], error["msg"]
    given = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], raw)
        hint = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        tip = f" (did you mean '{hint[0]}'?)" if hint else ""
        return f"unknown key{tip}"
    if kind == "missing":
        return "required key is missing"
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        ctx = error.get("ctx", {})
        tag = ctx.get("tag", given)
        return f"unknown type {tag!r}; expected one of {ctx.get('expected_tags', '')}"
    msg = msg.removeprefix("Value error, ")
    if isinstance(given, dict | list) or given is None:
        return msg
    return f"{msg} (got {given!r})"


def _allowed_keys(loc: tuple, raw: dict) -> list[str]:
    model = _model_at(Scenario, loc, raw)
    if model is None:
        return []
    return [f.alias or name for name, f in model.model_fields.items()]


def _model_at(model, loc: tuple, raw):
    """The model describing the table at `loc`, choosing tagged-union members by the
    table's own `type` or `dist`."""
    node = raw
    for part in loc:
        node = node[part] if _has(node, part) else None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if model else None
        if field is None:
            return None
        model = _first_model(field.annotation)
    if isinstance(node, dict):
        tag = node.get("type", node.get("dist"))
        if isinstance(tag, str) and _model_for_tag(tag) is not None:
            return _model_for_tag(tag)
    return model


def _first_model(annotation):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _model_for_tag(tag: str):
    from sim.params import Distribution
    from sim.plans.config import AnyComponentConfig

    for union in (AnyComponentConfig, Distribution):
        for model in _models_in(union):
            for key in ("type", "dist"):
                field = model.model_fields.get(key)
                if field is not None and tag in typing.get_args(field.annotation):
                    return model
    return None


def _models_in(annotation) -> list:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]
