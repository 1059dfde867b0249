"""A small fake of two Google APIs at the HTTP seam, for the live-quota and API-enablement
checks: Compute Engine `projects.get` / `regions.get` and Service Usage `services:batchGet`.

Google's own client libraries talk to it over HTTP (the REST transport, endpoint overridden),
so the code under test is gkeplan's and the clients' as they run against GCP. Response
shapes follow the APIs' v1 references (Region.quotas[].metric/limit/usage;
BatchGetServicesResponse.services[].name/state).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

import google.auth.credentials

from gkeplan.gcp.connection import Connection, Endpoints, Timeouts


@dataclass
class FakeProject:
    project: str = "demo-project"
    regional: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    global_: dict[str, tuple[float, float]] = field(default_factory=dict)
    disabled: set[str] = field(default_factory=set)
    service_usage_status: int = 200  # 403: the caller may not read Service Usage
    calls: list[str] = field(default_factory=list)


def _quotas(values: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    return [{"metric": m, "limit": lim, "usage": use} for m, (lim, use) in values.items()]


def _handler(fake: FakeProject) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            fake.calls.append(url.path)
            parts = url.path.strip("/").split("/")
            if parts[:3] == ["compute", "v1", "projects"] and len(parts) == 4:
                self._send(200, {"name": parts[3], "quotas": _quotas(fake.global_)})
            elif parts[:3] == ["compute", "v1", "projects"] and len(parts) == 6:
                region = parts[5]
                if region not in fake.regional:
                    self._send(
                        404,
                        _error(
                            404,
                            f"The resource 'projects/{parts[3]}/regions/{region}' was not found",
                            "NOT_FOUND",
                        ),
                    )
                    return
                self._send(200, {"name": region, "quotas": _quotas(fake.regional[region])})
            elif url.path.endswith("/services:batchGet"):
                if fake.service_usage_status != 200:
                    self._send(
                        fake.service_usage_status,
                        _error(403, "Permission denied to get service", "PERMISSION_DENIED"),
                    )
                    return
                names = parse_qs(url.query).get("names", [])
                services = [
                    {
                        "name": n,
                        "state": "DISABLED" if n.rsplit("/", 1)[-1] in fake.disabled else "ENABLED",
                    }
                    for n in names
                ]
                self._send(200, {"services": services})
            else:
                self._send(404, _error(404, "not found", "NOT_FOUND"))

    return Handler


def _error(code: int, message: str, status: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "status": status}}


@contextmanager
def serve(fake: FakeProject) -> Iterator[Connection]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Connection(
            project=fake.project,
            endpoints=Endpoints(http=f"http://127.0.0.1:{server.server_address[1]}"),
            credentials=google.auth.credentials.AnonymousCredentials(),  # type: ignore[no-untyped-call]
            timeouts=Timeouts(call_deadline_s=5.0, initial_backoff_s=0.01, max_backoff_s=0.05),
        )
    finally:
        server.shutdown()
        server.server_close()
