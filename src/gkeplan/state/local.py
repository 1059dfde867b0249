"""A state file on local disk, written atomically, guarded by an flock on a sibling lock file.

flock is released by the kernel when its holder dies, so a `kill -9` never leaves a stale lock.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import IO

from gkeplan.errors import StateLocked
from gkeplan.files import atomic_write, open_private
from gkeplan.state.model import StateDoc
from gkeplan.state.store import LockInfo


class LocalStateStore:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_fh: IO[str] | None = None

    @property
    def location(self) -> str:
        return str(self.path)

    def read(self) -> StateDoc | None:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        return StateDoc.from_json(text)

    def write(self, doc: StateDoc) -> None:
        atomic_write(self.path, doc.to_json())

    def lock(self, info: LockInfo) -> None:
        fh = os.fdopen(open_private(self._lock_path), "r+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = _parse_holder(fh.read())
            fh.close()
            raise StateLocked(holder, self.location) from None
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps(info.to_dict()))
        fh.flush()
        self._lock_fh = fh

    def unlock(self, info: LockInfo) -> None:
        if self._lock_fh is None:
            return
        self._lock_fh.seek(0)
        self._lock_fh.truncate()
        fcntl.flock(self._lock_fh.fileno(), fcntl.LOCK_UN)
        self._lock_fh.close()
        self._lock_fh = None


def _parse_holder(text: str) -> LockInfo | None:
    try:
        data = json.loads(text)
        return LockInfo(**data)
    except (ValueError, TypeError):
        return None
