"""CT001: names gkeplan's dated catalog does not know, as findings a spec can waive.

GCP releases machine types, regions, accelerators and roles more often than gkeplan's
catalog is rebuilt, so an unknown name is an error that names the catalog's date and can
be waived in policy.exceptions, never a refusal of something GCP would accept.
"""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan import catalog
from gkeplan.errors import Path, Severity
from gkeplan.kinds.bucket import buckets
from gkeplan.kinds.gke.models import Cluster, NodePool, clusters
from gkeplan.policy.model import Context, Finding, Rule
from gkeplan.spec.suggest import Suggester

_IS_CUSTOM = ("projects/", "organizations/")


def hint(value: str, candidates: Iterable[str]) -> str | None:
    near = Suggester(candidates).closest(value)  # built only for a name that is wrong
    return f"did you mean '{near[0]}'?" if near else None


def _not_in(what: str, date: str) -> str:
    return f"not in gkeplan's {what} catalog of {date}"


def _waive(rule: str, resource: str) -> str:
    return (
        f"if GCP offers it now, waive: policy.exceptions: [{{rule: {rule}, "
        f"resource: {resource}, reason: released after the catalog}}]"
    )


class CatalogRule(Rule):
    id = "CT001"
    title = "Regions, zones, machine types, accelerators and roles are in gkeplan's catalog"
    rationale = (
        "A name GCP does not know fails at apply; a name newer than gkeplan's dated catalog "
        "is waived in the spec."
    )
    severity = Severity.ERROR

    def check(self, ctx: Context) -> Iterable[Finding]:
        yield from self._locations(ctx)
        for cname, cluster in clusters(ctx.spec).items():
            for pname, pool in cluster.node_pools.items():
                yield from self._pool(ctx, cname, cluster, pname, pool)
        yield from self._roles(ctx)

    def _unknown(
        self, ctx: Context, resource: str, path: Path, message: str, near: str | None
    ) -> Finding:
        fix = f"{near} " if near else ""
        return self.finding(ctx, resource, path, message, fix + _waive(self.id, resource))

    def _region(self, ctx: Context, resource: str, path: Path, location: str) -> Finding | None:
        region = catalog.region_of(location)
        if catalog.is_region(region):
            return None
        return self._unknown(
            ctx,
            resource,
            path,
            f"region {region} is {_not_in('location', catalog.date())}",
            hint(region, catalog.regions()),
        )

    def _locations(self, ctx: Context) -> Iterable[Finding]:
        found = [self._region(ctx, "project", ("region",), ctx.spec.region)]
        for cname, cluster in clusters(ctx.spec).items():
            address = f"cluster.{cname}"
            found.append(
                self._region(ctx, address, ("clusters", cname, "location"), cluster.location)
            )
            for i, zone in enumerate(cluster.node_locations or []):
                found.append(
                    self._region(ctx, address, ("clusters", cname, "nodeLocations", i), zone)
                )
        for key, bucket in buckets(ctx.spec).items():
            location = (bucket.location or ctx.spec.region).lower()
            if "-" in location:  # multi-regions (US, EU, ...) are fixed names
                found.append(
                    self._region(ctx, f"bucket.{key}", ("buckets", key, "location"), location)
                )
        yield from (f for f in found if f is not None)

    def _pool(
        self, ctx: Context, cname: str, cluster: Cluster, pname: str, pool: NodePool
    ) -> Iterable[Finding]:
        address = f"nodePool.{cname}.{pname}"
        path: Path = ("clusters", cname, "nodePools", pname)
        region = catalog.region_of(cluster.location)
        date = catalog.date()
        mt = catalog.machine_type(pool.machine_type)
        if mt is None:
            yield self._unknown(
                ctx,
                address,
                (*path, "machineType"),
                f"machine type {pool.machine_type} is {_not_in('machine type', date)}",
                hint(pool.machine_type, catalog.machine_type_names()),
            )
        elif catalog.is_region(region) and region not in mt.regions:
            yield self._unknown(
                ctx,
                address,
                (*path, "machineType"),
                f"machine type {pool.machine_type} is not offered in {region} "
                f"per gkeplan's catalog of {date}",
                None,
            )
        for i, acc in enumerate(pool.accelerators):
            known = catalog.accelerator(acc.type)
            if known is None:
                yield self._unknown(
                    ctx,
                    address,
                    (*path, "accelerators", i, "type"),
                    f"accelerator type {acc.type} is {_not_in('accelerator', date)}",
                    hint(acc.type, catalog.accelerator_names()),
                )
            elif catalog.is_region(region) and region not in known.regions:
                yield self._unknown(
                    ctx,
                    address,
                    (*path, "accelerators", i, "type"),
                    f"accelerator type {acc.type} is not offered in {region} "
                    f"per gkeplan's catalog of {date}",
                    None,
                )
        for i, zone in enumerate(pool.node_locations or []):
            found = self._region(ctx, address, (*path, "nodeLocations", i), zone)
            if found is not None:
                yield found

    def _roles(self, ctx: Context) -> Iterable[Finding]:
        date = catalog.roles_date()
        for address in ctx.graph.nodes:
            node = ctx.graph.nodes[address]["node"]
            if node.kind != "iamMember" or node.config.role.startswith(_IS_CUSTOM):
                continue
            role: str = node.config.role
            deprecated = catalog.deprecated_role(role)
            if deprecated is not None:
                successor, source = deprecated
                yield self.finding(
                    ctx,
                    address,
                    node.path,
                    f"{role} is deprecated ({source}); it still works but is hidden in the "
                    f"console and may be removed",
                    f"use {successor}",
                    Severity.WARNING,
                )
            elif role not in catalog.role_names():
                yield self._unknown(
                    ctx,
                    address,
                    node.path,
                    f"role {role} is {_not_in('role', date)}",
                    hint(role, catalog.role_names()),
                )
