"""plan: refresh what exists (few list calls), then diff it against the spec and the state."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import networkx as nx

from gkeplan.commandline import CommandLine
from gkeplan.errors import UsageError
from gkeplan.graph.build import Graph
from gkeplan.kinds import BY_NAME, DesiredState
from gkeplan.kinds.driver import CallContext, Driver, Wanted
from gkeplan.plan import external, moves, protection
from gkeplan.plan.diff import desired_changes, destroy_changes, orphan_changes
from gkeplan.plan.model import Action, Change, Plan
from gkeplan.redact import sensitive_fields
from gkeplan.spec.base import Document
from gkeplan.state.model import StateDoc


def spec_digest(spec: Document) -> str:
    """A digest of the validated spec, its variables' values already in it: where a value
    came from (--var, a var-file, GKEPLAN_VAR_NAME, the default) does not change the plan, so
    it does not change the digest either."""
    payload = json.dumps({"spec": spec.model_dump(mode="json", by_alias=True)}, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


def desired_states(spec: Document, graph: Graph) -> dict[str, DesiredState]:
    """What the spec wants at each address: computed once per plan, read by every step."""
    out = {}
    for address in graph.nodes:
        node = graph.nodes[address]["node"]
        out[address] = BY_NAME[node.kind].desired(spec, node)
    return out


def _wanted(
    spec: Document,
    graph: Graph,
    desired: Mapping[str, DesiredState],
    state: StateDoc | None,
    apis_off: frozenset[str] = frozenset(),
) -> dict[str, list[Wanted]]:
    """What refresh reads: the spec's resources and the state's. One whose API is off now (the
    spec turns it on first) cannot exist yet, and is not asked for."""
    out: dict[str, list[Wanted]] = {k: [] for k in BY_NAME}
    for address, want in desired.items():
        node = graph.nodes[address]["node"]
        unread = apis_off and apis_off & set(BY_NAME[node.kind].apis(spec, node))
        if unread and not (state and address in state.resources):
            continue
        out[node.kind].append(Wanted(address, want.id, want.attributes, want.inputs))
    for address, rec in state.resources.items() if state else ():
        out.setdefault(rec.kind, []).append(Wanted(address, rec.id, rec.attributes, rec.inputs))
    return out


def find_moves(
    spec: Document, graph: Graph, desired: Mapping[str, DesiredState], state: StateDoc | None
) -> moves.Moves:
    wanted = {a: moves.Wanted(graph.nodes[a]["node"].kind, d.id) for a, d in desired.items()}
    declared = [(m.from_, m.to) for m in spec.moved]
    return moves.find(state, wanted, declared)


def refresh(
    ctx: CallContext, drivers: Mapping[str, Driver], wanted: Mapping[str, Iterable[Wanted]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Read every kind at once; each driver lists rather than getting one by one."""
    kinds = [k for k, w in wanted.items() if list(w)]
    with ThreadPoolExecutor(max_workers=max(1, len(kinds))) as pool:
        futures = {k: pool.submit(drivers[k].read_all, ctx, list(wanted[k])) for k in kinds}
        return {k: f.result() for k, f in futures.items()}


def _targeted(
    changes: list[Change],
    graph: Graph,
    targets: Iterable[str],
    destroy: bool,
    moved: Mapping[str, str],
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
        deps: Graph = nx.DiGraph()
        for c in changes:
            deps.add_node(c.address)
        for c in changes:
            for d in c.dependencies:
                deps.add_edge(d, c.address)
        for target in targets:
            keep |= {target, *(nx.descendants(deps, target) if target in deps else ())}
    else:
        for target in targets:
            if target in graph:
                keep |= {target, *nx.ancestors(graph, target)}
            else:
                keep.add(target)
    moves.check_targets(moved, keep, "--target")
    return [c for c in changes if c.address in keep]


def _forced(
    changes: list[Change], addresses: list[str], state: StateDoc | None, destroy: bool
) -> list[Change]:
    """`--replace ADDRESS`: the resource is deleted and created again (create-before-destroy
    for a kind that has it); the protection and --allow-replace rules apply as to any
    replacement, since the plan holds an ordinary replace."""
    from gkeplan.plan.diff import create_before_destroy

    if destroy:
        raise UsageError("--replace and --destroy contradict each other; give one", "--replace")
    by_address = {c.address: c for c in changes}
    for address in addresses:
        change = by_address.get(address)
        if change is None:
            close = difflib.get_close_matches(address, sorted(by_address), n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise UsageError(f"{address} matches no resource of the spec{hint}", "--replace")
        if change.action in (Action.CREATE, Action.REPLACE) or change.refused is not None:
            continue  # created or replaced anyway
        if change.action is not Action.NOOP and change.action is not Action.UPDATE:
            raise UsageError(
                f"{address} is to be {change.action.value}d by this plan; it cannot also be "
                "replaced",
                "--replace",
            )
        kind = BY_NAME[change.kind]
        change.action = Action.REPLACE
        change.reason = "replacement asked for with --replace"
        if kind.create_before_destroy:
            want = DesiredState(
                change.id, dict(change.after or {}), dict(change.inputs), change.lifecycle
            )
            change = create_before_destroy(change, kind, want, state)
        by_address[address] = change
    return [by_address[c.address] for c in changes]


def make_plan(
    spec: Document,
    ctx: CallContext,
    drivers: Mapping[str, Driver],
    graph: Graph,
    state: StateDoc | None,
    *,
    destroy: bool = False,
    targets: Iterable[str] = (),
    variables: Mapping[str, str] | None = None,
    allow_replace: Iterable[str] = (),
    commands: CommandLine | None = None,
    refresh_only: bool = False,
    replace: Iterable[str] = (),
) -> Plan:
    """`commands`: how the run was invoked, for the hints the plan prints (pasteable);
    `replace`: addresses to replace though nothing forces it (Terraform's -replace);
    `refresh_only`: what changed outside gkeplan since the state was written, nothing else."""
    if refresh_only:
        return _refresh_only_plan(spec, ctx, drivers, graph, state)
    if not destroy:  # what the grants are on outside the spec: it must exist
        external.check(spec, ctx, drivers)
    desired = desired_states(spec, graph)
    actual = refresh(ctx, drivers, _wanted(spec, graph, desired, state, ctx.apis_off))
    found = find_moves(spec, graph, desired, state)
    prior = moves.rekeyed(state, found)  # the state as it is once the moves are made
    if destroy:
        changes = destroy_changes(graph, spec, prior, actual, found)
    else:
        changes = desired_changes(
            spec, graph, prior, actual, desired, found, commands
        ) + orphan_changes(graph, prior, actual)
    forced = list(replace)
    if forced:
        changes = _forced(changes, forced, state, destroy)
    targets = list(targets)
    if targets:
        changes = _targeted(changes, graph, targets, destroy, found.by_target)
    state = prior
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
        spec_digest=spec_digest(spec),
        environment=spec.environment,
        destroy=destroy,
        refresh_calls=ctx.calls,
        allow_replace=sorted(set(allow_replace)),
        needs_allow_replace=[c.address for c in protection.needs_consent(changes)],
        replace=sorted(set(forced)),
    )


def _refresh_only_plan(
    spec: Document,
    ctx: CallContext,
    drivers: Mapping[str, Driver],
    graph: Graph,
    state: StateDoc | None,
) -> Plan:
    from gkeplan.plan.refresh_only import drift_changes

    desired = desired_states(spec, graph)
    actual = refresh(ctx, drivers, _wanted(spec, graph, desired, state, ctx.apis_off))
    return Plan(
        changes=drift_changes(state, actual),
        project=spec.project,
        state_lineage=state.lineage if state else None,
        state_serial=state.serial if state else None,
        spec_digest=spec_digest(spec),
        environment=spec.environment,
        refresh_calls=ctx.calls,
        refresh_only=True,
    )
