"""Turn pydantic's validation errors into diagnostics a person can act on."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from gkeplan.catalog import closest
from gkeplan.errors import Diagnostic, Path
from gkeplan.spec.yamlsource import SourceMap

_TYPE_WORDS = {
    "int": "an integer",
    "float": "a number",
    "bool": "true or false",
    "string": "a string",
    "str": "a string",
    "dict": "a mapping",
    "list": "a list",
    "model": "a mapping",
}


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """Keep only the parts of pydantic's loc that exist in the data (drops union member tags)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
            path.append(part)
        elif isinstance(current, dict | list):
            if isinstance(part, str) and part[:1].islower() and not part.startswith(("function",)):
                path.append(part)  # a missing key: point below its mapping
            break
    return tuple(path)


def _unwrap(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for a in typing.get_args(annotation) for t in _unwrap(a)]
    return [annotation]


def _model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    current: list[Any] = [root]
    for part in path:
        nxt: list[Any] = []
        for ann in current:
            origin = typing.get_origin(ann)
            if isinstance(ann, type) and issubclass(ann, BaseModel) and isinstance(part, str):
                for name, field in ann.model_fields.items():
                    if part in (field.alias, name):
                        nxt.extend(_unwrap(field.annotation))
            elif origin is dict:
                nxt.extend(_unwrap(typing.get_args(ann)[1]))
            elif origin is list and isinstance(part, int):
                nxt.extend(_unwrap(typing.get_args(ann)[0]))
        current = nxt
    for ann in current:
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            return ann
    return None


def _keys(model: type[BaseModel] | None) -> list[str]:
    if model is None:
        return []
    return [f.alias or n for n, f in model.model_fields.items()]


def to_diagnostics(
    exc: ValidationError, data: Any, smap: SourceMap | None, root: type[BaseModel]
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for err in exc.errors(include_url=False):
        kind = err["type"]
        path = _data_path(data, tuple(err["loc"]))
        got = err.get("input")
        hint: str | None = None
        if kind == "extra_forbidden":
            key = str(path[-1]) if path else "?"
            allowed = _keys(_model_at(root, path[:-1]))
            message = f"unknown key '{key}'"
            near = closest(key, allowed)
            hint = f"did you mean '{near[0]}'?" if near else f"allowed keys: {', '.join(allowed)}"
            loc = smap.find(path) if smap else None
        elif kind == "missing":
            key = str(err["loc"][-1])
            message = f"missing required key '{key}'"
            loc = smap.find(path[:-1]) if smap else None
            path = (*path[:-1], key) if path and path[-1] == key else (*path, key)
        else:
            message = _describe(kind, err["msg"], got, err.get("ctx") or {})
            if kind == "literal_error":
                expected = [
                    e.strip(" '")
                    for e in str((err.get("ctx") or {}).get("expected", ""))
                    .replace(" or ", ",")
                    .split(",")
                ]
                near = closest(str(got), [e for e in expected if e])
                hint = f"did you mean '{near[0]}'?" if near else None
            loc = smap.value(path) if smap else None
        if smap is not None and smap.origins:
            message += smap.origin_note(path)  # name the variables the value came from
        out.append(Diagnostic(message, loc, path, hint, code="schema"))
    return out


def _describe(kind: str, msg: str, got: Any, ctx: dict[str, Any]) -> str:
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    for word, phrase in _TYPE_WORDS.items():
        if kind in (f"{word}_type", f"{word}_parsing"):
            return f"expected {phrase}, got {_show(got)}"
    if kind == "literal_error":
        return f"{_show(got)} is not allowed: {msg[0].lower()}{msg[1:]}"
    return f"{msg[0].lower()}{msg[1:]} (got {_show(got)})"


def _show(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
