"""Run an emulator in process (tests, --sandbox) or as a server (`gkeplan sandbox serve`).

Every REST API shares one loopback HTTP port; the gRPC port (IAM admin, Kubernetes Engine
and Resource Manager, transcoded to their REST routes) uses local channel credentials, so
callers' bearer tokens reach it as they would reach GCP.

The services, the servers and Google's libraries are imported when an emulator is created, not
with this module: `gkeplan --help` imports the package and must stay fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.admin import admin_routes
from gkeplan_emulator.backend import Backend, LogEntry
from gkeplan_emulator.calls import Router
from gkeplan_emulator.clientfactory import ClientFactory
from gkeplan_emulator.clock import Clock
from gkeplan_emulator.config import EmulatorConfig

if TYPE_CHECKING:
    from gkeplan_emulator.server import ServerThread

# gRPC core logs connection teardown at INFO on stderr; users need errors only.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

TOKEN_LIFETIME_S = 12 * 3600


@dataclass(frozen=True)
class Endpoints:
    http: str
    grpc: str


class Emulator:
    """`with Emulator() as emu:` starts it on free loopback ports; `emu.reset()` between tests."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        clock: Clock | None = None,
        state_file: str | os.PathLike[str] | None = None,
        host: str = "127.0.0.1",
        http_port: int = 0,
        grpc_port: int = 0,
    ) -> None:
        from gkeplan_emulator.services import model_factories

        self.config = config or EmulatorConfig()
        self.backend = Backend(self.config, clock, state_file, model_factories())
        self._host = host
        self._ports = (http_port, grpc_port)
        self._http: ServerThread | None = None
        self._grpc: Any = None
        self.endpoints = Endpoints("", "")
        self._applier_token = ""
        self.router = Router()

    def start(self) -> Emulator:
        from gkeplan_emulator.grpcserver import make_grpc_server
        from gkeplan_emulator.server import ServerThread
        from gkeplan_emulator.services import all_routes, register_grpc

        router = self.router = Router()
        router.extend(all_routes(self.backend))
        router.extend(admin_routes(self))
        self._http = ServerThread(self.backend, router.routes, self._host, self._ports[0])
        self._http.start()
        routes = router.routes

        def register(server: Any, backend: Backend) -> None:
            register_grpc(server, backend, routes)

        self._grpc, port = make_grpc_server(self.backend, self._host, self._ports[1], register)
        self._grpc.start()
        self.endpoints = Endpoints(f"http://{self._host}:{self._http.port}", f"{self._host}:{port}")
        self._applier_token = self.backend.identity.applier_token()
        return self

    def close(self) -> None:
        if self._http is not None:
            self._http.stop()
            self._http = None
        if self._grpc is not None:
            self._grpc.stop(grace=None)
            self._grpc = None
        self.backend.persist()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- for callers -----------------------------------------------------------------------
    def issue_token(self, principal: str) -> str:
        return self.backend.identity.issue_token(principal, TOKEN_LIFETIME_S)[0]

    def applier_credentials(self) -> Any:
        return self.credentials_for(self.config.applier, self.backend.identity.applier_token())

    def credentials_for(self, principal: str, token: str | None = None) -> Any:
        """Credentials whose bearer token names `principal` (tests act as anyone)."""
        import google.oauth2.credentials

        return google.oauth2.credentials.Credentials(  # type: ignore[no-untyped-call]
            token or self.issue_token(principal)
        )

    def clients(self, credentials: Any = None) -> ClientFactory:
        """Real Google clients bound to this emulator, as the applier unless told otherwise."""
        return ClientFactory(
            self.endpoints.http,
            self.endpoints.grpc,
            self.config.project,
            credentials or self.applier_credentials(),
        )

    @property
    def iam_endpoint(self) -> str:
        """Base URL for impersonated_credentials' iam_endpoint_override (add the account)."""
        return f"{self.endpoints.http}/v1/projects/-/serviceAccounts"

    def endpoint_urls(self) -> tuple[str, str]:
        return self.endpoints.http, self.endpoints.grpc

    def method_names(self) -> frozenset[str]:
        """Every method this emulator serves, by its REST route's name (its gRPC methods are
        those routes transcoded)."""
        return self.router.names()

    def serves(self, method_name: str) -> bool:
        """Whether a REST route of this name is registered (e.g. "storage.buckets.insert")."""
        return any(route.name == method_name for route in self.router.routes)

    @property
    def requests(self) -> list[LogEntry]:
        return list(self.backend.log)

    def reset(self) -> None:
        self.backend.reset()

    @property
    def state_file(self) -> Path | None:
        return self.backend.state_file
