"""Machine types, accelerators and locations of Compute Engine."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from gkeplan.catalog._data import load


@dataclass(frozen=True)
class MachineType:
    name: str
    family: str
    vcpus: int
    memory_gb: float
    shared_core: bool
    gpus: int
    gpu_type: str | None
    zones: frozenset[str]


@dataclass(frozen=True)
class Accelerator:
    name: str
    quota_metric: str  # preemptible/spot use PREEMPTIBLE_<metric> where such a quota is set
    zones: frozenset[str]  # empty: the snapshot does not say where it is offered


def _data() -> dict[str, Any]:
    return load("machines.json")


@cache
def machine_type(name: str) -> MachineType | None:
    entry = _data()["machineTypes"].get(name)
    if entry is None:
        return None
    return MachineType(
        name=name,
        family=name.split("-")[0],
        vcpus=entry["vcpus"],
        memory_gb=entry["memoryGb"],
        shared_core=entry["sharedCore"],
        gpus=entry.get("gpus", 0),
        gpu_type=entry.get("gpuType"),
        zones=frozenset(entry["zones"]),
    )


def machine_type_names() -> tuple[str, ...]:
    return tuple(_data()["machineTypes"])


def regions() -> dict[str, tuple[str, ...]]:
    return {r: tuple(z) for r, z in _data()["regions"].items()}


@cache
def _zones() -> frozenset[str]:
    return frozenset(z for zs in _data()["regions"].values() for z in zs)


def is_region(location: str) -> bool:
    return location in _data()["regions"]


def is_zone(location: str) -> bool:
    return location in _zones()


def region_of(location: str) -> str:
    return location.rsplit("-", 1)[0] if is_zone(location) else location


def machine_available(name: str, location: str) -> bool:
    mt = machine_type(name)
    if mt is None:
        return False
    if is_zone(location):
        return location in mt.zones
    return any(region_of(z) == location for z in mt.zones)


def cpu_quota_metric(family: str) -> str:
    quota: dict[str, str] = _data()["cpuQuota"]
    return quota.get(family, "CPUS")


def accelerator(name: str) -> Accelerator | None:
    metric = _data()["accelerators"].get(name)
    return Accelerator(name, metric, frozenset()) if metric else None
