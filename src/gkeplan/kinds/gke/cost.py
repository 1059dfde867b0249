"""The monthly cost of clusters (`Kind.cost`): their node pools' machines, disks and GPUs, what
auto-provisioning may add, Autopilot's pods (named, not priced) and the cluster fee."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gkeplan import catalog
from gkeplan.catalog import PriceTable
from gkeplan.kinds.gke.models import Autoscaling, clusters
from gkeplan.kinds.gke.usage import loads
from gkeplan.policy.cost import HOURS_PER_MONTH, CostEstimate, CostLine
from gkeplan.policy.usage import LOCAL_SSD_GB
from gkeplan.spec.base import Document


class ClusterCost:
    kinds = ("cluster", "nodePool")

    def price(
        self, spec: Document, prices: PriceTable, params: Mapping[str, Any], est: CostEstimate
    ) -> None:
        for load in loads(spec):
            cluster = clusters(spec)[load.cluster]
            pool = cluster.node_pools.get(load.pool)
            spot = bool(pool and (pool.spot or pool.preemptible))
            auto = pool.autoscaling if pool else None
            low = (
                (auto.total_min_node_count or 0)
                if auto and auto.totals
                else (auto.min_node_count if auto else (pool.initial_node_count if pool else 1))
                * load.zones
            )
            high = load.nodes("scale")
            name = f"{load.cluster}/{load.pool}"
            address = f"nodePool.{load.cluster}.{load.pool}" if pool else f"cluster.{load.cluster}"
            hourly = prices.machine_hourly(load.region, load.machine, spot=spot)
            mt = catalog.machine_type(load.machine)
            built_in = f", {mt.gpus} x {mt.gpu_type} built in" if mt and mt.gpus else ""
            machine_item = f"{name}: {low}..{high} x {load.machine}{built_in}"
            est.add(
                machine_item,
                hourly,
                low,
                high,
                HOURS_PER_MONTH,
                address,
                "spot price" if spot else "",
            )
            disk_gb_month = prices.disk_gb_month(load.region, load.disk_type)
            est.add(
                f"{name}: {low}..{high} x {load.disk_gb} GB {load.disk_type}",
                disk_gb_month,
                low * load.disk_gb,
                high * load.disk_gb,
                1.0,
                address,
            )
            if load.local_ssds:
                ssd_gb = load.local_ssds * LOCAL_SSD_GB
                est.add(
                    f"{name}: {low}..{high} x {load.local_ssds} x {LOCAL_SSD_GB} GB local SSD",
                    prices.disk_gb_month(load.region, "local-ssd"),
                    low * ssd_gb,
                    high * ssd_gb,
                    1.0,
                    address,
                )
            for acc in pool.accelerators if pool else []:
                if mt is not None and mt.gpu_type == acc.type:
                    continue  # the machine's price includes its own GPUs
                est.add(
                    f"{name}: {low * acc.count}..{high * acc.count} x {acc.type}",
                    prices.gpu_hourly(load.region, acc.type, spot=spot),
                    low * acc.count,
                    high * acc.count,
                    HOURS_PER_MONTH,
                    address,
                )
        for cname, cluster in clusters(spec).items():
            nap = cluster.node_auto_provisioning
            if nap is None or not nap.enabled:
                continue
            region = catalog.region_of(cluster.location)
            for limit in nap.resource_limits:
                if catalog.accelerator(limit.resource_type) is None:
                    continue  # cpu and memory come with machines NAP picks: not priced here
                est.add(
                    f"{cname}/nodeAutoProvisioning: 0..{limit.maximum} x {limit.resource_type}",
                    prices.gpu_hourly(region, limit.resource_type, spot=False),
                    0,
                    limit.maximum,
                    HOURS_PER_MONTH,
                    f"cluster.{cname}",
                )
        for cname, cluster in clusters(spec).items():
            if cluster.autopilot:
                # Autopilot bills the pods' resource requests (GKE pricing), which the spec does
                # not say: named, never counted as $0
                est.add(
                    f"{cname}: Autopilot pod compute (billed per pod resource request)",
                    None,
                    0,
                    0,
                    HOURS_PER_MONTH,
                    f"cluster.{cname}",
                )
        credit_left = prices.gke_free_tier_monthly_credit
        for name, cluster in clusters(spec).items():
            fee = prices.gke_cluster_hour * HOURS_PER_MONTH
            # "$74.40 in monthly credits per billing account ... only applied to zonal and
            # Autopilot clusters" (cloud.google.com/kubernetes-engine/pricing)
            eligible = cluster.autopilot or catalog.is_zone(cluster.location)
            credit = min(fee, credit_left) if eligible else 0.0
            credit_left -= credit
            note = "free tier credit covers one zonal or Autopilot cluster" if credit else ""
            est.lines.append(
                CostLine(
                    f"{name}: GKE cluster fee", fee - credit, fee - credit, note, f"cluster.{name}"
                )
            )

    def as_it_is(self, spec: Document, before: Mapping[str, Mapping[str, Any]]) -> Document:
        """Each changed node pool priced with its current machine type, disk and autoscaling."""
        changed = {a: b for a, b in before.items() if a.startswith("nodePool.")}
        if not changed:
            return spec
        new_clusters = {}
        for cname, cluster in clusters(spec).items():
            pools = {
                pname: _pool_as_it_is(pool, changed[f"nodePool.{cname}.{pname}"])
                if f"nodePool.{cname}.{pname}" in changed
                else pool
                for pname, pool in cluster.node_pools.items()
            }
            new_clusters[cname] = cluster.model_copy(update={"node_pools": pools})
        return spec.model_copy(update={"clusters": new_clusters})


def _pool_as_it_is(pool: Any, before: Mapping[str, Any]) -> Any:
    auto = before.get("autoscaling") or {}
    return pool.model_copy(
        update={
            "machine_type": before.get("machineType", pool.machine_type),
            "disk_size_gb": before.get("diskSizeGb", pool.disk_size_gb),
            "disk_type": before.get("diskType", pool.disk_type),
            "spot": before.get("spot", pool.spot),
            "preemptible": before.get("preemptible", pool.preemptible),
            "autoscaling": Autoscaling(
                min_node_count=auto["minNodeCount"],
                max_node_count=max(auto["maxNodeCount"], 1),
                total_min_node_count=auto.get("totalMinNodeCount"),
                total_max_node_count=auto.get("totalMaxNodeCount"),
            )
            if auto.get("enabled")
            else None,
        }
    )


PRICED = ClusterCost()
