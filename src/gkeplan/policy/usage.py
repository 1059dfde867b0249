"""Quota usage of the spec's node pools, per region and across regions, at three moments.

- create: what GKE checks when it creates the pool: initial nodes x zones. The amounts in
  real refusals are exactly that (go-cloud#244: 9 = 3 nodes x 3 zones; kubeflow/pipelines
  #10907: 3 zones x 100 GB boot disks).
- scale: every pool at its autoscaling maximum. Over quota, the autoscaler stalls later and
  reports it in its visibility events (GKE cluster-autoscaler-visibility doc); the apply works.
- local SSDs (localSsdCount and ephemeralStorageLocalSsdCount) count 375 GB each in
  LOCAL_SSD_TOTAL_GB: "Each local SSD is 375 GB in size" (container v1
  EphemeralStorageLocalSsdConfig.localSsdCount, Google's client reference).
- node auto-provisioning: nothing at create (it adds nodes only for pending pods); at scale the
  cluster may grow to each GPU type's resourceLimits maximum, which is a limit on the whole
  cluster ("Maximum amount of the resource in the cluster", container v1 ResourceLimit), so it
  adds what its own pools do not already hold.
- Autopilot clusters have no pools: GKE sizes their nodes from the pods, and nothing is counted.
- surge: plus an upgrade's surge nodes. "All nodes that GKE creates, including nodes used for
  upgrades, are subject to the resource quota" (GKE "Ensure resources for node upgrades");
  without room the upgrade slows or fails, the apply works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gkeplan import catalog
from gkeplan.catalog.quotas import node_usage
from gkeplan.errors import Path
from gkeplan.kinds.gke.models import Cluster, NodePool, boot_disk_type, clusters, public_nodes
from gkeplan.spec.base import Document

# GKE's default pool when a spec keeps it: e2-medium ("If unspecified, the default machine
# type is e2-medium", container v1 NodeConfig) with the 1 node gkeplan's driver asks for.
DEFAULT_POOL = NodePool(machine_type="e2-medium", initial_node_count=1)
DEFAULT_POOL_NAME = "default-pool"
LOCAL_SSD_GB = 375  # per local SSD (see above)
LOCAL_SSD_METRIC = "LOCAL_SSD_TOTAL_GB"

Moment = Literal["create", "scale", "surge"]
MOMENTS: tuple[Moment, ...] = ("create", "scale", "surge")
Scope = Literal["regional", "global"]


@dataclass(frozen=True)
class PoolLoad:
    cluster: str
    pool: str
    path: Path
    region: str
    location: str
    regional_cluster: bool
    zones: int
    initial_per_zone: int
    max_per_zone: int
    surge_per_zone: int
    autoscaling: bool
    machine: str
    vcpus: int
    disk_gb: int
    disk_type: str
    public: bool
    pool_zones: bool  # the zones come from the pool's own nodeLocations
    cluster_zones: int  # how many zones the cluster's nodeLocations lists (0: none)
    regional_use: dict[str, float] = field(default_factory=dict)  # per node
    global_use: dict[str, float] = field(default_factory=dict)  # per node
    local_ssds: int = 0  # per node
    # node auto-provisioning's load: metric -> (resource types, their maximum, pools' share)
    nap: dict[str, tuple[str, int, float]] | None = None

    @property
    def address(self) -> str:
        if self.nap is not None or self.pool == DEFAULT_POOL_NAME:
            return f"cluster.{self.cluster}"
        return f"nodePool.{self.cluster}.{self.pool}"

    def nodes(self, moment: Moment) -> int:
        per_zone = self.initial_per_zone if moment == "create" else self.max_per_zone
        if moment == "surge":
            per_zone += self.surge_per_zone
        return per_zone * self.zones

    def per_node(self, metric: str, scope: Scope) -> float:
        return (self.regional_use if scope == "regional" else self.global_use).get(metric, 0.0)

    def total(self, metric: str, scope: Scope, moment: Moment) -> float:
        return self.per_node(metric, scope) * self.nodes(moment)


def zones_of(cluster: Cluster, pool: NodePool) -> int:
    if pool.node_locations:
        return len(pool.node_locations)
    if cluster.node_locations:
        return len(cluster.node_locations)
    if catalog.looks_like_zone(cluster.location):
        return 1
    # "default configuration, which replicates each node pool across three zones" (GKE
    # regional-clusters doc); a region the zone hint lists with fewer zones has fewer.
    return min(3, len(catalog.regions().get(cluster.location, ())) or 3)


def pool_load(spec: Document, cname: str, pname: str, pool: NodePool, path: Path) -> PoolLoad:
    cluster = clusters(spec)[cname]
    mt = catalog.machine_type(pool.machine_type)
    max_per_zone = pool.autoscaling.max_node_count if pool.autoscaling else pool.initial_node_count
    surge = (
        pool.upgrade_settings.max_surge
        if pool.upgrade_settings.strategy == "SURGE"
        else max_per_zone
    )
    accelerators = [(a.type, a.count) for a in pool.accelerators]
    disk_type = boot_disk_type(pool)
    public = public_nodes(cluster)
    regional, global_ = node_usage(
        pool.machine_type, disk_type, pool.disk_size_gb, accelerators, public
    )
    local_ssds = pool.local_ssd_count + pool.ephemeral_storage_local_ssd_count
    if local_ssds:
        regional[LOCAL_SSD_METRIC] = float(LOCAL_SSD_GB * local_ssds)
    return PoolLoad(
        cluster=cname,
        pool=pname,
        path=path,
        region=catalog.region_of(cluster.location),
        location=cluster.location,
        regional_cluster=not catalog.looks_like_zone(cluster.location),
        zones=zones_of(cluster, pool),
        initial_per_zone=pool.initial_node_count,
        max_per_zone=max(max_per_zone, pool.initial_node_count),
        surge_per_zone=surge,
        autoscaling=pool.autoscaling is not None,
        machine=pool.machine_type,
        vcpus=mt.vcpus if mt else 0,
        disk_gb=pool.disk_size_gb,
        disk_type=disk_type,
        public=public,
        pool_zones=bool(pool.node_locations),
        cluster_zones=len(cluster.node_locations or ()),
        regional_use=regional,
        global_use=global_,
        local_ssds=local_ssds,
    )


def loads(spec: Document) -> list[PoolLoad]:
    out = []
    for cname, cluster in clusters(spec).items():
        for pname, pool in cluster.node_pools.items():
            out.append(pool_load(spec, cname, pname, pool, ("clusters", cname, "nodePools", pname)))
        if not cluster.remove_default_node_pool and not cluster.autopilot:
            out.append(pool_load(spec, cname, DEFAULT_POOL_NAME, DEFAULT_POOL, ("clusters", cname)))
    return out


def nap_loads(spec: Document, pools: list[PoolLoad]) -> list[PoolLoad]:
    """What node auto-provisioning may add to each cluster at its worst moment: every GPU
    resource limit at its maximum, less what the cluster's own pools hold at scale."""
    out = []
    for cname, cluster in clusters(spec).items():
        nap = cluster.node_auto_provisioning
        if nap is None or not nap.enabled or cluster.autopilot:
            continue
        by_metric: dict[str, tuple[list[str], int]] = {}
        for limit in nap.resource_limits:
            acc = catalog.accelerator(limit.resource_type)
            if acc is None or not acc.quota_metric:
                continue  # cpu, memory, or a type CT001 reports
            types, maximum = by_metric.get(acc.quota_metric, ([], 0))
            by_metric[acc.quota_metric] = ([*types, limit.resource_type], maximum + limit.maximum)
        mine = [ld for ld in pools if ld.cluster == cname]
        regional: dict[str, float] = {}
        shares: dict[str, tuple[str, int, float]] = {}
        for metric, (types, maximum) in sorted(by_metric.items()):
            held = sum(ld.total(metric, "regional", "scale") for ld in mine)
            extra = max(0.0, maximum - held)
            shares[metric] = (", ".join(types), maximum, held)
            if extra:
                regional[metric] = extra
        if not regional:
            continue
        gpus = sum(regional.values())
        path = ("clusters", cname, "nodeAutoProvisioning", "resourceLimits")
        out.append(
            PoolLoad(
                cluster=cname,
                pool="nodeAutoProvisioning",
                path=path,
                region=catalog.region_of(cluster.location),
                location=cluster.location,
                regional_cluster=not catalog.looks_like_zone(cluster.location),
                zones=1,
                initial_per_zone=0,  # it creates nodes only for pods that wait
                max_per_zone=1,  # one "node" holding everything the limits allow
                surge_per_zone=0,
                autoscaling=True,
                machine="auto-provisioned",
                vcpus=0,
                disk_gb=0,
                disk_type="",
                public=False,
                pool_zones=False,
                cluster_zones=0,
                regional_use=regional,
                global_use={"GPUS_ALL_REGIONS": gpus},
                nap=shares,
            )
        )
    return out
