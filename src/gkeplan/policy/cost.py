"""Monthly cost estimate at minimum and maximum scale, from gkeplan's price table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from gkeplan import catalog
from gkeplan.errors import Severity
from gkeplan.kinds.bucket import buckets
from gkeplan.kinds.gke.models import clusters
from gkeplan.policy.model import Context, Finding, Rule
from gkeplan.policy.usage import loads

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
        hourly = prices.machine_hourly(load.region, load.machine, spot=spot) or 0.0
        low = (
            pool.autoscaling.min_node_count
            if pool and pool.autoscaling
            else (pool.initial_node_count if pool else 1)
        ) * load.zones
        disk_type = pool.disk_type if pool else "pd-balanced"
        disk = (prices.disk_gb_month(load.region, disk_type) or 0.0) * load.disk_gb
        note = "spot price" if spot else ""
        est.lines.append(
            CostLine(
                f"{load.cluster}/{load.pool}: {low}..{load.nodes} x {load.machine}",
                low * (hourly * HOURS_PER_MONTH + disk),
                load.nodes * (hourly * HOURS_PER_MONTH + disk),
                note,
                f"nodePool.{load.cluster}.{load.pool}"
                if pool is not None
                else f"cluster.{load.cluster}",
            )
        )
    credit_left = prices.gke_free_tier_monthly_credit
    for name, cluster in clusters(spec).items():
        fee = prices.gke_cluster_hour * HOURS_PER_MONTH
        zonal = catalog.is_zone(cluster.location)
        credit = min(fee, credit_left) if zonal else 0.0
        credit_left -= credit
        note = "free tier credit covers one zonal cluster" if credit else ""
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
