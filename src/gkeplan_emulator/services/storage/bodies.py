"""Request bodies checked against the storage v1 discovery document that google-api-python-client
ships, so unknown or mistyped fields are refused with a 400 as the JSON API refuses them; and the
naming rules GCS applies to buckets.
"""

from __future__ import annotations

import ipaddress
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from gkeplan_emulator.services.storage.errors import invalid

# Proto type names the way Google's JSON transcoder prints them in "Invalid value" errors.
_PROTO = {
    "string": "TYPE_STRING",
    "boolean": "TYPE_BOOL",
    "integer": "TYPE_INT32",
    "number": "TYPE_DOUBLE",
    "array": "TYPE_LIST",
    "object": "TYPE_MESSAGE",
}


@cache
def discovery() -> dict[str, Any]:
    """The discovery document, parsed on first use only (it is 200 KB of JSON)."""
    text = (
        resources.files("googleapiclient.discovery_cache")
        .joinpath("documents", "storage.v1.json")
        .read_text(encoding="utf-8")
    )
    doc: dict[str, Any] = json.loads(text)
    return doc


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def check(body: Any, schema_name: str) -> Any:
    """Raise the JSON API's 400 for the first field the schema `schema_name` does not allow;
    return the body with int64 fields given as JSON numbers turned into the strings the API
    keeps them as. The proto3 JSON mapping (https://developers.google.com/protocol-buffers/docs/proto3#json)
    says of int64: "JSON value will be a decimal string. Either numbers or strings are
    accepted", and "null is an accepted value for all field types and treated as the default
    value of the corresponding field type": nulls stay, meaning "unset"."""
    return _check(body, discovery()["schemas"][schema_name], [])


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    resolved: dict[str, Any] = discovery()["schemas"][ref] if ref else schema
    return resolved


_INT64 = frozenset({"int64", "uint64"})


def _fits(value: Any, kind: str, fmt: str = "") -> bool:
    if kind == "string":
        return isinstance(value, str) or (
            fmt in _INT64 and isinstance(value, int) and not isinstance(value, bool)
        )
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":  # proto3 JSON takes int32 as numbers or numeric strings
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None
        )
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    return isinstance(value, dict)


def _check(value: Any, schema: dict[str, Any], path: list[str]) -> Any:
    schema = _resolve(schema)
    kind = str(schema.get("type", "object"))
    fmt = str(schema.get("format", ""))
    if value is None:  # JSON null: the field is unset (a patch clears it)
        return None
    where = ".".join(path)
    if not _fits(value, kind, fmt):
        raise invalid(
            f"Invalid value at '{where or 'resource'}' ({_PROTO.get(kind, kind)}), "
            f"{json.dumps(value)}"
        )
    if kind == "string" and isinstance(value, int):
        return str(value)
    if kind == "array":
        return [_check(item, schema.get("items", {}), path) for item in value]
    if kind != "object":
        return value
    props: dict[str, Any] | None = schema.get("properties")
    extra = schema.get("additionalProperties")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if props is not None and key in props:
            out[key] = _check(item, props[key], [*path, _snake(key)])
        elif extra is not None:
            out[key] = _check(item, extra, [*path, key])
        else:
            at = f" at '{where}'" if where else ""
            raise invalid(
                f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.'
            )
    return out


# -- bucket names (https://cloud.google.com/storage/docs/buckets#naming) ------------------------
_NAME = re.compile(r"[a-z0-9][a-z0-9._-]*[a-z0-9]\Z")


def check_bucket_name(name: str) -> None:
    """GCS answers every naming rule it breaks with the same 400, naming the bucket."""
    parts = name.split(".")
    ok = (
        3 <= len(name) <= (222 if "." in name else 63)
        and _NAME.match(name) is not None
        and all(0 < len(p) <= 63 for p in parts)
        and not name.startswith("goog")
        and "google" not in name
        and not _is_ip(name)
    )
    if not ok:
        raise invalid(f"Invalid bucket name: '{name}'")


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


# -- locations and storage classes ------------------------------------------------------------
MULTI_REGIONS = frozenset({"US", "EU", "ASIA"})
DUAL_REGIONS = frozenset({"ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4"})
STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "NEARLINE",
        "COLDLINE",
        "ARCHIVE",
        "MULTI_REGIONAL",
        "REGIONAL",
        "DURABLE_REDUCED_AVAILABILITY",
    }
)
_REGION = re.compile(r"[A-Z]+-[A-Z]+\d+\Z")


def location_type(location: str) -> str:
    """GCS's locationType for an (upper-case) location; raises 400 if it is none of them."""
    if location in MULTI_REGIONS:
        return "multi-region"
    if location in DUAL_REGIONS:
        return "dual-region"
    if _REGION.match(location):
        return "region"
    raise invalid(f"Invalid location: '{location.lower()}'")


def check_placement(location: str, placement: Any) -> dict[str, Any] | None:
    """A configurable dual-region: a multi-region `location` and "precisely two eligible
    regions within the same multi-region" as dataLocations
    (https://docs.cloud.google.com/java/docs/reference/google-cloud-storage/latest/com.google.storage.v2.Bucket.CustomPlacementConfig.md.txt).
    Returns the config as kept (region names upper-case, as GCS shows locations)."""
    regions = (placement or {}).get("dataLocations") or []
    if not regions:
        return None
    if location not in MULTI_REGIONS:
        raise invalid(
            f"Invalid location: '{location.lower()}': a bucket with customPlacementConfig needs "
            "a multi-region location (US, EU or ASIA)."
        )
    upper = [str(r).upper() for r in regions]
    if len(set(upper)) != 2 or not all(_REGION.match(r) for r in upper):
        raise invalid(
            "customPlacementConfig.dataLocations must name exactly two different regions."
        )
    return {"dataLocations": upper}


def check_storage_class(storage_class: str) -> None:
    if storage_class not in STORAGE_CLASSES:
        raise invalid(f"Invalid storage class: '{storage_class}'")


_LIFECYCLE_ACTIONS = frozenset({"Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"})


def check_lifecycle(lifecycle: dict[str, Any] | None) -> None:
    for rule in (lifecycle or {}).get("rule") or []:
        action = rule.get("action") or {}
        kind = action.get("type")
        if kind not in _LIFECYCLE_ACTIONS:
            raise invalid(f"Invalid argument: lifecycle action type '{kind}'.")
        if kind == "SetStorageClass":
            check_storage_class(str(action.get("storageClass") or ""))
        if not rule.get("condition"):
            raise invalid("A lifecycle rule must have a condition.")
