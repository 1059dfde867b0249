"""serviceAccount.NAME: an IAM service account of the spec's project."""

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
from gkeplan.spec.refs import account_email, account_id


def _expand(spec: Spec) -> Iterable[Node]:
    for name, sa in spec.service_accounts.items():
        path = ("serviceAccounts", name)
        yield Node(
            f"serviceAccount.{name}",
            "serviceAccount",
            path,
            sa,
            tuple(explicit_deps(path, sa.depends_on)),
        )


def _link(spec: Spec, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    return ()


_NEEDS = {
    "read": ("iam.serviceAccounts.get",),
    "create": ("iam.serviceAccounts.create",),
    "update": ("iam.serviceAccounts.update",),
    "delete": ("iam.serviceAccounts.delete",),
}


def _needs(spec: Spec, node: Node, action: Action) -> tuple[Permission, ...]:
    return tuple(Permission(p) for p in _NEEDS[action])


def _desired(spec: Spec, node: Node) -> DesiredState:
    name = node.address.split(".", 1)[1]
    sa = node.config
    return DesiredState(
        account_email(spec, name),
        {
            "accountId": account_id(spec, name),
            "displayName": sa.display_name or "",
            "description": sa.description or "",
        },
    )


KIND = ResourceKind(
    "serviceAccount", _expand, _link, _needs, _desired, immutable=frozenset({"accountId"})
)
