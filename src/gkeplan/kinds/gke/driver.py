"""GKE clusters and node pools through ClusterManagerClient over REST.

A new cluster is created with its node pools in the same request (no default pool to create
and delete); a pool of a new cluster therefore exists once the cluster does.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan.errors import CloudError, OperationAbandoned, OperationFailed, ResourceExists
from gkeplan.gcp import operations
from gkeplan.gcp.errors import Failure, classify
from gkeplan.gcp.retry import call, through_propagation
from gkeplan.kinds.driver import Attributes, CallContext, Wanted
from gkeplan.kinds.gke.convert import (
    addons_to_proto,
    authenticator_to_proto,
    autoscaling_to_proto,
    cluster_from_proto,
    cluster_to_proto,
    dns_to_proto,
    endpoints_to_proto,
    kubelet_to_proto,
    linux_to_proto,
    logging_to_proto,
    maintenance_to_proto,
    monitoring_to_proto,
    nap_to_proto,
    pool_from_proto,
    pool_to_proto,
    security_posture_to_proto,
    settle_version,
)
from gkeplan.plan.model import Change

CLUSTERS_KEY = "gke.clusters"
log = logging.getLogger("gkeplan.apply")


def list_clusters(ctx: CallContext) -> dict[str, gke.Cluster]:
    """Every cluster of the project, from one list call shared by clusters and node pools."""
    with ctx.lock:
        cached = ctx.cache.get(CLUSTERS_KEY)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        client = ctx.conn.container()
        parent = f"projects/{ctx.project}/locations/-"
        response = call(ctx.conn.timeouts, lambda: client.list_clusters(parent=parent))
        ctx.count()
        clusters = {
            f"projects/{ctx.project}/locations/{c.location}/clusters/{c.name}": c
            for c in response.clusters
        }
        ctx.cache[CLUSTERS_KEY] = clusters
        return clusters


def client_for(ctx: CallContext, change: Change) -> Any:
    """Kubernetes Engine as the change's createAs account (impersonated), or as the caller."""
    create_as = change.inputs.get("createAs")
    return ctx.conn.container(ctx.conn.impersonate(create_as) if create_as else None)


def location_of(resource_id: str) -> str:
    return resource_id.split("/locations/", 1)[1].split("/", 1)[0]


def _wait(ctx: CallContext, client: Any, resource_id: str, op: Any, what: str) -> None:
    operations.wait(
        client,
        ctx.project,
        location_of(resource_id),
        op,
        ctx.conn.timeouts,
        what,
        ctx.conn.stop_waiting,
    )


_RUNNING_OP = re.compile(r"\b(operation-[\w-]+)")


def _mutate(
    ctx: CallContext,
    client: Any,
    resource_id: str,
    what: str,
    send: Callable[[], Any],
    *,
    propagating: bool = False,
) -> None:
    """Send one change to a cluster and wait for its operation. GKE runs one operation on a
    cluster at a time and refuses another with FAILED_PRECONDITION naming the running one; wait
    for that operation through the operations API, then send again (within the operation
    deadline), as the user would have to."""
    deadline = time.monotonic() + ctx.conn.timeouts.operation_deadline_s
    while True:
        try:
            if propagating:
                op = through_propagation(ctx.conn.timeouts, what, send)
            else:
                op = call(ctx.conn.timeouts, send)
        except Exception as exc:
            if classify(exc) is not Failure.IN_PROGRESS or time.monotonic() > deadline:
                raise
            found = _RUNNING_OP.search(str(exc))
            if found is None:
                time.sleep(ctx.conn.timeouts.operation_poll_s)
                continue
            name = operations.operation_name(
                ctx.project, location_of(resource_id), _Named(found.group(1))
            )
            log.info("%s: waiting for %s, already running on the cluster", what, found.group(1))
            running = call(ctx.conn.timeouts, functools.partial(client.get_operation, name=name))
            # that operation's own failure is not ours; only its end matters here
            with contextlib.suppress(OperationFailed):
                _wait(ctx, client, resource_id, running, f"{what} (waiting for {name})")
            continue
        _wait(ctx, client, resource_id, op, what)
        return


def _delete(ctx: CallContext, change: Change, send: Callable[[Any], Any]) -> None:
    """Delete a cluster or a node pool (`send` makes the call on the client)."""
    client = client_for(ctx, change)
    with contextlib.suppress(gexc.NotFound):  # already gone: the goal of a delete
        _mutate(ctx, client, change.id, f"delete {change.address}", lambda: send(client))


@dataclass(frozen=True)
class _Named:
    name: str


def _settled(attrs: Attributes, wanted: Iterable[Attributes], key: str) -> Attributes:
    """`attrs` with the version at `key` in the spelling of a wanted version it satisfies (a
    spec's "1.30" is met by a cluster running 1.30.5-gke.1014003 or later). The spec's comes
    first (the planner lists the spec before the state); when the spec asks for more than runs,
    the state's spelling, if met, keeps the plan from calling GKE's own upgrade drift."""
    for want in wanted:
        settled = settle_version(want.get(key), attrs.get(key))
        if settled != attrs.get(key):
            return {**attrs, key: settled}
    return attrs


def _unset_follows_gke(attrs: Attributes, wanted: Iterable[Attributes]) -> Attributes:
    """What the spec leaves unset inside a pool's settings follows what GKE chose: a GPU
    driver version (accelerators are ForceNew: a difference there would replace the pool), a
    kubelet or Linux setting. The read drops them, so they are never a change."""
    for want in wanted:
        out = dict(attrs)
        asked, have = want.get("accelerators"), attrs.get("accelerators")
        if asked and have and len(asked) == len(have):
            out["accelerators"] = [
                h
                if "gpuDriverVersion" in a
                else {k: v for k, v in h.items() if k != "gpuDriverVersion"}
                for a, h in zip(asked, have, strict=True)
            ]
        for key in ("kubeletConfig", "linuxNodeConfig"):
            given = want.get(key)
            if given is not None and isinstance(attrs.get(key), dict):
                out[key] = {k: v for k, v in attrs[key].items() if k in given}
        return out
    return attrs


# Node auto-provisioning's keys the desired state always has when it is on (cluster._nap)
_NAP_ALWAYS = frozenset({"enabled", "resourceLimits", "serviceAccount", "oauthScopes"})


def _settled_nap(attrs: Attributes, wanted: Iterable[Attributes]) -> Attributes:
    """The auto-created pools' defaults the spec leaves out (disk, image, management, ...)
    follow what GKE chose: the read drops them, so they are never a change."""
    for want in wanted:
        asked, have = want.get("nodeAutoProvisioning"), attrs.get("nodeAutoProvisioning")
        if isinstance(asked, dict) and isinstance(have, dict):
            kept = {k: v for k, v in have.items() if k in _NAP_ALWAYS or k in asked}
            return {**attrs, "nodeAutoProvisioning": kept}
        return attrs
    return attrs


def _read_cluster(cluster: gke.Cluster, wanted: Iterable[Attributes]) -> Attributes:
    wanted = list(wanted)
    return _settled_nap(_settled(cluster_from_proto(cluster), wanted, "masterVersion"), wanted)


def _read_pool(pool: gke.NodePool, wanted: Iterable[Attributes]) -> Attributes:
    wanted = list(wanted)
    return _unset_follows_gke(_settled(pool_from_proto(pool), wanted, "version"), wanted)


def _by_id(wanted: Iterable[Wanted]) -> dict[str, list[Attributes]]:
    out: dict[str, list[Attributes]] = {}
    for w in wanted:
        out.setdefault(w.id, []).append(w.attributes)
    return out


# A field changed through the update call of another: its message carries both.
_SENT_WITH = {
    "managedPrometheus": "monitoringComponents",
    "vulnerabilityMode": "securityPostureMode",
    "dnsEndpointExternalTraffic": "masterGlobalAccess",
    "autoscalingProfile": "nodeAutoProvisioning",
}


# A field that is one `enabled` flag: the ClusterUpdate field and message that change it.
_ENABLED_UPDATES: dict[str, tuple[str, Any]] = {
    "intranodeVisibility": ("desired_intra_node_visibility_config", gke.IntraNodeVisibilityConfig),
    "verticalPodAutoscaling": ("desired_vertical_pod_autoscaling", gke.VerticalPodAutoscaling),
    "secretManager": ("desired_secret_manager_config", gke.SecretManagerConfig),
    "costAllocation": ("desired_cost_management_config", gke.CostManagementConfig),
}


class ClusterDriver:
    kind = "cluster"

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        wants = _by_id(wanted)
        if not wants:
            return {}
        return {cid: _read_cluster(c, wants.get(cid, ())) for cid, c in list_clusters(ctx).items()}

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        inputs = change.inputs
        pools = [
            pool_to_proto(p, int(p.get("initialNodeCount", 1))) for p in inputs.get("nodePools", [])
        ]
        autopilot = bool((change.after or {}).get("autopilot"))
        if not inputs.get("removeDefaultNodePool", True) and not autopilot:
            pools.append(
                gke.NodePool(name="default-pool", initial_node_count=1, config=gke.NodeConfig())
            )
        cluster = cluster_to_proto(ctx.project, change.after or {}, inputs, pools)
        parent = f"projects/{ctx.project}/locations/{location_of(change.id)}"
        client = client_for(ctx, change)
        try:
            _mutate(
                ctx,
                client,
                change.id,
                f"create {change.address}",
                lambda: client.create_cluster(parent=parent, cluster=cluster),
                propagating=True,
            )
        except (gexc.AlreadyExists, gexc.Conflict) as exc:
            raise ResourceExists(str(exc), change.id) from None
        return self._read(ctx, client, change.id, change.after)

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        """The cluster as it is; one still provisioning (from an attempt whose answer was
        lost) is waited for first."""
        client = client_for(ctx, change)
        deadline = time.monotonic() + ctx.conn.timeouts.operation_deadline_s
        delay = ctx.conn.timeouts.initial_backoff_s
        while True:
            try:
                got = call(ctx.conn.timeouts, lambda: client.get_cluster(name=change.id))
            except gexc.NotFound:
                return None
            if got.status != gke.Cluster.Status.PROVISIONING or time.monotonic() > deadline:
                return _read_cluster(got, [change.after or {}])
            if ctx.conn.stop_waiting.wait(delay):  # a second Ctrl-C stops this wait too
                raise OperationAbandoned(
                    f"{change.address}: stopped waiting for {change.id} to finish "
                    "provisioning; the next apply takes it from there",
                    "",
                )
            delay = min(delay * 2, ctx.conn.timeouts.operation_poll_s)

    def _read(
        self, ctx: CallContext, client: Any, cluster_id: str, after: Attributes | None = None
    ) -> Attributes:
        got = call(ctx.conn.timeouts, lambda: client.get_cluster(name=cluster_id))
        return _read_cluster(got, [after or {}])

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        client = client_for(ctx, change)
        after = change.after or {}
        names = [f.name for f in change.fields]
        addons = {n for n in names if n.startswith("addons.")}
        if addons:
            # one setAddons call for every add-on that changes (projects.locations.clusters.
            # setAddons: "Sets the addons for a specific cluster"); the others are left as
            # they are, since only the ones named are sent
            request = {"name": change.id, "addons_config": addons_to_proto(after, addons)}
            send = functools.partial(client.set_addons_config, request=request)
            _mutate(ctx, client, change.id, f"update {change.address} add-ons", send)
        # fields GKE changes in one message go in one call (the monitoring config, the posture)
        for name in dict.fromkeys(_SENT_WITH.get(n, n) for n in names):
            if name in addons:
                continue
            for method, request in self._update_requests(ctx, client, change.id, name, after):
                send = functools.partial(getattr(client, method), request=request)
                _mutate(ctx, client, change.id, f"update {change.address} {name}", send)
        return self._read(ctx, client, change.id, after)

    def _update_requests(
        self, ctx: CallContext, client: Any, cluster_id: str, field: str, after: Attributes
    ) -> list[tuple[str, dict[str, Any]]]:
        """The calls, in order, that change one field in place."""
        if field == "networkPolicy":
            # Two settings in GKE: the NetworkPolicy add-on, then enforcement by setNetworkPolicy
            # (GKE docs, "Enabling network policy enforcement": `--update-addons=
            # NetworkPolicy=ENABLED`, then `--enable-network-policy`; disabling is the reverse).
            addon = (
                "update_cluster",
                {"name": cluster_id, "update": self._cluster_update(ctx, field, after)},
            )
            policy = (
                "set_network_policy",
                {
                    "name": cluster_id,
                    "network_policy": gke.NetworkPolicy(
                        enabled=after["networkPolicy"], provider=gke.NetworkPolicy.Provider.CALICO
                    ),
                },
            )
            return [addon, policy] if after["networkPolicy"] else [policy, addon]
        method = {
            "labels": "set_labels",
            "legacyAbac": "set_legacy_abac",
            "maintenancePolicy": "set_maintenance_policy",
        }.get(field, "update_cluster")
        return [(method, self._update_request(ctx, client, cluster_id, field, after))]

    def _update_request(
        self, ctx: CallContext, client: Any, cluster_id: str, field: str, after: Attributes
    ) -> dict[str, Any]:
        if field == "labels":  # labels change only with the fingerprint of what is there
            current = call(ctx.conn.timeouts, lambda: client.get_cluster(name=cluster_id))
            return {
                "name": cluster_id,
                "resource_labels": after["labels"],
                "label_fingerprint": current.label_fingerprint,
            }
        if field == "legacyAbac":
            return {"name": cluster_id, "enabled": after["legacyAbac"]}
        if field == "nodeAutoProvisioning":  # and the autoscaling profile: one message
            return {"name": cluster_id, "update": self._autoscaling(ctx, client, cluster_id, after)}
        if field == "maintenancePolicy":  # with the resourceVersion of the policy there
            current = call(ctx.conn.timeouts, lambda: client.get_cluster(name=cluster_id))
            version = current.maintenance_policy.resource_version
            policy = maintenance_to_proto(after["maintenancePolicy"], version)
            return {"name": cluster_id, "maintenance_policy": policy}
        return {"name": cluster_id, "update": self._cluster_update(ctx, field, after)}

    def _autoscaling(
        self, ctx: CallContext, client: Any, cluster_id: str, after: Attributes
    ) -> gke.ClusterUpdate:
        """ClusterAutoscaling as a whole, as the Google provider sends cluster_autoscaling:
        node auto-provisioning as the spec has it (or as it is, when the spec leaves it to
        GKE) with the autoscaling profile."""
        nap = after.get("nodeAutoProvisioning")
        if nap is not None:
            autoscaling = nap_to_proto(nap)
        else:
            current = call(ctx.conn.timeouts, lambda: client.get_cluster(name=cluster_id))
            autoscaling = gke.ClusterAutoscaling(current.autoscaling)
        if after.get("autoscalingProfile"):
            autoscaling.autoscaling_profile = after["autoscalingProfile"]
        return gke.ClusterUpdate(desired_cluster_autoscaling=autoscaling)

    def _cluster_update(self, ctx: CallContext, field: str, after: Attributes) -> gke.ClusterUpdate:
        if field in _ENABLED_UPDATES:
            desired, message = _ENABLED_UPDATES[field]
            return gke.ClusterUpdate(**{desired: message(enabled=after[field])})
        proto = cluster_to_proto(ctx.project, after, {}, [])
        if field == "releaseChannel":
            return gke.ClusterUpdate(desired_release_channel=proto.release_channel)
        if field == "workloadIdentity":
            return gke.ClusterUpdate(
                desired_workload_identity_config=gke.WorkloadIdentityConfig(
                    workload_pool=f"{ctx.project}.svc.id.goog" if after["workloadIdentity"] else ""
                )
            )
        if field == "masterAuthorizedNetworks":
            config = proto.master_authorized_networks_config
            return gke.ClusterUpdate(desired_master_authorized_networks_config=config)
        if field == "shieldedNodes":
            return gke.ClusterUpdate(desired_shielded_nodes=proto.shielded_nodes)
        if field == "nodeLocations":
            return gke.ClusterUpdate(desired_locations=after["nodeLocations"])
        if field == "masterVersion":
            return gke.ClusterUpdate(desired_master_version=after["masterVersion"])
        if field == "loggingComponents":
            return gke.ClusterUpdate(
                desired_logging_config=logging_to_proto(after["loggingComponents"])
            )
        if field == "monitoringComponents":
            config = monitoring_to_proto(
                after["monitoringComponents"], after.get("managedPrometheus")
            )
            return gke.ClusterUpdate(desired_monitoring_config=config)
        if field == "securityPostureMode":
            return gke.ClusterUpdate(
                desired_security_posture_config=security_posture_to_proto(after)
            )
        if field == "masterGlobalAccess":  # and the DNS endpoint: one endpoints config
            return gke.ClusterUpdate(
                desired_control_plane_endpoints_config=endpoints_to_proto(after)
            )
        if field == "clusterDns":
            return gke.ClusterUpdate(desired_dns_config=dns_to_proto(after["clusterDns"]))
        if field == "gatewayApi":
            return gke.ClusterUpdate(
                desired_gateway_api_config=gke.GatewayAPIConfig(channel=after["gatewayApi"])
            )
        if field == "binaryAuthorization":
            return gke.ClusterUpdate(
                desired_binary_authorization=gke.BinaryAuthorization(
                    evaluation_mode=after["binaryAuthorization"]
                )
            )
        if field == "authenticatorGroup":
            return gke.ClusterUpdate(
                desired_authenticator_groups_config=authenticator_to_proto(
                    after["authenticatorGroup"]
                )
            )
        # one call each, as the Google provider sends them (resource_container_cluster.go, on a
        # change of node_pool_auto_config.0.network_tags.0.tags / .resource_manager_tags)
        if field == "autoConfigNetworkTags":
            return gke.ClusterUpdate(
                desired_node_pool_auto_config_network_tags=gke.NetworkTags(tags=after[field])
            )
        if field == "autoConfigResourceManagerTags":
            return gke.ClusterUpdate(
                desired_node_pool_auto_config_resource_manager_tags=gke.ResourceManagerTags(
                    tags=after[field]
                )
            )
        if field == "networkPolicy":
            return gke.ClusterUpdate(
                desired_addons_config=gke.AddonsConfig(
                    network_policy_config=gke.NetworkPolicyConfig(
                        disabled=not after["networkPolicy"]
                    )
                )
            )
        raise CloudError(f"cluster field {field} cannot be updated in place")

    def delete(self, ctx: CallContext, change: Change) -> None:
        _delete(ctx, change, lambda client: client.delete_cluster(name=change.id))


def _cluster_of(pool_id: str) -> str:
    return pool_id.split("/nodePools/", 1)[0]


class NodePoolDriver:
    kind = "nodePool"

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        wants = _by_id(wanted)
        if not wants:
            return {}
        out = {}
        for cid, cluster in list_clusters(ctx).items():
            for pool in cluster.node_pools:
                pid = f"{cid}/nodePools/{pool.name}"
                out[pid] = _read_pool(pool, wants.get(pid, ()))
        return out

    def _get(self, ctx: CallContext, client: Any, pool_id: str) -> gke.NodePool | None:
        try:
            pool = call(ctx.conn.timeouts, lambda: client.get_node_pool(name=pool_id))
        except gexc.NotFound:
            return None
        return pool  # type: ignore[no-any-return]

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        client = client_for(ctx, change)
        pool = pool_to_proto(change.after or {}, int(change.inputs.get("initialNodeCount", 1)))
        try:
            _mutate(
                ctx,
                client,
                change.id,
                f"create {change.address}",
                lambda: client.create_node_pool(parent=_cluster_of(change.id), node_pool=pool),
                propagating=True,
            )
        except (gexc.AlreadyExists, gexc.Conflict) as exc:
            # Also the normal case for a pool of a new cluster: it came with the cluster.
            raise ResourceExists(str(exc), change.id) from None
        got = self._get(ctx, client, change.id)
        if got is None:
            raise CloudError(f"{change.address}: created, but GKE does not return it")
        return _read_pool(got, [change.after or {}])

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        got = self._get(ctx, client_for(ctx, change), change.id)
        if got is None:
            return None
        return _read_pool(got, [change.after or {}])

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        client = client_for(ctx, change)
        after = change.after or {}
        names = {f.name for f in change.fields}
        if names & {"autoscaling", "locationPolicy"}:
            autoscaling = autoscaling_to_proto(after["autoscaling"], after.get("locationPolicy"))
            _mutate(
                ctx,
                client,
                change.id,
                f"autoscaling of {change.address}",
                lambda: client.set_node_pool_autoscaling(
                    request={"name": change.id, "autoscaling": autoscaling}
                ),
            )
        if names & {"autoRepair", "autoUpgrade"}:
            management = gke.NodeManagement(
                auto_repair=after["autoRepair"], auto_upgrade=after["autoUpgrade"]
            )
            _mutate(
                ctx,
                client,
                change.id,
                f"management of {change.address}",
                lambda: client.set_node_pool_management(
                    request={"name": change.id, "management": management}
                ),
            )
        rest = names - {"autoscaling", "locationPolicy", "autoRepair", "autoUpgrade"}
        if rest:
            proto = pool_to_proto(after, 0)
            request: dict[str, Any] = {
                "name": change.id,
                # UpdateNodePoolRequest.nodeVersion is required; "-" picks the master's version
                "node_version": after.get("version") or "-",
                "image_type": after["imageType"],
            }
            if "tags" in rest:
                request["tags"] = gke.NetworkTags(tags=after["tags"])
            if "imageStreaming" in rest:
                request["gcfs_config"] = gke.GcfsConfig(enabled=after["imageStreaming"])
            if "machineType" in rest:
                request["machine_type"] = after["machineType"]
            if "diskSizeGb" in rest:
                request["disk_size_gb"] = after["diskSizeGb"]
            if "labels" in rest:
                request["labels"] = gke.NodeLabels(labels=after["labels"])
            if "taints" in rest:
                request["taints"] = gke.NodeTaints(taints=proto.config.taints)
            if "upgradeSettings" in rest:
                request["upgrade_settings"] = proto.upgrade_settings
            if "workloadMetadata" in rest:
                request["workload_metadata_config"] = proto.config.workload_metadata_config
            if "nodeLocations" in rest:
                request["locations"] = after["nodeLocations"] or []
            if "gvnic" in rest:  # in place: UpdateNodePoolRequest.gvnic (node_config.go)
                request["gvnic"] = gke.VirtualNIC(enabled=after["gvnic"])
            # in place too: UpdateNodePoolRequest.kubeletConfig / linuxNodeConfig (the Google
            # provider, node_config.go, on a change of node_config.0.kubelet_config / ...)
            if "kubeletConfig" in rest:
                request["kubelet_config"] = kubelet_to_proto(after["kubeletConfig"])
            if "linuxNodeConfig" in rest:
                request["linux_node_config"] = linux_to_proto(after["linuxNodeConfig"])
            _mutate(
                ctx,
                client,
                change.id,
                f"update {change.address}",
                lambda: client.update_node_pool(request=request),
            )
        got = self._get(ctx, client, change.id)
        if got is None:
            return dict(after)
        return _read_pool(got, [after])

    def delete(self, ctx: CallContext, change: Change) -> None:
        _delete(ctx, change, lambda client: client.delete_node_pool(name=change.id))
