"""GKE clusters through ClusterManagerClient over REST; node pools are created inline."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan.drivers.base import Attributes, Context, Wanted
from gkeplan.drivers.gke_convert import (
    cluster_from_proto,
    cluster_to_proto,
    pool_from_proto,
    pool_to_proto,
)
from gkeplan.gcp import operations
from gkeplan.gcp.retry import call, through_propagation
from gkeplan.plan_model import Change
from gkeplan.resources.node_pool import pool_attributes
from gkeplan.spec.refs import account_email, own_account

CLUSTERS_KEY = "gke.clusters"


def list_clusters(ctx: Context) -> dict[str, gke.Cluster]:
    """Every cluster of the project, from one list call shared by clusters and node pools."""
    with ctx.lock:
        cached = ctx.cache.get(CLUSTERS_KEY)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        client = ctx.conn.container()
        parent = f"projects/{ctx.spec.project}/locations/-"
        response = call(ctx.conn.timeouts, lambda: client.list_clusters(parent=parent))
        ctx.count()
        clusters = {
            f"projects/{ctx.spec.project}/locations/{c.location}/clusters/{c.name}": c
            for c in response.clusters
        }
        ctx.cache[CLUSTERS_KEY] = clusters
        return clusters


def creator_credentials(ctx: Context, cluster_key: str) -> Any:
    """The createAs account's impersonated credentials, or None for the caller's own."""
    ref = ctx.spec.clusters[cluster_key].create_as
    if ref is None:
        return None
    own = own_account(ctx.spec, ref)
    return ctx.conn.impersonate(account_email(ctx.spec, own) if own else ref)


def cluster_key_for(ctx: Context, cluster_id: str) -> str | None:
    for key, c in ctx.spec.clusters.items():
        if cluster_id.endswith(f"/locations/{c.location}/clusters/{c.name or key}"):
            return key
    return None


def location_of(resource_id: str) -> str:
    return resource_id.split("/locations/", 1)[1].split("/", 1)[0]


class ClusterDriver:
    kind = "cluster"

    def read_all(self, ctx: Context, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        if not list(wanted):
            return {}
        return {cid: cluster_from_proto(c) for cid, c in list_clusters(ctx).items()}

    def _client(self, ctx: Context, change: Change) -> Any:
        key = cluster_key_for(ctx, change.id)
        return ctx.conn.container(creator_credentials(ctx, key) if key else None)

    def create(self, ctx: Context, change: Change) -> Attributes:
        key = cluster_key_for(ctx, change.id)
        assert key is not None
        spec_cluster = ctx.spec.clusters[key]
        pools = [
            pool_to_proto(pool_attributes(ctx.spec, p, p.name or pk), p.initial_node_count)
            for pk, p in spec_cluster.node_pools.items()
        ]
        cluster = cluster_to_proto(ctx.spec.project, change.after or {}, change.create_only, pools)
        if not spec_cluster.remove_default_node_pool:
            cluster.node_pools = [
                *pools,
                gke.NodePool(name="default-pool", initial_node_count=1, config=gke.NodeConfig()),
            ]
        location = location_of(change.id)
        parent = f"projects/{ctx.spec.project}/locations/{location}"
        client = self._client(ctx, change)
        try:
            op = through_propagation(
                ctx.conn.timeouts,
                f"create cluster {change.address}",
                lambda: client.create_cluster(parent=parent, cluster=cluster),
            )
        except (gexc.AlreadyExists, gexc.Conflict):
            op = None  # created by an earlier attempt whose answer was lost: adopt it
        if op is None:
            self._wait_running(ctx, client, change.id)
        else:
            operations.wait(
                client,
                ctx.spec.project,
                location,
                op,
                ctx.conn.timeouts,
                f"create {change.address}",
            )
        return self._read(ctx, client, change.id)

    def _wait_running(self, ctx: Context, client: Any, cluster_id: str) -> None:
        """An adopted cluster may still be provisioning from the earlier attempt."""
        import time

        deadline = time.monotonic() + ctx.conn.timeouts.operation_deadline_s
        delay = ctx.conn.timeouts.initial_backoff_s
        while True:
            got = call(ctx.conn.timeouts, lambda: client.get_cluster(name=cluster_id))
            if got.status != gke.Cluster.Status.PROVISIONING or time.monotonic() > deadline:
                return
            time.sleep(delay)
            delay = min(delay * 2, ctx.conn.timeouts.operation_poll_s)

    def _read(self, ctx: Context, client: Any, cluster_id: str) -> Attributes:
        got = call(ctx.conn.timeouts, lambda: client.get_cluster(name=cluster_id))
        return cluster_from_proto(got)

    def update(self, ctx: Context, change: Change) -> Attributes:
        client = self._client(ctx, change)
        location = location_of(change.id)
        after = change.after or {}
        for f in change.fields:
            request = self._update_request(ctx, client, change.id, f.name, after)
            method = {"labels": "set_labels", "legacyAbac": "set_legacy_abac"}.get(
                f.name, "update_cluster"
            )
            send = getattr(client, method)
            op = call(ctx.conn.timeouts, functools.partial(send, request=request))
            operations.wait(
                client,
                ctx.spec.project,
                location,
                op,
                ctx.conn.timeouts,
                f"update {change.address} {f.name}",
            )
        return self._read(ctx, client, change.id)

    def _update_request(
        self, ctx: Context, client: Any, cluster_id: str, field: str, after: Attributes
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
        return {"name": cluster_id, "update": self._cluster_update(ctx, field, after)}

    def _cluster_update(self, ctx: Context, field: str, after: Attributes) -> gke.ClusterUpdate:
        proto = cluster_to_proto(ctx.spec.project, after, {}, [])
        if field == "releaseChannel":
            return gke.ClusterUpdate(desired_release_channel=proto.release_channel)
        if field == "workloadIdentity":
            return gke.ClusterUpdate(
                desired_workload_identity_config=gke.WorkloadIdentityConfig(
                    workload_pool=f"{ctx.spec.project}.svc.id.goog"
                    if after["workloadIdentity"]
                    else ""
                )
            )
        if field == "masterAuthorizedNetworks":
            config = proto.master_authorized_networks_config
            return gke.ClusterUpdate(desired_master_authorized_networks_config=config)
        if field == "shieldedNodes":
            return gke.ClusterUpdate(desired_shielded_nodes=proto.shielded_nodes)
        if field == "nodeLocations":
            return gke.ClusterUpdate(desired_locations=after["nodeLocations"])
        if field == "networkPolicy":
            return gke.ClusterUpdate(
                desired_addons_config=gke.AddonsConfig(
                    network_policy_config=gke.NetworkPolicyConfig(
                        disabled=not after["networkPolicy"]
                    )
                )
            )
        raise ValueError(f"cluster field {field} cannot be updated in place")

    def delete(self, ctx: Context, change: Change) -> None:
        key = cluster_key_for(ctx, change.id)
        client = ctx.conn.container(creator_credentials(ctx, key) if key else None)
        try:
            op = call(ctx.conn.timeouts, lambda: client.delete_cluster(name=change.id))
        except gexc.NotFound:
            return
        operations.wait(
            client,
            ctx.spec.project,
            location_of(change.id),
            op,
            ctx.conn.timeouts,
            f"delete {change.address}",
        )


__all__ = ["ClusterDriver", "list_clusters", "pool_from_proto"]
