"""Desired (from the graph) against actual (from refresh) and recorded (from state) -> changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gkeplan.graph.dag import Graph, topological_order
from gkeplan.kinds import BY_NAME, Node
from gkeplan.plan.model import Action, Change, diff_attributes
from gkeplan.spec.base import Document
from gkeplan.state.model import StateDoc

# What exists, by kind then GCP id: the attributes in the same shape as DesiredState's.
Actual = Mapping[str, Mapping[str, dict[str, Any]]]


def _drift(recorded: dict[str, Any] | None, have: dict[str, Any], fields: list[str]) -> bool:
    """The cloud changed outside gkeplan: state remembers a value the cloud no longer has."""
    if recorded is None:
        return False
    return any(recorded.get(f) != have.get(f) for f in fields)


def desired_changes(
    spec: Document, graph: Graph, state: StateDoc | None, actual: Actual
) -> list[Change]:
    changes: list[Change] = []
    recorded = state.resources if state else {}
    for address in topological_order(graph):
        node: Node = graph.nodes[address]["node"]
        kind = BY_NAME[node.kind]
        want = kind.desired(spec, node)
        deps = sorted(graph.predecessors(address))
        old = recorded.get(address)
        have = actual.get(node.kind, {}).get(want.id)
        base = Change(
            address,
            node.kind,
            want.id,
            Action.NOOP,
            after=want.attributes,
            settings=want.settings,
            dependencies=deps,
        )
        if old is not None and old.id != want.id:
            # The resource's identity changed (a rename): the old one goes, a new one comes.
            base.action = Action.REPLACE
            base.before = actual.get(node.kind, {}).get(old.id) or old.attributes
            base.reason = f"its GCP id changes from {old.id} to {want.id}"
            base.fields = diff_attributes(base.before, want.attributes, kind.immutable)
            changes.append(base)
            continue
        if have is None:
            base.action = Action.CREATE
            if old is not None and old.status == "ok":
                base.drift = True
                base.reason = "deleted outside gkeplan; it will be created again"
            changes.append(base)
            continue
        base.before = dict(have)
        if have.get("_error"):
            # GKE leaves a failed create in ERROR; only deleting and creating again fixes it.
            base.action = Action.REPLACE
            base.reason = f"GKE reports it in ERROR ({have['_error']})"
            changes.append(base)
            continue
        fields = diff_attributes(have, want.attributes, kind.immutable)
        base.fields = fields
        if old is None:
            base.reason = "exists but is not in the state; it will be adopted"
        if fields:
            forced = [f.name for f in fields if f.forces_replacement] or (
                [f.name for f in fields] if not kind.updatable else []
            )
            base.action = Action.REPLACE if forced else Action.UPDATE
            if forced:
                base.reason = f"{', '.join(forced)} cannot be changed in place"
            base.drift = _drift(old.attributes if old else None, have, [f.name for f in fields])
        changes.append(base)
    return changes


def orphan_changes(graph: Graph, state: StateDoc | None, actual: Actual) -> list[Change]:
    """Resources in the state that the spec no longer has: delete them (dependents first)."""
    if state is None:
        return []
    out = []
    for address, rec in sorted(state.resources.items()):
        if address in graph:
            continue
        have = actual.get(rec.kind, {}).get(rec.id)
        change = Change(
            address,
            rec.kind,
            rec.id,
            Action.DELETE,
            before=dict(have or rec.attributes),
            settings=dict(rec.settings),
            reason="removed from the spec",
            dependencies=list(rec.dependencies),
        )
        if have is None and rec.status == "ok":
            change.action = Action.NOOP  # gone already: the apply only forgets it
            change.reason = "removed from the spec and already deleted outside gkeplan"
        out.append(change)
    return out


def destroy_changes(
    graph: Graph, spec: Document, state: StateDoc | None, actual: Actual
) -> list[Change]:
    """Everything gkeplan manages goes, except keepOnDestroy buckets (reported as kept)."""
    out = []
    recorded = state.resources if state else {}
    for address, rec in sorted(recorded.items()):
        have = actual.get(rec.kind, {}).get(rec.id)
        if have is None:
            continue
        change = Change(
            address,
            rec.kind,
            rec.id,
            Action.DELETE,
            before=dict(have),
            settings=dict(rec.settings),
            dependencies=list(rec.dependencies),
        )
        if rec.settings.get("keepOnDestroy"):
            change.action = Action.NOOP
            change.reason = "keepOnDestroy: the bucket is left in place"
        out.append(change)
    return out
