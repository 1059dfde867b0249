"""FT001: what the project's quotas cannot hold, with the arithmetic and its consequence.

GKE checks quota when it creates a pool (initial nodes x zones): a create that does not fit
fails, so that is an error. Autoscaling to the maximum or an upgrade's surge node that does
not fit stalls later without failing the apply: a warning. See `policy.usage`.
"""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan import catalog
from gkeplan.catalog.quotas import quota_profile
from gkeplan.errors import Severity
from gkeplan.policy.model import Context, Finding, Rule
from gkeplan.policy.usage import MOMENTS, Moment, PoolLoad, Scope, loads

_UNITS = {
    "SSD_TOTAL_GB": "GB of SSD-backed disk",
    "DISKS_TOTAL_GB": "GB of standard disk",
    "HYPERDISK_BALANCED_TOTAL_GB": "GB of Hyperdisk Balanced",
    "IN_USE_ADDRESSES": "external IPs (public nodes)",
}
_CONSEQUENCE = {
    "create": "GKE refuses the create",
    "scale": "the apply works, but the autoscaler cannot reach maxNodeCount",
    "surge": "the apply works, but upgrades cannot add their surge nodes and slow down or fail",
}


def _unit(metric: str) -> str:
    if metric in _UNITS:
        return _UNITS[metric]
    if metric.endswith("_GPUS") or metric == "GPUS_ALL_REGIONS":
        return "GPUs"
    if metric in ("CPUS", "CPUS_ALL_REGIONS"):
        return "vCPUs"
    return f"{metric.removesuffix('_CPUS')} vCPUs"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def explain(load: PoolLoad, metric: str, scope: Scope, moment: Moment) -> str:
    kind = "regional" if load.regional_cluster else "zonal"
    per_node = load.per_node(metric, scope)
    per_zone = load.initial_per_zone if moment == "create" else load.max_per_zone
    nodes = per_zone * load.zones
    verb = "starts" if moment == "create" else "can run"
    head = (
        f"cluster {load.cluster} is {kind} ({load.location}): node pool {load.pool} {verb} "
        f"{_plural(per_zone, 'node')} x {_plural(load.zones, 'zone')} = {nodes} x {load.machine}"
    )
    base = nodes * per_node
    if metric.endswith("GB"):
        text = (
            f"{head} with {load.disk_gb} GB {load.disk_type} boot disks = {base:g} {_unit(metric)}"
        )
    elif "CPUS" in metric:
        text = f"{head} ({load.vcpus} vCPUs) = {base:g} {_unit(metric)}"
    else:
        text = f"{head} = {base:g} {_unit(metric)}"
    surge = load.surge_per_zone * load.zones
    if moment == "surge" and surge:
        text += f", +{_plural(surge, 'surge node')} = {load.total(metric, scope, moment):g}"
    return text


def _fixes(load: PoolLoad, metric: str, scope: Scope, moment: Moment, over: float) -> list[str]:
    """Single changes to the pool named that each bring the total within the quota."""
    per_node = load.per_node(metric, scope)
    pool = f"clusters.{load.cluster}.nodePools.{load.pool}"
    fixes: list[str] = []
    if moment == "surge":
        if load.surge_per_zone * load.zones * per_node >= over:
            fixes.append(f"{pool}.upgradeSettings: {{maxSurge: 0, maxUnavailable: 1}}")
        return fixes
    per_zone = load.initial_per_zone if moment == "create" else load.max_per_zone
    if moment == "scale" and load.autoscaling:
        for n in range(per_zone - 1, 0, -1):
            if (per_zone - n) * load.zones * per_node >= over and n >= load.initial_per_zone:
                fixes.append(f"{pool}.autoscaling.maxNodeCount: {n}")
                break
    if moment == "create":
        if load.regional_cluster and (load.zones - 1) * per_zone * per_node >= over:
            if load.pool_zones:
                fixes.append(f"{pool}.nodeLocations: one zone (not {load.zones})")
            elif load.cluster_zones > 1:
                fixes.append(f"clusters.{load.cluster}.nodeLocations: one zone (not {load.zones})")
            else:
                hinted = sorted(catalog.regions().get(load.region, ()))
                zone = hinted[0] if hinted else f"a zone of {load.region}"
                fixes.append(
                    f"clusters.{load.cluster}.location: {zone} (zonal: 1 zone, not {load.zones})"
                )
        for n in range(per_zone - 1, 0, -1):
            if (per_zone - n) * load.zones * per_node >= over:
                fixes.append(f"{pool}.initialNodeCount: {n}")
                break
    count = load.nodes(moment)
    total = load.total(metric, scope, moment)
    family = load.machine.split("-")[0]
    if metric == "SSD_TOTAL_GB" and not catalog.hyperdisk_only(family):
        # pd-standard boot disks count against DISKS_TOTAL_GB instead
        fixes.append(f"{pool}.diskType: pd-standard")
    if metric.endswith("GB") and count:
        size = int((total - over) // count)
        if size >= 10:
            fixes.append(f"{pool}.diskSizeGb: {size}")
    elif metric.endswith("CPUS") and count:
        budget = (total - over) / count
        smaller = sorted(
            (mt.vcpus, n)
            for n in catalog.machine_type_names()
            if n.startswith(family + "-standard-")
            and (mt := catalog.machine_type(n))
            and 0 < mt.vcpus <= budget
            and mt.vcpus < load.vcpus
        )
        if smaller:
            fixes.append(f"{pool}.machineType: {smaller[-1][1]} (if the workload fits)")
    return fixes


class QuotaRule(Rule):
    id = "FT001"
    title = "Node pools fit the project's quotas when created, scaled out and upgraded"
    rationale = (
        "GKE refuses a create that exceeds a quota only at apply time, half-way through; "
        "autoscaling and upgrade surges that do not fit stall later."
    )
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        name = str(ctx.spec.policy.quota_profile or ctx.params.get("quotaProfile", "free-trial"))
        live = ctx.params.get("liveQuotas")
        if name == "live" and live is None:
            yield self.finding(
                ctx,
                "project",
                ("policy", "quotaProfile"),
                "quotaProfile live: the project's quotas are read and checked by plan and "
                "apply (and validate --live-quotas), not by this run",
                severity=Severity.INFO,
            )
        profile = quota_profile("unlimited" if name == "live" else name)
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
                if live is not None and (region, metric) in live:
                    limit = live[(region, metric)]
                if limit is None and name != "live" and profile.regional:
                    yield self._unknown(ctx, region_loads, metric, name)
                yield from self._judge(ctx, region_loads, metric, "regional", limit, f"in {region}")
        metrics = sorted({m for load in all_loads for m in load.global_use})
        for metric in metrics:
            limit = overrides.get(metric, profile.global_.get(metric))
            if live is not None and ("", metric) in live:
                limit = live[("", metric)]
            yield from self._judge(ctx, all_loads, metric, "global", limit, "across regions")

    def _unknown(self, ctx: Context, loads_: list[PoolLoad], metric: str, name: str) -> Finding:
        """A quota the profile has no sourced value for is not checked, and says so."""
        first = loads_[0]
        return self.finding(
            ctx,
            f"nodePool.{first.cluster}.{first.pool}"
            if first.pool != "default-pool"
            else f"cluster.{first.cluster}",
            first.path,
            f"gkeplan has no sourced {name} value for quota {metric}, so it is not checked",
            f"set policy.quotas.{metric} to your project's limit, or quotaProfile: live",
            Severity.INFO,
        )

    def _judge(
        self,
        ctx: Context,
        loads_: list[PoolLoad],
        metric: str,
        scope: Scope,
        limit: float | None,
        where: str,
    ) -> Iterable[Finding]:
        if limit is None:
            return
        for moment in MOMENTS:
            users = [ld for ld in loads_ if ld.total(metric, scope, moment) > 0]
            total = sum(ld.total(metric, scope, moment) for ld in users)
            if total <= limit or not users:
                continue
            summary = "; ".join(explain(ld, metric, scope, moment) for ld in users)
            if len(users) > 1:
                summary += f"; together {total:g}"
            biggest = max(users, key=lambda ld: ld.total(metric, scope, moment))
            fixes = _fixes(biggest, metric, scope, moment, total - limit)
            fixes.append(f"raise the quota and set policy.quotas.{metric}")
            yield self.finding(
                ctx,
                f"nodePool.{biggest.cluster}.{biggest.pool}"
                if biggest.pool != "default-pool"
                else f"cluster.{biggest.cluster}",
                biggest.path,
                f"{summary}; quota {metric} {where} is {limit:g}: {_CONSEQUENCE[moment]}",
                " or ".join(fixes),
                None if moment == "create" else Severity.WARNING,
            )
            return
