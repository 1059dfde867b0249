"""What every resource kind provides: its nodes in the graph and the edges GCP needs.

A kind is one module exporting `KIND`; the registry in `gkeplan.resources` lists them. Edges
point from a dependency to its dependent: `(serviceAccount.gke-node, nodePool.c.p)` means the
account must exist before the pool is created.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from gkeplan.diagnostics import Path
from gkeplan.spec.models import Spec


@dataclass(frozen=True)
class Dep:
    address: str
    reason: str
    path: Path  # the spec value that creates this dependency


@dataclass(frozen=True)
class Node:
    address: str
    kind: str
    path: Path  # where the resource is defined in the spec
    config: Any  # the kind's own description of the desired resource
    deps: tuple[Dep, ...] = field(default=())


Action = Literal["read", "create", "update", "delete"]


@dataclass(frozen=True)
class Permission:
    """An IAM permission an action needs, and the resource GCP checks it on.

    `on` is "project", a spec address (serviceAccount.gke-node, bucket.models) or, for resources
    outside the spec, a service account email.
    """

    name: str
    on: str = "project"


Expand = Callable[[Spec], Iterable[Node]]
Link = Callable[[Spec, Node, Mapping[str, Node]], Iterable[Dep]]
Needs = Callable[[Spec, Node, Action], tuple[Permission, ...]]
Desired = Callable[[Spec, Node], "DesiredState"]


@dataclass(frozen=True)
class DesiredState:
    """What the spec wants of one resource, in the same shape drivers report what exists.

    `id` is the GCP identity (an email, a full resource name, a bucket name): two resources
    with the same id are the same resource. `attributes` are compared field by field;
    `create_only` are sent on create and never diffed (initialNodeCount, say).
    """

    id: str
    attributes: dict[str, Any]
    create_only: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ResourceKind:
    """One kind of resource. `needs` is the single declaration of the IAM permissions each of
    its actions takes; drivers and the least-privilege preflight both read it."""

    name: str
    expand: Expand  # the nodes this kind contributes
    link: Link  # implicit dependencies of one node, given every node by address
    needs: Needs
    desired: Desired
    immutable: frozenset[str] = frozenset()  # fields whose change forces a replacement
    updatable: bool = True  # False: every change is a replacement (IAM members)


def explicit_deps(path: Path, depends_on: list[str]) -> list[Dep]:
    return [Dep(a, "dependsOn", (*path, "dependsOn", i)) for i, a in enumerate(depends_on)]
