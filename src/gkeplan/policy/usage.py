"""Worst-moment quota usage of the spec's node pools, per region and across regions.

The worst moment is every pool at its autoscaling maximum in every zone, plus the surge
nodes of an upgrade (maxSurge per zone), plus GKE's default pool when the spec keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gkeplan import catalog
from gkeplan.catalog.quotas import node_usage
from gkeplan.errors import Path
from gkeplan.kinds.gke.models import Cluster, NodePool, clusters
from gkeplan.spec.base import Document

DEFAULT_POOL = NodePool(machine_type="e2-medium", initial_node_count=1)


@dataclass(frozen=True)
class PoolLoad:
    cluster: str
    pool: str
    path: Path
    region: str
    location: str
    regional_cluster: bool
    zones: int
    nodes_per_zone: int
    surge_per_zone: int
    machine: str
    vcpus: int
    disk_gb: int
    regional_use: dict[str, float] = field(default_factory=dict)  # per node
    global_use: dict[str, float] = field(default_factory=dict)  # per node

    @property
    def nodes(self) -> int:
        return self.nodes_per_zone * self.zones

    @property
    def surge(self) -> int:
        return self.surge_per_zone * self.zones

    def total(self, metric: str, scope: str = "regional") -> float:
        per_node = (self.regional_use if scope == "regional" else self.global_use).get(metric, 0.0)
        return per_node * (self.nodes + self.surge)


def zones_of(cluster: Cluster, pool: NodePool) -> int:
    if pool.node_locations:
        return len(pool.node_locations)
    if cluster.node_locations:
        return len(cluster.node_locations)
    if catalog.is_zone(cluster.location):
        return 1
    return min(3, len(catalog.regions().get(cluster.location, ())) or 3)


def pool_load(spec: Document, cname: str, pname: str, pool: NodePool, path: Path) -> PoolLoad:
    cluster = clusters(spec)[cname]
    mt = catalog.machine_type(pool.machine_type)
    per_zone = pool.autoscaling.max_node_count if pool.autoscaling else pool.initial_node_count
    surge = (
        pool.upgrade_settings.max_surge if pool.upgrade_settings.strategy == "SURGE" else per_zone
    )
    accelerators = [(a.type, a.count) for a in pool.accelerators]
    regional, global_ = node_usage(
        pool.machine_type, pool.disk_type, pool.disk_size_gb, accelerators, pool.external_ips
    )
    return PoolLoad(
        cname,
        pname,
        path,
        catalog.region_of(cluster.location),
        cluster.location,
        catalog.is_region(cluster.location),
        zones_of(cluster, pool),
        per_zone,
        surge,
        pool.machine_type,
        mt.vcpus if mt else 0,
        pool.disk_size_gb,
        regional,
        global_,
    )


def loads(spec: Document) -> list[PoolLoad]:
    out = []
    for cname, cluster in clusters(spec).items():
        for pname, pool in cluster.node_pools.items():
            out.append(pool_load(spec, cname, pname, pool, ("clusters", cname, "nodePools", pname)))
        if not cluster.remove_default_node_pool:
            out.append(pool_load(spec, cname, "default-pool", DEFAULT_POOL, ("clusters", cname)))
    return out
