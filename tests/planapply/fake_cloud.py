"""An in-memory cloud behind the driver interface, for unit tests of the planner and the
executor: what they decide from what exists, and in which order and how often they call, with
no emulator and no client library between.

It stands in for the drivers (the seam `make_plan` and `execute` take), never for the planner
or the executor under test. Each kind's resources are held by id as the attributes the driver
interface speaks (a kind's normalised `desired`), so what is created reads back the same.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import google.auth.credentials

from gkeplan.errors import ResourceExists
from gkeplan.gcp.connection import Connection, Endpoints, Timeouts
from gkeplan.kinds import KINDS
from gkeplan.kinds.driver import Attributes, CallContext, Driver, Wanted
from gkeplan.plan.model import Change

Hook = Callable[[str, Change], None]  # (verb, change): raise to fail that call


@dataclass
class FakeCloud:
    """What exists, by kind and id, and every call made, in order."""

    resources: dict[str, dict[str, Attributes]] = field(default_factory=dict)
    calls: list[tuple[str, str]] = field(default_factory=list)  # (verb, address)
    hooks: list[Hook] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def of(self, kind: str) -> dict[str, Attributes]:
        return self.resources.setdefault(kind, {})

    def called(self, verb: str) -> list[str]:
        with self.lock:
            return [address for v, address in self.calls if v == verb]

    def _call(self, verb: str, change: Change) -> None:
        with self.lock:
            self.calls.append((verb, change.address))
        for hook in list(self.hooks):
            hook(verb, change)


class FakeDriver:
    def __init__(self, kind: str, cloud: FakeCloud) -> None:
        self.kind = kind
        self.cloud = cloud

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        ctx.count()
        held = self.cloud.of(self.kind)
        with self.cloud.lock:
            return {w.id: copy.deepcopy(held[w.id]) for w in wanted if w.id in held}

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        self.cloud._call("create", change)
        held = self.cloud.of(self.kind)
        with self.cloud.lock:
            if change.id in held:
                raise ResourceExists(f"{change.id} already exists", change.id)
            held[change.id] = copy.deepcopy(change.after or {})
            return copy.deepcopy(held[change.id])

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        held = self.cloud.of(self.kind)
        with self.cloud.lock:
            got = held.get(change.id)
            return copy.deepcopy(got) if got is not None else None

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        self.cloud._call("update", change)
        held = self.cloud.of(self.kind)
        with self.cloud.lock:
            merged = {**held.get(change.id, {}), **(change.after or {})}
            held[change.id] = merged
            return copy.deepcopy(merged)

    def delete(self, ctx: CallContext, change: Change) -> None:
        self.cloud._call("delete", change)
        with self.cloud.lock:
            self.cloud.of(self.kind).pop(change.id, None)

    def exists(self, ctx: CallContext, id_: str) -> bool:
        return id_ in self.cloud.of(self.kind)


def fake_drivers(cloud: FakeCloud) -> dict[str, Driver]:
    return {k.name: FakeDriver(k.name, cloud) for k in KINDS}


def context(project: str = "demo-project") -> CallContext:
    """A driver context whose connection is never dialled (the fake drivers make no calls)."""
    conn = Connection(
        project=project,
        endpoints=Endpoints(http="http://127.0.0.1:9"),
        credentials=google.auth.credentials.AnonymousCredentials(),  # type: ignore[no-untyped-call]
        timeouts=Timeouts(),
    )
    return CallContext(project, conn)
