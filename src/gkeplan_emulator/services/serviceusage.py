"""Service Usage v1 services:batchGet: which APIs are enabled in the project. Everything is
ENABLED except what EmulatorConfig.disabled_services names (BatchGetServicesResponse:
services[].name "projects/NUMBER/services/NAME", state ENABLED | DISABLED)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.errors import invalid_argument, permission_denied
from gkeplan_emulator.http import Request, Response, Route, Router
from gkeplan_emulator.service import ServiceSpec

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

PERMISSION = "serviceusage.services.get"
# services.batchGet (Service Usage API v1 reference): "A single request can get a maximum of
# 30 services at a time."
MAX_NAMES = 30


def routes(backend: Backend) -> list[Route]:
    router = Router()

    def batch_get(req: Request) -> Response:
        assert req.principal
        project = req.params["project"]
        if project not in (backend.config.project, backend.config.project_number) or not (
            backend.authz.allowed(
                req.principal, PERMISSION, project_resource(backend.config.project), project
            )
        ):
            raise permission_denied(PERMISSION, f"projects/{project}")
        names = req.query.get("names", [])
        if len(names) > MAX_NAMES:
            raise invalid_argument(f"Maximum of {MAX_NAMES} services can be requested.")
        number = backend.config.project_number
        services = []
        for name in names:
            service = name.rsplit("/", 1)[-1]
            state = "DISABLED" if service in backend.config.disabled_services else "ENABLED"
            services.append(
                {
                    "name": f"projects/{number}/services/{service}",
                    "parent": f"projects/{number}",
                    "config": {"name": service},
                    "state": state,
                }
            )
        return Response(body={"services": services})

    router.add(
        "GET",
        "/v1/projects/<seg:project>/services:batchGet",
        batch_get,
        "serviceusage.services.batchGet",
    )
    return router.routes


SERVICE = ServiceSpec("serviceusage", None, routes)
