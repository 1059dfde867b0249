"""Deletion and replacement protection: a plan that would delete or replace a protected
resource is refused, naming the field that protects it and the field that forces it.

Protected: a cluster with `deletionProtection` (default true, as the Google provider), and any
resource with `lifecycle.preventDestroy`. A replacement of an unprotected cluster, bucket or
Artifact Registry repository (delete then create: its data, images or workloads go) needs the
person's explicit consent (`--allow-replace ADDRESS`); a node pool is replaced
create-before-destroy instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan.errors import Protected
from gkeplan.graph.build import Graph
from gkeplan.kinds import BY_NAME
from gkeplan.plan.model import Action, Change
from gkeplan.spec.base import Document


def _where(spec: Document, graph: Graph, address: str, field: str) -> str:
    if address not in graph or spec.source is None:
        return "recorded in the state"
    node = graph.nodes[address]["node"]
    loc = spec.source.value((*node.path, field)) or spec.source.value(node.path)
    return f"at {loc}" if loc else "in the spec"


def _what(change: Change) -> str:
    if change.action is Action.REPLACE:
        return f"would be replaced ({change.reason})"
    return f"would be deleted ({change.reason or 'destroy'})"


def check(changes: Iterable[Change], spec: Document, graph: Graph) -> None:
    """Raise `Protected` for every protected resource the changes would delete or replace."""
    problems = []
    for c in changes:
        if c.action not in (Action.DELETE, Action.REPLACE):
            continue
        if c.lifecycle.deletion_protection:
            where = _where(spec, graph, c.address, "deletionProtection")
            problems.append(
                f"{c.address} {_what(c)}, but deletionProtection is true ({where}); set "
                "deletionProtection: false and apply first"
            )
        elif c.lifecycle.prevent_destroy:
            where = _where(spec, graph, c.address, "lifecycle")
            problems.append(
                f"{c.address} {_what(c)}, but lifecycle.preventDestroy is true ({where}); "
                "remove it and apply first"
            )
    if problems:
        raise Protected("refused: " + "; ".join(problems))


def needs_consent(changes: Iterable[Change]) -> list[Change]:
    """Replacements that destroy what the resource holds (`Kind.replace_loses_data`): allowed
    only by name."""
    return [
        c
        for c in changes
        if c.action is Action.REPLACE
        and BY_NAME[c.kind].replace_loses_data
        and not c.lifecycle.create_before_destroy
    ]


def check_consent(changes: Iterable[Change], allowed: Iterable[str], how: str = "") -> None:
    """`how`: the command that gives the consent, as the person would paste it."""
    missing = [c for c in needs_consent(changes) if c.address not in set(allowed)]
    if missing:
        flags = " ".join(f"--allow-replace {c.address}" for c in missing)
        raise Protected(
            "refused: "
            + "; ".join(
                f"{c.address} would be replaced ({c.reason}): everything it holds is lost"
                for c in missing
            )
            + f"; to allow it, pass {flags}"
            + (f" ({how})" if how else "")
        )
