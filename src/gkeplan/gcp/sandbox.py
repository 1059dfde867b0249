"""Connect gkeplan to an emulator: one running in process (`connection_for`) or a running
`gkeplan sandbox serve` (`endpoint_connection`, the `--endpoint URL` option).

The emulator package (gkeplan_emulator) knows nothing of gkeplan; this module is the bridge.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from gkeplan.gcp.connection import Connection, Endpoints, Timeouts


def _admin(
    url: str, path: str, body: dict[str, Any] | None = None, timeout_s: float = 10.0
) -> dict[str, Any]:
    # The emulator's own admin API (not a Google API): endpoints and a loopback test token.
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url.rstrip("/") + path,
        data=data,
        method="POST" if data else "GET",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=timeout_s) as resp:
        result: dict[str, Any] = json.loads(resp.read())
        return result


def endpoint_connection(project: str, url: str, timeouts: Timeouts) -> Connection:
    import google.oauth2.credentials

    info = _admin(url, "/_emulator/info")
    token = _admin(url, "/_emulator/token", {})["token"]
    return Connection(
        project=project,
        endpoints=Endpoints(http=info["http"], grpc=info["grpc"]),
        credentials=google.oauth2.credentials.Credentials(token),  # type: ignore[no-untyped-call]
        timeouts=timeouts,
    )


def connection_for(
    emulator_or_clients: Any, timeouts: Timeouts | None = None, credentials: Any = None
) -> Connection:
    """gkeplan's Connection to an in-process emulator (a gkeplan_emulator.Emulator, or the
    ClientFactory of one), acting as the emulator's applier unless `credentials` are given."""
    clients = emulator_or_clients
    if hasattr(clients, "clients"):
        clients = clients.clients(credentials)
    return Connection(
        project=clients.project,
        endpoints=Endpoints(http=clients.http, grpc=clients.grpc_target),
        credentials=credentials or clients.credentials,
        timeouts=timeouts or Timeouts(),
    )


def endpoint_caller(url: str) -> str:
    """Who a running `gkeplan sandbox serve` takes gkeplan's calls to be from (its applier)."""
    # a nicety for the preflight: asked briefly, since connecting (next) is what reports an
    # endpoint that does not answer, in its own words and within its own bound
    return str(_admin(url, "/_emulator/info", timeout_s=2.0)["applier"])


def sandbox_caller() -> str:
    """Who the built-in emulator (`--sandbox`) takes gkeplan's calls to be from."""
    from gkeplan_emulator import EmulatorConfig

    return EmulatorConfig().applier
