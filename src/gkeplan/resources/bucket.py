"""bucket.NAME: a Cloud Storage bucket."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gkeplan.resources.base import (
    Action,
    Dep,
    DesiredState,
    Node,
    Permission,
    ResourceKind,
    explicit_deps,
)
from gkeplan.spec.models import Spec


def _expand(spec: Spec) -> Iterable[Node]:
    for name, bucket in spec.buckets.items():
        path = ("buckets", name)
        yield Node(
            f"bucket.{name}", "bucket", path, bucket, tuple(explicit_deps(path, bucket.depends_on))
        )


def _link(spec: Spec, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    return ()


_NEEDS = {
    "read": ("storage.buckets.get",),
    "create": ("storage.buckets.create",),
    "update": ("storage.buckets.update",),
    "delete": ("storage.buckets.delete",),
}


def _needs(spec: Spec, node: Node, action: Action) -> tuple[Permission, ...]:
    needs = [
        Permission(p, node.address if action != "create" else "project") for p in _NEEDS[action]
    ]
    if action == "delete" and node.config.force_destroy:  # emptied first
        needs += [
            Permission(p, node.address) for p in ("storage.objects.list", "storage.objects.delete")
        ]
    return tuple(needs)


def _desired(spec: Spec, node: Node) -> DesiredState:
    b = node.config
    name = b.name or node.address.split(".", 1)[1]
    return DesiredState(
        name,
        {
            "name": name,
            "location": (b.location or spec.region).upper(),
            "storageClass": b.storage_class,
            "uniformBucketLevelAccess": b.uniform_bucket_level_access,
            "publicAccessPrevention": b.public_access_prevention,
            "versioning": b.versioning,
            "lifecycleRules": [
                r.model_dump(by_alias=True, exclude_none=True) for r in b.lifecycle_rules
            ],
            "labels": dict(b.labels),
            "logging": b.logging.model_dump(by_alias=True, exclude_none=True)
            if b.logging
            else None,
        },
        {"forceDestroy": b.force_destroy, "keepOnDestroy": b.keep_on_destroy},
    )


KIND = ResourceKind(
    "bucket", _expand, _link, _needs, _desired, immutable=frozenset({"name", "location"})
)
