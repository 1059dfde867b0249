"""Compute Engine v1: networking (compute_routes.py), and projects.get and regions.get for
their `quotas`: each metric's limit (the emulator's quota profile) and usage (the nodes its
GKE clusters hold now), as Region.quotas[] / Project.quotas[] {metric, limit, usage} in the
Compute Engine API v1."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gkeplan_emulator import facts
from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.errors import not_found, permission_denied
from gkeplan_emulator.http import Request, Response, Route, Router
from gkeplan_emulator.service import ServiceSpec
from gkeplan_emulator.services import compute_addresses, compute_routes
from gkeplan_emulator.services.compute_network import ComputeModel

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend


def routes(backend: Backend) -> list[Route]:
    router = Router()

    def check(req: Request, permission: str) -> str:
        assert req.principal
        project = req.params["project"]
        if project != backend.config.project or not backend.authz.allowed(
            req.principal, permission, project_resource(project), project
        ):
            raise permission_denied(permission, f"projects/{project}")
        return project

    def quotas(limits: dict[str, float], used: dict[str, float]) -> list[dict[str, Any]]:
        return [
            {"metric": m, "limit": limit, "usage": used.get(m, 0.0)}
            for m, limit in sorted(limits.items())
        ]

    def get_project(req: Request) -> Response:
        project = check(req, "compute.projects.get")
        profile = facts.quota_profile(backend.config.quota_profile, backend.config.quota_overrides)
        usage = backend.services["container"].usage()
        return Response(
            body={
                "kind": "compute#project",
                "name": project,
                "quotas": quotas(profile.global_, dict(usage.global_)),
            }
        )

    def get_region(req: Request) -> Response:
        project = check(req, "compute.regions.get")
        region = req.params["region"]
        if not facts.is_region(region):
            raise not_found(f"The resource 'projects/{project}/regions/{region}' was not found")
        profile = facts.quota_profile(backend.config.quota_profile, backend.config.quota_overrides)
        usage = backend.services["container"].usage()
        used = {m: v for (r, m), v in usage.regional.items() if r == region}
        return Response(
            body={
                "kind": "compute#region",
                "name": region,
                "status": "UP",
                "quotas": quotas(profile.limits_in(region), used),
            }
        )

    router.add("GET", "/compute/v1/projects/<seg:project>", get_project, "compute.projects.get")
    router.add(
        "GET",
        "/compute/v1/projects/<seg:project>/regions/<seg:region>",
        get_region,
        "compute.regions.get",
    )
    return router.routes + compute_routes.routes(backend) + compute_addresses.routes(backend)


SERVICE = ServiceSpec("compute", ComputeModel, routes)
