"""The registry of resource kinds: adding a kind is one module plus one entry here."""

from __future__ import annotations

from gkeplan.diagnostics import Diagnostic
from gkeplan.resources import bucket, cluster, iam_member, node_pool, service_account
from gkeplan.resources.base import Action, Dep, Node, Permission, ResourceKind
from gkeplan.spec.models import Spec

KINDS: tuple[ResourceKind, ...] = (
    service_account.KIND,
    iam_member.KIND,
    bucket.KIND,
    cluster.KIND,
    node_pool.KIND,
)

__all__ = ["KINDS", "Action", "Dep", "Node", "Permission", "ResourceKind", "expand"]


def expand(spec: Spec) -> tuple[dict[str, Node], list[Diagnostic]]:
    """Every resource of the spec by address, and a diagnostic for each address defined twice."""
    nodes: dict[str, Node] = {}
    problems: list[Diagnostic] = []
    for kind in KINDS:
        for node in kind.expand(spec):
            if node.address in nodes:
                first = _where(spec, nodes[node.address])
                problems.append(
                    Diagnostic(
                        f"{node.address} is defined twice (first at {first})",
                        spec.source.value(node.path) if spec.source else None,
                        node.path,
                        "remove the repeated grant",
                        code="graph",
                    )
                )
                continue
            nodes[node.address] = node
    return nodes, problems


def _where(spec: Spec, node: Node) -> str:
    loc = spec.source.value(node.path) if spec.source else None
    return f"line {loc.line}" if loc else ".".join(map(str, node.path))
