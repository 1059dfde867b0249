"""Check Cloud Storage request bodies against the storage v1 discovery document that
google-api-python-client ships, the way the JSON API refuses unknown or mistyped fields."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from gkeplan.emulator.services.storage import storage_error

_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int, str),  # int64 values travel as strings
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}


@cache
def _document() -> dict[str, Any]:
    text = (
        resources.files("googleapiclient.discovery_cache")
        .joinpath("documents", "storage.v1.json")
        .read_text()
    )
    doc: dict[str, Any] = json.loads(text)
    return doc


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return _document()["schemas"][ref] if ref else schema


def check(body: Any, schema_name: str) -> None:
    """Raise the JSON API's 400 for the first field the schema does not allow."""
    _check(body, _document()["schemas"][schema_name], "")


def _check(value: Any, schema: dict[str, Any], path: str) -> None:
    schema = _resolve(schema)
    kind = schema.get("type", "object")
    if value is None:
        return
    allowed = _TYPES.get(kind)
    if allowed and (
        not isinstance(value, allowed)
        or (kind != "boolean" and isinstance(value, bool) and bool not in allowed)
    ):
        raise storage_error(400, f"Invalid value for {path or 'body'}: expected {kind}.", "invalid")
    if kind == "object" and isinstance(value, dict):
        props = schema.get("properties")
        extra = schema.get("additionalProperties")
        for key, item in value.items():
            where = f"{path}.{key}" if path else key
            if props is not None and key in props:
                _check(item, props[key], where)
            elif extra is not None:
                _check(item, extra, where)
            elif props is not None:
                raise storage_error(
                    400,
                    f"Invalid JSON payload received. Unknown name "
                    f"\"{key}\" at '{path or 'bucket'}': Cannot find field.",
                    "invalid",
                )
    elif kind == "array" and isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            _check(item, schema["items"], f"{path}[{i}]")
