"""The registry of emulated services. Each service package exports `SERVICE = ServiceSpec(...)`:
a model factory (state and rules, one per Backend) and its routes (HTTP, gRPC or both).

A new service is one package plus one line in `_PACKAGES`, never edits across the tree.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import grpc

    from gkeplan_emulator.backend import Backend
    from gkeplan_emulator.http import Router


@dataclass(frozen=True)
class ServiceSpec:
    """One emulated API. `name` is its key in Backend.services; a model needs dump()/load()."""

    name: str
    make_model: Callable[[Backend], Any] | None = None
    register: Callable[[Router, Backend], None] | None = None
    register_grpc: Callable[[grpc.Server, Backend], None] | None = None


# Order matters once: models are created in this order (projects first, the others read it).
_PACKAGES = ("resourcemanager", "iam_admin", "iamcredentials", "container", "storage")


def _legacy(package: str) -> ServiceSpec:
    # Service packages that do not export SERVICE yet (being rewritten by their owners) keep
    # working through their older module-level names.
    def mod(name: str) -> Any:
        return importlib.import_module(f"gkeplan_emulator.services.{name}")

    if package == "container":
        return ServiceSpec(
            "container", mod("container").ContainerModel, mod("container_routes").register
        )
    if package == "storage":
        return ServiceSpec("storage", mod("storage").StorageModel, mod("storage").register)
    raise LookupError(f"service package {package} exports no SERVICE")


def _load() -> tuple[ServiceSpec, ...]:
    specs = []
    for package in _PACKAGES:
        module = importlib.import_module(f"gkeplan_emulator.services.{package}")
        spec = getattr(module, "SERVICE", None)
        specs.append(spec if isinstance(spec, ServiceSpec) else _legacy(package))
    return tuple(specs)


_cache: list[tuple[ServiceSpec, ...]] = []


def services() -> tuple[ServiceSpec, ...]:
    """Every registered service (imported on first use: service packages import this module)."""
    if not _cache:
        _cache.append(_load())
    return _cache[0]


def __getattr__(name: str) -> Any:
    if name == "SERVICES":
        return services()
    raise AttributeError(name)


def make_models(backend: Backend) -> None:
    for spec in services():
        if spec.make_model is not None:
            backend.services[spec.name] = spec.make_model(backend)


def register_routes(router: Router, backend: Backend) -> None:
    for spec in services():
        if spec.register is not None:
            spec.register(router, backend)


def register_grpc(server: grpc.Server, backend: Backend) -> None:
    for spec in services():
        if spec.register_grpc is not None:
            spec.register_grpc(server, backend)
