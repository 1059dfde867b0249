"""State in a GCS bucket: optimistic writes and a lock object, both on generation preconditions.

- The state object is replaced only with `ifGenerationMatch` of the generation that was read;
  a mismatch means someone else wrote it, and gkeplan stops without overwriting their state.
- The lock is an object created with `ifGenerationMatch=0` (exactly one creator wins), holding
  who, host, process, operation, start time and a lock id; it is deleted with the generation it
  was created at, so a release or `force-unlock` never removes a newer lock.
- Every state version is kept by the bucket's object versioning.

A response can be lost after GCS committed the request; the client then retries, and the retry
meets its own first attempt (412 on `ifGenerationMatch`). So before calling anything a conflict
or a foreign lock, gkeplan reads what is there: a lock object holding this run's lock id is this
run's lock; a state object holding these exact bytes, tagged with this store's run id in its
custom metadata, is this run's write.

Sources: Cloud Storage retries 408, 429, 5xx and socket timeouts / TCP disconnects, and treats
a request with `ifGenerationMatch` as conditionally idempotent, so safe to retry
(https://cloud.google.com/storage/docs/retry-strategy); a failed precondition answers 412
(https://cloud.google.com/storage/docs/request-preconditions); the Python client retries
uploads that carry `if_generation_match` (googleapis/python-storage#480).
"""

from __future__ import annotations

import contextlib
import json
import random
import time
import uuid
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.errors import StateConflict, StateError, StateLocked, UsageError
from gkeplan.state.model import StateDoc
from gkeplan.state.store import LockInfo

STATE_OBJECT = "default.gkstate"
LOCK_OBJECT = "default.gkstate.lock"
RUN_KEY = "gkeplan-run"  # custom metadata: which store instance (run) wrote this version


def parse_url(url: str) -> tuple[str, str]:
    """gs://bucket/prefix -> (bucket, prefix)."""
    if not url.startswith("gs://") or len(url) <= 5:
        raise UsageError(f"'{url}' is not a gs://BUCKET/PREFIX URL", "--state")
    bucket, _, prefix = url[5:].partition("/")
    return bucket, prefix.strip("/")


class GcsStateStore:
    def __init__(
        self,
        client: Any,
        bucket: str,
        prefix: str = "",
        *,
        lock_timeout_s: float = 0.0,
        retry: Any = None,
    ) -> None:
        from google.cloud.storage.retry import DEFAULT_RETRY

        self.client = client
        self.bucket_name = bucket
        self.prefix = prefix.strip("/")
        self.lock_timeout_s = lock_timeout_s
        # The storage client's own policy (429, 5xx, dropped connections), timed by the caller.
        self.retry = retry if retry is not None else DEFAULT_RETRY
        self.run_id = str(uuid.uuid4())
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
        data = doc.to_json().encode()
        blob = self._blob(STATE_OBJECT)
        blob.metadata = {RUN_KEY: self.run_id}
        try:
            blob.upload_from_string(
                data,
                content_type="application/json",
                if_generation_match=self._generation,
                retry=self.retry,
            )
        except gexc.PreconditionFailed:
            if self._landed(data):
                return
            read = f"generation {self._generation}" if self._generation else "no state yet"
            raise StateConflict(
                f"{self.location} was written by someone else since gkeplan read it "
                f"({read}); nothing was overwritten. Run again to work from the newer state."
            ) from None
        except gexc.GoogleAPICallError:
            if self._landed(data):  # retries ran out, yet an attempt had been committed
                return
            raise
        self._generation = int(blob.generation)

    def _landed(self, data: bytes) -> bool:
        """Whether the live state object is this very write (its response was lost)."""
        current = self.client.bucket(self.bucket_name).get_blob(
            self._name(STATE_OBJECT), retry=self.retry
        )
        if current is None or (current.metadata or {}).get(RUN_KEY) != self.run_id:
            return False
        try:
            got = current.download_as_bytes(
                if_generation_match=current.generation, retry=self.retry
            )
        except (gexc.NotFound, gexc.PreconditionFailed):
            return False  # replaced since: not ours any more
        if got != data:
            return False
        self._generation = int(current.generation)
        return True

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
                    retry=self.retry,
                )
                self._lock_generation = int(blob.generation)
                return
            except gexc.PreconditionFailed:
                holder = self.holder()
                if holder is not None and holder[0].id == info.id:
                    self._lock_generation = holder[1]  # our own attempt, its answer lost
                    return
                if time.monotonic() + delay > deadline:
                    raise StateLocked(holder[0] if holder else None, self.location) from None
            except gexc.GoogleAPICallError:
                holder = self.holder()
                if holder is None or holder[0].id != info.id:
                    raise
                self._lock_generation = holder[1]
                return
            time.sleep(delay + random.uniform(0, delay / 2))  # backoff with jitter
            delay = min(delay * 2, 10.0)

    def holder(self) -> tuple[LockInfo, int] | None:
        blob = self.client.bucket(self.bucket_name).get_blob(
            self._name(LOCK_OBJECT), retry=self.retry
        )
        if blob is None:
            return None
        try:
            info = LockInfo(**json.loads(blob.download_as_bytes(retry=self.retry)))
        except (ValueError, TypeError, gexc.NotFound):
            return None
        return info, int(blob.generation)

    def unlock(self, info: LockInfo) -> None:
        if self._lock_generation is None:
            return
        # NotFound / PreconditionFailed: force-unlocked meanwhile; a newer lock is not ours.
        with contextlib.suppress(gexc.NotFound, gexc.PreconditionFailed):
            self._blob(LOCK_OBJECT).delete(
                if_generation_match=self._lock_generation, retry=self.retry
            )
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
