"""Waiting for another run's state lock, for either backend, saying who holds it meanwhile."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from gkeplan.errors import StateLocked
from gkeplan.state.store import LockInfo, StateStore

REPORT_EVERY_S = 10.0


def lock_waiting(
    store: StateStore,
    info: LockInfo,
    timeout_s: float,
    say: Callable[[str], None] = lambda _: None,
    *,
    report_every_s: float = REPORT_EVERY_S,
) -> None:
    """Take the lock, retrying until `timeout_s` has passed; every `report_every_s` (and at
    the first refusal) `say` who holds it. The last refusal is raised, naming the holder."""
    deadline = time.monotonic() + timeout_s
    next_report = time.monotonic()
    delay = 0.1
    while True:
        try:
            store.lock(info)
            return
        except StateLocked as exc:
            now = time.monotonic()
            if now >= deadline:
                raise
            if now >= next_report:
                left = int(deadline - now)
                say(f"waiting for the state lock ({left} s left): {exc}")
                next_report = now + report_every_s
            time.sleep(min(delay + random.uniform(0, delay / 2), max(0.0, deadline - now)))
            delay = min(delay * 2, 2.0)
