"""Checks beyond types: the document's own fields, then each kind's checks (references, GCP's
naming rules, catalog entries), all reported together."""

from __future__ import annotations

from gkeplan import catalog
from gkeplan.errors import Diagnostic, Severity
from gkeplan.kinds import BY_NAME, KINDS
from gkeplan.kinds.base import Node
from gkeplan.spec import names
from gkeplan.spec.base import Document
from gkeplan.spec.checks import REGION, Checker


def check(
    spec: Document, addresses: set[str], nodes: dict[str, Node] | None = None
) -> list[Diagnostic]:
    """Every semantic problem of `spec`; `addresses` are the graph addresses of its resources."""
    c = Checker(spec, addresses)
    _outputs(spec, c, nodes or {})
    c.check_name(("project",), names.project_id(spec.project))
    if not REGION.match(spec.region):
        c.error(
            ("region",),
            f"'{spec.region}' is not a region such as us-central1",
            c.hint(spec.region, catalog.regions()),
        )
    _moves(spec, c)
    _old_names(spec, c)
    for kind in KINDS:
        kind.check(spec, c)
    return c.problems


def offered(spec: Document, node: Node) -> list[str]:
    """What an output may name of a resource: `id`, its kind's outputs (as `gkeplan output`
    lists them) and the attributes its state records (the kind's desired attributes)."""
    kind = BY_NAME[node.kind]
    desired = kind.desired(spec, node)
    try:
        shown = list(kind.outputs(desired.id, desired.attributes))
    except (KeyError, TypeError, ValueError, AttributeError):
        shown = []  # an output made of what only GCP reports; its attributes still count
    return ["id", *shown, *desired.attributes]


def _outputs(spec: Document, c: Checker, nodes: dict[str, Node]) -> None:
    from gkeplan.spec.suggest import Suggester

    for name, out in spec.outputs.items():
        where = ("outputs", name, "value")
        address, _, attribute = out.value.rpartition(".")
        if address not in nodes:
            c.error(
                where,
                f"{out.value}: {address} is not a resource of this spec",
                c.hint(address, list(nodes)),
            )
            continue
        names_ = offered(spec, nodes[address])
        if attribute not in names_:
            near = Suggester(names_).closest(attribute)
            c.error(
                where,
                f"{out.value}: {address} has no attribute '{attribute}'",
                f"did you mean {address}.{near[0]}?" if near else f"it has {', '.join(names_)}",
            )


def _old_names(spec: Document, c: Checker) -> None:
    """A pack or quota profile under its old name works, with a warning naming the new one."""
    from gkeplan.catalog.quotas import ALIASES
    from gkeplan.spec.base import PACK_ALIASES

    for i, pack in enumerate(spec.policy.packs):
        if pack in PACK_ALIASES:
            new = PACK_ALIASES[pack]
            c.error(
                ("policy", "packs", i),
                f"policy pack {pack} is now called {new}",
                f"packs: [{new}, ...]",
                code="policy",
                severity=Severity.WARNING,
            )
    profile = spec.policy.quota_profile
    if profile in ALIASES:
        c.error(
            ("policy", "quotaProfile"),
            f"quota profile {profile} is now called {ALIASES[profile]}",
            f"quotaProfile: {ALIASES[profile]}",
            code="policy",
            severity=Severity.WARNING,
        )


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
