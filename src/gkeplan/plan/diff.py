"""Desired (from the graph) against actual (from refresh) and recorded (from state) -> changes."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from gkeplan.commandline import CommandLine
from gkeplan.graph.build import Graph, topological_order
from gkeplan.kinds import BY_NAME, DesiredState, Kind, Node
from gkeplan.lifecycle import Lifecycle
from gkeplan.plan.model import Action, Change, diff_attributes
from gkeplan.plan.moves import Moves
from gkeplan.plan.ownership import outside_message, owned, with_spec_options
from gkeplan.spec.base import Document
from gkeplan.state.model import ResourceState, StateDoc

# What exists, by kind then GCP id: the attributes in the same shape as DesiredState's.
Actual = Mapping[str, Mapping[str, dict[str, Any]]]


def _drift(recorded: dict[str, Any] | None, have: dict[str, Any], fields: list[str]) -> bool:
    """The cloud changed outside gkeplan: state remembers a value the cloud no longer has."""
    if recorded is None:
        return False
    return any(recorded.get(f) != have.get(f) for f in fields)


def desired_changes(
    spec: Document,
    graph: Graph,
    state: StateDoc | None,
    actual: Actual,
    desired: Mapping[str, DesiredState],
    moves: Moves | None = None,
    commands: CommandLine | None = None,
) -> list[Change]:
    """`state` is the state with `moves` made (`moves.rekeyed`): a moved resource is diffed
    against its own entry, at its new address."""
    changes: list[Change] = []
    recorded = state.resources if state else {}
    moves = moves or Moves()
    for address in topological_order(graph):
        node: Node = graph.nodes[address]["node"]
        kind = BY_NAME[node.kind]
        want = desired[address]
        deps = sorted(graph.predecessors(address))
        old = recorded.get(address)
        want = renamed(want, old)
        have = actual.get(node.kind, {}).get(want.id)
        base = Change(
            address,
            node.kind,
            want.id,
            Action.NOOP,
            after=want.attributes,
            inputs=dict(want.inputs),
            lifecycle=_taken_over(with_spec_options(want.lifecycle, node.model), old, want.id),
            dependencies=deps,
            moved_from=moves.by_target.get(address),
        )
        if address in moves.conflicts:
            base.action = Action.CREATE if have is None else Action.UPDATE
            base.before = None if have is None else dict(have)
            base.refused = moves.conflicts[address]
            base.reason = "the state holds two resources for this address"
            changes.append(base)
            continue
        if old is not None and old.id != want.id:
            # The resource's identity changed (a rename): the old one goes, a new one comes.
            base.action = Action.REPLACE
            base.before = actual.get(node.kind, {}).get(old.id) or old.attributes
            base.reason = f"its GCP id changes from {old.id} to {want.id}"
            base.fields = diff_attributes(base.before, want.attributes, kind.immutable)
            forced = [f.name for f in base.fields if f.forces_replacement]
            if forced:  # name the spec field that forces it, as every other replacement does
                base.reason = f"{', '.join(forced)} cannot be changed in place ({base.reason})"
            changes.append(base)
            continue
        if have is None:
            base.action = Action.CREATE
            if old is not None and old.status == "ok":
                base.drift = True
                base.reason = "deleted outside gkeplan; it will be created again"
            if old is not None and old.lifecycle.replaces_id:
                # A create-before-destroy that died before its new resource came up: finish
                # it in the same order, the old one deleted only once the new one runs.
                base.action = Action.REPLACE
                base.lifecycle = replace(base.lifecycle, create_before_destroy=True)
                base.reason = "the new half of an interrupted create-before-destroy replacement"
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
        if not owned(state, address, want.id):
            changes.append(_outside(spec, node, base, kind, commands))
            continue
        if old is None:
            base.reason = "created by gkeplan with the resource that journaled it"
        if fields:
            forced = [f.name for f in fields if f.forces_replacement] or (
                [f.name for f in fields] if not kind.updatable else []
            )
            base.action = Action.REPLACE if forced else Action.UPDATE
            if forced:
                base.reason = f"{', '.join(forced)} cannot be changed in place"
                if kind.create_before_destroy:
                    base = create_before_destroy(base, kind, want, state)
            base.drift = _drift(old.attributes if old else None, have, [f.name for f in fields])
        if old is not None and old.status == "kept" and base.action is Action.NOOP:
            base.reason = "left in place by the last destroy (keepOnDestroy); managed again"
        changes.append(base)
    return changes


def renamed(want: DesiredState, old: Any) -> DesiredState:
    """A resource replaced create-before-destroy lives on under a suffixed name; the spec's
    id keeps meaning it for as long as the spec asks for the same resource."""
    if old is None or old.lifecycle.spec_id != want.id:
        return want
    attributes = dict(want.attributes)
    if "name" in attributes:
        attributes["name"] = old.id.rsplit("/", 1)[-1]
    return DesiredState(old.id, attributes, want.inputs, replace(want.lifecycle, spec_id=want.id))


def create_before_destroy(
    change: Change, kind: Kind, want: DesiredState, state: StateDoc | None
) -> Change:
    """Serving must not stop: the new resource comes up under a suffixed name first, and the
    old one is deleted only once the new one runs.

    The suffix is derived from the state the plan was made from (lineage, serial) and the old
    id, so planning again from the same state names the same new resource: a saved plan
    applies as planned, and the next replacement (a later serial) gets another name."""
    spec_id = want.lifecycle.spec_id or want.id
    base_name = spec_id.rsplit("/", 1)[-1][:35].rstrip("-")
    seed = f"{state.lineage}:{state.serial}:{change.address}:{change.id}" if state else change.id
    name = change.id.rsplit("/", 1)[-1]
    for attempt in range(16):  # never the old resource's own name
        digest = hashlib.sha256(f"{seed}:{attempt}".encode()).hexdigest()
        name = f"{base_name}-{digest[:4]}"
        if name != change.id.rsplit("/", 1)[-1]:
            break
    new_id = f"{spec_id.rsplit('/', 1)[0]}/{name}"
    after = {**(change.after or {}), "name": name}
    return replace(
        change,
        id=new_id,
        after=after,
        lifecycle=replace(change.lifecycle, spec_id=spec_id, create_before_destroy=True),
        reason=(
            f"{change.reason}; replaced create-before-destroy: the new {kind.name} {name} is "
            "created first, the old one is deleted once the new one is running"
        ),
    )


def _taken_over(lifecycle: Lifecycle, old: ResourceState | None, rid: str) -> Lifecycle:
    """What was taken over stays so while it is the same resource (its every write keeps it)."""
    same = old is not None and old.id == rid and old.lifecycle.taken_over
    return replace(lifecycle, taken_over=True) if same else lifecycle


def _outside(
    spec: Document, node: Node, base: Change, kind: Kind, commands: CommandLine | None
) -> Change:
    """A resource that exists but is not gkeplan's: adopted only when the spec says so, or
    taken over as it is by a kind whose existing resources are what the spec asks for."""
    where = spec.source.value(node.path) if spec.source else None
    updatable = kind.updatable
    if not base.lifecycle.adopt and kind.takes_over_existing:
        base.action = Action.ADOPT
        base.lifecycle = replace(base.lifecycle, taken_over=True)
        base.reason = (
            "exists already; taken over as it is, and never deleted by gkeplan (no adopt: true)"
        )
        return base
    if not base.lifecycle.adopt:
        base.action = Action.CREATE
        base.refused = outside_message(
            base.address, base.id, str(where) if where else None, commands
        )
        base.reason = "exists outside gkeplan; apply refuses to take it over"
        return base
    base.action = Action.ADOPT
    base.reason = "exists outside gkeplan; adopt: true takes it over"
    forced = [f.name for f in base.fields if f.forces_replacement or not updatable]
    if forced:
        base.refused = (
            f"{base.address}: cannot adopt {base.id}: {', '.join(forced)} differ from the spec "
            "and cannot be changed in place; make the spec match what exists"
        )
    return base


def orphan_changes(graph: Graph, state: StateDoc | None, actual: Actual) -> list[Change]:
    """Resources in the state that the spec no longer has: delete them (dependents first),
    except what keepOnDestroy or lifecycle.preventDestroy keeps, which is forgotten, left in
    place (Terraform's `removed { lifecycle { destroy = false } }`)."""
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
            inputs=dict(rec.inputs),
            lifecycle=rec.lifecycle,
            reason="removed from the spec",
            dependencies=list(rec.dependencies),
        )
        # what a kind took over without adopt: true is forgotten, never deleted: no person
        # adopted it
        keep = rec.lifecycle.keeps
        if have is None and rec.status in ("ok", "kept"):
            change.action = Action.NOOP  # gone already: the apply only forgets it
            change.reason = "removed from the spec and already deleted outside gkeplan"
        elif keep is not None:
            change.action = Action.FORGET
            change.reason = (
                f"removed from the spec; {keep} keeps it: left in place, no longer managed"
            )
        out.append(change)
    return out + leftover_changes(state, actual)


def leftover_changes(state: StateDoc, actual: Actual) -> list[Change]:
    """The old half of a create-before-destroy whose run died before deleting it: gkeplan's
    own (the journal names it), so it is deleted now."""
    out = []
    for address, rec in sorted(state.resources.items()):
        old_id = rec.lifecycle.replaces_id
        have = actual.get(rec.kind, {}).get(old_id) if old_id else None
        new_is_up = rec.id in actual.get(rec.kind, {})
        if old_id is None or have is None or old_id == rec.id or not new_is_up:
            continue  # (while the new one is not up, its own change finishes the job)
        out.append(
            Change(
                f"{address}#replaced",
                rec.kind,
                str(old_id),
                Action.DELETE,
                before=dict(have),
                inputs=dict(rec.inputs),
                lifecycle=replace(rec.lifecycle, replaces_id=None),
                reason="the old resource of an interrupted create-before-destroy replacement",
            )
        )
    return out


def destroy_changes(
    graph: Graph,
    spec: Document,
    state: StateDoc | None,
    actual: Actual,
    moves: Moves | None = None,
) -> list[Change]:
    """Everything gkeplan manages goes, except keepOnDestroy resources: left in place and kept
    in the state, marked kept, so that the next apply of the spec takes them back as its own."""
    out = []
    recorded = state.resources if state else {}
    moved = (moves or Moves()).by_target
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
            inputs=dict(rec.inputs),
            lifecycle=_guards(spec, graph, address, rec.lifecycle),
            dependencies=list(rec.dependencies),
            moved_from=moved.get(address),
        )
        if rec.lifecycle.taken_over:
            change.action = Action.FORGET  # not gkeplan's to delete: no one adopted it
            change.reason = "taken over as it was found, never adopted: left in place, forgotten"
        elif rec.lifecycle.keep_on_destroy:
            change.action = Action.NOOP
            change.after = dict(have)
            change.lifecycle = replace(change.lifecycle, kept_by_destroy=True)
            change.reason = "keepOnDestroy: left in place, and kept in the state as gkeplan's"
        out.append(change)
    return out


def _guards(spec: Document, graph: Graph, address: str, recorded: Lifecycle) -> Lifecycle:
    """The protection the spec asks for now (it may have been lifted since the last apply)."""
    if address not in graph:
        return recorded
    node: Node = graph.nodes[address]["node"]
    current = with_spec_options(BY_NAME[node.kind].desired(spec, node).lifecycle, node.model)
    return replace(
        recorded,
        deletion_protection=current.deletion_protection,
        prevent_destroy=current.prevent_destroy,
    )
