"""Quota profiles (limits by metric) and how GKE nodes use them: one source for the emulator's
quota checks and the free-tier policy."""

from __future__ import annotations

from dataclasses import dataclass

from gkeplan import catalog
from gkeplan.catalog._data import load

SSD_DISKS = ("pd-balanced", "pd-ssd", "hyperdisk-balanced")


@dataclass(frozen=True)
class QuotaProfile:
    name: str
    regional: dict[str, float]
    global_: dict[str, float]


def quota_profile_names() -> tuple[str, ...]:
    return tuple(load("quota-profiles.json")["profiles"])


def quota_profile(name: str) -> QuotaProfile:
    data = load("quota-profiles.json")["profiles"].get(name)
    if data is None:
        raise KeyError(f"unknown quota profile {name!r}; known: {', '.join(quota_profile_names())}")
    return QuotaProfile(
        name,
        {k: float(v) for k, v in data["regional"].items()},
        {k: float(v) for k, v in data["global"].items()},
    )


def node_usage(
    machine: str,
    disk_type: str,
    disk_gb: int,
    accelerators: list[tuple[str, int]],
    external_ip: bool = False,
) -> tuple[dict[str, float], dict[str, float]]:
    """(regional, global) quota use of one node."""
    regional: dict[str, float] = {}
    global_: dict[str, float] = {}
    mt = catalog.machine_type(machine)
    if mt is not None:
        regional[catalog.cpu_quota_metric(mt.family)] = float(mt.vcpus)
        global_["CPUS_ALL_REGIONS"] = float(mt.vcpus)
        gpus = [(mt.gpu_type, mt.gpus)] if mt.gpus and mt.gpu_type else []
    else:
        gpus = []
    for gpu_type, count in [*gpus, *accelerators]:
        acc = catalog.accelerator(gpu_type) if gpu_type else None
        if acc is not None:
            regional[acc.quota_metric] = regional.get(acc.quota_metric, 0.0) + count
        global_["GPUS_ALL_REGIONS"] = global_.get("GPUS_ALL_REGIONS", 0.0) + count
    disk_metric = "SSD_TOTAL_GB" if disk_type in SSD_DISKS else "DISKS_TOTAL_GB"
    regional[disk_metric] = regional.get(disk_metric, 0.0) + disk_gb
    if external_ip:
        regional["IN_USE_ADDRESSES"] = 1.0
    return regional, global_
