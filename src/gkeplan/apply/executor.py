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

from gkeplan.apply.walk import Outcome, WalkResult, walk
from gkeplan.commandline import CommandLine
from gkeplan.errors import CloudError, OperationAbandoned, ResourceExists, StateConflict
from gkeplan.gcp.retry import counting
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.driver import Attributes, Context, Driver
from gkeplan.plan.model import Action, Change, Plan, diff_attributes
from gkeplan.plan.moves import move_entries
from gkeplan.plan.ownership import JOURNALED_BY, KEPT, journal_entries, outside_message
from gkeplan.state.model import ResourceState, StateDoc
from gkeplan.state.store import StateStore

log = logging.getLogger("gkeplan.apply")


class StateWriter:
    """Serialises state updates; concurrent updates share one atomic write (group commit)."""

    def __init__(self, store: StateStore, doc: StateDoc) -> None:
        self.store = store
        self.doc = doc
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._version = 0
        self._written = 0
        self._lost: StateConflict | None = None  # someone else wrote: we never write again

    def update(self, fn: Callable[[StateDoc], None]) -> None:
        with self._lock:
            fn(self.doc)
            self._version += 1
            mine = self._version
        with self._write_lock:
            if self._lost is not None:
                raise self._lost
            if self._written >= mine:
                return  # a write that started after our update already covered it
            with self._lock:
                self.doc.serial += 1
                text_version = self._version
                # Entries are replaced, never mutated, so a shallow copy is a stable snapshot.
                snapshot = StateDoc(
                    self.doc.lineage,
                    self.doc.serial,
                    self.doc.project,
                    dict(self.doc.resources),
                    self.doc.target,
                )
            try:
                self.store.write(snapshot)
            except StateConflict as exc:
                self._lost = exc
                raise
            self._written = text_version


@dataclass
class ApplyResult:
    walk: WalkResult
    changes: dict[str, Change]
    durations: dict[str, float] = field(default_factory=dict)
    moved: int = 0  # state entries re-keyed to their new addresses

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
            "failed": sum(o is Outcome.FAILED for o in self.walk.outcomes.values()),
            "skipped": sum(o is Outcome.SKIPPED for o in self.walk.outcomes.values()),
        }


def critical_first(
    changes: Mapping[str, Change], deps: Mapping[str, list[str]]
) -> dict[str, float]:
    """For each change, the weight of the longest chain of changes that waits on it."""
    dependents: dict[str, list[str]] = {a: [] for a in changes}
    for a, ds in deps.items():
        for d in ds:
            dependents[d].append(a)
    memo: dict[str, float] = {}

    def chain(a: str) -> float:
        if a not in memo:
            memo[a] = 0.0  # guards against a cycle, which the graph has already refused
            own = BY_NAME[changes[a].kind].weight
            memo[a] = own + max((chain(b) for b in dependents[a]), default=0.0)
        return memo[a]

    return {a: chain(a) for a in changes}


def _order(changes: Mapping[str, Change]) -> dict[str, list[str]]:
    """Creates and updates after their dependencies; deletes before what they depended on."""
    deps: dict[str, list[str]] = {}
    deleting = {a for a, c in changes.items() if c.action in (Action.DELETE, Action.REPLACE)}
    for address, change in changes.items():
        if change.action is Action.DELETE:
            deps[address] = [other for other in deleting if address in changes[other].dependencies]
        else:
            deps[address] = [d for d in change.dependencies if d in changes]
    return deps


def describe_failure(change: Change, exc: BaseException) -> str:
    """What gkeplan was doing, GCP's answer and the next step, on one line."""
    from gkeplan.gcp.errors import explain  # Google's error types: only once a call failed

    return f"{change.action.value} {change.kind} {change.id}: {explain(exc)}"


def create(
    driver: Driver,
    ctx: Context,
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
    if not (change.settings.get("adopt") or ours() or retried[0]):
        raise ResourceExists(
            outside_message(change.address, change.id, commands=commands), change.id
        ) from None
    return adopt(driver, ctx, change, str(error))


def adopt(driver: Driver, ctx: Context, change: Change, why: str = "") -> Attributes:
    """Read what exists and converge it on the spec."""
    got = driver.read(ctx, change)
    if got is None:
        raise CloudError(f"{change.address}: {why or 'gone'}; and it cannot be read")
    fields = diff_attributes(got, change.after or {}, frozenset())
    if not fields:
        return got
    converge = Change(**{**change.__dict__, "before": got, "fields": fields})
    return driver.update(ctx, converge)


REPLACES = "replaces"  # settings key: the old resource a create-before-destroy still has to delete


def replace_settings(change: Change, old_id: str) -> Change:
    return Change(
        change.address,
        change.kind,
        change.id,
        change.action,
        settings={**change.settings, REPLACES: old_id},
        dependencies=change.dependencies,
    )


def make_moves(writer: StateWriter, plan: Plan) -> int:
    """Re-key the state for every move of the plan, in one write before any call: a run killed
    after it finds each resource at its new address, one killed before at its old."""
    by_target = {
        c.address: c.moved_from
        for c in plan.changes
        if c.moved_from is not None and c.moved_from in writer.doc.resources
    }
    if by_target:

        def fn(doc: StateDoc) -> None:
            doc.resources = move_entries(doc.resources, by_target)

        writer.update(fn)
    return len(by_target)


def execute(
    plan: Plan,
    ctx: Context,
    drivers: Mapping[str, Driver],
    writer: StateWriter,
    *,
    parallelism: int = 10,
    stop: threading.Event | None = None,
    on_event: Callable[[str, Change, str], None] | None = None,
    commands: CommandLine | None = None,
) -> ApplyResult:
    changes = {c.address: c for c in plan.changes}
    result = ApplyResult(WalkResult(), changes)
    stop = stop or threading.Event()
    result.moved = make_moves(writer, plan)

    def journaled(change: Change) -> Callable[[], bool]:
        """Whether the state held this id for this address before this change wrote to it."""
        prior = writer.doc.resources.get(change.address)
        return lambda: prior is not None and prior.id == change.id

    def just_journaled(change: Change) -> bool:
        rec = writer.doc.resources.get(change.address)
        return (
            rec is not None
            and rec.id == change.id
            and rec.status == "pending-create"
            and bool(rec.settings.get(JOURNALED_BY))
            and not (change.before or {}).get("_error")
        )

    def journal_also_created(change: Change) -> None:
        entries = journal_entries(change.settings, change.address)

        def fn(doc: StateDoc) -> None:
            for address, entry in entries.items():
                had = doc.resources.get(address)
                if had is None or had.id != entry.id:  # a replaced cluster's pools move with it
                    doc.resources[address] = entry

        if entries:
            writer.update(fn)

    def emit(what: str, change: Change, detail: str = "") -> None:
        if on_event is not None:
            on_event(what, change, detail)

    def forget(doc: StateDoc, change: Change) -> None:
        doc.resources.pop(change.address, None)

    def in_flight(doc: StateDoc, change: Change, operation: str) -> None:
        rec = doc.resources.get(change.address)
        if rec is not None:
            doc.resources[change.address] = dataclasses.replace(rec, operation=operation)

    def record(change: Change, status: str, attrs: dict[str, object] | None, rid: str) -> None:
        def fn(doc: StateDoc) -> None:
            doc.resources[change.address] = ResourceState(
                kind=change.kind,
                id=rid,
                attributes=dict(attrs or {}),
                status=status,  # type: ignore[arg-type]
                dependencies=list(change.dependencies),
                settings=dict(change.settings),
                sensitive=list(change.sensitive),
            )

        writer.update(fn)

    def work(address: str) -> None:
        from gkeplan.gcp.retry import retry_budget

        with retry_budget(ctx.conn.timeouts.change_budget_s):
            run_change(address)

    def run_change(address: str) -> None:
        change = changes[address]
        driver = drivers[change.kind]
        started = time.monotonic()
        if change.action is Action.NOOP:
            if change.after is None:
                writer.update(lambda doc: forget(doc, change))
            else:
                status = "kept" if change.settings.get(KEPT) else "ok"
                record(change, status, change.before or change.after, change.id)
            return
        if change.action is Action.FORGET:  # left in place, no call: the state lets it go
            writer.update(lambda doc: forget(doc, change))
            emit("done", change, "forgotten")
            return
        emit("start", change, "")
        ours = journaled(change)
        try:
            if change.refused is not None:
                raise ResourceExists(change.refused, change.id)
            if change.action is Action.DELETE:
                record(change, "pending-delete", change.before, change.id)
                driver.delete(ctx, change)
                writer.update(lambda doc: forget(doc, change))
            elif change.action is Action.REPLACE and just_journaled(change):
                # Made by the request of the resource that journaled it (a pool of a cluster
                # replaced in this run): there is nothing old left to delete.
                record(change, "ok", create(driver, ctx, change, ours, commands), change.id)
            elif change.action is Action.REPLACE:
                old = writer.doc.resources.get(address)
                old_id = old.id if old else change.id
                if old is not None and old.id == change.id and old.settings.get(REPLACES):
                    old_id = str(old.settings[REPLACES])  # an interrupted create-before-destroy
                old_change = Change(
                    address,
                    change.kind,
                    old_id,
                    Action.DELETE,
                    before=change.before,
                    settings=change.settings,
                )
                if change.settings.get("createBeforeDestroy") and old_id != change.id:
                    # The new one first (under its own name), the old one once it runs; the
                    # journal names the old one so a run killed in between still deletes it.
                    journal = replace_settings(change, old_id)
                    record(journal, "pending-create", change.after, change.id)
                    journal_also_created(change)
                    record(journal, "ok", create(driver, ctx, change, ours, commands), change.id)
                    driver.delete(ctx, old_change)
                    record(change, "ok", writer.doc.resources[address].attributes, change.id)
                else:
                    record(change, "pending-replace", change.before, old_id)
                    driver.delete(ctx, old_change)
                    record(change, "pending-create", change.after, change.id)
                    journal_also_created(change)
                    record(change, "ok", create(driver, ctx, change, ours, commands), change.id)
            elif change.action is Action.CREATE:
                record(change, "pending-create", change.after, change.id)
                journal_also_created(change)
                record(change, "ok", create(driver, ctx, change, ours, commands), change.id)
            elif change.action is Action.ADOPT:
                record(change, "pending-update", change.before, change.id)
                record(change, "ok", adopt(driver, ctx, change), change.id)
            else:
                record(change, "pending-update", change.before, change.id)
                record(change, "ok", driver.update(ctx, change), change.id)
        except BaseException as exc:
            if isinstance(exc, StateConflict):
                stop.set()  # another writer owns the state now: start nothing more
            if isinstance(exc, OperationAbandoned):
                running = exc.operation
                writer.update(lambda doc: in_flight(doc, change, running))
            emit("fail", change, describe_failure(change, exc))
            raise
        finally:
            result.durations[address] = time.monotonic() - started
        emit("done", change, f"{result.durations[address]:.1f}s")

    deps = _order(changes)
    # Changes of a merged kind (IAM members of one policy) share one write in their driver.
    result.walk = walk(
        list(changes),
        deps,
        work,
        parallelism=parallelism,
        stop=stop,
        priority=critical_first(changes, deps),
        merged=lambda a: BY_NAME[changes[a].kind].merged,
    )
    return result
