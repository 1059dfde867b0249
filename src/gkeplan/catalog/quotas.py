"""Quota profiles (limits by metric) and how GKE nodes use them: one source for the emulator's
quota checks and the free-trial pack."""

from __future__ import annotations

from dataclasses import dataclass

from gkeplan import catalog
from gkeplan.catalog._data import load

# Boot disk -> regional quota metric. pd-balanced and pd-ssd count against SSD_TOTAL_GB (real
# refusal: 'Insufficient regional quota ... "SSD_TOTAL_GB": request requires '300.0'', from 3 x
# 100 GB default boot disks, kubeflow/pipelines#10907); pd-standard against DISKS_TOTAL_GB
# (kubeflow/kubeflow#2401); Hyperdisk Balanced has its own HYPERDISK_BALANCED_TOTAL_GB
# (Google's quota validator in GoogleCloudPlatform/cluster-toolkit PR #5140, pkg/validators).
DISK_METRICS = {
    "pd-balanced": "SSD_TOTAL_GB",
    "pd-ssd": "SSD_TOTAL_GB",
    "pd-standard": "DISKS_TOTAL_GB",
    "hyperdisk-balanced": "HYPERDISK_BALANCED_TOTAL_GB",
}
# Older names of the profiles: specs and packs written before the rename keep working.
ALIASES = {"free-tier": "free-trial"}


@dataclass(frozen=True)
class QuotaProfile:
    name: str
    regional: dict[str, float]
    global_: dict[str, float]
    # the metrics whose limit the data file sources (quota-profiles.json "sourced"): only
    # these make FT001 refuse; a limit nobody verified warns (issue 27)
    sourced: frozenset[str] = frozenset()


def quota_profile_names() -> tuple[str, ...]:
    return (*load("quota-profiles.json")["profiles"], *ALIASES)


def quota_profile(name: str) -> QuotaProfile:
    name = ALIASES.get(name, name)
    everything = load("quota-profiles.json")
    data = everything["profiles"].get(name)
    if data is None:
        raise KeyError(f"unknown quota profile {name!r}; known: {', '.join(quota_profile_names())}")
    return QuotaProfile(
        name,
        {k: float(v) for k, v in data["regional"].items()},
        {k: float(v) for k, v in data["global"].items()},
        frozenset(everything.get("sourced", {}).get(name, {})),
    )


def node_usage(
    machine: str,
    disk_type: str,
    disk_gb: int,
    accelerators: list[tuple[str, int]],
    external_ip: bool = False,
) -> tuple[dict[str, float], dict[str, float]]:
    """(regional, global) quota use of one node.

    GPUs that come with the machine type (G2, A2, A3) are counted once: listing the same GPU
    type under `accelerators` names those GPUs, it does not add more ("Each machine type
    within a series has a specific model and number of NVIDIA GPUs attached",
    cloud.google.com/compute/docs/accelerator-optimized-machines).
    """
    regional: dict[str, float] = {}
    global_: dict[str, float] = {}
    gpus: dict[str, int] = {}
    mt = catalog.machine_type(machine)
    if mt is not None:
        regional[catalog.cpu_quota_metric(mt.family)] = float(mt.vcpus)
        global_["CPUS_ALL_REGIONS"] = float(mt.vcpus)
        if mt.gpus and mt.gpu_type:
            gpus[mt.gpu_type] = mt.gpus
    for gpu_type, count in accelerators:
        built_in = mt is not None and mt.gpu_type == gpu_type
        gpus[gpu_type] = (
            max(gpus.get(gpu_type, 0), count) if built_in else gpus.get(gpu_type, 0) + count
        )
    for gpu_type, count in gpus.items():
        acc = catalog.accelerator(gpu_type)
        if acc is not None and acc.quota_metric:
            regional[acc.quota_metric] = regional.get(acc.quota_metric, 0.0) + count
        global_["GPUS_ALL_REGIONS"] = global_.get("GPUS_ALL_REGIONS", 0.0) + count
    disk_metric = DISK_METRICS.get(disk_type, "SSD_TOTAL_GB")
    regional[disk_metric] = regional.get(disk_metric, 0.0) + disk_gb
    if external_ip:
        regional["IN_USE_ADDRESSES"] = 1.0
    return regional, global_
