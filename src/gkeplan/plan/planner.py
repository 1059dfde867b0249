"""plan: refresh what exists (few list calls), then diff it against the spec and the state."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gkeplan.graph.dag import Graph, ancestors
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.driver import Context, Driver, Wanted
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


def _targeted(changes: list[Change], graph: Graph, targets: Iterable[str]) -> list[Change]:
    keep: set[str] = set()
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
    actual = refresh(ctx, drivers, _wanted(spec, graph, state))
    if destroy:
        changes = destroy_changes(graph, spec, state, actual)
    else:
        changes = desired_changes(spec, graph, state, actual) + orphan_changes(graph, state, actual)
    targets = list(targets)
    if targets:
        changes = _targeted(changes, graph, targets)
    for change in changes:
        recorded = state.resources.get(change.address) if state else None
        change.sensitive = sorted(
            set(sensitive_fields(change.after))
            | set(sensitive_fields(change.before))
            | set(recorded.sensitive if recorded else ())
        )
    return Plan(
        changes=changes,
        project=spec.project,
        state_lineage=state.lineage if state else None,
        state_serial=state.serial if state else None,
        spec_digest=spec_digest(spec, variables),
        destroy=destroy,
        refresh_calls=ctx.calls,
    )
