"""apply: run a plan's changes in dependency order, in parallel, recording each in the state.

Each change is written to the state as pending before its API call and as done after it, so a
run killed in between is finished by the next one (whose refresh finds what was created and
adopts it). A failed change skips its dependents; independent branches carry on.

Ownership (gkeplan.plan.ownership): a create that meets an existing resource takes it over
only when gkeplan journaled it before (its address was in the state with that id, written by
an earlier attempt or by the create whose request made it) or the spec says `adopt: true`;
anything else is refused, untouched.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from gkeplan.apply.journal import Journal, StateWriter
from gkeplan.apply.vertices import Half, Vertex, create_first, vertices
from gkeplan.apply.walk import Outcome, WalkResult, walk
from gkeplan.commandline import CommandLine
from gkeplan.errors import CloudError, OperationAbandoned, ResourceExists, StateConflict
from gkeplan.gcp.retry import counting
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.driver import Attributes, CallContext, Driver
from gkeplan.plan.model import Action, Change, Plan, diff_attributes
from gkeplan.plan.ownership import outside_message
from gkeplan.state.model import Status

__all__ = ["ApplyResult", "Journal", "StateWriter", "create", "execute"]

log = logging.getLogger("gkeplan.apply")


@dataclass
class ApplyResult:
    walk: WalkResult
    changes: dict[str, Change]
    durations: dict[str, float] = field(default_factory=dict)
    moved: int = 0  # state entries re-keyed to their new addresses
    refreshed: int = 0  # state entries rewritten from the cloud (apply --refresh-only)

    @property
    def ok(self) -> bool:
        return self.walk.ok

    def counts(self) -> dict[str, int]:
        done = [self.changes[a] for a, o in self.walk.outcomes.items() if o is Outcome.DONE]
        return {
            "added": sum(c.action in (Action.CREATE, Action.REPLACE) for c in done),
            "changed": sum(c.action is Action.UPDATE for c in done),
            "adopted": sum(c.action is Action.ADOPT for c in done),
            "destroyed": sum(c.action in (Action.DELETE, Action.REPLACE) for c in done),
            "forgotten": sum(c.action is Action.FORGET for c in done),
            "moved": self.moved,
            "refreshed": self.refreshed,
            "failed": sum(o is Outcome.FAILED for o in self.walk.outcomes.values()),
            "skipped": sum(o is Outcome.SKIPPED for o in self.walk.outcomes.values()),
        }


def critical_first(weights: Mapping[str, float], deps: Mapping[str, list[str]]) -> dict[str, float]:
    """For each vertex, the weight of the longest chain of vertices that waits on it."""
    dependents: dict[str, list[str]] = {a: [] for a in weights}
    for a, ds in deps.items():
        for d in ds:
            dependents[d].append(a)
    memo: dict[str, float] = {}

    def chain(a: str) -> float:
        if a not in memo:
            memo[a] = 0.0  # guards against a cycle, which the graph has already refused
            memo[a] = weights[a] + max((chain(b) for b in dependents[a]), default=0.0)
        return memo[a]

    return {a: chain(a) for a in weights}


def describe_failure(change: Change, exc: BaseException) -> str:
    """What gkeplan was doing, GCP's answer and the next step, on one line."""
    from gkeplan.gcp.errors import explain  # Google's error types: only once a call failed

    return f"{change.action.value} {change.kind} {change.id}: {explain(exc)}"


def create(
    driver: Driver,
    ctx: CallContext,
    change: Change,
    ours: Callable[[], bool] = lambda: False,
    commands: CommandLine | None = None,
) -> Attributes:
    """Create; when GCP says the resource exists already, take it over only if `ours()` (an
    earlier attempt of gkeplan's whose answer was lost, a pool that came with its new
    cluster) or the spec adopts it, and converge it on the spec. Written once for every kind."""
    with counting() as retried:
        try:
            return driver.create(ctx, change)
        except ResourceExists as exc:
            error = exc
    # A create retried after a transient error may meet what its own first attempt made
    # (journaled as pending-create before that attempt): that is gkeplan's.
    if not (change.lifecycle.adopt or ours() or retried[0]):
        raise ResourceExists(
            outside_message(change.address, change.id, commands=commands), change.id
        ) from None
    return adopt(driver, ctx, change, str(error))


def adopt(driver: Driver, ctx: CallContext, change: Change, why: str = "") -> Attributes:
    """Read what exists and converge it on the spec."""
    got = driver.read(ctx, change)
    if got is None:
        raise CloudError(f"{change.address}: {why or 'gone'}; and it cannot be read")
    fields = diff_attributes(got, change.after or {}, frozenset())
    if not fields:
        return got
    converge = Change(**{**change.__dict__, "before": got, "fields": fields})
    return driver.update(ctx, converge)


def replacing(change: Change, old_id: str) -> Change:
    """The change as the journal records it while the old resource of a create-before-destroy
    still has to be deleted."""
    return dataclasses.replace(
        change, lifecycle=dataclasses.replace(change.lifecycle, replaces_id=old_id)
    )


@dataclass
class Step:
    """One change being made: what its action's step needs."""

    change: Change
    driver: Driver
    ctx: CallContext
    journal: Journal
    ours: Callable[[], bool]  # the state held this id here before this run touched it
    commands: CommandLine | None
    old_id: str = ""  # a replacement's: the id of the resource it replaces

    def create(self, change: Change | None = None) -> Attributes:
        return create(self.driver, self.ctx, change or self.change, self.ours, self.commands)


def _delete(s: Step) -> None:
    s.journal.record(s.change, "pending-delete", s.change.before, s.change.id)
    s.driver.delete(s.ctx, s.change)
    s.journal.forget(s.change)


def _create(s: Step) -> None:
    s.journal.record(s.change, "pending-create", s.change.after, s.change.id)
    s.journal.also_created(s.change)
    s.journal.record(s.change, "ok", s.create(), s.change.id)


def _update(s: Step) -> None:
    s.journal.record(s.change, "pending-update", s.change.before, s.change.id)
    s.journal.record(s.change, "ok", s.driver.update(s.ctx, s.change), s.change.id)


def _adopt(s: Step) -> None:
    s.journal.record(s.change, "pending-update", s.change.before, s.change.id)
    s.journal.record(s.change, "ok", adopt(s.driver, s.ctx, s.change), s.change.id)


def _old_change(s: Step) -> Change:
    return dataclasses.replace(s.change, id=s.old_id, action=Action.DELETE, after=None, fields=[])


def _replace(s: Step) -> None:
    """A replacement that is one vertex: its parent's replacement made the new one."""
    change, journal = s.change, s.journal
    if journal.made_by_another(change):
        # Made by the request of the resource that journaled it (a pool of a cluster replaced
        # in this run): there is nothing old left to delete.
        journal.record(change, "ok", s.create(), change.id)
        return
    _destroy_old(s)
    _create_new(s)


def _destroy_old(s: Step) -> None:
    change, journal = s.change, s.journal
    if create_first(change, s.old_id):
        s.driver.delete(s.ctx, _old_change(s))
        entry = journal.entry(change.address)
        journal.record(change, "ok", entry.attributes if entry else change.after, change.id)
    else:
        journal.record(change, "pending-replace", change.before, s.old_id)
        s.driver.delete(s.ctx, _old_change(s))


def _create_new(s: Step) -> None:
    change, journal = s.change, s.journal
    if create_first(change, s.old_id):
        # The new one first (under its own name), the old one once it runs; the journal names
        # the old one so a run killed in between still deletes it.
        pending = replacing(change, s.old_id)
        journal.record(pending, "pending-create", change.after, change.id)
        journal.also_created(change)
        journal.record(pending, "ok", s.create(), change.id)
    else:
        journal.record(change, "pending-create", change.after, change.id)
        journal.also_created(change)
        journal.record(change, "ok", s.create(), change.id)


def _old_id(change: Change, journal: Journal) -> str:
    """The id of the resource a replacement replaces, as the state had it when the run began."""
    old = journal.entry(change.address)
    if old is None:
        return change.id
    if old.id == change.id and old.lifecycle.replaces_id:
        return old.lifecycle.replaces_id  # an interrupted create-before-destroy
    return old.id


# One step per action that calls GCP (a replacement's two halves each their own); no-op and
# forget write the state only.
STEPS: dict[tuple[Action, Half], Callable[[Step], None]] = {
    (Action.CREATE, Half.WHOLE): _create,
    (Action.UPDATE, Half.WHOLE): _update,
    (Action.REPLACE, Half.WHOLE): _replace,
    (Action.REPLACE, Half.DESTROY): _destroy_old,
    (Action.REPLACE, Half.CREATE): _create_new,
    (Action.DELETE, Half.WHOLE): _delete,
    (Action.ADOPT, Half.WHOLE): _adopt,
}


def _state_only(change: Change, journal: Journal) -> bool:
    """Record what a change without a call leaves; False when the change has calls to make."""
    if change.action is Action.NOOP:
        if change.after is None:
            journal.forget(change)  # gone already
        else:
            status: Status = "kept" if change.lifecycle.kept_by_destroy else "ok"
            journal.record(change, status, change.before or change.after, change.id)
        return True
    if change.action is Action.FORGET:  # left in place: the state lets it go
        journal.forget(change)
        return True
    return False


def execute(
    plan: Plan,
    ctx: CallContext,
    drivers: Mapping[str, Driver],
    writer: StateWriter,
    *,
    parallelism: int = 10,
    stop: threading.Event | None = None,
    on_event: Callable[[str, Change, str], None] | None = None,
    commands: CommandLine | None = None,
) -> ApplyResult:
    changes = {c.address: c for c in plan.changes}
    stop = stop or threading.Event()
    journal = Journal(writer)
    moved = journal.moves(plan)
    old_ids = {a: _old_id(c, journal) for a, c in changes.items() if c.action is Action.REPLACE}
    verts, deps = vertices(changes, old_ids)
    halves_left = {a: 0 for a in changes}
    for v in verts.values():
        halves_left[v.address] += 1
    durations: dict[str, float] = {a: 0.0 for a in changes}
    started_at: set[str] = set()
    lock = threading.Lock()

    def emit(what: str, change: Change, detail: str = "") -> None:
        if on_event is not None:
            on_event(what, change, detail)

    def work(name: str) -> None:
        from gkeplan.gcp.retry import retry_budget

        vertex = verts[name]
        change = changes[vertex.address]
        if _state_only(change, journal):
            if change.action is Action.FORGET:
                emit("done", change, "forgotten")
            return
        with lock:  # a replacement's two halves are one change to the person watching
            first = change.address not in started_at
            started_at.add(change.address)
        started = time.monotonic()
        if first:
            emit("start", change, "")
        step = Step(
            change,
            drivers[change.kind],
            ctx,
            journal,
            journal.held_before(change),
            commands,
            old_ids.get(change.address, change.id),
        )
        try:
            if change.refused is not None:
                raise ResourceExists(change.refused, change.id)
            with retry_budget(ctx.conn.timeouts.change_budget_s):
                STEPS[(change.action, vertex.half)](step)
        except BaseException as exc:
            if isinstance(exc, StateConflict):
                stop.set()  # another writer owns the state now: start nothing more
            if isinstance(exc, OperationAbandoned):
                journal.in_flight(change, exc.operation)
            emit("fail", change, describe_failure(change, exc))
            raise
        finally:
            with lock:
                durations[change.address] += time.monotonic() - started
                halves_left[change.address] -= 1
                last = halves_left[change.address] == 0
        if last:
            emit("done", change, f"{durations[change.address]:.1f}s")

    weights = {n: BY_NAME[changes[v.address].kind].expected_seconds for n, v in verts.items()}
    # Changes of a merged kind (IAM members of one policy) share one write in their driver.
    walked = walk(
        list(verts),
        deps,
        work,
        parallelism=parallelism,
        stop=stop,
        priority=critical_first(weights, deps),
        merged=lambda n: BY_NAME[changes[verts[n].address].kind].merged,
    )
    result = ApplyResult(_by_change(walked, verts), changes, moved=moved)
    result.durations = {a: d for a, d in durations.items() if a in started_at}
    return result


_WORST = (Outcome.FAILED, Outcome.SKIPPED, Outcome.NOT_STARTED, Outcome.DONE)


def _by_change(walked: WalkResult, verts: Mapping[str, Vertex]) -> WalkResult:
    """The walk's outcomes per change: a replacement is done when both its halves are, and
    otherwise as far as its first half that was not."""
    out = WalkResult()
    for name, outcome in walked.outcomes.items():
        address = verts[name].address
        had = out.outcomes.get(address, Outcome.DONE)
        out.outcomes[address] = min(had, outcome, key=_WORST.index)
    for name, exc in walked.errors.items():
        out.errors.setdefault(verts[name].address, exc)
    for name, cause in walked.skipped_because.items():
        address = verts[name].address
        if address not in out.errors:  # a half skipped because the other failed is that failure
            out.skipped_because.setdefault(address, verts[cause].address)
    return out


def record_refresh(plan: Plan, writer: StateWriter) -> ApplyResult:
    """`apply --refresh-only`: the drift the plan shows written to the state in one write;
    no driver is called, so nothing in the cloud changes."""
    from gkeplan.plan.refresh_only import record

    drifted = plan.pending
    if drifted:
        writer.update(lambda doc: record(doc, drifted))
    result = ApplyResult(WalkResult(), {c.address: c for c in drifted})
    result.refreshed = len(drifted)
    return result
