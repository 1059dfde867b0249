"""What the spec's grants give each identity, for the least-privilege rules and the preflight."""

from __future__ import annotations

from dataclasses import dataclass

from gkeplan import catalog
from gkeplan.errors import Path
from gkeplan.graph.build import Graph
from gkeplan.kinds.iam_member import IamMember
from gkeplan.spec.base import Document


@dataclass(frozen=True)
class Grant:
    address: str
    member: str  # "serviceAccount:gke-admin" for own accounts, else as written
    account: str | None  # the spec account the member is, if any
    role: str
    target: str  # "project" or a resource address / outside email
    path: Path
    kind: str = "project"  # the kind of what it is on


class Grants(list[Grant]):
    """The spec's grants, indexed by member so a permission check reads only that member's."""

    def __init__(self, items: list[Grant]) -> None:
        super().__init__(items)
        self.by_member: dict[str, list[Grant]] = {}
        for g in items:
            self.by_member.setdefault(g.member, []).append(g)


def grants(spec: Document, graph: Graph) -> Grants:
    """Every unconditional grant of the spec (computed once per spec; every rule reads it)."""
    return spec.memo("policy.grants", lambda: Grants(_grants(spec, graph)))


def _grants(spec: Document, graph: Graph) -> list[Grant]:
    out = []
    for address in graph.nodes:
        cfg = graph.nodes[address]["node"].model
        if not isinstance(cfg, IamMember):
            continue
        if cfg.condition is not None:
            continue  # a conditional grant cannot be relied on statically
        out.append(
            Grant(
                address,
                str(cfg.member),
                cfg.member.account,
                cfg.role,
                cfg.where,
                graph.nodes[address]["node"].path,
                cfg.target.kind,
            )
        )
    return out


def granted(all_grants: Grants, member: str, permission: str, target: str) -> bool:
    """Does `member` hold `permission` on `target`, through the project or the target itself?
    Looks only at the member's own grants."""
    return any(
        g.target in ("project", target) and permission in catalog.role_permissions(g.role)
        for g in all_grants.by_member.get(member, ())
    )
