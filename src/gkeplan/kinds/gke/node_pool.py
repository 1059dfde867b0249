"""nodePool.CLUSTER.POOL: a GKE node pool (created inline with a new cluster)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from gkeplan import catalog
from gkeplan.errors import Path
from gkeplan.kinds import service_account as sa
from gkeplan.kinds.base import (
    Action,
    Dep,
    DesiredState,
    Kind,
    Node,
    Permission,
    explicit_deps,
)
from gkeplan.kinds.gke import shared
from gkeplan.kinds.gke.models import Cluster, NodePool, clusters
from gkeplan.spec import names
from gkeplan.spec.base import Document
from gkeplan.spec.checks import REGION, Checker
from gkeplan.spec.strings import show


def _expand(spec: Document) -> Iterable[Node]:
    for cname, cluster in clusters(spec).items():
        for pname, pool in cluster.node_pools.items():
            path: Path = ("clusters", cname, "nodePools", pname)
            deps = [
                Dep(f"cluster.{cname}", "its cluster", path),
                *explicit_deps(path, pool.depends_on),
            ]
            yield Node(f"nodePool.{cname}.{pname}", "nodePool", path, pool, tuple(deps))


def _link(spec: Document, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    cname = str(node.path[1])
    pool: NodePool = node.config
    accounts = (
        [(pool.service_account, (*node.path, "serviceAccount"))] if pool.service_account else []
    )
    create_as = clusters(spec)[cname].create_as
    return shared.creator_deps(spec, create_as, ("clusters", cname, "createAs"), nodes, accounts)


def _needs(spec: Document, node: Node, action: Action) -> tuple[Permission, ...]:
    # GKE has no container.nodePools.* permissions: pools are part of the cluster.
    if action == "read":
        return (Permission("container.clusters.get"),)
    needs = [Permission("container.clusters.update"), Permission("container.operations.get")]
    if action == "create":
        needs.append(shared.act_as(spec, node.config.service_account))
    return tuple(needs)


def _desired(spec: Document, node: Node) -> DesiredState:
    cname, pname = str(node.path[1]), str(node.path[3])
    pool: NodePool = node.config
    name = pool.name or pname
    create_as = clusters(spec)[cname].create_as
    return DesiredState(
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
    if pool.disk_type and pool.disk_type.startswith("pd-") and catalog.hyperdisk_only(family):
        # "The new C4, C4A, C4D, N4, N4A, and N4D families do not support pd-balanced disks"
        # (nextflow-io/nextflow#6841); they boot from Hyperdisk only.
        c.error(
            (*path, "diskType"),
            f"{family.upper()} machines boot only from Hyperdisk, not {pool.disk_type}",
            "diskType: hyperdisk-balanced (or leave diskType out)",
        )
    _check_node_config(c, path, pool)
    if pool.spot and pool.preemptible:
        c.error(
            (*path, "spot"),
            "a node pool is either spot or preemptible, not both",
            "use spot: true (preemptible VMs are the older form of spot VMs)",
        )
    auto = pool.autoscaling
    if auto is not None:
        if auto.min_node_count > auto.max_node_count:
            c.error(
                (*path, "autoscaling"),
                f"minNodeCount {auto.min_node_count} is greater than "
                f"maxNodeCount {auto.max_node_count}",
            )
        elif pool.initial_node_count > auto.max_node_count:
            c.error(
                (*path, "initialNodeCount"),
                f"initialNodeCount {pool.initial_node_count} is "
                f"above autoscaling.maxNodeCount {auto.max_node_count}",
            )
    if pool.service_account is not None:
        sa.check_ref(c, (*path, "serviceAccount"), pool.service_account, "serviceAccount")
    c.labels((*path, "labels"), pool.labels)
    c.depends_on(path, pool)


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


def _check(spec: Document, c: Checker) -> None:
    for cname, cluster in clusters(spec).items():
        shaped = REGION.match(cluster.location) or catalog.looks_like_zone(cluster.location)
        region = catalog.region_of(cluster.location) if shaped else None
        for key, pool in cluster.node_pools.items():
            path: Path = ("clusters", cname, "nodePools", key)
            _check_pool(c, path, key, pool, cluster, region)


KIND = Kind(
    "nodePool",
    None,  # pools live under their cluster: clusters.NAME.nodePools
    _expand,
    _needs,
    _desired,
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
        }
    ),
    weight=120.0,
    create_before_destroy=True,
)
