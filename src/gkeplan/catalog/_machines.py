"""Machine types, accelerators and locations of Compute Engine."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from gkeplan.catalog._data import load

_ZONE = re.compile(r"^(?P<region>[a-z]+-[a-z]+\d+)-[a-z]$")


@dataclass(frozen=True)
class MachineType:
    name: str
    family: str
    vcpus: int
    memory_gb: float
    shared_core: bool
    gpus: int
    gpu_type: str | None
    regions: frozenset[str]


@dataclass(frozen=True)
class Accelerator:
    name: str
    quota_metric: str | None  # None: no sourced regional metric; GPUS_ALL_REGIONS still counts
    regions: frozenset[str]


def _data() -> dict[str, Any]:
    return load("machines.json")


def date() -> str:
    """The date of the machine and location catalog: anything GCP released later is unknown."""
    value: str = _data()["_date"]
    return value


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
        regions=frozenset(entry["regions"]),
    )


def machine_type_names() -> tuple[str, ...]:
    return tuple(_data()["machineTypes"])


def regions() -> dict[str, tuple[str, ...]]:
    """Every region, with the zones the (older) per-zone data names: a hint, possibly empty."""
    return {r: tuple(z) for r, z in _data()["regions"].items()}


def is_region(location: str) -> bool:
    return location in _data()["regions"]


def looks_like_zone(location: str) -> bool:
    return _ZONE.match(location) is not None


def is_zone(location: str) -> bool:
    """A zone of a known region (zones open and close more often than the data is refreshed)."""
    m = _ZONE.match(location)
    return m is not None and is_region(m.group("region"))


def region_of(location: str) -> str:
    m = _ZONE.match(location)
    return m.group("region") if m else location


def machine_available(name: str, location: str) -> bool:
    mt = machine_type(name)
    return mt is not None and region_of(location) in mt.regions


def cpu_quota_metric(family: str) -> str:
    quota: dict[str, str] = _data()["cpuQuota"]
    return quota.get(family, "CPUS")


def hyperdisk_only(family: str) -> bool:
    """Series that boot only from Hyperdisk (pd-* disks are refused)."""
    return family in _data()["hyperdiskOnly"]


def accelerator(name: str) -> Accelerator | None:
    entry = _data()["accelerators"].get(name)
    if entry is None:
        return None
    return Accelerator(name, entry["quotaMetric"], frozenset(entry["regions"]))


def accelerator_names() -> tuple[str, ...]:
    return tuple(_data()["accelerators"])
