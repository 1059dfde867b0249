"""cluster.NAME: a GKE cluster, created together with its node pools in one request."""

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
from gkeplan.resources.iam_member import IamMember
from gkeplan.spec.models import Spec
from gkeplan.spec.refs import own_account


def _expand(spec: Spec) -> Iterable[Node]:
    for name, cluster in spec.clusters.items():
        path: Path = ("clusters", name)
        yield Node(
            f"cluster.{name}",
            "cluster",
            path,
            cluster,
            tuple(explicit_deps(path, cluster.depends_on)),
        )


def creator_deps(
    spec: Spec,
    creator_ref: str | None,
    ref_path: Path,
    nodes: Mapping[str, Node],
    node_accounts: Iterable[tuple[str, Path]],
) -> Iterable[Dep]:
    """What the identity creating a cluster or pool needs first: itself, its grants, actAs."""
    creator = own_account(spec, creator_ref) if creator_ref else None
    accounts = {own_account(spec, ref) for ref, _ in node_accounts}
    for ref, path in node_accounts:
        own = own_account(spec, ref)
        if own is not None:
            yield Dep(f"serviceAccount.{own}", "node service account", path)
    if creator is None:
        return
    yield Dep(f"serviceAccount.{creator}", "createAs account", ref_path)
    for address, node in nodes.items():
        if node.kind != "iamMember":
            continue
        grant: IamMember = node.config
        target = (
            own_account(spec, grant.target.name) if grant.target.kind == "serviceAccount" else None
        )
        if grant.member.account == creator and (
            grant.target.kind == "project" or target in accounts
        ):
            yield Dep(address, "role of the createAs account", ref_path)
        elif target == creator:
            yield Dep(address, "lets the caller impersonate the createAs account", ref_path)


def _link(spec: Spec, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    cluster = spec.clusters[node.address.split(".", 1)[1]]
    pools = [
        (pool.service_account, (*node.path, "nodePools", key, "serviceAccount"))
        for key, pool in cluster.node_pools.items()
        if pool.service_account is not None
    ]
    return creator_deps(spec, cluster.create_as, (*node.path, "createAs"), nodes, pools)


DEFAULT_COMPUTE_SA = "default-compute-service-account"


def act_as(spec: Spec, ref: str | None) -> Permission:
    """actAs on the account nodes run as; None means the Compute Engine default account."""
    if ref is None:
        return Permission("iam.serviceAccounts.actAs", DEFAULT_COMPUTE_SA)
    own = own_account(spec, ref)
    return Permission("iam.serviceAccounts.actAs", f"serviceAccount.{own}" if own else ref)


_NEEDS = {
    "read": ("container.clusters.get",),
    "create": ("container.clusters.create", "container.operations.get"),
    "update": ("container.clusters.update", "container.operations.get"),
    "delete": ("container.clusters.delete", "container.operations.get"),
}


def _needs(spec: Spec, node: Node, action: Action) -> tuple[Permission, ...]:
    needs = [Permission(p) for p in _NEEDS[action]]
    if action == "create":  # node pools are created inline, so the cluster needs their actAs
        cluster = spec.clusters[node.address.split(".", 1)[1]]
        refs: list[str | None] = [p.service_account for p in cluster.node_pools.values()]
        if not cluster.remove_default_node_pool:
            refs.append(None)
        needs.extend(dict.fromkeys(act_as(spec, r) for r in refs))
    return tuple(needs)


def cluster_id(spec: Spec, key: str) -> str:
    cluster = spec.clusters[key]
    return f"projects/{spec.project}/locations/{cluster.location}/clusters/{cluster.name or key}"


def _desired(spec: Spec, node: Node) -> DesiredState:
    key = node.address.split(".", 1)[1]
    c = spec.clusters[key]
    private = c.private_cluster
    return DesiredState(
        cluster_id(spec, key),
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
            "removeDefaultNodePool": c.remove_default_node_pool,
            "masterIpv4CidrBlock": private.master_ipv4_cidr_block if private else None,
        },
    )


KIND = ResourceKind(
    "cluster",
    _expand,
    _link,
    _needs,
    _desired,
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
)
