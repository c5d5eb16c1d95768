"""Load a scenario file: parse TOML, follow `extends`, validate, explain mistakes.

`extends = "base.toml"` (relative to the file) inherits every setting of the base
file and deep-merges this file's tables over it; arrays such as `[[plans]]` are
replaced whole, not merged, and so is a distribution whose family changes
(`{ dist = "beta", ... }` over the base's normal keeps none of its `mean` and `sd`).
Any mistake becomes a `ScenarioError` naming the file
that set the offending key, the key and the problem.
"""

from __future__ import annotations

import difflib
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import ScenarioError, ScenarioProblems
from sim.scenario.schema import Scenario

Provenance = dict[tuple, str]


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and validate a scenario file."""
    raw, provenance = read_scenario(path)
    return validate_scenario(raw, path, provenance)


def read_scenario(path: str | Path) -> tuple[dict, Provenance]:
    """The merged settings of a scenario file (following `extends`) and, for every key
    path (a tuple of keys and list indices), the file that set it."""
    path = Path(path)
    raw, provenance = _read_with_extends(path, chain=())
    raw.setdefault("name", path.stem)
    return raw, provenance


def validate_scenario(raw: dict, path: str | Path, provenance: Provenance | None = None):
    """A `Scenario` from merged settings; every problem at once as a `ScenarioError`
    (a `ScenarioProblems` when there are several), each naming its file and key."""
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
    for prefix in _replaced(base, data):  # a replaced value forgets where its parts came from
        provenance = {k: v for k, v in provenance.items() if k[: len(prefix)] != prefix}
    provenance.update(_provenance(data, str(path)))
    return _deep_merge(base, data), provenance


def _replaced(base: dict, override: dict, prefix: tuple = ()) -> list[tuple]:
    """Key paths where `override` replaces `base`'s value instead of merging into it."""
    out = []
    for key, value in override.items():
        if _merges(base.get(key), value):
            out += _replaced(base[key], value, (*prefix, key))
        elif key in base:
            out.append((*prefix, key))
    return out


def _merges(base_value: Any, value: Any) -> bool:
    """Whether `value` is merged into `base_value` (two tables) rather than replacing
    it. A distribution of another family replaces the base's: its parameters (a
    normal's `mean` and `sd`) mean nothing to the new one (a beta's `a` and `b`)."""
    if not (isinstance(value, dict) and isinstance(base_value, dict)):
        return False
    return "dist" not in value or value["dist"] == base_value.get("dist")


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
        if _merges(merged.get(key), value):
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
    """Every real problem of a failed validation, one `ScenarioError` each."""
    problems, seen = [], set()
    for error in _real_errors(exc.errors(), raw):
        loc = _data_loc(error["loc"], raw)
        key, problem = _problem(error, loc, raw)
        line = ScenarioError(_source_file(loc, provenance, path), key, problem)
        if str(line) not in seen:
            seen.add(str(line))
            problems.append(line)
    return problems[0] if len(problems) == 1 else ScenarioProblems(problems)


SCALAR_BRANCHES = ("float", "int", "str", "bool", "none")


def _real_errors(errors: list[dict], raw: dict) -> list[dict]:
    """Drop the noise of unions: for a value that is a table (e.g. a distribution), the
    errors of the number branch ("Input should be a valid number"); for a number, the
    errors of the table branches. What remains says what is really wrong."""
    by_place: dict[tuple, list[dict]] = {}  # errors by the data they are about
    for error in errors:
        by_place.setdefault(error["loc"][: _depth(error["loc"], raw)], []).append(error)
    out = []
    for errs in by_place.values():
        kept = [e for e in errs if not _wrong_branch(e, raw)]
        words = [e for e in errs if e["type"] == "literal_error"]
        if words and isinstance(errs[0].get("input"), str) and len(errs) > len(words):
            # a number or a word such as "auto": say both, once
            expected = words[0].get("ctx", {}).get("expected", "")
            kept = [{**errs[0], "type": "value_error", "msg": f"expected a number or {expected}"}]
        out += kept or errs
    return out


def _depth(loc: tuple, raw: dict) -> int:
    """How many leading parts of `loc` name data before the first union label."""
    node, depth = raw, 0
    for part in loc:
        if _has(node, part):
            node, depth = node[part], depth + 1
        else:
            break
    return depth


def _wrong_branch(error: dict, raw: dict) -> bool:
    loc = error["loc"]
    depth = _depth(loc, raw)
    if depth == len(loc):
        return False
    node = raw
    for part in loc[:depth]:
        node = node[part]
    label = str(loc[depth])
    if label in SCALAR_BRANCHES or label.startswith("constrained-"):
        return isinstance(node, dict)  # a table given: the number branch is not what was meant
    return not isinstance(node, dict) and _is_union_label(label)


def _is_union_label(part) -> bool:
    """Whether a part of a pydantic error location labels a union member ('float',
    'tagged-union[...]', a tag such as 'normal') rather than naming a key."""
    return isinstance(part, str) and (
        part in SCALAR_BRANCHES
        or part.startswith("constrained-")
        or "[" in part
        or _model_for_tag(part) is not None
    )


def _data_loc(loc: tuple, raw: dict) -> tuple:
    """The error's location in the user's data: keys and indices that exist, plus a
    missing key's name; the labels pydantic inserts for union members are dropped."""
    out, node = [], raw
    for part in loc:
        if _has(node, part):
            out.append(part)
            node = node[part]
        elif _is_union_label(part):
            continue  # a union label such as 'float', 'tagged-union[...]' or 'normal'
        else:
            out.append(part)  # a key that is missing
            node = None
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


def _problem(error: dict, loc: tuple, raw: dict) -> tuple[str, str]:
    """The key to name (dotted, plan and component names in brackets) and the problem."""
    kind, msg = error["type"], error["msg"]
    given = error.get("input")
    key = _format_key(loc, raw)
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], raw)
        return key, "unknown key" + _did_you_mean(str(loc[-1]), allowed)
    if kind == "missing":
        model = _model_at(Scenario, loc[:-1], raw)
        field = model.model_fields.get(loc[-1]) if model is not None else None
        extra = field.json_schema_extra if field is not None else None
        return key, (extra or {}).get("if_missing", "required key is missing")
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        ctx = error.get("ctx", {})
        field = str(ctx.get("discriminator", "type")).strip("'\"")
        expected = _tags(field)
        what = "distribution" if field == "dist" else "type"
        key = f"{key}.{field}" if key != "(top level)" else field
        if kind == "union_tag_not_found":
            return key, f"required key is missing (a {what}, one of {', '.join(expected)})"
        tag = ctx.get("tag", given)
        hint = _did_you_mean(str(tag), expected)
        return key, f"unknown {what} {tag!r}" + (
            hint or f" (expected one of {', '.join(expected)})"
        )
    msg = msg.removeprefix("Value error, ")
    if isinstance(given, dict | list) or given is None or ", got " in msg:  # said already
        return key, msg
    return key, f"{msg} (got {given!r})"


def _tags(field: str) -> list[str]:
    """The names a tagged union accepts in `field` ('type' of components, 'dist')."""
    from sim.params import Distribution
    from sim.plans.config import AnyComponentConfig

    union = Distribution if field == "dist" else AnyComponentConfig
    return [
        tag
        for model in _models_in(union)
        if field in model.model_fields
        for tag in typing.get_args(model.model_fields[field].annotation)
    ]


def _did_you_mean(word: str, choices: list[str]) -> str:
    hint = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


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
