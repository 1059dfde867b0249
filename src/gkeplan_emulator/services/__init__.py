"""The emulated services, found rather than listed: every module or package under this one that
exports `SERVICE` (a ServiceSpec), plus any plug-in registered under the entry-point group
`gkeplan.emulator_services`. A new service is one module here; nothing else is edited.

Models are created in the order their `needs` give (graphlib; a tie goes by name, so the order
never depends on how the modules were found). Routes do not depend on any order: where two
APIs share a path, the URL map prefers the rule with a constrained converter (server.py).
"""

from __future__ import annotations

import dataclasses
import graphlib
import importlib
import pkgutil
from collections.abc import Callable, Iterable
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.service import ServiceSpec
from gkeplan_emulator.transcode import register_transcoded

if TYPE_CHECKING:
    import grpc

    from gkeplan_emulator.backend import Backend
    from gkeplan_emulator.calls import Route

ENTRY_POINT_GROUP = "gkeplan.emulator_services"


class ServiceOrderError(Exception):
    """Services that cannot be served together: a cycle of `needs`, a need no service provides,
    two services of one name, a plug-in that is not a ServiceSpec."""


def discover(paths: Iterable[str], package: str) -> list[ServiceSpec]:
    """The `SERVICE` of every module directly under `paths` (the package `package`)."""
    found = []
    for info in pkgutil.iter_modules(list(paths), package + "."):
        spec = getattr(importlib.import_module(info.name), "SERVICE", None)
        if isinstance(spec, ServiceSpec):
            found.append(spec)
    return found


def plugins() -> list[ServiceSpec]:
    """Services other distributions register under ENTRY_POINT_GROUP (`echo = pkg:SERVICE`)."""
    found = []
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        spec = ep.load()
        if not isinstance(spec, ServiceSpec):
            raise ServiceOrderError(
                f"entry point {ep.name!r} ({ep.value}) in {ENTRY_POINT_GROUP} is not a ServiceSpec"
            )
        found.append(spec)
    return found


def ordered(specs: Iterable[ServiceSpec]) -> tuple[ServiceSpec, ...]:
    """`specs` with every service after those it needs; ties by name."""
    by_name: dict[str, ServiceSpec] = {}
    for spec in specs:
        if spec.name in by_name and by_name[spec.name] is not spec:
            raise ServiceOrderError(f"two emulated services are named {spec.name!r}")
        by_name[spec.name] = spec
    for spec in by_name.values():
        missing = sorted(set(spec.needs) - by_name.keys())
        if missing:
            raise ServiceOrderError(
                f"emulated service {spec.name!r} needs {', '.join(missing)}, which no service "
                "provides"
            )
    sorter = graphlib.TopologicalSorter({s.name: s.needs for s in by_name.values()})
    try:
        sorter.prepare()
    except graphlib.CycleError as err:
        cycle = " -> ".join(err.args[1])
        raise ServiceOrderError(f"emulated services need each other in a cycle: {cycle}") from None
    out: list[ServiceSpec] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        out.extend(by_name[name] for name in ready)
        sorter.done(*ready)
    return tuple(out)


@cache
def services() -> tuple[ServiceSpec, ...]:
    """Every emulated service, in model-creation order."""
    return ordered([*discover(__path__, __name__), *plugins()])


def model_factories() -> dict[str, Callable[[Backend], Any]]:
    return {s.name: s.make_model for s in services() if s.make_model is not None}


def all_routes(backend: Backend) -> list[Route]:
    return [
        dataclasses.replace(r, api=s.api)
        for s in services()
        if s.routes is not None
        for r in s.routes(backend)
    ]


def register_grpc(server: grpc.Server, backend: Backend, routes: list[Route]) -> None:
    """Every gRPC service: the REST routes of each service that has one, transcoded."""
    transcoded = [s.transcoded for s in services() if s.transcoded is not None]
    register_transcoded(server, backend, routes, transcoded)


def grpc_service_names() -> list[str]:
    return sorted(s.transcoded.name for s in services() if s.transcoded)
