"""nodePool.CLUSTER.POOL: a GKE node pool (created inline with a new cluster)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from gkeplan import catalog
from gkeplan.errors import Path, Severity
from gkeplan.kinds import base
from gkeplan.kinds import service_account as sa
from gkeplan.kinds.gke import shared
from gkeplan.kinds.gke.models import Autoscaling, Cluster, KubeletConfig, NodePool, clusters
from gkeplan.spec import names
from gkeplan.spec.base import Document
from gkeplan.spec.checks import REGION, Checker
from gkeplan.spec.strings import show


def _expand(spec: Document) -> Iterable[base.Node]:
    for cname, cluster in clusters(spec).items():
        for pname, pool in cluster.node_pools.items():
            path: Path = ("clusters", cname, "nodePools", pname)
            deps = [
                base.Dep(f"cluster.{cname}", "its cluster", path),
                *base.explicit_deps(path, pool.depends_on),
            ]
            yield base.Node(f"nodePool.{cname}.{pname}", "nodePool", path, pool, tuple(deps))


def _link(spec: Document, node: base.Node, nodes: Mapping[str, base.Node]) -> Iterable[base.Dep]:
    cname = str(node.path[1])
    pool: NodePool = node.model
    accounts = (
        [(pool.service_account, (*node.path, "serviceAccount"))] if pool.service_account else []
    )
    create_as = clusters(spec)[cname].create_as
    return shared.creator_deps(spec, create_as, ("clusters", cname, "createAs"), nodes, accounts)


def _needs(spec: Document, node: base.Node, action: base.Verb) -> tuple[base.Permission, ...]:
    # GKE has no container.nodePools.* permissions: pools are part of the cluster.
    if action == "read":
        return (base.Permission("container.clusters.get"),)
    needs = [
        base.Permission("container.clusters.update"),
        base.Permission("container.operations.get"),
    ]
    if action == "create":
        needs.append(shared.act_as(spec, node.model.service_account))
    return tuple(needs)


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    cname, pname = str(node.path[1]), str(node.path[3])
    pool: NodePool = node.model
    name = pool.name or pname
    create_as = clusters(spec)[cname].create_as
    return base.DesiredState(
        f"{shared.cluster_id(spec, cname)}/nodePools/{name}",
        shared.pool_attributes(spec, clusters(spec)[cname], pool, name),
        {
            "initialNodeCount": pool.initial_node_count,
            "createAs": sa.email_of(spec, create_as) if create_as else None,
        },
    )


def _check_pool(
    c: Checker, path: Path, key: str, pool: NodePool, cluster: Cluster, region: str | None
) -> None:
    c.check_name(
        (*path, "name") if pool.name else path, names.gke_name(pool.name or key, "node pool")
    )
    c.zones((*path, "nodeLocations"), pool.node_locations, region)
    if pool.upgrade_settings.strategy == "SHORT_LIVED":
        # "SHORT_LIVED is the dedicated upgrade strategy for QueuedProvisioning and flex start
        # node pools scaled up only by enqueueing to the Dynamic Workload Scheduler (DWS)"
        # (UpgradeSettings.strategy, container v1 discovery document); whether GKE refuses it
        # on another pool is not documented: a warning
        c.error(
            (*path, "upgradeSettings", "strategy"),
            "SHORT_LIVED is the upgrade strategy of queued-provisioning and flex-start pools "
            "(Dynamic Workload Scheduler); this pool is neither and GKE may refuse it",
            "use SURGE or BLUE_GREEN",
            severity=Severity.WARNING,
        )
    if pool.workload_metadata == "GKE_METADATA" and not cluster.workload_identity:
        # "This feature can only be enabled if workload identity is enabled at the cluster
        # level" (Google provider, workload_metadata_config; quoted in
        # GoogleCloudPlatform/cloud-foundation-fabric#2236): GKE refuses the pool.
        c.error(
            (*path, "workloadMetadata"),
            "GKE_METADATA needs Workload Identity on the cluster, which has workloadIdentity: "
            "false",
            "set the cluster's workloadIdentity: true, or workloadMetadata: GCE_METADATA",
        )
    family = pool.machine_type.split("-")[0]
    disk = pool.disk_type
    problem = catalog.boot_disk_problem(family, disk) if disk else None
    if problem is not None:
        # the sources of each series' disks are in catalog/build.py (HYPERDISK_ONLY, ...)
        sourced, why = problem
        fix = (
            "diskType: pd-balanced (or leave diskType out)"
            if disk is not None and disk.startswith("hyperdisk")
            else "diskType: hyperdisk-balanced (or leave diskType out)"
            if catalog.hyperdisk_default(family)
            else "diskType: pd-balanced (or leave diskType out)"
        )
        c.error(
            (*path, "diskType"),
            f"{family.upper()} machines {why}, not {disk}"
            + ("" if sourced else " (unconfirmed: the create may fail)"),
            fix,
            severity=Severity.ERROR if sourced else Severity.WARNING,
        )
    _check_accelerators(c, path, pool, family)
    _check_node_config(c, path, pool)
    if pool.kubelet_config is not None:
        _check_kubelet(c, (*path, "kubeletConfig"), pool.kubelet_config)
    _check_reservation(c, path, pool)
    if pool.spot and pool.preemptible:
        # No GKE refusal of the pair was found: "Spot VMs are the latest version of preemptible
        # VMs" (GKE docs, spot-vms); one of them says it all, so this only warns.
        c.error(
            (*path, "spot"),
            "spot and preemptible are both set; spot VMs are the newer form of preemptible VMs",
            "keep spot: true and remove preemptible",
            severity=Severity.WARNING,
        )
    auto = pool.autoscaling
    if auto is not None and auto.totals:
        _check_totals(c, (*path, "autoscaling"), auto)
    elif auto is not None:
        if auto.min_node_count > auto.max_node_count:
            c.error(
                (*path, "autoscaling"),
                f"minNodeCount {auto.min_node_count} is greater than "
                f"maxNodeCount {auto.max_node_count}",
            )
        elif pool.initial_node_count > auto.max_node_count:
            # GKE's answer to this is not sourced (the autoscaler scales an oversized pool
            # down to its maximum): a warning.
            c.error(
                (*path, "initialNodeCount"),
                f"initialNodeCount {pool.initial_node_count} is "
                f"above autoscaling.maxNodeCount {auto.max_node_count}: the autoscaler removes "
                "the extra nodes",
                f"initialNodeCount: {auto.max_node_count}",
                severity=Severity.WARNING,
            )
    if pool.service_account is not None:
        sa.check_ref(c, (*path, "serviceAccount"), pool.service_account, "serviceAccount")
    c.kubernetes_labels((*path, "labels"), pool.labels)
    c.depends_on(path, pool)


def _check_totals(c: Checker, path: Path, auto: Autoscaling) -> None:
    per_zone = {"min_node_count", "max_node_count"} & auto.model_fields_set
    if per_zone:
        # "Cannot be used with per zone limits" (the Google provider's total_min_node_count /
        # total_max_node_count, resource_container_node_pool.go)
        c.error(
            path,
            "autoscaling limits are per zone (minNodeCount, maxNodeCount) or for the whole "
            "pool (totalMinNodeCount, totalMaxNodeCount), not both",
            "keep one pair",
        )
    if auto.total_max_node_count is None:
        c.error(
            (*path, "totalMinNodeCount"),
            "totalMinNodeCount needs totalMaxNodeCount, the most nodes the pool may have",
            "add totalMaxNodeCount: N",
        )
    elif (auto.total_min_node_count or 0) > auto.total_max_node_count:
        c.error(
            path,
            f"totalMinNodeCount {auto.total_min_node_count} is greater than "
            f"totalMaxNodeCount {auto.total_max_node_count}",
        )


def _check_accelerators(c: Checker, path: Path, pool: NodePool, family: str) -> None:
    mt = catalog.machine_type(pool.machine_type)
    for i, acc in enumerate(pool.accelerators):
        if mt is not None and mt.gpu_type == acc.type:
            continue  # the machine type's own GPUs, named
        attaches = catalog.attaches_gpus(family)
        if attaches is False:
            # "[e2-standard-2, nvidia-tesla-t4] features are not compatible for creating
            # instance." (Compute Engine, kubernetes/test-infra#35205)
            c.error(
                (*path, "accelerators", i, "type"),
                f"{family.upper()} machines take no GPUs: GCP refuses "
                f'"[{pool.machine_type}, {acc.type}] features are not compatible"',
                "machineType: n1-standard-4 (GPUs attach to N1), or a G2/A2/A3 type with its "
                "GPUs built in",
            )
        elif attaches is None and catalog.accelerator(acc.type) is not None:
            # only N1 is documented to take attached GPUs (cloud.google.com/compute/docs/gpus)
            c.error(
                (*path, "accelerators", i, "type"),
                f"{pool.machine_type} is not documented to take attached {acc.type} GPUs "
                "(N1 takes them; G2, A2, A3, A4 and G4 types have their own built in)",
                "machineType: an N1 type, or the machine type that has these GPUs built in",
                severity=Severity.WARNING,
            )


# NodeConfig.metadata (container v1 REST reference): keys match [a-zA-Z0-9-_]+, are under 128
# bytes and are none of these reserved keys; each value is at most 32 KB and all of it under
# 512 KB.
RESERVED_METADATA = frozenset(
    {
        "cluster-location",
        "cluster-name",
        "cluster-uid",
        "configure-sh",
        "containerd-configure-sh",
        "enable-os-login",
        "gci-ensure-gke-docker",
        "gci-metrics-enabled",
        "gci-update-strategy",
        "instance-template",
        "kube-env",
        "startup-script",
        "user-data",
        "disable-address-manager",
        "windows-startup-script-ps1",
        "common-psm1",
        "k8s-node-setup-psm1",
        "install-ssh-psm1",
        "user-profile-psm1",
    }
)
_METADATA_KEY = re.compile(r"[a-zA-Z0-9_-]+\Z")
# NodeConfig.tags: "Each tag within the list must comply with RFC1035" (container v1)
_TAG = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?\Z")


def _check_node_config(c: Checker, path: Path, pool: NodePool) -> None:
    total = 0
    for key, value in pool.metadata.items():
        at = (*path, "metadata", key)
        total += len(key.encode()) + len(value.encode())
        if key in RESERVED_METADATA:
            c.error(
                at,
                f"metadata key {key} is reserved by GKE for its own node setup",
                "use another key (GKE's reserved keys are listed under NodeConfig.metadata "
                "in its REST reference)",
            )
        elif not _METADATA_KEY.match(key) or len(key.encode()) >= 128:
            c.error(
                at, f"metadata key {show(key)} must match [a-zA-Z0-9-_]+ and be under 128 bytes"
            )
        if len(value.encode()) > 32 * 1024:
            c.error(at, f"metadata value of {key} is over GKE's 32 KB per value")
    if total >= 512 * 1024:
        c.error((*path, "metadata"), "node metadata totals over GKE's 512 KB")
    for i, tag in enumerate(pool.tags):
        if not _TAG.match(tag):
            c.error(
                (*path, "tags", i),
                f"network tag {show(tag)} is not an RFC 1035 name",
                "lowercase letters, digits and hyphens, starting with a letter, at most 63",
            )
    if pool.image_streaming and pool.image_type != "COS_CONTAINERD":
        # "You must use the Container-Optimized OS with containerd node image" (GKE docs,
        # "Use Image streaming to pull container images", Requirements:
        # https://cloud.google.com/kubernetes-engine/docs/how-to/image-streaming)
        c.error(
            (*path, "imageStreaming"),
            f"image streaming needs the COS_CONTAINERD node image, not {pool.image_type}",
            "imageType: COS_CONTAINERD, or imageStreaming: false",
        )


_LOG_UNITS = {"Ki": 1, "Mi": 1024, "Gi": 1024 * 1024}


def _check_kubelet(c: Checker, path: Path, k: KubeletConfig) -> None:
    low, high = k.image_gc_low_threshold_percent, k.image_gc_high_threshold_percent
    if low is not None and high is not None and low >= high:
        # "smaller than image_gc_high_threshold_percent" (NodeKubeletConfig, container v1)
        c.error(
            (*path, "imageGcLowThresholdPercent"),
            f"image GC's low threshold {low} is not below its high threshold {high}",
            "imageGcLowThresholdPercent below imageGcHighThresholdPercent, e.g. 70 and 85",
        )
    size = k.container_log_max_size
    if size is not None:
        kib = int(size[:-2]) * _LOG_UNITS[size[-2:]]
        # "The value must be between 10Mi and 500Mi, inclusive." (NodeKubeletConfig)
        if not 10 * 1024 <= kib <= 500 * 1024:
            c.error(
                (*path, "containerLogMaxSize"),
                f"GKE takes a container log size of 10Mi to 500Mi, not {size}",
                "containerLogMaxSize: 100Mi",
            )


# ReservationAffinity.key (container v1): "To target a SPECIFIC_RESERVATION by name, specify
# "compute.googleapis.com/reservation-name" as the key and specify the name of your
# reservation as its value."
RESERVATION_NAME_KEY = "compute.googleapis.com/reservation-name"


def _check_reservation(c: Checker, path: Path, pool: NodePool) -> None:
    affinity = pool.reservation_affinity
    taken = affinity.consume_reservation_type if affinity else "unset"
    if pool.queued_provisioning and taken != "NO_RESERVATION":
        # GKE: "Error 400: Queued_provisioning requires reservation affinity to be set to
        # none" (hashicorp/terraform-provider-google#18341)
        c.error(
            (*path, "reservationAffinity") if affinity else (*path, "queuedProvisioning"),
            "queued provisioning takes no reservation: GKE refuses it unless reservation "
            f'affinity is NO_RESERVATION, not {taken} ("Queued_provisioning requires '
            'reservation affinity to be set to none")',
            "reservationAffinity: {consumeReservationType: NO_RESERVATION}",
        )
    if affinity is None:
        return
    at = (*path, "reservationAffinity")
    specific = affinity.consume_reservation_type == "SPECIFIC_RESERVATION"
    if specific and (not affinity.key or not affinity.values):
        c.error(
            at,
            "a SPECIFIC_RESERVATION names its reservation: key and values are needed",
            f"key: {RESERVATION_NAME_KEY}, values: [RESERVATION-NAME]",
        )


def _check(spec: Document, c: Checker) -> None:
    for cname, cluster in clusters(spec).items():
        shaped = REGION.match(cluster.location) or catalog.looks_like_zone(cluster.location)
        region = catalog.region_of(cluster.location) if shaped else None
        for key, pool in cluster.node_pools.items():
            path: Path = ("clusters", cname, "nodePools", key)
            _check_pool(c, path, key, pool, cluster, region)


CONTAINER_API = "container.googleapis.com"  # the service its driver's client calls


def _catalog_names(spec: Document, node: base.Node) -> Iterable[base.CatalogName]:
    pool: NodePool = node.model
    region = catalog.region_of(clusters(spec)[str(node.path[1])].location)
    yield base.CatalogName("machineType", pool.machine_type, (*node.path, "machineType"), region)
    for i, acc in enumerate(pool.accelerators):
        yield base.CatalogName(
            "accelerator", acc.type, (*node.path, "accelerators", i, "type"), region
        )
    for i, zone in enumerate(pool.node_locations or []):
        yield base.CatalogName("location", zone, (*node.path, "nodeLocations", i))


def _identities(spec: Document, node: base.Node) -> Iterable[base.Identity]:
    cname, pname = str(node.path[1]), str(node.path[3])
    creator = clusters(spec)[cname].create_as
    if creator:  # made with its cluster, as its cluster is
        path: Path = ("clusters", cname, "createAs")
        yield base.Identity("createAs", creator, path, f"cluster {cname}")
    pool: NodePool = node.model
    holder = f"nodes of {cname}/{pname}"
    at = (*node.path, "serviceAccount")
    yield base.Identity(
        "runsAs", pool.service_account, at, holder, shared.NODE_ROLE, shared.NODE_ROLE_PURPOSE
    )


KIND = base.Kind(
    "nodePool",
    None,  # pools live under their cluster: clusters.NAME.nodePools
    _expand,
    _needs,
    _desired,
    apis=base.uses(CONTAINER_API),
    driver="gkeplan.kinds.gke.driver:NodePoolDriver",
    link=_link,
    check=_check,
    # GKE changes these only by recreating the pool's instances from a new template.
    immutable=frozenset(
        {
            "name",
            "spot",
            "preemptible",
            "accelerators",
            "serviceAccount",
            "oauthScopes",
            "diskType",
            "secureBoot",
            "integrityMonitoring",
            "maxPodsPerNode",
            # ForceNew in the Google provider (node_config.go: `metadata`, `local_ssd_count`,
            # `ephemeral_storage_local_ssd_config`), and not in UpdateNodePoolRequest
            "metadata",
            "localSsdCount",
            "ephemeralStorageLocalSsdCount",
            # ForceNew in the Google provider (node_config.go `reservation_affinity`, and
            # `guest_accelerator.gpu_driver_installation_config`, within accelerators above)
            "reservationAffinity",
            # ForceNew in the Google provider (resource_container_node_pool.go
            # `queued_provisioning`, `placement_policy`; node_config.go `sandbox_config`)
            "queuedProvisioning",
            "placementPolicy",
            "sandbox",
        }
    ),
    expected_seconds=120.0,
    create_before_destroy=True,
    catalog_names=_catalog_names,
    identities=_identities,
)
