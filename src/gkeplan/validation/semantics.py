"""Checks beyond types: the document's own fields, then each kind's checks (references, GCP's
naming rules, catalog entries), all reported together."""

from __future__ import annotations

from gkeplan import catalog
from gkeplan.errors import Diagnostic
from gkeplan.kinds import KINDS
from gkeplan.spec import names
from gkeplan.spec.base import Document
from gkeplan.spec.checks import REGION, Checker


def check(spec: Document, addresses: set[str]) -> list[Diagnostic]:
    """Every semantic problem of `spec`; `addresses` are the graph addresses of its resources."""
    c = Checker(spec, addresses)
    c.check_name(("project",), names.project_id(spec.project))
    if not REGION.match(spec.region):
        c.error(
            ("region",),
            f"'{spec.region}' is not a region such as us-central1",
            c.hint(spec.region, catalog.regions()),
        )
    _moves(spec, c)
    for kind in KINDS:
        kind.check(spec, c)
    return c.problems


def _moves(spec: Document, c: Checker) -> None:
    """`moved:` as Terraform checks its `moved` blocks: the new address is declared, the old
    one is not (an object still declared has not moved), both of one kind, each once."""
    seen: dict[str, int] = {}
    for i, move in enumerate(spec.moved):
        source, target = move.from_, move.to
        if target not in c.addresses:
            c.error(
                ("moved", i, "to"),
                f"{target} is not a resource of this spec",
                c.hint(target, c.addresses),
            )
        if source in c.addresses:
            c.error(
                ("moved", i, "from"),
                f"{source} is still declared in the spec; a moved resource's old "
                "address must be gone from it",
                "remove the old declaration, or this moved entry",
            )
        if source.partition(".")[0] != target.partition(".")[0]:
            c.error(
                ("moved", i, "to"),
                f"{source} and {target} are resources of different kinds; a move only renames",
            )
        for field, address in (("from", source), ("to", target)):
            key = f"{field}:{address}"
            if key in seen:
                c.error(
                    ("moved", i, field),
                    f"{address} is named as '{field}' twice (first in entry {seen[key]})",
                )
            seen.setdefault(key, i)
