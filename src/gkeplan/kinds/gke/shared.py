"""What the cluster and node-pool kinds share: ids, the creating identity and its needs,
and a pool's attributes (a new cluster creates its pools inline)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gkeplan.errors import Path
from gkeplan.kinds import base
from gkeplan.kinds import service_account as sa
from gkeplan.kinds.gke.models import (
    Autoscaling,
    Cluster,
    NodePool,
    boot_disk_type,
    clusters,
    metadata_mode,
)
from gkeplan.kinds.iam_member import IamMember
from gkeplan.spec.base import Document, Model

DEFAULT_SERVICE_ACCOUNT = "default"
# What a node's account needs to write logs and metrics: "Grant roles/container.
# defaultNodeServiceAccount role to Node service account to allow for non-degraded operations."
# (GKE troubleshooting/service-accounts, for "clusters using Kubernetes version 1.33 or
# earlier"; without it logs, metrics and the HPA profile degrade, the nodes still run.)
NODE_ROLE = "roles/container.defaultNodeServiceAccount"
NODE_ROLE_PURPOSE = (
    "nodes need to write logs and metrics: on GKE 1.33 and earlier, logging and monitoring degrade"
)
LEGACY_ENDPOINTS = "disable-legacy-endpoints"


def cluster_id(spec: Document, key: str) -> str:
    cluster = clusters(spec)[key]
    return f"projects/{spec.project}/locations/{cluster.location}/clusters/{cluster.name or key}"


def act_as(spec: Document, ref: str | None) -> base.Permission:
    """actAs on the account nodes run as; None means the Compute Engine default account."""
    if ref is None:
        return base.Permission("iam.serviceAccounts.actAs", base.DEFAULT_COMPUTE_SA)
    own = sa.own_account(spec, ref)
    return base.Permission("iam.serviceAccounts.actAs", f"serviceAccount.{own}" if own else ref)


def creator_deps(
    spec: Document,
    creator_ref: str | None,
    ref_path: Path,
    nodes: Mapping[str, base.Node],
    node_accounts: Iterable[tuple[str, Path]],
) -> Iterable[base.Dep]:
    """What the identity creating a cluster or pool needs first: itself, its grants, actAs."""
    creator = sa.own_account(spec, creator_ref) if creator_ref else None
    accounts = {sa.own_account(spec, ref) for ref, _ in node_accounts}
    for ref, path in node_accounts:
        own = sa.own_account(spec, ref)
        if own is not None:
            yield base.Dep(f"serviceAccount.{own}", "node service account", path)
    if creator is None:
        return
    yield base.Dep(f"serviceAccount.{creator}", "createAs account", ref_path)
    by_member, by_target = _grants_by_account(spec, nodes)
    roles = set()
    for address, target_kind, target in by_member.get(creator, ()):
        if target_kind == "project" or target in accounts:
            roles.add(address)
            yield base.Dep(address, "role of the createAs account", ref_path)
    for address in by_target.get(creator, ()):
        if address not in roles:
            yield base.Dep(address, "lets the caller impersonate the createAs account", ref_path)


_GrantIndex = tuple[dict[str, list[tuple[str, str, str | None]]], dict[str, list[str]]]


def _grants_by_account(spec: Document, nodes: Mapping[str, base.Node]) -> _GrantIndex:
    """IAM grants by the spec account they are given to, and by the account they are on
    (built once per spec, so linking every cluster and pool stays linear)."""

    def build() -> _GrantIndex:
        by_member: dict[str, list[tuple[str, str, str | None]]] = {}
        by_target: dict[str, list[str]] = {}
        for address, node in nodes.items():
            if node.kind != "iamMember":
                continue
            grant: IamMember = node.model
            target = (
                sa.own_account(spec, grant.target.name)
                if grant.target.kind == "serviceAccount"
                else None
            )
            if grant.member.account is not None:
                by_member.setdefault(grant.member.account, []).append(
                    (address, grant.target.kind, target)
                )
            if target is not None:
                by_target.setdefault(target, []).append(address)
        return by_member, by_target

    return spec.memo("gke.grants_by_account", build)


def node_service_account(spec: Document, pool: NodePool) -> str:
    if pool.service_account is None:
        return DEFAULT_SERVICE_ACCOUNT
    return sa.email_of(spec, pool.service_account)


def _autoscaling(auto: Autoscaling | None) -> dict[str, object]:
    if auto is None:
        return {"enabled": False}
    if auto.totals:  # GKE then has no per-zone limits: 0 (the provider's min/max unset)
        return {
            "enabled": True,
            "minNodeCount": 0,
            "maxNodeCount": 0,
            "totalMinNodeCount": auto.total_min_node_count or 0,
            "totalMaxNodeCount": auto.total_max_node_count or 0,
        }
    return {
        "enabled": True,
        "minNodeCount": auto.min_node_count,
        "maxNodeCount": auto.max_node_count,
    }


def pool_attributes(
    spec: Document, cluster: Cluster, pool: NodePool, name: str
) -> dict[str, object]:
    auto = pool.autoscaling
    return {
        "name": name,
        "machineType": pool.machine_type,
        "diskSizeGb": pool.disk_size_gb,
        "diskType": boot_disk_type(pool),
        "imageType": pool.image_type,
        "spot": pool.spot,
        "preemptible": pool.preemptible,
        "accelerators": [a.model_dump(by_alias=True, exclude_none=True) for a in pool.accelerators],
        "labels": dict(pool.labels),
        "taints": [t.model_dump(by_alias=True) for t in pool.taints],
        "serviceAccount": node_service_account(spec, pool),
        "oauthScopes": sorted(pool.oauth_scopes),
        "autoscaling": _autoscaling(auto),
        # None follows what GKE chose (BALANCED unless told otherwise)
        "locationPolicy": auto.location_policy if auto else None,
        "upgradeSettings": pool.upgrade_settings.model_dump(by_alias=True),
        "autoRepair": pool.management.auto_repair,
        "autoUpgrade": pool.management.auto_upgrade,
        "secureBoot": pool.shielded_instance_config.enable_secure_boot,
        "integrityMonitoring": pool.shielded_instance_config.enable_integrity_monitoring,
        "workloadMetadata": metadata_mode(cluster, pool),
        "nodeLocations": sorted(pool.node_locations) if pool.node_locations else None,
        "maxPodsPerNode": pool.max_pods_per_node,
        "version": pool.version,
        "tags": sorted(pool.tags),
        # "From GKE 1.12 onwards, disable-legacy-endpoints is set to true by the API; if
        # metadata is set but that default value is not included, Terraform will attempt to
        # unset the value" (Google provider docs, quoted in
        # hashicorp/terraform-provider-google#3725): sent explicitly, so what GKE returns
        # matches and an immutable field does not replace the pool on every plan.
        "metadata": {LEGACY_ENDPOINTS: "true", **pool.metadata},
        "imageStreaming": pool.image_streaming,
        "localSsdCount": pool.local_ssd_count,
        "ephemeralStorageLocalSsdCount": pool.ephemeral_storage_local_ssd_count,
        "gvnic": pool.gvnic,
        "reservationAffinity": (
            pool.reservation_affinity.model_dump(by_alias=True, exclude_none=True)
            if pool.reservation_affinity
            else None
        ),
        "queuedProvisioning": pool.queued_provisioning,
        "placementPolicy": pool.placement_policy.model_dump(by_alias=True, exclude_none=True)
        if pool.placement_policy
        else None,
        "sandbox": pool.sandbox,
        "kubeletConfig": _given(pool.kubelet_config),
        "linuxNodeConfig": _given(pool.linux_node_config),
    }


def _given(config: Model | None) -> dict[str, object] | None:
    """What the spec sets of a config; the rest follows GKE (driver._unset_follows_gke)."""
    return config.model_dump(by_alias=True, exclude_none=True) if config else None
