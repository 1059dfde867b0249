"""Wait for GKE long-running operations: poll with backoff to DONE, with a deadline."""

from __future__ import annotations

import threading
import time
from typing import Any

from gkeplan.errors import OperationAbandoned, OperationFailed, OperationTimeout
from gkeplan.gcp.connection import Timeouts
from gkeplan.gcp.retry import call, log


def operation_name(project: str, location: str, op: Any) -> str:
    name = str(op.name)
    return (
        name
        if name.startswith("projects/")
        else f"projects/{project}/locations/{location}/operations/{name}"
    )


def wait(
    client: Any,
    project: str,
    location: str,
    op: Any,
    timeouts: Timeouts,
    what: str,
    stop: threading.Event | None = None,
) -> None:
    """Poll `op` to DONE; when `stop` is set, give up at once with `OperationAbandoned` (the
    caller records the operation so the next run waits for it instead of starting again)."""
    from google.cloud import container_v1

    done = container_v1.Operation.Status.DONE
    name = operation_name(project, location, op)
    deadline = time.monotonic() + timeouts.operation_deadline_s
    delay = min(timeouts.operation_poll_s, 0.05) if timeouts.operation_poll_s < 1 else 1.0
    started = time.monotonic()
    report_at = started + timeouts.progress_interval_s
    if op.status != done:
        log.info("%s: waiting for operation %s", what, name)
    while op.status != done:
        now = time.monotonic()
        if now >= report_at:
            # A GKE create takes minutes: say it is still going, for how long, and which
            # operation to look up (`gcloud container operations describe NAME`).
            log.info(
                "%s: still %s after %s (operation %s)",
                what,
                op.status.name,
                _elapsed(now - started),
                name,
            )
            report_at = now + timeouts.progress_interval_s
        if now > deadline:
            raise OperationTimeout(
                f"{what}: operation {name} still {op.status.name} after "
                f"{int(time.monotonic() - started)}s "
                f"(deadline {int(timeouts.operation_deadline_s)}s); "
                "it continues in GCP: run gkeplan apply again to pick it up"
            )
        if (stop or threading.Event()).wait(delay):
            raise OperationAbandoned(
                f"{what}: stopped waiting for operation {name}; it goes on in GCP, and the "
                "next apply waits for it",
                name,
            )
        delay = min(delay * 2, timeouts.operation_poll_s)
        op = call(timeouts, lambda: client.get_operation(name=name))
    error = getattr(op, "error", None)
    if error is not None and int(getattr(error, "code", 0) or 0):
        raise OperationFailed(f"{what}: operation {name} failed: {error.message}")
    if getattr(op, "status_message", ""):
        raise OperationFailed(f"{what}: operation {name} failed: {op.status_message}")


def _elapsed(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
