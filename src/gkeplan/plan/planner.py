"""plan: refresh what exists (few list calls), then diff it against the spec and the state."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gkeplan.errors import UsageError
from gkeplan.graph.dag import Graph, ancestors, descendants
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.driver import Context, Driver, Wanted
from gkeplan.plan import external, protection
from gkeplan.plan.diff import desired_changes, destroy_changes, orphan_changes
from gkeplan.plan.model import Change, Plan
from gkeplan.redact import sensitive_fields
from gkeplan.spec.base import Document
from gkeplan.state.model import StateDoc


def spec_digest(spec: Document, variables: Mapping[str, str] | None = None) -> str:
    """A digest of the validated spec and the variables it was loaded with."""
    payload = json.dumps(
        {"spec": spec.model_dump(mode="json", by_alias=True), "variables": dict(variables or {})},
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _wanted(spec: Document, graph: Graph, state: StateDoc | None) -> dict[str, list[Wanted]]:
    out: dict[str, list[Wanted]] = {k: [] for k in BY_NAME}
    for address in graph.nodes:
        node = graph.nodes[address]["node"]
        desired = BY_NAME[node.kind].desired(spec, node)
        out[node.kind].append(Wanted(address, desired.id, desired.attributes, desired.settings))
    for address, rec in state.resources.items() if state else ():
        out.setdefault(rec.kind, []).append(Wanted(address, rec.id, rec.attributes, rec.settings))
    return out


def refresh(
    ctx: Context, drivers: Mapping[str, Driver], wanted: Mapping[str, Iterable[Wanted]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Read every kind at once; each driver lists rather than getting one by one."""
    kinds = [k for k, w in wanted.items() if list(w)]
    with ThreadPoolExecutor(max_workers=max(1, len(kinds))) as pool:
        futures = {k: pool.submit(drivers[k].read_all, ctx, list(wanted[k])) for k in kinds}
        return {k: f.result() for k, f in futures.items()}


def _targeted(
    changes: list[Change], graph: Graph, targets: Iterable[str], destroy: bool
) -> list[Change]:
    """apply --target X: X and what it needs. destroy --target X: X and what needs it (its
    dependents go first), never what X needs."""
    known = set(graph.nodes) | {c.address for c in changes}
    for target in targets:
        if target not in known:
            close = difflib.get_close_matches(target, sorted(known), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UsageError(
                f"{target} matches no resource of the spec or the state{hint}", "--target"
            )
    keep: set[str] = set()
    if destroy:
        deps = Graph()
        for c in changes:
            deps.add_node(c.address)
        for c in changes:
            for d in c.dependencies:
                deps.add_edge(d, c.address)
        for target in targets:
            keep |= {target, *(descendants(deps, target) if target in deps else ())}
        return [c for c in changes if c.address in keep]
    for target in targets:
        if target in graph:
            keep |= {target, *ancestors(graph, target)}
        else:
            keep.add(target)
    return [c for c in changes if c.address in keep]


def make_plan(
    spec: Document,
    ctx: Context,
    drivers: Mapping[str, Driver],
    graph: Graph,
    state: StateDoc | None,
    *,
    destroy: bool = False,
    targets: Iterable[str] = (),
    variables: Mapping[str, str] | None = None,
) -> Plan:
    if not destroy:  # what the grants are on outside the spec: it must exist
        external.check(spec, ctx, drivers)
    actual = refresh(ctx, drivers, _wanted(spec, graph, state))
    if destroy:
        changes = destroy_changes(graph, spec, state, actual)
    else:
        changes = desired_changes(spec, graph, state, actual) + orphan_changes(graph, state, actual)
    targets = list(targets)
    if targets:
        changes = _targeted(changes, graph, targets, destroy)
    for change in changes:
        recorded = state.resources.get(change.address) if state else None
        change.sensitive = sorted(
            set(sensitive_fields(change.after))
            | set(sensitive_fields(change.before))
            | set(recorded.sensitive if recorded else ())
        )
    protection.check(changes, spec, graph)
    return Plan(
        changes=changes,
        project=spec.project,
        state_lineage=state.lineage if state else None,
        state_serial=state.serial if state else None,
        spec_digest=spec_digest(spec, variables),
        destroy=destroy,
        refresh_calls=ctx.calls,
    )
