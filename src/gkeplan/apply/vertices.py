"""The apply's walk: which vertices a plan's changes become, and what each waits for.

A replacement is two vertices, as in Terraform's graph: the old resource's destroy and the new
one's create. Delete-then-create (the default) destroys first; create-before-destroy
(`createBeforeDestroy`, a node pool's default) creates first and destroys the old one once what
depends on it points at the new one. Splitting them lets the destroys of a chain run
dependents-first and the creates dependencies-first: a network replaced with its subnetworks
deletes the subnetworks before the network (GCP refuses to delete a network still in use) and
creates the network before the subnetworks.

One exception stays one vertex: a resource whose dependency is replaced delete-then-create and
whose create request makes it too (`alsoCreates`: a cluster's create makes its node pools).
Deleting the parent takes it along, and the parent's create makes the new one, so its own
vertex only records what the parent's create made.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from gkeplan.plan.model import Action, Change

OLD = " (old)"  # the destroy vertex of a replacement; addresses hold no spaces


class Half(StrEnum):
    WHOLE = "whole"  # every action but a split replacement
    DESTROY = "destroy"  # a replacement's old resource going
    CREATE = "create"  # a replacement's new resource coming


@dataclass(frozen=True)
class Vertex:
    name: str
    address: str
    half: Half


def create_first(change: Change, old_id: str) -> bool:
    """A replacement that creates the new resource before destroying the old: asked for, and
    possible only when the two may exist at once (different ids)."""
    return change.lifecycle.create_before_destroy and old_id != change.id


def _made_with_parent(
    change: Change, changes: Mapping[str, Change], old_ids: Mapping[str, str]
) -> bool:
    for dep in change.dependencies:
        parent = changes.get(dep)
        if (
            parent is not None
            and parent.action is Action.REPLACE
            and not create_first(parent, old_ids.get(dep, parent.id))
            and any(e.address == change.address for e in parent.lifecycle.also_creates)
        ):
            return True
    return False


def vertices(
    changes: Mapping[str, Change], old_ids: Mapping[str, str]
) -> tuple[dict[str, Vertex], dict[str, list[str]]]:
    """The walk's vertices by name, and each one's dependencies (vertex names).

    `old_ids`: for each replacement, the id of the resource it replaces (the state's)."""
    split = {
        a
        for a, c in changes.items()
        if c.action is Action.REPLACE and not _made_with_parent(c, changes, old_ids)
    }
    first = {a for a in split if create_first(changes[a], old_ids.get(a, changes[a].id))}
    out: dict[str, Vertex] = {}
    for a in changes:
        if a in split:
            out[a] = Vertex(a, a, Half.CREATE)
            out[a + OLD] = Vertex(a + OLD, a, Half.DESTROY)
        else:
            out[a] = Vertex(a, a, Half.WHOLE)

    def destroy_of(a: str) -> str | None:
        """The vertex that removes what exists at `a` now, if one does."""
        if a in split:
            return a + OLD
        return a if changes[a].action is Action.DELETE else None

    dependents: dict[str, list[str]] = {a: [] for a in changes}
    for a, c in changes.items():
        for d in c.dependencies:
            if d in dependents:
                dependents[d].append(a)

    def destroys_before(a: str, *, create_first_too: bool = True) -> list[str]:
        """Whatever depends on `a` and goes: it goes first."""
        return [
            v
            for o in dependents[a]
            if (v := destroy_of(o)) is not None and (create_first_too or o not in first)
        ]

    deps: dict[str, list[str]] = {}
    for a, c in changes.items():
        after_deps = [d for d in c.dependencies if d in changes]  # their creates / updates
        if c.action is Action.DELETE:
            deps[a] = destroys_before(a)
        elif a in first:
            deps[a] = after_deps
            # the old one goes once what used it has moved to the new one
            moved = [o for o in dependents[a] if changes[o].action is not Action.DELETE]
            deps[a + OLD] = [a, *moved, *destroys_before(a)]
        elif a in split:
            # A dependent replaced create-first waits for this create before its old one
            # goes: waiting for that here would be a cycle. It keeps running on the old
            # resource until then, as a replacement that is one vertex does (Terraform instead
            # makes the dependency create-first too, which a reused id rules out).
            deps[a + OLD] = destroys_before(a, create_first_too=False)
            deps[a] = [a + OLD, *after_deps]
        else:
            deps[a] = after_deps
    return out, deps
