"""Operations an earlier run stopped waiting for (a second Ctrl-C): wait for them first.

The state entry of such a change is left `pending-*` with the operation's name. Before an apply
or destroy plans, it waits for each one to finish (or fail: the refresh then sees the resource's
status and plans from that) and clears the name, so the change is neither started twice nor
planned against a resource still being made.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools

from google.api_core import exceptions as gexc

from gkeplan.errors import OperationFailed
from gkeplan.gcp import compute, operations
from gkeplan.gcp.connection import Connection
from gkeplan.gcp.retry import call
from gkeplan.state.model import StateDoc
from gkeplan.state.store import StateStore


def resume_operations(
    doc: StateDoc | None, store: StateStore, conn: Connection, project: str
) -> list[str]:
    """Wait for every operation `doc` (the run's state) records, and write it back without
    them; returns the addresses waited for."""
    waiting = {a: r for a, r in (doc.resources if doc else {}).items() if r.operation}
    if doc is None or not waiting:
        return []
    client = None
    for address, rec in sorted(waiting.items()):
        name = rec.operation or ""
        what = f"{address} (left running by an earlier run)"
        if compute.is_operation_path(name):  # a Compute Engine operation (network kinds)
            with contextlib.suppress(OperationFailed, gexc.NotFound):
                compute.resume(conn, name, what)
            doc.resources[address] = dataclasses.replace(rec, operation=None)
            continue
        location = name.split("/locations/", 1)[-1].split("/", 1)[0]
        client = client or conn.container()
        try:
            op = call(conn.timeouts, functools.partial(client.get_operation, name=name))
            operations.wait(
                client,
                project,
                location,
                op,
                conn.timeouts,
                what,
                conn.stop_waiting,
            )
        except (OperationFailed, gexc.NotFound):
            pass  # the refresh that follows reads what the operation left and plans from it
        doc.resources[address] = dataclasses.replace(rec, operation=None)
    doc.serial += 1
    store.write(doc)
    return sorted(waiting)
