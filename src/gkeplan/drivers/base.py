"""The driver interface: read (in batches), create, update, delete one kind of resource.

Drivers speak in the normalised attribute dicts of `resources.*.desired`, so the diff and the
executor are the same for every kind. Each call's IAM permissions are declared once, on the
resource kind (`ResourceKind.needs`), and the least-privilege preflight reads that declaration.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from gkeplan.gcp.connection import Connection
from gkeplan.plan_model import Change
from gkeplan.spec.models import Spec

Attributes = dict[str, Any]


@dataclass
class Context:
    """What a driver call may use; shared by every worker of one run."""

    spec: Spec
    conn: Connection
    calls: int = 0  # API calls made during refresh, for the report and the benchmark
    cache: dict[str, Any] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def count(self, n: int = 1) -> None:
        with self.lock:
            self.calls += n


@dataclass(frozen=True)
class Wanted:
    """A resource refresh must read: its address, kind-specific id, and desired attributes."""

    address: str
    id: str
    attributes: Attributes


class Driver(Protocol):
    kind: str

    def read_all(self, ctx: Context, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        """What exists of `wanted` (by id), in as few API calls as the API allows."""
        ...

    def create(self, ctx: Context, change: Change) -> Attributes: ...

    def update(self, ctx: Context, change: Change) -> Attributes: ...

    def delete(self, ctx: Context, change: Change) -> None: ...
