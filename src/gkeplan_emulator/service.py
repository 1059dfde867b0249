"""What an emulated API is: a model factory (its state and rules, one per Backend), its REST
route table and/or its gRPC registration. Each service package exports `SERVICE`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import grpc

    from gkeplan_emulator.backend import Backend
    from gkeplan_emulator.http import Route


@dataclass(frozen=True)
class ServiceSpec:
    """One emulated API. `name` is its key in Backend.models; a model needs dump()/load()."""

    name: str
    make_model: Callable[[Backend], Any] | None = None
    routes: Callable[[Backend], list[Route]] | None = None
    register_grpc: Callable[[grpc.Server, Backend], None] | None = None
