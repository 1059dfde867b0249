"""FT001: what the project's quotas cannot hold, with the arithmetic and its consequence.

GKE checks quota when it creates a pool (initial nodes x zones): a create that does not fit
fails, so that is an error. Autoscaling to the maximum or an upgrade's surge node that does
not fit stalls later without failing the apply: a warning. Each kind says what it uses
(`Kind.usage`, read through `policy.usage`).
"""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan.catalog.quotas import quota_profile
from gkeplan.errors import Severity
from gkeplan.policy.model import Finding, Rule, RuleContext
from gkeplan.policy.usage import MOMENTS, Load, Scope, loads, notes

_CONSEQUENCE = {
    "create": "GKE refuses the create",
    "scale": "the apply works, but the autoscaler cannot reach maxNodeCount",
    "surge": "the apply works, but upgrades cannot add their surge nodes and slow down or fail",
}


class QuotaRule(Rule):
    id = "FT001"
    title = "Node pools fit the project's quotas when created, scaled out and upgraded"
    rationale = (
        "GKE refuses a create that exceeds a quota only at apply time, half-way through; "
        "autoscaling and upgrade surges that do not fit stall later."
    )
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
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
        for note in notes(ctx.spec):
            yield self.finding(ctx, note.address, note.path, note.message, severity=Severity.INFO)
        all_loads = loads(ctx.spec)
        by_region: dict[str, list[Load]] = {}
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

    def _unknown(self, ctx: RuleContext, loads_: list[Load], metric: str, name: str) -> Finding:
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
        ctx: RuleContext,
        loads_: list[Load],
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
            summary = "; ".join(ld.explain(metric, scope, moment) for ld in users)
            if len(users) > 1:
                summary += f"; together {total:g}"
            biggest = max(users, key=lambda ld: ld.total(metric, scope, moment))
            fixes = biggest.fixes(metric, scope, moment, total - limit)
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
