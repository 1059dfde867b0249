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


def hyperdisk_default(family: str) -> bool:
    """Series whose boot disk is Hyperdisk Balanced: the Hyperdisk-only ones, and those Google
    defaults to it without a sourced refusal of Persistent Disk (see build.py)."""
    return hyperdisk_only(family) or family in _data()["hyperdiskLikely"]


def boot_disk_problem(family: str, disk_type: str) -> tuple[bool, str] | None:
    """(sourced, why) when the series cannot boot from `disk_type`: sourced refusals are
    errors, the rest warnings (each list's source is in build.py)."""
    data = _data()
    if disk_type.startswith("pd-"):
        if family in data["hyperdiskOnly"]:
            return True, "boot only from Hyperdisk"
        if family in data["hyperdiskLikely"]:
            return False, "are documented with Hyperdisk Balanced boot disks"
    if disk_type == "pd-standard":
        if family in data["noPdStandard"]:
            return True, "refuse pd-standard disks"
        if family in data["noPdStandardLikely"]:
            return False, "are not documented with pd-standard disks"
    if disk_type.startswith("hyperdisk") and family in data["noHyperdisk"]:
        return True, "do not support Hyperdisk"
    return None


def attaches_gpus(family: str) -> bool | None:
    """True: the series takes GPUs through accelerators (N1); False: it refuses them (E2);
    None: not sourced either way (built-in GPUs are the machine type's)."""
    data = _data()
    if family in data["gpuAttach"]:
        return True
    if family in data["noGpus"]:
        return False
    return None


def accelerator(name: str) -> Accelerator | None:
    entry = _data()["accelerators"].get(name)
    if entry is None:
        return None
    return Accelerator(name, entry["quotaMetric"], frozenset(entry["regions"]))


def accelerator_names() -> tuple[str, ...]:
    return tuple(_data()["accelerators"])
