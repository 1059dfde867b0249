"""The state store interface: read, write, lock. Backends (local file, GCS) implement it."""

from __future__ import annotations

import getpass
import os
import socket
import time
import uuid
from dataclasses import asdict, dataclass, field
from typing import Protocol

from gkeplan.errors import StateConflict, StateLocked
from gkeplan.state.model import StateDoc

__all__ = ["LockInfo", "StateConflict", "StateLocked", "StateStore"]


@dataclass(frozen=True)
class LockInfo:
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    who: str = field(default_factory=lambda: f"{getpass.getuser()}@{socket.gethostname()}")
    host: str = field(default_factory=socket.gethostname)
    pid: int = field(default_factory=os.getpid)
    operation: str = "apply"
    created: float = field(default_factory=time.time)

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def describe(self) -> str:
        age = max(0, int(time.time() - self.created))
        ago = f"{age // 60} min ago" if age >= 60 else f"{age} s ago"
        return f"{self.who} ({self.operation}, started {ago}, pid {self.pid}, lock id {self.id})"


class StateStore(Protocol):
    """Where state lives. `write` must be atomic; `lock` must exclude other processes."""

    @property
    def location(self) -> str: ...

    def read(self) -> StateDoc | None: ...

    def write(self, doc: StateDoc) -> None: ...

    def lock(self, info: LockInfo) -> None: ...

    def unlock(self, info: LockInfo) -> None: ...
