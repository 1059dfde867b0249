"""Compute Engine's long-running operations, and the calls every network kind's driver makes.

An insert, patch or delete answers with an Operation (compute v1: status PENDING, RUNNING or
DONE; a failure is in `error.errors[]`). The client's ExtendedOperation polls through an
operations client it builds itself, without the endpoint the connection was given, so it would
poll Google even for the sandbox; the operation is polled here instead, through
globalOperations.get / regionOperations.get on the connection's own clients, with the same
deadline, backoff and second-Ctrl-C stop as GKE's operations.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.errors import OperationAbandoned, OperationFailed, OperationTimeout, ResourceExists
from gkeplan.gcp.connection import Connection
from gkeplan.gcp.retry import call, log


def _status(op: Any) -> str:
    status = getattr(op, "status", None)
    return str(getattr(status, "name", status) or "")


def _raw(op: Any) -> Any:
    """The Operation message of an ExtendedOperation (or the message itself)."""
    return getattr(op, "_extended_operation", op)


def operation_path(project: str, region: str | None, name: str) -> str:
    """An operation's full name: what the state records when a run stops waiting for it."""
    scope = f"regions/{region}" if region else "global"
    return f"projects/{project}/{scope}/operations/{name}"


def is_operation_path(path: str) -> bool:
    return path.startswith("projects/") and "/locations/" not in path and "/operations/" in path


def resume(conn: Connection, path: str, what: str) -> None:
    """Wait for an operation an earlier run stopped waiting for, by its full name."""
    parts = path.split("/")  # projects/P/global/operations/N, projects/P/regions/R/operations/N
    project, name = parts[1], parts[-1]
    region = parts[3] if parts[2] == "regions" else None
    client = conn.compute("region_operations" if region else "global_operations")
    scope = {"project": project, "operation": name, **({"region": region} if region else {})}
    wait(conn, project, region, call(conn.timeouts, lambda: client.get(**scope)), what)


def wait(conn: Connection, project: str, region: str | None, op: Any, what: str) -> None:
    """Poll a compute operation to DONE; raise OperationFailed with its errors, and
    OperationAbandoned (naming its full path) when a second Ctrl-C stops the waiting."""
    op = _raw(op)
    name = str(op.name)
    timeouts = conn.timeouts
    client = conn.compute("region_operations" if region else "global_operations")
    scope = {"project": project, "operation": name, **({"region": region} if region else {})}
    deadline = time.monotonic() + timeouts.operation_deadline_s
    delay = min(timeouts.operation_poll_s, 0.05) if timeouts.operation_poll_s < 1 else 1.0
    started = time.monotonic()
    while _status(op) != "DONE":
        if time.monotonic() > deadline:
            raise OperationTimeout(
                f"{what}: operation {name} still {_status(op)} after "
                f"{int(time.monotonic() - started)}s; it continues in GCP: run gkeplan apply "
                "again to pick it up"
            )
        if conn.stop_waiting.wait(delay):
            path = operation_path(project, region, name)
            raise OperationAbandoned(
                f"{what}: stopped waiting for operation {path}; it goes on in GCP, and the next "
                "apply waits for it",
                path,
            )
        delay = min(delay * 2, timeouts.operation_poll_s)
        op = call(timeouts, lambda: client.get(**scope))
        log.debug("%s: operation %s %s", what, name, _status(op))
    errors = [e.message for e in getattr(getattr(op, "error", None), "errors", [])]
    if errors:
        raise OperationFailed(f"{what}: operation {name} failed: {'; '.join(errors)}")


def mutate(
    conn: Connection, project: str, region: str | None, what: str, send: Callable[[], Any]
) -> None:
    """Send an insert/patch/delete and wait for its operation; a 409 is `ResourceExists`."""
    try:
        op = call(conn.timeouts, send)
    except gexc.Conflict as exc:
        raise ResourceExists(f"{what}: {exc.message}") from None
    wait(conn, project, region, op, what)


def where(resource_id: str) -> tuple[str | None, str]:
    """(region, name) of projects/P/regions/R/KIND/NAME; (None, name) of a global resource,
    projects/P/global/KIND/NAME."""
    parts = resource_id.split("/")
    return (parts[3] if parts[2] == "regions" else None), parts[-1]


def regional(resource_id: str) -> tuple[str, str]:
    """(region, name) of projects/P/regions/R/KIND/NAME."""
    region, name = where(resource_id)
    if region is None:
        raise ValueError(f"{resource_id} is not a regional Compute Engine resource")
    return region, name


def delete(
    conn: Connection,
    project: str,
    resource_id: str,
    what: str,
    send: Callable[[str | None, str], Any],
) -> None:
    """Delete the resource (`send(region, name)` makes the call) and wait; one already gone
    is as good as deleted."""
    region, name = where(resource_id)
    try:
        mutate(conn, project, region, what, lambda: send(region, name))
    except gexc.NotFound:
        return


def listed(conn: Connection, pages: Callable[[], Any]) -> list[Any]:
    """Every item of a list call, its pages read inside the retry (a failed page lists again)."""
    return call(conn.timeouts, lambda: [item for page in pages().pages for item in page.items])


def aggregated(conn: Connection, pages: Callable[[], Any], field: str) -> list[Any]:
    """Every item of an aggregatedList call, across its scopes (regions)."""

    def read() -> list[Any]:
        out: list[Any] = []
        for page in pages().pages:
            for scoped in page.items.values():
                out.extend(getattr(scoped, field))
        return out

    return call(conn.timeouts, read)


def last(url: str) -> str:
    """The name at the end of a Compute Engine URL (selfLink, network, region)."""
    return url.rstrip("/").rsplit("/", 1)[-1] if url else ""
