"""Monthly cost estimate at minimum and maximum scale, from gkeplan's price table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gkeplan import catalog
from gkeplan.errors import Severity
from gkeplan.kinds.bucket import buckets
from gkeplan.kinds.gke.models import clusters
from gkeplan.policy.model import Context, Finding, Rule
from gkeplan.policy.usage import LOCAL_SSD_GB, loads

HOURS_PER_MONTH = 730.0


@dataclass
class CostLine:
    item: str
    min_usd: float
    max_usd: float
    note: str = ""
    address: str = ""  # the resource the line prices (graph address), for per-change deltas


@dataclass
class CostEstimate:
    lines: list[CostLine] = field(default_factory=list)
    source: str = ""
    unpriced: list[str] = field(default_factory=list)  # items the price table has no price for

    def add(
        self,
        item: str,
        unit: float | None,
        low: float,
        high: float,
        per_month: float,
        address: str = "",
        note: str = "",
    ) -> None:
        """A line priced at `unit` x `per_month` per unit; an unknown price is listed, not $0."""
        if unit is None:
            self.unpriced.append(item)
            note = "not in the price table: not counted"
            self.lines.append(CostLine(item, 0.0, 0.0, note, address))
            return
        self.lines.append(
            CostLine(item, low * unit * per_month, high * unit * per_month, note, address)
        )

    @property
    def min_usd(self) -> float:
        return sum(line.min_usd for line in self.lines)

    @property
    def max_usd(self) -> float:
        return sum(line.max_usd for line in self.lines)

    def to_dict(self) -> dict[str, object]:
        return {
            "currency": "USD",
            "period": "month",
            "min": round(self.min_usd, 2),
            "max": round(self.max_usd, 2),
            "lines": [
                {"item": ln.item, "min": round(ln.min_usd, 2), "max": round(ln.max_usd, 2)}
                | ({"note": ln.note} if ln.note else {})
                for ln in self.lines
            ],
            "prices": self.source,
        }

    def render(self) -> str:
        rows = [
            f"  {ln.item:<58} ${ln.min_usd:>9.2f} .. ${ln.max_usd:>9.2f}  {ln.note}".rstrip()
            for ln in self.lines
        ]
        total = f"  {'total per month':<58} ${self.min_usd:>9.2f} .. ${self.max_usd:>9.2f}"
        if self.unpriced:
            total += f"  + {len(self.unpriced)} unpriced item(s)"
        return "\n".join(
            ["Estimated monthly cost (min .. max scale):", *rows, total, f"  prices: {self.source}"]
        )


def estimate(ctx: Context) -> CostEstimate:
    prices = catalog.prices()
    est = CostEstimate(source=f"{prices.source}, {prices.date}")
    spec = ctx.spec
    for load in loads(spec):
        cluster = clusters(spec)[load.cluster]
        pool = cluster.node_pools.get(load.pool)
        spot = bool(pool and (pool.spot or pool.preemptible))
        low = (
            pool.autoscaling.min_node_count
            if pool and pool.autoscaling
            else (pool.initial_node_count if pool else 1)
        ) * load.zones
        high = load.nodes("scale")
        name = f"{load.cluster}/{load.pool}"
        address = f"nodePool.{load.cluster}.{load.pool}" if pool else f"cluster.{load.cluster}"
        hourly = prices.machine_hourly(load.region, load.machine, spot=spot)
        mt = catalog.machine_type(load.machine)
        built_in = f", {mt.gpus} x {mt.gpu_type} built in" if mt and mt.gpus else ""
        machine_item = f"{name}: {low}..{high} x {load.machine}{built_in}"
        est.add(
            machine_item, hourly, low, high, HOURS_PER_MONTH, address, "spot price" if spot else ""
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
    for name, bucket in buckets(spec).items():
        region = (bucket.location or spec.region).lower()
        per_gb = prices.storage_gb_month(region, bucket.storage_class) or 0.0
        gb = float(ctx.params.get("bucketGb", 10))
        est.lines.append(
            CostLine(
                f"bucket {name}: {bucket.storage_class}, {gb:g} GB assumed",
                per_gb * gb,
                per_gb * gb,
                f"${per_gb}/GB-month",
                f"bucket.{name}",
            )
        )
    return est


class BudgetRule(Rule):
    id = "FT002"
    title = "The estimated monthly cost at maximum scale stays within maxMonthlyUsd"
    rationale = "A budget set in the spec is checked before anything is created."
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        budget = ctx.params.get("maxMonthlyUsd")
        if budget is None:
            return
        est = estimate(ctx)
        if est.unpriced and est.max_usd <= float(budget):
            yield self.finding(
                ctx,
                "project",
                ("policy",),
                f"maxMonthlyUsd ${float(budget):.2f} is checked without "
                f"{', '.join(est.unpriced)}: gkeplan's price table ({est.source}) has no "
                "price for them",
                "check their price on cloud.google.com/compute/all-pricing",
                Severity.WARNING,
            )
        if est.max_usd > float(budget):
            worst = max(est.lines, key=lambda ln: ln.max_usd)
            yield self.finding(
                ctx,
                "project",
                ("policy",),
                f"at maximum scale this spec costs ${est.max_usd:.2f} a month, "
                f"over maxMonthlyUsd ${float(budget):.2f}; the largest item is "
                f"{worst.item} (${worst.max_usd:.2f})",
                "fewer or smaller nodes, spot: true, or raise maxMonthlyUsd",
            )
