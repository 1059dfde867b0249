"""nodePool.CLUSTER.POOL: a GKE node pool (created inline with a new cluster)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from gkeplan.diagnostics import Path
from gkeplan.resources.base import (
    Action,
    Dep,
    DesiredState,
    Node,
    Permission,
    ResourceKind,
    explicit_deps,
)
from gkeplan.resources.cluster import act_as, cluster_id, creator_deps
from gkeplan.spec.models import NodePool, Spec
from gkeplan.spec.refs import account_email, own_account


def _expand(spec: Spec) -> Iterable[Node]:
    for cname, cluster in spec.clusters.items():
        for pname, pool in cluster.node_pools.items():
            path: Path = ("clusters", cname, "nodePools", pname)
            deps = [
                Dep(f"cluster.{cname}", "its cluster", path),
                *explicit_deps(path, pool.depends_on),
            ]
            yield Node(f"nodePool.{cname}.{pname}", "nodePool", path, pool, tuple(deps))


def _link(spec: Spec, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    cname = str(node.path[1])
    pool = spec.clusters[cname].node_pools[str(node.path[3])]
    accounts = (
        [(pool.service_account, (*node.path, "serviceAccount"))] if pool.service_account else []
    )
    create_as = spec.clusters[cname].create_as
    return creator_deps(spec, create_as, ("clusters", cname, "createAs"), nodes, accounts)


def _needs(spec: Spec, node: Node, action: Action) -> tuple[Permission, ...]:
    # GKE has no container.nodePools.* permissions: pools are part of the cluster.
    if action == "read":
        return (Permission("container.clusters.get"),)
    needs = [Permission("container.clusters.update"), Permission("container.operations.get")]
    if action == "create":
        needs.append(act_as(spec, node.config.service_account))
    return tuple(needs)


DEFAULT_SERVICE_ACCOUNT = "default"


def node_service_account(spec: Spec, pool: NodePool) -> str:
    if pool.service_account is None:
        return DEFAULT_SERVICE_ACCOUNT
    own = own_account(spec, pool.service_account)
    return account_email(spec, own) if own else pool.service_account


def pool_attributes(spec: Spec, pool: NodePool, name: str) -> dict[str, object]:
    auto = pool.autoscaling
    return {
        "name": name,
        "machineType": pool.machine_type,
        "diskSizeGb": pool.disk_size_gb,
        "diskType": pool.disk_type,
        "imageType": pool.image_type,
        "spot": pool.spot,
        "preemptible": pool.preemptible,
        "accelerators": [a.model_dump(by_alias=True) for a in pool.accelerators],
        "labels": dict(pool.labels),
        "taints": [t.model_dump(by_alias=True) for t in pool.taints],
        "serviceAccount": node_service_account(spec, pool),
        "oauthScopes": sorted(pool.oauth_scopes),
        "autoscaling": (
            {
                "enabled": True,
                "minNodeCount": auto.min_node_count,
                "maxNodeCount": auto.max_node_count,
            }
            if auto
            else {"enabled": False}
        ),
        "upgradeSettings": pool.upgrade_settings.model_dump(by_alias=True),
        "autoRepair": pool.management.auto_repair,
        "autoUpgrade": pool.management.auto_upgrade,
        "secureBoot": pool.shielded_instance_config.enable_secure_boot,
        "integrityMonitoring": pool.shielded_instance_config.enable_integrity_monitoring,
        "workloadMetadata": pool.workload_metadata,
        "nodeLocations": sorted(pool.node_locations) if pool.node_locations else None,
        "maxPodsPerNode": pool.max_pods_per_node,
    }


def _desired(spec: Spec, node: Node) -> DesiredState:
    cname, pname = str(node.path[1]), str(node.path[3])
    pool: NodePool = node.config
    name = pool.name or pname
    return DesiredState(
        f"{cluster_id(spec, cname)}/nodePools/{name}",
        pool_attributes(spec, pool, name),
        {"initialNodeCount": pool.initial_node_count},
    )


KIND = ResourceKind(
    "nodePool",
    _expand,
    _link,
    _needs,
    _desired,
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
        }
    ),
)
