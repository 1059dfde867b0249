"""The emulated services. Each module has a model (state and rules) and routes (HTTP or gRPC)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import grpc

    from gkeplan.emulator.backend import Backend
    from gkeplan.emulator.http import Router


def make_models(backend: Backend) -> None:
    from gkeplan.emulator.services import container, iam_admin, resourcemanager, storage

    backend.models["projects"] = resourcemanager.ProjectsModel(backend)
    backend.models["iam"] = iam_admin.IamModel(backend)
    backend.models["container"] = container.ContainerModel(backend)
    backend.models["storage"] = storage.StorageModel(backend)


def register_routes(router: Router, backend: Backend) -> None:
    from gkeplan.emulator.services import (
        container_routes,
        iamcredentials,
        resourcemanager,
        storage_routes,
    )

    resourcemanager.register(router, backend)
    iamcredentials.register(router, backend)
    container_routes.register(router, backend)
    storage_routes.register(router, backend)


def register_grpc(server: grpc.Server, backend: Backend) -> None:
    from gkeplan.emulator.services import iam_admin

    iam_admin.register_grpc(server, backend)
