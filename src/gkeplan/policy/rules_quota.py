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
from gkeplan.kinds.gke.models import clusters
from gkeplan.policy.model import Context, Finding, Rule
from gkeplan.policy.usage import (
    LOCAL_SSD_GB,
    LOCAL_SSD_METRIC,
    MOMENTS,
    Moment,
    PoolLoad,
    Scope,
    loads,
    nap_loads,
)

_UNITS = {
    "SSD_TOTAL_GB": "GB of SSD-backed disk",
    "DISKS_TOTAL_GB": "GB of standard disk",
    "HYPERDISK_BALANCED_TOTAL_GB": "GB of Hyperdisk Balanced",
    "IN_USE_ADDRESSES": "external IPs (public nodes)",
    LOCAL_SSD_METRIC: "GB of local SSD",
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


def _explain_nap(load: PoolLoad, metric: str, scope: Scope, moment: Moment) -> str:
    assert load.nap is not None
    total = load.total(metric, scope, moment)
    shares = [load.nap[metric]] if metric in load.nap else list(load.nap.values())
    parts = "; ".join(
        f"resourceLimits {types} maximum {maximum}"
        + (f", of which its node pools hold {held:g}" if held else "")
        for types, maximum, held in shares
    )
    return (
        f"cluster {load.cluster}: node auto-provisioning may add {total:g} {_unit(metric)} "
        f"({parts})"
    )


def explain(load: PoolLoad, metric: str, scope: Scope, moment: Moment) -> str:
    if load.nap is not None:
        return _explain_nap(load, metric, scope, moment)
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
    if metric == LOCAL_SSD_METRIC:
        text = f"{head} with {_plural(load.local_ssds, 'local SSD')} of {LOCAL_SSD_GB} GB"
        text += f" = {base:g} {_unit(metric)}"
    elif metric.endswith("GB"):
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
    if load.nap is not None:
        types, maximum, _ = load.nap.get(metric, ("GPU", 0, 0.0))
        lower = int(maximum - over)
        if metric in load.nap and lower >= 0:
            fixes.append(
                f"clusters.{load.cluster}.nodeAutoProvisioning.resourceLimits "
                f"({types}) maximum: {lower}"
            )
        return fixes
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
    if metric == LOCAL_SSD_METRIC:
        return [*fixes, f"{pool}.localSsdCount / ephemeralStorageLocalSsdCount: fewer"]
    if metric == "SSD_TOTAL_GB" and catalog.boot_disk_problem(family, "pd-standard") is None:
        # pd-standard boot disks count against DISKS_TOTAL_GB instead (where the series takes
        # them: not C3, C3D, A3 or the Hyperdisk series, see catalog/build.py)
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
        yield from self._autopilot(ctx)
        pools = loads(ctx.spec)
        all_loads = pools + nap_loads(ctx.spec, pools)
        by_region: dict[str, list[PoolLoad]] = {}
        for load in all_loads:
            by_region.setdefault(load.region, []).append(load)
        for region, region_loads in sorted(by_region.items()):
            metrics = sorted({m for load in region_loads for m in load.regional_use})
            for metric in metrics:
                limit = overrides.get(
                    f"{region}/{metric}", overrides.get(metric, profile.regional.get(metric))
                )
                known = f"{region}/{metric}" in overrides or metric in overrides
                if live is not None and (region, metric) in live:
                    limit = live[(region, metric)]
                    known = True
                if limit is None and name != "live" and profile.regional:
                    yield self._unknown(ctx, region_loads, metric, name)
                yield from self._judge(
                    ctx,
                    region_loads,
                    metric,
                    "regional",
                    limit,
                    f"in {region}",
                    known or metric in profile.sourced,
                )
        metrics = sorted({m for load in all_loads for m in load.global_use})
        for metric in metrics:
            limit = overrides.get(metric, profile.global_.get(metric))
            known = metric in overrides or metric in profile.sourced
            if live is not None and ("", metric) in live:
                limit = live[("", metric)]
                known = True
            yield from self._judge(ctx, all_loads, metric, "global", limit, "across regions", known)

    def _autopilot(self, ctx: Context) -> Iterable[Finding]:
        for cname, cluster in clusters(ctx.spec).items():
            if cluster.autopilot:
                yield self.finding(
                    ctx,
                    f"cluster.{cname}",
                    ("clusters", cname, "autopilot"),
                    f"cluster {cname} is Autopilot: GKE sizes its nodes from the pods' "
                    "requests, so it has no node pools to count against the quotas",
                    severity=Severity.INFO,
                )

    def _unknown(self, ctx: Context, loads_: list[PoolLoad], metric: str, name: str) -> Finding:
        """A quota the profile has no sourced value for is not checked, and says so."""
        first = loads_[0]
        return self.finding(
            ctx,
            first.address,
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
        sourced: bool = True,
    ) -> Iterable[Finding]:
        """`sourced`: the limit is the user's, the project's, or one the profile sources; an
        unverified profile value never refuses (its create finding warns, and says so)."""
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
            consequence = _CONSEQUENCE[moment]
            if moment == "create" and not sourced:
                consequence += (
                    " if the project's limit is this profile's unverified value (check it: "
                    "quotaProfile: live, or set policy.quotas)"
                )
            yield self.finding(
                ctx,
                biggest.address,
                biggest.path,
                f"{summary}; quota {metric} {where} is {limit:g}: {consequence}",
                " or ".join(fixes),
                None if moment == "create" and sourced else Severity.WARNING,
            )
            return
