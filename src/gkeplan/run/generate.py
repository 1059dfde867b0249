"""`gkeplan import --generate`: the spec of what exists in a project, and its adoption.

Each kind's generator (`Kind.generate`, `gkeplan.kinds.generating`) lists what exists with the
calls refresh makes and writes each resource back as a spec entry; what GCP manages itself
(service agents, default accounts, the default network, GKE's firewall rules...) is left out
and named, with how it was recognised. The spec written is then loaded like any other and
every resource's desired state is diffed against what was listed: a generated spec is
faithful when adopting it plans no change, and every field that would change is reported.

Ownership: `--write` journals every generated resource in the state as gkeplan's, as
`gkeplan import` does one at a time: the person running it adopts them explicitly, so plan,
apply and destroy of the generated spec treat them as their own. Nothing left out is adopted,
and nothing in GCP is created or changed.
"""

from __future__ import annotations

import collections
import graphlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gkeplan.errors import Diagnostic, GkeplanError, SpecError, UsageError
from gkeplan.gcp.connection import Connection
from gkeplan.graph.build import build_graph
from gkeplan.kinds import BY_NAME, KINDS, network
from gkeplan.kinds.driver import CallContext
from gkeplan.kinds.generating import Entry, Found, Generator, LeftOut, Listing, load_generator
from gkeplan.plan.model import diff_attributes
from gkeplan.run.generate_yaml import render
from gkeplan.run.target import Target, check_target
from gkeplan.spec.base import Document
from gkeplan.state.model import ResourceState, StateDoc
from gkeplan.state.store import LockInfo, StateStore

DEFAULT_NETWORK = "default-network"  # --include: the default network and its rules too
# the kind whose generator writes the default network (its package's DEFAULT_NETWORK)
_DEFAULT_NETWORK_KIND = network.KIND.name


class AdoptRefused(GkeplanError):
    """The state already holds one of the generated addresses as another resource."""


@dataclass(frozen=True)
class Selection:
    kinds: frozenset[str]  # the kinds whose generators write entries
    default_network: bool = False


def choices() -> list[str]:
    """What --include and --exclude take: every kind a generator writes, and default-network."""
    writer = _generator_of()
    return [k.name for k in KINDS if k.name in writer] + [DEFAULT_NETWORK]


def _generator_of() -> dict[str, str]:
    """Each kind -> the kind whose generator writes it (a node pool: its cluster's)."""
    out = {k.name: k.name for k in KINDS if k.generate}
    for k in KINDS:
        if k.generate:
            for held in load_generator(k.generate).holds:
                out[held] = k.name
    return out


def select(include: Iterable[str], exclude: Iterable[str]) -> Selection:
    """--include / --exclude as the kinds to write; a name gkeplan does not have is a usage
    error naming the ones it has."""
    include, exclude = list(include), list(exclude)
    valid = choices()
    for flag, names in (("--include", include), ("--exclude", exclude)):
        for name in names:
            if name not in valid:
                raise UsageError(
                    f"{name} is not a kind gkeplan generates; choose from: {', '.join(valid)}",
                    flag,
                )
    writer = _generator_of()
    default_network = DEFAULT_NETWORK in include
    asked = {writer[n] for n in include if n != DEFAULT_NETWORK}
    kinds = asked or set(writer.values())
    for name in exclude:
        if name == DEFAULT_NETWORK:
            default_network = False
        elif writer[name] != name and writer[name] in kinds:
            raise UsageError(
                f"{name} is generated with its {writer[name]}: --exclude {writer[name]} too",
                "--exclude",
            )
        else:
            kinds.discard(writer[name])
    if default_network:
        kinds.add(_DEFAULT_NETWORK_KIND)
    return Selection(frozenset(kinds), default_network)


@dataclass
class Generated:
    project: str
    region: str
    text: str = ""
    entries: list[Entry] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    # address -> the fields a plan of the generated spec would change ("field: have -> want")
    changes: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    # (rule, address, finding): policy errors of what exists, waived in the spec so that it
    # plans as it is; the person hardens the resource and drops the waiver
    waivers: list[tuple[str, str, str]] = field(default_factory=list)
    spec: Document | None = None
    calls: int = 0
    listed: dict[str, int] = field(default_factory=dict)  # resources found, by kind
    skipped: dict[str, str] = field(default_factory=dict)  # kind -> its API, not enabled
    seconds: float = 0.0

    @property
    def resources(self) -> int:
        return sum(1 + len(e.found.parts) - len(e.left_out) for e in self.entries)

    @property
    def faithful(self) -> bool:
        return not self.changes and not self.problems


def generate(
    conn: Connection,
    project: str,
    selection: Selection,
    region: str | None = None,
    progress: Callable[[str], None] = lambda line: None,
    source: str = "<generated>",
) -> Generated:
    started = time.monotonic()
    ctx = CallContext(project, conn)
    listing = Listing(project, region or "", default_network=selection.default_network)
    generators = {k.name: load_generator(k.generate) for k in KINDS if k.generate}
    needed = _closure(selection.kinds, generators)
    order = list(
        graphlib.TopologicalSorter(
            {k: [r for r in generators[k].reads if r in needed] for k in sorted(needed)}
        ).static_order()
    )
    out = Generated(project, region or "")
    off = _disabled(conn, sorted({a for k in needed for a in generators[k].apis}))
    for kind in order:
        disabled = sorted(set(generators[kind].apis) & off)
        if disabled:
            listing.found[kind] = []
            out.skipped[kind] = disabled[0]
            progress(f"skipped {kind}: {disabled[0]} is not enabled in project {project}")
        else:
            _list(kind, generators[kind], ctx, listing, out, progress)
    out.region = listing.region = region or _region(listing, generators)
    for kind in (k for k in order if k in selection.kinds):
        for resource in listing.found[kind]:
            written = generators[kind].write(resource, listing)
            if isinstance(written, LeftOut):
                out.left_out.append(written)
            else:
                out.entries.append(written)
                out.left_out.extend(written.left_out)
    out.text = _render(out)
    _check(out, source)
    if out.spec is not None:
        out.waivers = _policy_errors(out.spec)
        if out.waivers:
            out.text = _render(out)
            _check(out, source)
    out.calls = ctx.calls
    out.seconds = time.monotonic() - started
    return out


def _render(out: Generated) -> str:
    return render(out.project, out.region, out.entries, out.left_out, out.waivers, out.resources)


def _list(
    kind: str,
    generator: Generator,
    ctx: CallContext,
    listing: Listing,
    out: Generated,
    progress: Callable[[str], None],
) -> None:
    begun = time.monotonic()
    found = generator.list(ctx, listing)
    listing.found[kind] = found
    out.listed[kind] = len(found)
    parts = collections.Counter(p.kind for f in found for p in f.parts)
    out.listed.update(parts)
    held = "".join(f", {n} {k}" for k, n in sorted(parts.items()))
    progress(
        f"listed {len(found)} {kind}{held} ({time.monotonic() - begun:.1f}s, "
        f"{ctx.calls} API calls so far)"
    )


def _disabled(conn: Connection, apis: list[str]) -> set[str]:
    """The APIs of `apis` the project has not enabled: their kinds have nothing to list (and
    every list call would fail with 403). When Service Usage cannot say, none."""
    from gkeplan.gcp import services

    try:
        return set(services.disabled(conn, apis))
    except Exception:  # not being able to check is no reason to stop: the lists will say
        return set()


def _closure(kinds: Iterable[str], generators: dict[str, Any]) -> set[str]:
    needed: set[str] = set()
    todo = list(kinds)
    while todo:
        kind = todo.pop()
        if kind not in needed:
            needed.add(kind)
            todo.extend(generators[kind].reads)
    return needed


def _region(listing: Listing, generators: dict[str, Any]) -> str:
    """The region most of the regional resources found are in: the spec's `region`."""
    seen: collections.Counter[str] = collections.Counter()
    for kind, found in listing.found.items():
        seen.update(r for f in found if (r := generators[kind].region(f)) is not None)
    if not seen:
        raise UsageError(
            "none of the resources found is in a region (networks, firewalls and service "
            "accounts are global) to take the spec's region from; give it with --region",
            "--region",
        )
    return seen.most_common(1)[0][0]


def _check(out: Generated, source: str) -> None:
    """Load the generated spec as `validate` would, then diff each resource's desired state
    against what was listed: what differs is what a plan would change."""
    from gkeplan.spec.yamlsource import load_yaml
    from gkeplan.validation.load import validate_data

    try:
        data, smap = load_yaml(out.text, source)
        spec = validate_data(data, smap, {}, {})
    except SpecError as exc:
        out.problems = list(exc.diagnostics)
        return
    out.spec = spec
    found = _by_id(out.entries)
    graph = build_graph(spec)
    for address in graph.nodes:
        node = graph.nodes[address]["node"]
        kind = BY_NAME[node.kind]
        want = kind.desired(spec, node)
        have = found.get((node.kind, want.id))
        if have is None:
            out.changes[address] = [f"{want.id} was not listed: the plan would create it"]
            continue
        fields = diff_attributes(have.attributes, want.attributes, kind.immutable)
        if fields:
            out.changes[address] = [f"{f.name}: {f.before!r} -> {f.after!r}" for f in fields]


def _policy_errors(spec: Document) -> list[tuple[str, str, str]]:
    """The policy errors of the spec as it stands (what exists, written out): a plan refuses
    them, and they are the person's to fix, not gkeplan's to change while adopting."""
    from gkeplan.errors import Severity
    from gkeplan.policy.engine import run_policies

    report = run_policies(spec, build_graph(spec))
    seen: dict[tuple[str, str], str] = {}
    for f in report.unwaived(Severity.ERROR):
        seen.setdefault((f.rule, f.resource), f.message)
    return [(rule, resource, message) for (rule, resource), message in sorted(seen.items())]


def _by_id(entries: Iterable[Entry]) -> dict[tuple[str, str], Found]:
    out: dict[tuple[str, str], Found] = {}
    for e in entries:
        for f in (e.found, *e.found.parts):
            out[f.kind, f.id] = f
    return out


def adopt(store: StateStore, out: Generated, target: Target) -> tuple[int, int]:
    """Journal every resource of the generated spec as gkeplan's, touching nothing in GCP;
    returns (adopted, already in the state). Refused, with nothing written, when the state
    holds one of the addresses as another resource."""
    assert out.spec is not None
    graph = build_graph(out.spec)
    found = _by_id(out.entries)
    info = LockInfo(operation="import --generate")
    store.lock(info)
    try:
        doc = store.read()
        check_target(doc, out.spec, target, store.location)
        doc = doc or StateDoc(project=out.project)
        adopted = kept = 0
        entries: dict[str, ResourceState] = {}
        held = {(r.kind, r.id): a for a, r in doc.resources.items()}
        clashes = []
        for address in graph.nodes:
            node = graph.nodes[address]["node"]
            want = BY_NAME[node.kind].desired(out.spec, node)
            rec = doc.resources.get(address)
            other = held.get((node.kind, want.id))
            if rec is not None and rec.id == want.id:
                kept += 1
                continue
            if rec is not None:
                clashes.append(f"the state holds {address} as {rec.id}, not {want.id}")
            elif other is not None:
                # one resource at two addresses: a plan of either spec would delete it
                clashes.append(f"{want.id} is in the state already, as {other}")
            entries[address] = ResourceState(
                node.kind,
                want.id,
                dict(found[node.kind, want.id].attributes),
                dependencies=sorted(graph.predecessors(address)),
                inputs=dict(want.inputs),
                lifecycle=want.lifecycle,
            )
            adopted += 1
        if clashes:
            more = f" (and {len(clashes) - 3} more)" if len(clashes) > 3 else ""
            raise AdoptRefused(
                f"nothing was adopted into {store.location}: {'; '.join(clashes[:3])}{more}; "
                "adopt into a state of its own (--state NEW_FILE)"
            )
        doc.resources.update(entries)
        doc.target = target.identity()
        doc.serial += 1
        store.write(doc)
    finally:
        store.unlock(info)
    return adopted, kept
