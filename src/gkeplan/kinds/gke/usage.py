"""Quota usage of the spec's node pools (`Kind.usage` of clusters), per region and across
regions, at the three moments of `policy.usage`.

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

from gkeplan import catalog
from gkeplan.catalog.quotas import node_usage
from gkeplan.errors import Path
from gkeplan.kinds.gke.models import Cluster, NodePool, boot_disk_type, clusters, public_nodes
from gkeplan.policy.usage import LOCAL_SSD_GB, LOCAL_SSD_METRIC, Load, Moment, Note, Scope, unit
from gkeplan.spec.base import Document

# GKE's default pool when a spec keeps it: e2-medium ("If unspecified, the default machine
# type is e2-medium", container v1 NodeConfig) with the 1 node gkeplan's driver asks for.
DEFAULT_POOL = NodePool(machine_type="e2-medium", initial_node_count=1)
DEFAULT_POOL_NAME = "default-pool"


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
    total_limits: bool = False  # autoscaling by totalMaxNodeCount, not per zone
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

    @property
    def created_by(self) -> tuple[str, ...]:
        """A new cluster creates all its pools inline; a pool of an existing one, itself."""
        return tuple(dict.fromkeys((f"cluster.{self.cluster}", self.address)))

    @property
    def counts_at_create(self) -> bool:
        return self.nap is None  # auto-provisioning adds nodes only for pods that wait

    def explain(self, metric: str, scope: Scope, moment: Moment) -> str:
        if self.nap is not None:
            return self._explain_nap(metric, scope, moment)
        kind = "regional" if self.regional_cluster else "zonal"
        per_node = self.per_node(metric, scope)
        per_zone = self.initial_per_zone if moment == "create" else self.max_per_zone
        nodes = per_zone * self.zones
        verb = "starts" if moment == "create" else "can run"
        head = (
            f"cluster {self.cluster} is {kind} ({self.location}): node pool {self.pool} {verb} "
            f"{_plural(per_zone, 'node')} x {_plural(self.zones, 'zone')} = {nodes} x "
            f"{self.machine}"
        )
        base = nodes * per_node
        if metric == LOCAL_SSD_METRIC:
            text = f"{head} with {_plural(self.local_ssds, 'local SSD')} of {LOCAL_SSD_GB} GB"
            text += f" = {base:g} {unit(metric)}"
        elif metric.endswith("GB"):
            text = (
                f"{head} with {self.disk_gb} GB {self.disk_type} boot disks = {base:g} "
                f"{unit(metric)}"
            )
        elif "CPUS" in metric:
            text = f"{head} ({self.vcpus} vCPUs) = {base:g} {unit(metric)}"
        else:
            text = f"{head} = {base:g} {unit(metric)}"
        surge = self.surge_per_zone * self.zones
        if moment == "surge" and surge:
            text += f", +{_plural(surge, 'surge node')} = {self.total(metric, scope, moment):g}"
        return text

    def fixes(self, metric: str, scope: Scope, moment: Moment, over: float) -> list[str]:
        """Single changes to the pool named that each bring the total within the quota."""
        per_node = self.per_node(metric, scope)
        pool = f"clusters.{self.cluster}.nodePools.{self.pool}"
        fixes: list[str] = []
        if self.nap is not None:
            types, maximum, _ = self.nap.get(metric, ("GPU", 0, 0.0))
            lower = int(maximum - over)
            if metric in self.nap and lower >= 0:
                fixes.append(
                    f"clusters.{self.cluster}.nodeAutoProvisioning.resourceLimits "
                    f"({types}) maximum: {lower}"
                )
            return fixes
        if moment == "surge":
            if self.surge_per_zone * self.zones * per_node >= over:
                fixes.append(f"{pool}.upgradeSettings: {{maxSurge: 0, maxUnavailable: 1}}")
            return fixes
        per_zone = self.initial_per_zone if moment == "create" else self.max_per_zone
        if moment == "scale" and self.autoscaling:
            for n in range(per_zone - 1, 0, -1):
                if (per_zone - n) * self.zones * per_node >= over and n >= self.initial_per_zone:
                    fixes.append(
                        f"{pool}.autoscaling.totalMaxNodeCount: {n * self.zones}"
                        if self.total_limits
                        else f"{pool}.autoscaling.maxNodeCount: {n}"
                    )
                    break
        if moment == "create":
            if self.regional_cluster and (self.zones - 1) * per_zone * per_node >= over:
                if self.pool_zones:
                    fixes.append(f"{pool}.nodeLocations: one zone (not {self.zones})")
                elif self.cluster_zones > 1:
                    fixes.append(
                        f"clusters.{self.cluster}.nodeLocations: one zone (not {self.zones})"
                    )
                else:
                    hinted = sorted(catalog.regions().get(self.region, ()))
                    zone = hinted[0] if hinted else f"a zone of {self.region}"
                    fixes.append(
                        f"clusters.{self.cluster}.location: {zone} "
                        f"(zonal: 1 zone, not {self.zones})"
                    )
            for n in range(per_zone - 1, 0, -1):
                if (per_zone - n) * self.zones * per_node >= over:
                    fixes.append(f"{pool}.initialNodeCount: {n}")
                    break
        count = self.nodes(moment)
        total = self.total(metric, scope, moment)
        family = self.machine.split("-")[0]
        if metric == LOCAL_SSD_METRIC:
            return [*fixes, f"{pool}.localSsdCount / ephemeralStorageLocalSsdCount: fewer"]
        if metric == "SSD_TOTAL_GB" and catalog.boot_disk_problem(family, "pd-standard") is None:
            # pd-standard boot disks count against DISKS_TOTAL_GB instead (where the series takes
            # them: not C3, C3D, A3 or the Hyperdisk series, see catalog/build.py)
            fixes.append(f"{pool}.diskType: pd-standard")
        if metric.endswith("GB") and count:
            size = int((total - over) // count)
            if size >= 10:
                fixes.append(f"{pool}.diskSizeGb: {size}")
        elif metric.endswith("CPUS") and count:
            budget = (total - over) / count
            smaller = sorted(
                (mt.vcpus, n)
                for n in catalog.machine_type_names()
                if n.startswith(family + "-standard-")
                and (mt := catalog.machine_type(n))
                and 0 < mt.vcpus <= budget
                and mt.vcpus < self.vcpus
            )
            if smaller:
                fixes.append(f"{pool}.machineType: {smaller[-1][1]} (if the workload fits)")
        return fixes

    def _explain_nap(self, metric: str, scope: Scope, moment: Moment) -> str:
        assert self.nap is not None
        total = self.total(metric, scope, moment)
        shares = [self.nap[metric]] if metric in self.nap else list(self.nap.values())
        parts = "; ".join(
            f"resourceLimits {types} maximum {maximum}"
            + (f", of which its node pools hold {held:g}" if held else "")
            for types, maximum, held in shares
        )
        return (
            f"cluster {self.cluster}: node auto-provisioning may add {total:g} {unit(metric)} "
            f"({parts})"
        )

    def nodes(self, moment: Moment) -> int:
        per_zone = self.initial_per_zone if moment == "create" else self.max_per_zone
        if moment == "surge":
            per_zone += self.surge_per_zone
        return per_zone * self.zones

    def per_node(self, metric: str, scope: Scope) -> float:
        return (self.regional_use if scope == "regional" else self.global_use).get(metric, 0.0)

    def total(self, metric: str, scope: Scope, moment: Moment) -> float:
        return self.per_node(metric, scope) * self.nodes(moment)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


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
    auto = pool.autoscaling
    zones = zones_of(cluster, pool)
    max_per_zone = auto.max_node_count if auto else pool.initial_node_count
    if auto is not None and auto.totals:  # at most the total; spread at worst one more a zone
        max_per_zone = -(-(auto.total_max_node_count or 0) // zones)
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
        zones=zones,
        initial_per_zone=pool.initial_node_count,
        max_per_zone=max(max_per_zone, pool.initial_node_count),
        surge_per_zone=surge,
        autoscaling=pool.autoscaling is not None,
        total_limits=bool(auto and auto.totals),
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


def usage(spec: Document) -> list[Load | Note]:
    """The clusters' node pools, what auto-provisioning may add, and a note per Autopilot
    cluster (GKE sizes its nodes from the pods, so nothing is counted)."""
    pools = loads(spec)
    out: list[Load | Note] = [*pools, *nap_loads(spec, pools)]
    for cname, cluster in clusters(spec).items():
        if cluster.autopilot:
            out.append(
                Note(
                    f"cluster.{cname}",
                    ("clusters", cname, "autopilot"),
                    f"cluster {cname} is Autopilot: GKE sizes its nodes from the pods' "
                    "requests, so it has no node pools to count against the quotas",
                )
            )
    return out
