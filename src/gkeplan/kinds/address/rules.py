"""FT003: the spec's reserved addresses within the project's address quotas, counted the way
FT001 counts nodes (the same quota profile, `policy.quotas` overrides and live quotas).

Metric names are Compute Engine's (compute v1 discovery document, Quota.metric). Which
reservation counts where:
- a regional EXTERNAL address: STATIC_ADDRESSES in its region ("Quota 'STATIC_ADDRESSES'
  exceeded. Limit: 1.0 in region us-east1.", google_compute_address on a free trial;
  mesosphere-backup/terraform-dcos#61, cloudfoundry/bosh-google-cpi-release#168);
- a global EXTERNAL address: STATIC_ADDRESSES globally ("compute.v1.globalAddress ... Quota
  'STATIC_ADDRESSES' exceeded.  Limit: 100.0 globally.", kubeflow/testing#616);
- a regional INTERNAL address: INTERNAL_ADDRESSES ("the number of static regional internal IP
  addresses you can reserve in each region", https://cloud.google.com/vpc/docs/quota);
- a global INTERNAL range: GLOBAL_INTERNAL_ADDRESSES ("the number of allocated ranges you can
  reserve for private services access", same page);
- an address a Cloud NAT uses (natIps) is IN_USE, and IN_USE_ADDRESSES ("Quota
  'IN_USE_ADDRESSES' exceeded. Limit: 4.0 in region ...", kelseyhightower/kubernetes-the-hard-
  way#47) is shared with public nodes' external IPs (FT001). That a NAT IP counts against it is
  not confirmed by a source found: that finding warns.
"""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan.catalog.quotas import quota_profile
from gkeplan.errors import Path, Severity
from gkeplan.kinds.address import Address, ref_key
from gkeplan.policy.baseline import nodes_of
from gkeplan.policy.model import Finding, Rule, RuleContext
from gkeplan.policy.usage import loads

IN_USE = "IN_USE_ADDRESSES"


def metric(address: Address) -> str:
    if address.address_type == "EXTERNAL":
        return "STATIC_ADDRESSES"
    return "INTERNAL_ADDRESSES" if address.region else "GLOBAL_INTERNAL_ADDRESSES"


class AddressQuotaRule(Rule):
    id = "FT003"
    title = "Reserved addresses fit the project's address quotas"
    rationale = (
        "Compute Engine refuses a reservation over quota at apply time, half-way through; a "
        "free trial reserves one static external address per region."
    )
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        spec_addresses = {a: (path, obj) for a, path, obj in nodes_of(ctx, "address")}
        if not spec_addresses:
            return
        # (region, or "" for global; metric) -> the addresses counted, with their spec paths
        use: dict[tuple[str, str], list[tuple[str, Path]]] = {}
        for address, (path, obj) in spec_addresses.items():
            use.setdefault((obj.region or "", metric(obj)), []).append((address, path))
        for (region, name), users in sorted(use.items()):
            yield from self._judge(ctx, region, name, users, 0.0, "")
        yield from self._in_use(ctx, spec_addresses)

    def _in_use(
        self, ctx: RuleContext, spec_addresses: dict[str, tuple[Path, Address]]
    ) -> Iterable[Finding]:
        by_region: dict[str, list[tuple[str, Path]]] = {}
        for _, _, router in nodes_of(ctx, "router"):
            for ref in router.nat.nat_ips if router.nat else []:
                key = ref_key(ref)
                entry = spec_addresses.get(f"address.{key}")
                if entry is None or entry[1].region is None:
                    continue
                by_region.setdefault(entry[1].region, []).append((f"address.{key}", entry[0]))
        pools = loads(ctx.spec)
        for region, users in sorted(by_region.items()):
            nodes = max(
                (
                    sum(ld.total(IN_USE, "regional", m) for ld in pools if ld.region == region)
                    for m in ("create", "scale", "surge")
                ),
                default=0.0,
            )
            also = f" and {nodes:g} public nodes' external IPs" if nodes else ""
            yield from self._judge(ctx, region, IN_USE, users, nodes, also, Severity.WARNING)

    def _limit(self, ctx: RuleContext, region: str, name: str) -> tuple[float | None, bool]:
        """The limit of `name` in `region` ("" for global) and whether it is sourced (the
        user's, the project's, or a value the profile sources): only those refuse."""
        profile_name = str(ctx.spec.policy.quota_profile or ctx.params.get("quotaProfile", ""))
        profile_name = profile_name or "free-trial"
        live = ctx.params.get("liveQuotas")
        if live is not None and (region, name) in live:
            return float(live[(region, name)]), True
        overrides = ctx.spec.policy.quotas
        for key in (f"{region}/{name}" if region else None, name):
            if key and key in overrides:
                return float(overrides[key]), True
        if profile_name == "live":
            return None, False
        profile = quota_profile(profile_name)
        limits = profile.regional if region else profile.global_
        return limits.get(name), name in profile.sourced

    def _judge(
        self,
        ctx: RuleContext,
        region: str,
        name: str,
        users: list[tuple[str, Path]],
        others: float,
        others_text: str,
        severity: Severity | None = None,
    ) -> Iterable[Finding]:
        limit, sourced = self._limit(ctx, region, name)
        total = len(users) + others
        if limit is None or total <= limit or others > limit:
            return  # unknown, within it, or already over through nodes alone (FT001's)
        where = f"in {region}" if region else "globally"
        listed = ", ".join(a for a, _ in users)
        consequence = "Compute Engine refuses the reservation over it"
        if not sourced:
            consequence += (
                " if the project's limit is this profile's unverified value (check it: "
                "quotaProfile: live, or set policy.quotas)"
            )
        address, path = users[-1]
        yield self.finding(
            ctx,
            address,
            path,
            f"{len(users)} address{'es' if len(users) != 1 else ''} ({listed}){others_text} "
            f"= {total:g}; quota {name} {where} is {limit:g}: {consequence}",
            f"reserve fewer addresses {where}, or raise the quota and set "
            f"policy.quotas.{f'{region}/' if region else ''}{name}",
            severity or (None if sourced else Severity.WARNING),
        )


RULES: list[type[Rule]] = [AddressQuotaRule]
