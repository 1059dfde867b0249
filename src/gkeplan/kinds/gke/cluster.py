"""cluster.NAME: a GKE cluster, created together with its node pools in one request."""

from __future__ import annotations

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
    Section,
    explicit_deps,
)
from gkeplan.kinds.gke import shared
from gkeplan.kinds.gke.models import Cluster, clusters
from gkeplan.spec import names
from gkeplan.spec.base import Document
from gkeplan.spec.checks import Checker


def _expand(spec: Document) -> Iterable[Node]:
    for name, cluster in clusters(spec).items():
        path: Path = ("clusters", name)
        yield Node(
            f"cluster.{name}",
            "cluster",
            path,
            cluster,
            tuple(explicit_deps(path, cluster.depends_on)),
        )


def _link(spec: Document, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    cluster: Cluster = node.config
    pools = [
        (pool.service_account, (*node.path, "nodePools", key, "serviceAccount"))
        for key, pool in cluster.node_pools.items()
        if pool.service_account is not None
    ]
    return shared.creator_deps(spec, cluster.create_as, (*node.path, "createAs"), nodes, pools)


_NEEDS = {
    "read": ("container.clusters.get",),
    "create": ("container.clusters.create", "container.operations.get"),
    "update": ("container.clusters.update", "container.operations.get"),
    "delete": ("container.clusters.delete", "container.operations.get"),
}


def _needs(spec: Document, node: Node, action: Action) -> tuple[Permission, ...]:
    needs = [Permission(p) for p in _NEEDS[action]]
    if action == "create":  # node pools are created inline, so the cluster needs their actAs
        cluster: Cluster = node.config
        refs: list[str | None] = [p.service_account for p in cluster.node_pools.values()]
        if not cluster.remove_default_node_pool:
            refs.append(None)
        needs.extend(dict.fromkeys(shared.act_as(spec, r) for r in refs))
    return tuple(needs)


def _desired(spec: Document, node: Node) -> DesiredState:
    key = node.address.split(".", 1)[1]
    c: Cluster = node.config
    private = c.private_cluster
    cid = shared.cluster_id(spec, key)
    return DesiredState(
        cid,
        {
            "name": c.name or key,
            "location": c.location,
            "nodeLocations": sorted(c.node_locations) if c.node_locations else None,
            "description": c.description or "",
            "releaseChannel": c.release_channel,
            "workloadIdentity": c.workload_identity,
            "privateNodes": bool(private and private.enable_private_nodes),
            "privateEndpoint": bool(private and private.enable_private_endpoint),
            "masterAuthorizedNetworks": (
                [
                    n.model_dump(by_alias=True, exclude_none=True)
                    for n in c.master_authorized_networks
                ]
                if c.master_authorized_networks is not None
                else None
            ),
            "networkPolicy": c.network_policy,
            "shieldedNodes": c.shielded_nodes,
            "legacyAbac": c.enable_legacy_abac,
            "issueClientCertificate": c.issue_client_certificate,
            "network": c.network,
            "subnetwork": c.subnetwork,
            "labels": dict(c.labels),
        },
        {
            "createAs": sa.email_of(spec, c.create_as) if c.create_as else None,
            "removeDefaultNodePool": c.remove_default_node_pool,
            "masterIpv4CidrBlock": private.master_ipv4_cidr_block if private else None,
            # The pools are created inline, in the cluster's own request.
            "nodePools": [
                {
                    **shared.pool_attributes(spec, c, pool, pool.name or pkey),
                    "initialNodeCount": pool.initial_node_count,
                }
                for pkey, pool in c.node_pools.items()
            ],
            # Journaled with the cluster's create: these pools are gkeplan's own.
            "alsoCreates": [
                {
                    "address": f"nodePool.{key}.{k}",
                    "kind": "nodePool",
                    "id": f"{cid}/nodePools/{p.name or k}",
                }
                for k, p in c.node_pools.items()
            ],
            "deletionProtection": c.deletion_protection,
        },
    )


def _check(spec: Document, c: Checker) -> None:
    for key, cluster in clusters(spec).items():
        path: Path = ("clusters", key)
        c.check_name(
            (*path, "name") if cluster.name else path,
            names.gke_name(cluster.name or key, "cluster"),
        )
        valid_location = c.location((*path, "location"), cluster.location)
        region = catalog.region_of(cluster.location) if valid_location else None
        c.zones((*path, "nodeLocations"), cluster.node_locations, region)
        if cluster.create_as is not None:
            sa.check_ref(c, (*path, "createAs"), cluster.create_as, "createAs")
        if cluster.remove_default_node_pool and not cluster.node_pools:
            c.error(
                path,
                "the cluster has no node pools and removes the default one",
                "add a pool under nodePools, or set removeDefaultNodePool: false",
            )
        c.labels((*path, "labels"), cluster.labels)
        c.depends_on(path, cluster)


KIND = Kind(
    "cluster",
    Section(
        "clusters", dict[str, Cluster], dict, "GKE clusters, by key, each with its node pools."
    ),
    _expand,
    _needs,
    _desired,
    driver="gkeplan.kinds.gke.driver:ClusterDriver",
    link=_link,
    check=_check,
    immutable=frozenset(
        {
            "name",
            "location",
            "description",
            "privateNodes",
            "privateEndpoint",
            "issueClientCertificate",
            "network",
            "subnetwork",
        }
    ),
    weight=300.0,
)
