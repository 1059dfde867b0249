"""Compute Engine v1: networking (routes.py, addresses.py), and projects.get, regions.get and
regions.list for their `quotas`: each metric's limit (the emulator's quota profile) and usage
(the nodes its GKE clusters hold now), as Region.quotas[] / Project.quotas[] {metric, limit,
usage} in the Compute Engine API v1; and `POST /batch/compute/v1`, the batch endpoint gcloud
sends every compute command naming more than one resource to (and `regions list`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from gkeplan_emulator import facts
from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.calls import Request, Response, Route, route
from gkeplan_emulator.errors import not_found, permission_denied
from gkeplan_emulator.mappings import Serve
from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.services.compute import addresses as compute_addresses
from gkeplan_emulator.services.compute import routes as compute_routes
from gkeplan_emulator.services.compute.model import BASE, ComputeModel
from gkeplan_emulator.services.storage.batch import run_batch

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend


def routes(backend: Backend) -> list[Route]:
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

    def region_json(project: str, region: str) -> dict[str, Any]:
        """Region (compute v1): name, status, zones (URLs), selfLink, quotas."""
        profile = facts.quota_profile(backend.config.quota_profile, backend.config.quota_overrides)
        usage = backend.services["container"].usage()
        used = {m: v for (r, m), v in usage.regional.items() if r == region}
        return {
            "kind": "compute#region",
            "name": region,
            "status": "UP",
            "zones": [f"{BASE}projects/{project}/zones/{z}" for z in facts.zones_of(region)],
            "selfLink": f"{BASE}projects/{project}/regions/{region}",
            "quotas": quotas(profile.limits_in(region), used),
        }

    def get_region(req: Request) -> Response:
        project = check(req, "compute.regions.get")
        region = req.params["region"]
        if not facts.is_region(region):
            raise not_found(f"The resource 'projects/{project}/regions/{region}' was not found")
        return Response(body=region_json(project, region))

    def list_regions(req: Request) -> Response:
        # RegionList {kind compute#regionList, items, selfLink} (compute v1 regions.list)
        project = check(req, "compute.regions.list")
        return Response(
            body={
                "kind": "compute#regionList",
                "items": [region_json(project, r) for r in sorted(facts.regions())],
                "selfLink": f"{BASE}projects/{project}/regions",
            }
        )

    own = compute_routes.compute_routes(
        [
            Serve("compute.projects.get", get_project, ""),
            Serve("compute.regions.get", get_region, ""),
            Serve("compute.regions.list", list_regions, ""),
        ]
    )
    table = own + compute_routes.routes(backend) + compute_addresses.routes(backend)
    return [*table, batch_route(backend, table)]


def batch_route(backend: Backend, table: list[Route]) -> Route:
    """`POST /batch/compute/v1`: several Compute Engine calls in one multipart/mixed request
    ("Batching requests", https://cloud.google.com/compute/docs/api/how-tos/batch: each part an
    HTTP request, answered in order in a multipart/mixed response), each part run through this
    service's own routes as the outer caller, as Cloud Storage's batch endpoint does."""
    from gkeplan_emulator.server import url_map

    adapter = url_map(table).bind("emulator")

    def batch(req: Request) -> Response:
        return run_batch(backend, table, adapter, req, storage_errors=False)

    return route("POST", "/batch/compute/v1", batch, "compute.batch", mutating=False)


SERVICE = ServiceSpec(
    "compute",
    ComputeModel,
    routes,
    api="compute.googleapis.com",
    needs=("container",),  # the project's quota counts the clusters' nodes,
    # gcloud https://compute.googleapis.com/compute/v1/; Terraform ComputeBasePathKey
    # "https://compute.googleapis.com/compute/v1/"
    endpoint=ClientEndpoint(
        "compute", "compute", "/compute/v1/", (("compute_custom_endpoint", "/compute/v1/"),)
    ),
)
