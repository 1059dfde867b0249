"""Compute Engine quota as GKE meets it when it creates nodes.

From Compute Engine's quota documentation: every VM counts its vCPUs against the regional CPU
metric of its machine family (CPUS for E2/N1/F1/G1, <FAMILY>_CPUS otherwise) and against the
project-wide CPUS_ALL_REGIONS; each GPU (attached or built into the machine type) against its
model's regional metric and GPUS_ALL_REGIONS; its boot disk's size against SSD_TOTAL_GB
(pd-ssd, pd-balanced) or DISKS_TOTAL_GB (pd-standard). GKE reserves a node pool's initial
nodes in every zone of the pool (not the autoscaling maximum).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from gkeplan_emulator import facts

SSD_DISK_TYPES = frozenset({"pd-ssd", "pd-balanced"})
STANDARD_DISK_TYPES = frozenset({"pd-standard"})
# Hyperdisk Balanced has its own HYPERDISK_BALANCED_TOTAL_GB (Google's quota validator in
# GoogleCloudPlatform/cluster-toolkit PR #5140); local SSDs count 375 GB each ("Each local SSD is
# 375 GB in size", container v1 EphemeralStorageLocalSsdConfig.localSsdCount) against
# LOCAL_SSD_TOTAL_GB: as gkeplan's FT001 counts them.
HYPERDISK_METRIC = "HYPERDISK_BALANCED_TOTAL_GB"
LOCAL_SSD_METRIC = "LOCAL_SSD_TOTAL_GB"
LOCAL_SSD_GB = 375


@dataclass(frozen=True)
class NodeGroup:
    """`count` identical nodes in `region`."""

    region: str
    count: int
    machine_type: str
    disk_type: str
    disk_size_gb: int
    accelerators: tuple[tuple[str, int], ...] = ()
    # Nodes without private IPs each hold an external IP: "consumes nine IP addresses" for
    # nine nodes (GKE regional-clusters doc), counted against IN_USE_ADDRESSES.
    external_ips: bool = False
    local_ssds: int = 0  # per node: localSsdCount + ephemeral storage's


@dataclass
class Usage:
    regional: Counter[tuple[str, str]]  # (region, metric) -> amount
    global_: Counter[str]

    @classmethod
    def of(cls, groups: list[NodeGroup]) -> Usage:
        usage = cls(Counter(), Counter())
        for group in groups:
            usage.add(group)
        return usage

    def add(self, group: NodeGroup) -> None:
        n = group.count
        mt = facts.machine_type(group.machine_type)
        gpus: dict[str, int] = {}
        if mt is not None:
            self.regional[(group.region, mt.cpu_metric)] += mt.vcpus * n
            self.global_["CPUS_ALL_REGIONS"] += mt.vcpus * n
            if mt.gpus and mt.gpu_type:
                gpus[mt.gpu_type] = mt.gpus
        for gpu_type, count in group.accelerators:
            # An accelerator-optimized machine type (A2, A3, G2) comes with its GPUs: "Each
            # machine type within a series has a specific model and number of NVIDIA GPUs
            # attached" (cloud.google.com/compute/docs/accelerator-optimized-machines); a pool
            # that names that model under accelerators names those GPUs, it adds none.
            built_in = mt is not None and mt.gpu_type == gpu_type
            gpus[gpu_type] = (
                max(gpus.get(gpu_type, 0), count) if built_in else gpus.get(gpu_type, 0) + count
            )
        for gpu_type, count in gpus.items():
            metric = facts.gpu_metric(gpu_type)
            if metric is not None:
                self.regional[(group.region, metric)] += count * n
            self.global_["GPUS_ALL_REGIONS"] += count * n
        if group.disk_type in SSD_DISK_TYPES:
            self.regional[(group.region, "SSD_TOTAL_GB")] += group.disk_size_gb * n
        elif group.disk_type in STANDARD_DISK_TYPES:
            self.regional[(group.region, "DISKS_TOTAL_GB")] += group.disk_size_gb * n
        elif group.disk_type == "hyperdisk-balanced":
            self.regional[(group.region, HYPERDISK_METRIC)] += group.disk_size_gb * n
        if group.local_ssds:
            self.regional[(group.region, LOCAL_SSD_METRIC)] += LOCAL_SSD_GB * group.local_ssds * n
        if group.external_ips:
            self.regional[(group.region, "IN_USE_ADDRESSES")] += n


@dataclass(frozen=True)
class Shortfall:
    scope: str  # "regional" or "project" (GKE's words)
    metric: str
    requested: float
    limit: float
    available: float

    @property
    def short(self) -> float:
        return self.requested - self.available


def first_shortfall(
    profile: facts.QuotaProfile, existing: list[NodeGroup], requested: list[NodeGroup]
) -> Shortfall | None:
    """The first quota the requested nodes exceed, given what existing nodes already use."""
    used = Usage.of(existing)
    wanted = Usage.of(requested)
    for (region, metric), amount in sorted(wanted.regional.items()):
        limit = profile.regional_limit(region, metric)
        if amount > 0 and limit is not None and used.regional[(region, metric)] + amount > limit:
            available = limit - used.regional[(region, metric)]
            return Shortfall("regional", metric, float(amount), limit, available)
    for metric, amount in sorted(wanted.global_.items()):
        limit = profile.global_.get(metric)
        if amount > 0 and limit is not None and used.global_[metric] + amount > limit:
            available = limit - used.global_[metric]
            return Shortfall("project", metric, float(amount), limit, available)
    return None
