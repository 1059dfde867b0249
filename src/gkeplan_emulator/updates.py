"""The update-request layer: what an update call may carry, checked before any handler runs.

- Unknown JSON fields are refused as Google's front end refuses them: 400 INVALID_ARGUMENT,
  `Invalid JSON payload received. Unknown name "x" at 'a.b': Cannot find field.` with a
  google.rpc.BadRequest naming the field (real bodies quoted in
  https://github.com/mnfst/llm-gateway/issues/1858 and
  https://github.com/decolua/9router/issues/1876; the path is the proto's snake_case names,
  with no ` at ...` for a top-level field). Checked against the request message's own
  descriptor, the same one the client library serializes from.
- Kubernetes Engine's ClusterUpdate carries one change per call (below).
- Field masks (Resource Manager's updateMask) name fields of the resource, and only those
  fields are written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from gkeplan_emulator.errors import ApiError


def _descriptor(cls: Any) -> Any:
    pb = getattr(cls, "pb", None)
    return pb().DESCRIPTOR if callable(pb) else cls.DESCRIPTOR


def bad_request(message: str, field: str | None = None) -> ApiError:
    violation = {"field": field, "description": message} if field else {"description": message}
    return ApiError(
        "INVALID_ARGUMENT",
        message,
        details=[
            {"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [violation]}
        ],
    )


def unknown_field(name: str, where: str) -> ApiError:
    at = f" at '{where}'" if where else ""
    return bad_request(
        f'Invalid JSON payload received. Unknown name "{name}"{at}: Cannot find field.',
        where or None,
    )


def check_known_fields(body: Any, cls: Any) -> None:
    """Refuse the first JSON key that is not a field of `cls` (a proto-plus or protobuf class)."""
    _walk(body, _descriptor(cls), "")


def _walk(value: Any, desc: Any, where: str) -> None:
    if not isinstance(value, dict) or desc.full_name.startswith("google.protobuf."):
        return  # well-known types (Struct, Duration, FieldMask...) have their own JSON forms
    by_name = {f.json_name: f for f in desc.fields} | {f.name: f for f in desc.fields}
    for key, item in value.items():
        field = by_name.get(key)
        if field is None:
            raise unknown_field(key, where)
        if field.message_type is None:
            continue
        path = f"{where}.{field.name}" if where else field.name
        if field.message_type.GetOptions().map_entry:
            value_field = field.message_type.fields_by_name["value"]
            if value_field.message_type is not None and isinstance(item, dict):
                for k, v in item.items():
                    _walk(v, value_field.message_type, f"{path}[{k}]")
        elif isinstance(item, list):
            for i, element in enumerate(item):
                _walk(element, field.message_type, f"{path}[{i}]")
        else:
            _walk(item, field.message_type, path)


# -- Kubernetes Engine: one change per UpdateCluster --------------------------------------------
# "ClusterUpdate describes an update to the cluster. Exactly one update can be applied to a
# cluster with each request, so at most one field can be provided."
# (https://cloud.google.com/python/docs/reference/container/2.4.1/google.cloud.container_v1.types.ClusterUpdate
# and https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1beta1/ClusterUpdate).
# Fields that qualify the change rather than being one: the etag, the node pool a node change
# applies to ("desired_node_pool_id ... mandatory if desired_node_version ... is specified"), and
# a custom image's name and project ("NOTE: Set the desired_node_pool field as well").
CLUSTER_UPDATE_QUALIFIERS = frozenset(
    {"etag", "desired_node_pool_id", "desired_image", "desired_image_project"}
)

# An UpdateCluster with nothing to change: "googleapi: Error 400: Must specify a field to
# update." (https://github.com/hashicorp/terraform-provider-google/issues/23462; over gRPC
# "rpc error: code = InvalidArgument desc = Must specify a field to update.",
# https://github.com/k0rdent/kcm/issues/2672).
NO_UPDATE = "Must specify a field to update."


def cluster_update_fields(update: Any) -> list[str]:
    """The changes a ClusterUpdate (proto-plus) sets, by proto field name."""
    pb = type(update).pb(update)
    return [f.name for f, _ in pb.ListFields()]


def check_cluster_update(update: Any) -> str:
    """The one change this ClusterUpdate makes, or the 400 GKE answers."""
    changes = [f for f in cluster_update_fields(update) if f not in CLUSTER_UPDATE_QUALIFIERS]
    if not changes:
        raise ApiError("INVALID_ARGUMENT", NO_UPDATE)  # the quoted errors carry no field
    if len(changes) > 1:
        # The rule is GKE's (above); this wording is ours: no public record quotes GKE's.
        names = ", ".join(_camel(c) for c in changes)
        raise bad_request(
            f"Exactly one update can be applied to a cluster with each request; got {names}.",
            "update",
        )
    return changes[0]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


# -- field masks -------------------------------------------------------------------------------
def mask_paths(mask: str | Iterable[str] | None) -> list[str]:
    """A FieldMask's paths from its JSON form ("a,b.c") or a list, as snake_case names."""
    if mask is None:
        return []
    parts = mask.split(",") if isinstance(mask, str) else list(mask)
    return [_snake(p.strip()) for p in parts if p.strip()]


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


def check_mask(paths: list[str], allowed: Iterable[str], resource: str) -> None:
    """Refuse a mask path that names no updatable field of `resource`."""
    allowed = set(allowed)
    for path in paths:
        if path.split(".", 1)[0] not in allowed:
            raise bad_request(
                f"Invalid update mask path: '{path}'. {resource} fields that can be updated: "
                f"{', '.join(sorted(allowed))}.",
                "update_mask",
            )
