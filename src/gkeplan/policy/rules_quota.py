"""free-tier: refuse what the project's quotas cannot hold, showing the arithmetic."""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan import catalog
from gkeplan.catalog.quotas import quota_profile
from gkeplan.errors import Severity
from gkeplan.policy.model import Context, Finding, Rule
from gkeplan.policy.usage import PoolLoad, loads

_UNITS = {
    "SSD_TOTAL_GB": "GB of SSD-backed disk",
    "DISKS_TOTAL_GB": "GB of standard disk",
    "IN_USE_ADDRESSES": "external IPs",
}


def _unit(metric: str) -> str:
    if metric in _UNITS:
        return _UNITS[metric]
    if metric.endswith("_GPUS"):
        return "GPUs"
    if metric in ("CPUS", "CPUS_ALL_REGIONS"):
        return "vCPUs"
    return f"{metric.removesuffix('_CPUS')} vCPUs"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def explain(load: PoolLoad, metric: str, scope: str) -> str:
    kind = "regional" if load.regional_cluster else "zonal"
    where = load.location
    per_node = (load.regional_use if scope == "regional" else load.global_use)[metric]
    base = load.nodes * per_node
    head = (
        f"cluster {load.cluster} is {kind} ({where}): node pool {load.pool} can run "
        f"{_plural(load.nodes_per_zone, 'node')} x {_plural(load.zones, 'zone')} = "
        f"{load.nodes} x {load.machine}"
    )
    if metric.endswith("GB"):
        text = f"{head} with {load.disk_gb} GB boot disks = {base:g} {_unit(metric)}"
    elif "CPUS" in metric:
        text = f"{head} ({load.vcpus} vCPUs) = {base:g} {_unit(metric)}"
    else:
        text = f"{head} = {base:g} {_unit(metric)}"
    if load.surge:
        text += f", +{_plural(load.surge, 'surge node')} = {load.total(metric, scope):g}"
    return text


def _fixes(load: PoolLoad, metric: str, scope: str, over: float) -> list[str]:
    """Single changes that each bring the total within the quota, smallest first."""
    per_node = (load.regional_use if scope == "regional" else load.global_use)[metric]
    pool = f"clusters.{load.cluster}.nodePools.{load.pool}"
    fixes = []
    if load.surge and load.surge * per_node >= over:
        fixes.append(f"{pool}.upgradeSettings: {{maxSurge: 0, maxUnavailable: 1}}")
    per_zone_use = (load.nodes_per_zone + load.surge_per_zone) * per_node
    if load.regional_cluster and (load.zones - 1) * per_zone_use >= over:
        zone = sorted(catalog.regions().get(load.region, (f"{load.region}-a",)))[0]
        fixes.append(f"clusters.{load.cluster}.location: {zone} (zonal: 1 zone, not {load.zones})")
    per_zone = (load.nodes_per_zone + load.surge_per_zone) * per_node * load.zones
    if load.nodes_per_zone > 1:
        for n in range(load.nodes_per_zone - 1, 0, -1):
            if per_zone - (n + load.surge_per_zone) * per_node * load.zones >= over:
                fixes.append(f"{pool}.autoscaling.maxNodeCount: {n}")
                break
    if metric == "SSD_TOTAL_GB" and load.total(metric, scope) >= over:
        # pd-standard boot disks count against DISKS_TOTAL_GB instead (2 TB on the free tier)
        fixes.append(f"{pool}.diskType: pd-standard")
    if metric.endswith("GB"):
        count = load.nodes + load.surge
        size = int((load.total(metric, scope) - over) // count) if count else 0
        if size >= 10:
            fixes.append(f"{pool}.diskSizeGb: {size}")
    elif metric.endswith("CPUS"):
        family = load.machine.split("-")[0]
        count = load.nodes + load.surge
        budget = (load.total(metric, scope) - over) / count if count else 0
        smaller = sorted(
            (mt.vcpus, n)
            for n in catalog.machine_type_names()
            if n.startswith(family + "-standard-")
            and (mt := catalog.machine_type(n))
            and 0 < mt.vcpus <= budget
            and mt.vcpus < load.vcpus
        )
        if smaller:
            fixes.append(f"{pool}.machineType: {smaller[-1][1]}")
    return fixes


class QuotaRule(Rule):
    id = "FT001"
    title = "Node pools fit the project's quotas at their worst moment"
    rationale = (
        "GKE refuses a create or scale-up that exceeds a quota only at apply time, "
        "half-way through; autoscaling and upgrade surges hit quotas later still."
    )
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        profile = quota_profile(str(ctx.params.get("quotaProfile", "free-tier")))
        overrides = ctx.spec.policy.quotas
        all_loads = loads(ctx.spec)
        by_region: dict[str, list[PoolLoad]] = {}
        for load in all_loads:
            by_region.setdefault(load.region, []).append(load)
        for region, region_loads in sorted(by_region.items()):
            metrics = sorted({m for load in region_loads for m in load.regional_use})
            for metric in metrics:
                limit = overrides.get(
                    f"{region}/{metric}", overrides.get(metric, profile.regional.get(metric))
                )
                yield from self._judge(ctx, region_loads, metric, "regional", limit, f"in {region}")
        metrics = sorted({m for load in all_loads for m in load.global_use})
        for metric in metrics:
            limit = overrides.get(metric, profile.global_.get(metric))
            yield from self._judge(ctx, all_loads, metric, "global", limit, "across regions")

    def _judge(
        self,
        ctx: Context,
        loads_: list[PoolLoad],
        metric: str,
        scope: str,
        limit: float | None,
        where: str,
    ) -> Iterable[Finding]:
        users = [ld for ld in loads_ if ld.total(metric, scope) > 0]
        total = sum(ld.total(metric, scope) for ld in users)
        if limit is None or total <= limit or not users:
            return
        parts = [explain(ld, metric, scope) for ld in users]
        summary = "; ".join(parts)
        if len(users) > 1:
            summary += f"; together {total:g}"
        over = total - limit
        biggest = max(users, key=lambda ld: ld.total(metric, scope))
        fixes = _fixes(biggest, metric, scope, over)
        fix = (
            " or ".join(fixes)
            if fixes
            else f"raise the quota, or set policy.quotas.{metric} if yours is higher"
        )
        yield self.finding(
            ctx,
            f"nodePool.{biggest.cluster}.{biggest.pool}"
            if biggest.pool != "default-pool"
            else f"cluster.{biggest.cluster}",
            biggest.path,
            f"{summary}; quota {metric} {where} is {limit:g}",
            fix,
        )
