"""Moves: a resource the state holds under another address is the same resource, re-keyed.

A spec's key is gkeplan's name for a resource; its GCP id is what it is. When the spec asks at
address A for the id the state records at address B, and B no longer asks for it, the resource
has moved from B to A (Terraform's `moved` block, found without one): the plan diffs it against
its own record, and the apply re-keys the state in one write, calling nothing for the move.
IAM members and node pools follow their resource's move the same way, since their ids do not
hold the spec's keys. `moved: [{from, to}]` in the spec names a move the ids cannot show (one
whose id changes too, then replaced at its new address); `gkeplan state mv` does it by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gkeplan.errors import UsageError
from gkeplan.state.model import ResourceState, StateDoc


def identities(rec: ResourceState) -> set[str]:
    """The ids a state entry answers to: its own, and the spec's id of a resource that lives on
    under a suffixed name after a create-before-destroy replacement."""
    spec_id = rec.lifecycle.spec_id
    return {rec.id, spec_id} if spec_id else {rec.id}


@dataclass(frozen=True)
class Wanted:
    """What the spec asks for at one address: its kind and GCP id."""

    kind: str
    id: str


@dataclass
class Moves:
    """to -> from, and the plan-time problems (a move whose destination holds another entry)."""

    by_target: dict[str, str] = dataclasses.field(default_factory=dict)
    conflicts: dict[str, str] = dataclasses.field(default_factory=dict)  # address -> why

    @property
    def sources(self) -> set[str]:
        return set(self.by_target.values())


def find(
    state: StateDoc | None,
    wanted: Mapping[str, Wanted],
    declared: Iterable[tuple[str, str]] = (),
) -> Moves:
    """The moves from the state's addresses to the spec's: `declared` (the spec's `moved:`,
    from -> to) first, then every address whose id the state holds elsewhere."""
    out = Moves()
    if state is None:
        return out
    records = state.resources

    def still_wanted(address: str) -> bool:
        """The entry at `address` is what the spec asks for there: it stays put."""
        want = wanted.get(address)
        rec = records.get(address)
        return want is not None and rec is not None and want.id in identities(rec)

    for source, target in declared:
        if source in records and target in wanted and target not in out.by_target:
            out.by_target[target] = source
    by_identity: dict[tuple[str, str], list[str]] = {}
    for address, rec in sorted(records.items()):
        for rid in identities(rec):
            by_identity.setdefault((rec.kind, rid), []).append(address)
    taken = set(out.by_target.values())
    for address, want in sorted(wanted.items()):
        if address in out.by_target or still_wanted(address):
            continue
        for other in by_identity.get((want.kind, want.id), ()):
            if other == address or other in taken or still_wanted(other):
                continue
            out.by_target[address] = other
            taken.add(other)
            break
    # A destination whose own entry stays behind (not moved on, not the spec's any more) would
    # lose that entry: the person says which is which (`gkeplan state mv` / `state rm`).
    for target, source in sorted(out.by_target.items()):
        if target in records and target not in taken:
            out.conflicts[target] = (
                f"{target}: the spec asks here for {records[source].id}, which the state holds "
                f"at {source}, but the state also holds {records[target].id} at {target}; "
                f"gkeplan will not guess which to keep: move or forget one by hand (`gkeplan "
                f"state mv` / `gkeplan state rm`), then plan again"
            )
    for target in out.conflicts:
        del out.by_target[target]
    return out


def rekeyed(state: StateDoc | None, moves: Moves) -> StateDoc | None:
    """The state as it is once the moves are made: what the plan diffs against."""
    if state is None or not moves.by_target:
        return state
    return dataclasses.replace(state, resources=move_entries(state.resources, moves.by_target))


def move_entries(
    resources: Mapping[str, ResourceState], by_target: Mapping[str, str]
) -> dict[str, ResourceState]:
    """`resources` with each entry of `by_target` (to -> from) re-keyed at once (so swaps work),
    and every dependency on a moved address renamed."""
    renamed = {source: target for target, source in by_target.items()}
    out = {a: r for a, r in resources.items() if a not in renamed}
    for target, source in by_target.items():
        out[target] = resources[source]
    for address, rec in out.items():
        if any(d in renamed for d in rec.dependencies):
            deps = [renamed.get(d, d) for d in rec.dependencies]
            out[address] = dataclasses.replace(rec, dependencies=deps)
    return out


def check_targets(by_target: Mapping[str, str], kept: set[str], flag: str) -> None:
    """A targeted plan carries each chain of moves whole or not at all, as Terraform's "Moved
    resource instances excluded by targeting" error asks: half a swap would lose an entry."""
    groups: list[set[str]] = []
    for target, source in by_target.items():
        merged = {target, source}
        rest = []
        for group in groups:
            if group & merged:
                merged |= group
            else:
                rest.append(group)
        groups = [*rest, merged]
    missing = sorted(
        t for group in groups if group & kept for t in group if t in by_target and t not in kept
    )
    if missing:
        extra = " ".join(f"--target {t}" for t in missing)
        raise UsageError(
            "the state holds resources that moved to new addresses, and the targets do not "
            f"cover every one of them; add {extra}, or leave --target out",
            flag,
        )
