"""State in a GCS bucket: optimistic writes and a lock object, both on generation preconditions.

- The state object is replaced only with `ifGenerationMatch` of the generation that was read;
  a mismatch means someone else wrote it, and gkeplan stops without overwriting their state.
- The lock is an object created with `ifGenerationMatch=0` (exactly one creator wins), holding
  who, host, process, operation, start time and a lock id; it is deleted with the generation it
  was created at, so a release or `force-unlock` never removes a newer lock.
- Every state version is kept by the bucket's object versioning.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.errors import StateConflict, StateError, StateLocked, UsageError
from gkeplan.state.model import StateDoc
from gkeplan.state.store import LockInfo

STATE_OBJECT = "default.gkstate"
LOCK_OBJECT = "default.gkstate.lock"


def parse_url(url: str) -> tuple[str, str]:
    """gs://bucket/prefix -> (bucket, prefix)."""
    if not url.startswith("gs://") or len(url) <= 5:
        raise UsageError(f"'{url}' is not a gs://BUCKET/PREFIX URL", "--state")
    bucket, _, prefix = url[5:].partition("/")
    return bucket, prefix.strip("/")


class GcsStateStore:
    def __init__(
        self, client: Any, bucket: str, prefix: str = "", *, lock_timeout_s: float = 0.0
    ) -> None:
        self.client = client
        self.bucket_name = bucket
        self.prefix = prefix.strip("/")
        self.lock_timeout_s = lock_timeout_s
        self._generation = 0  # of the state object as last read or written; 0: none
        self._lock_generation: int | None = None

    def _name(self, leaf: str) -> str:
        return f"{self.prefix}/{leaf}" if self.prefix else leaf

    @property
    def location(self) -> str:
        return f"gs://{self.bucket_name}/{self._name(STATE_OBJECT)}"

    def _blob(self, leaf: str) -> Any:
        return self.client.bucket(self.bucket_name).blob(self._name(leaf))

    def read(self) -> StateDoc | None:
        blob = self.client.bucket(self.bucket_name).get_blob(self._name(STATE_OBJECT))
        if blob is None:
            self._generation = 0
            return None
        data = blob.download_as_bytes(if_generation_match=blob.generation)
        self._generation = int(blob.generation)
        return StateDoc.from_json(data.decode())

    def write(self, doc: StateDoc) -> None:
        blob = self._blob(STATE_OBJECT)
        try:
            blob.upload_from_string(
                doc.to_json(), content_type="application/json", if_generation_match=self._generation
            )
        except gexc.PreconditionFailed:
            raise StateConflict(
                f"{self.location} was written by someone else since gkeplan read it "
                f"(generation {self._generation}); nothing was overwritten. Run again to work "
                "from the newer state."
            ) from None
        self._generation = int(blob.generation)

    def lock(self, info: LockInfo) -> None:
        deadline = time.monotonic() + self.lock_timeout_s
        delay = 0.2
        while True:
            blob = self._blob(LOCK_OBJECT)
            try:
                blob.upload_from_string(
                    json.dumps(info.to_dict()),
                    content_type="application/json",
                    if_generation_match=0,
                )
                self._lock_generation = int(blob.generation)
                return
            except gexc.PreconditionFailed:
                holder = self.holder()
                if time.monotonic() + delay > deadline:
                    raise StateLocked(holder[0] if holder else None, self.location) from None
            time.sleep(delay + random.uniform(0, delay / 2))  # backoff with jitter
            delay = min(delay * 2, 10.0)

    def holder(self) -> tuple[LockInfo, int] | None:
        blob = self.client.bucket(self.bucket_name).get_blob(self._name(LOCK_OBJECT))
        if blob is None:
            return None
        try:
            info = LockInfo(**json.loads(blob.download_as_bytes()))
        except (ValueError, TypeError, gexc.NotFound):
            return None
        return info, int(blob.generation)

    def unlock(self, info: LockInfo) -> None:
        if self._lock_generation is None:
            return
        # NotFound / PreconditionFailed: force-unlocked meanwhile; a newer lock is not ours.
        with contextlib.suppress(gexc.NotFound, gexc.PreconditionFailed):
            self._blob(LOCK_OBJECT).delete(if_generation_match=self._lock_generation)
        self._lock_generation = None

    def force_unlock(self, lock_id: str) -> LockInfo:
        """Remove exactly the lock with this id, never a newer one."""
        found = self.holder()
        if found is None:
            raise StateError(f"{self.location} is not locked")
        info, generation = found
        if info.id != lock_id:
            raise StateError(f"the current lock has id {info.id}, not {lock_id}; nothing removed")
        try:
            self._blob(LOCK_OBJECT).delete(if_generation_match=generation)
        except gexc.PreconditionFailed:
            raise StateError(
                "the lock changed while it was being removed; nothing removed"
            ) from None
        return info

    def versions(self) -> list[tuple[int, bytes]]:
        """Every kept version of the state object, oldest first (object versioning)."""
        blobs = self.client.list_blobs(
            self.bucket_name, prefix=self._name(STATE_OBJECT), versions=True
        )
        return sorted(
            (int(b.generation), b.download_as_bytes())
            for b in blobs
            if b.name == self._name(STATE_OBJECT)
        )
