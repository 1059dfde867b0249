"""The registry of emulated services: one line per service package, each exporting `SERVICE`.

Order matters once: models are created in this order (projects first, the others read it).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.service import ServiceSpec
from gkeplan_emulator.services import (
    artifactregistry,
    compute,
    container_routes,
    iam_admin,
    iamcredentials,
    resourcemanager,
    secretmanager,
    serviceusage,
    storage,
)
from gkeplan_emulator.transcode import register_transcoded

if TYPE_CHECKING:
    import grpc

    from gkeplan_emulator.backend import Backend
    from gkeplan_emulator.calls import Route

SERVICES: tuple[ServiceSpec, ...] = (
    resourcemanager.SERVICE,
    iam_admin.SERVICE,
    iamcredentials.SERVICE,
    # before GKE: both serve v1/projects/*/locations/*/operations/* (on their own hosts at
    # Google); Artifact Registry's UUID operation ids match first, GKE's fall through
    artifactregistry.SERVICE,
    container_routes.SERVICE,
    storage.SERVICE,
    compute.SERVICE,
    serviceusage.SERVICE,
    secretmanager.SERVICE,
)


def model_factories() -> dict[str, Callable[[Backend], Any]]:
    return {s.name: s.make_model for s in SERVICES if s.make_model is not None}


def all_routes(backend: Backend) -> list[Route]:
    return [
        dataclasses.replace(r, api=s.api)
        for s in SERVICES
        if s.routes is not None
        for r in s.routes(backend)
    ]


def register_grpc(server: grpc.Server, backend: Backend, routes: list[Route]) -> None:
    """Every gRPC service: those written for gRPC, and REST ones transcoded to `routes`."""
    for spec in SERVICES:
        if spec.register_grpc is not None:
            spec.register_grpc(server, backend)
    transcoded = [s.transcoded for s in SERVICES if s.transcoded is not None]
    register_transcoded(server, backend, routes, transcoded)


def grpc_service_names() -> list[str]:
    names = {n for s in SERVICES for n in s.grpc_names}
    return sorted(names | {s.transcoded.name for s in SERVICES if s.transcoded})
