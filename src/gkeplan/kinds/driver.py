"""The driver interface: read (in batches), create, update, delete one kind of resource.

Drivers speak in the normalised attribute dicts of each kind's `desired`, so the diff and the
executor are the same for every kind. A driver reads nothing but its change: the plan carries
every value it needs (`Change.after` and `Change.inputs`), so `apply --plan FILE` needs
only the file. Each call's IAM permissions are declared once, on the kind (`Kind.needs`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from gkeplan.kinds.base import imported
from gkeplan.plan.model import Change

if TYPE_CHECKING:
    from gkeplan.gcp.connection import Connection

Attributes = dict[str, Any]


@dataclass
class CallContext:
    """What a driver call may use; shared by every worker of one run."""

    project: str
    conn: Connection
    calls: int = 0  # API calls made during refresh, for the report and the benchmark
    cache: dict[str, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # APIs that are off and that the spec turns on: what they would hold cannot exist yet,
    # and asking would fail (403 SERVICE_DISABLED), so refresh does not ask
    apis_off: frozenset[str] = frozenset()

    def count(self, n: int = 1) -> None:
        with self.lock:
            self.calls += n


@dataclass(frozen=True)
class Wanted:
    """A resource refresh must read: its address, id, and what the driver needs to find it."""

    address: str
    id: str
    attributes: Attributes
    inputs: Attributes = field(default_factory=dict)


class Driver(Protocol):
    kind: str

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        """What exists of `wanted` (by id), in as few API calls as the API allows."""
        ...

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        """Create it; raise `ResourceExists` when GCP says it exists already."""
        ...

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        """The one resource of `change` as it is now, or None; read fresh, never cached."""
        ...

    def update(self, ctx: CallContext, change: Change) -> Attributes: ...

    def delete(self, ctx: CallContext, change: Change) -> None: ...


def load_driver(path: str) -> Driver:
    """A fresh driver from a kind's "module:Class" (the IAM driver holds per-run queues)."""
    driver: Driver = imported(path)()
    return driver
