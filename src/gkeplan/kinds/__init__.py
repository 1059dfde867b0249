"""The registry of resource kinds: the one list every stage reads.

Adding a kind is one module (or package) exporting a `Kind`, plus one line in `KINDS` (and,
for `--sandbox`, its service in the emulator). Everything else reads the kind from here: the
spec's sections (`Spec` is composed from them), the graph's nodes and edges, the semantic
checks, the permissions the preflight checks, the desired state the planner diffs, the driver
the executor calls, and the security rules' resources.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from pydantic import Field, create_model

from gkeplan.errors import Diagnostic
from gkeplan.kinds import (
    address,
    artifact_repository,
    bucket,
    firewall,
    iam_member,
    network,
    project_service,
    router,
    secret,
    service_account,
    subnetwork,
)
from gkeplan.kinds.base import Dep, DesiredState, ExternalRef, Kind, Node, Permission, Verb
from gkeplan.kinds.gke import cluster, node_pool
from gkeplan.spec.base import Document

# One line per kind; the IAM member kind is made over the grant targets these offer.
KINDS: tuple[Kind, ...] = iam_member.with_members(
    (
        service_account.KIND,
        bucket.KIND,
        artifact_repository.KIND,
        secret.KIND,
        network.KIND,
        subnetwork.KIND,
        address.KIND,
        router.KIND,
        firewall.KIND,
        cluster.KIND,
        node_pool.KIND,
        project_service.KIND,
    )
)

BY_NAME: dict[str, Kind] = {k.name: k for k in KINDS}


SPEC_DOC = "A gkeplan spec (version 1)."


def _compose(kinds: Iterable[Kind]) -> type[Document]:
    fields: dict[str, Any] = {
        k.section.name: (
            k.section.annotation,
            Field(default_factory=k.section.default_factory, description=k.section.description),
        )
        for k in kinds
        if k.section is not None
    }
    model: type[Document] = create_model(
        "Spec", __base__=Document, __module__=__name__, __doc__=SPEC_DOC, **fields
    )
    return model


if TYPE_CHECKING:
    # To a type checker the composed model is a Document, whose sections read as Any
    # (gkeplan itself reads them through each kind's typed accessor).
    Spec = Document
else:
    Spec = _compose(KINDS)
    """A gkeplan spec (version 1): the document-level fields plus every kind's section."""


def kind(name: str) -> Kind:
    return BY_NAME[name]


def expand(spec: Document) -> tuple[dict[str, Node], list[Diagnostic]]:
    """Every resource of the spec by address, and a diagnostic for each address defined twice
    (computed once per spec: the checks and the graph both need it)."""
    nodes, problems = spec.memo("kinds.expand", lambda: _expand(spec))
    return dict(nodes), list(problems)


def _expand(spec: Document) -> tuple[dict[str, Node], list[Diagnostic]]:
    nodes: dict[str, Node] = {}
    problems: list[Diagnostic] = []
    for k in KINDS:
        for node in k.expand(spec):
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


def _where(spec: Document, node: Node) -> str:
    loc = spec.source.value(node.path) if spec.source else None
    return f"line {loc.line}" if loc else ".".join(map(str, node.path))


__all__ = [
    "BY_NAME",
    "KINDS",
    "Dep",
    "DesiredState",
    "ExternalRef",
    "Kind",
    "Node",
    "Permission",
    "Spec",
    "Verb",
    "expand",
    "kind",
]
