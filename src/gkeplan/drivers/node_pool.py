"""GKE node pools. A pool of a new cluster already exists after the cluster's create; its
create here then only adopts it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan.drivers.base import Attributes, Context, Wanted
from gkeplan.drivers.cluster import (
    cluster_key_for,
    creator_credentials,
    list_clusters,
    location_of,
)
from gkeplan.drivers.gke_convert import pool_from_proto, pool_to_proto
from gkeplan.gcp import operations
from gkeplan.gcp.retry import call, through_propagation
from gkeplan.plan_model import Change


def _cluster_of(pool_id: str) -> str:
    return pool_id.split("/nodePools/", 1)[0]


class NodePoolDriver:
    kind = "nodePool"

    def read_all(self, ctx: Context, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        if not list(wanted):
            return {}
        out = {}
        for cid, cluster in list_clusters(ctx).items():
            for pool in cluster.node_pools:
                out[f"{cid}/nodePools/{pool.name}"] = pool_from_proto(pool)
        return out

    def _client(self, ctx: Context, pool_id: str) -> Any:
        key = cluster_key_for(ctx, _cluster_of(pool_id))
        return ctx.conn.container(creator_credentials(ctx, key) if key else None)

    def _get(self, ctx: Context, client: Any, pool_id: str) -> gke.NodePool | None:
        try:
            pool = call(ctx.conn.timeouts, lambda: client.get_node_pool(name=pool_id))
        except gexc.NotFound:
            return None
        return pool  # type: ignore[no-any-return]

    def _wait(self, ctx: Context, client: Any, pool_id: str, op: Any, what: str) -> None:
        operations.wait(client, ctx.spec.project, location_of(pool_id), op, ctx.conn.timeouts, what)

    def create(self, ctx: Context, change: Change) -> Attributes:
        client = self._client(ctx, change.id)
        existing = self._get(ctx, client, change.id)
        if existing is None:
            pool = pool_to_proto(
                change.after or {}, int(change.create_only.get("initialNodeCount", 1))
            )
            try:
                op = through_propagation(
                    ctx.conn.timeouts,
                    f"create node pool {change.address}",
                    lambda: client.create_node_pool(parent=_cluster_of(change.id), node_pool=pool),
                )
                self._wait(ctx, client, change.id, op, f"create {change.address}")
            except (gexc.AlreadyExists, gexc.Conflict):
                pass  # an earlier attempt created it: adopt
            existing = self._get(ctx, client, change.id)
        if existing is None:
            raise RuntimeError(f"{change.address}: created, but GKE does not return it")
        got = pool_from_proto(existing)
        pending = [f for f, v in (change.after or {}).items() if v is not None and got.get(f) != v]
        if pending:  # adopted a pool that differs from the spec: converge it
            from gkeplan.plan_model import diff_attributes

            change.fields = diff_attributes(got, change.after or {}, frozenset())
            return self.update(ctx, change)
        return got

    def update(self, ctx: Context, change: Change) -> Attributes:
        client = self._client(ctx, change.id)
        after = change.after or {}
        names = {f.name for f in change.fields}
        if "autoscaling" in names:
            auto = after["autoscaling"]
            op = call(
                ctx.conn.timeouts,
                lambda: client.set_node_pool_autoscaling(
                    request={
                        "name": change.id,
                        "autoscaling": gke.NodePoolAutoscaling(
                            enabled=auto["enabled"],
                            min_node_count=auto.get("minNodeCount", 0),
                            max_node_count=auto.get("maxNodeCount", 0),
                        ),
                    }
                ),
            )
            self._wait(ctx, client, change.id, op, f"autoscaling of {change.address}")
        if names & {"autoRepair", "autoUpgrade"}:
            op = call(
                ctx.conn.timeouts,
                lambda: client.set_node_pool_management(
                    request={
                        "name": change.id,
                        "management": gke.NodeManagement(
                            auto_repair=after["autoRepair"], auto_upgrade=after["autoUpgrade"]
                        ),
                    }
                ),
            )
            self._wait(ctx, client, change.id, op, f"management of {change.address}")
        rest = names - {"autoscaling", "autoRepair", "autoUpgrade"}
        if rest:
            proto = pool_to_proto(after, 0)
            request: dict[str, Any] = {
                "name": change.id,
                "node_version": "-",
                "image_type": after["imageType"],
            }
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
            op = call(ctx.conn.timeouts, lambda: client.update_node_pool(request=request))
            self._wait(ctx, client, change.id, op, f"update {change.address}")
        got = self._get(ctx, client, change.id)
        return pool_from_proto(got) if got is not None else dict(after)

    def delete(self, ctx: Context, change: Change) -> None:
        client = self._client(ctx, change.id)
        try:
            op = call(ctx.conn.timeouts, lambda: client.delete_node_pool(name=change.id))
        except gexc.NotFound:
            return
        self._wait(ctx, client, change.id, op, f"delete {change.address}")
