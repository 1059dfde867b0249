"""CT001: names gkeplan's dated catalog does not know, as findings a spec can waive.

GCP releases machine types, regions, accelerators and roles more often than gkeplan's
catalog is rebuilt, so an unknown name is an error that names the catalog's date and can
be waived in policy.exceptions, never a refusal of something GCP would accept.
"""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan import catalog
from gkeplan.catalog import Accelerator, MachineType
from gkeplan.errors import Path, Severity
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.base import CatalogName
from gkeplan.policy.model import Finding, Rule, RuleContext
from gkeplan.spec.suggest import Suggester


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

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        found = self._region(ctx, "project", ("region",), ctx.spec.region)
        if found is not None:
            yield found
        for address in ctx.graph.nodes:
            node = ctx.graph.nodes[address]["node"]
            for name in BY_NAME[node.kind].catalog_names(ctx.spec, node):
                found = self._name(ctx, address, name)
                if found is not None:
                    yield found

    def _unknown(
        self, ctx: RuleContext, resource: str, path: Path, message: str, near: str | None
    ) -> Finding:
        fix = f"{near} " if near else ""
        return self.finding(ctx, resource, path, message, fix + _waive(self.id, resource))

    def _region(self, ctx: RuleContext, resource: str, path: Path, location: str) -> Finding | None:
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

    def _name(self, ctx: RuleContext, address: str, name: CatalogName) -> Finding | None:
        if name.what == "location":
            return self._region(ctx, address, name.path, name.value)
        if name.what == "role":
            return self._role(ctx, address, name)
        date = catalog.date()
        known: MachineType | Accelerator | None
        if name.what == "machineType":
            known, what, names = (
                catalog.machine_type(name.value),
                "machine type",
                catalog.machine_type_names(),
            )
        else:
            known, what, names = (
                catalog.accelerator(name.value),
                "accelerator type",
                catalog.accelerator_names(),
            )
        if known is None:
            catalog_of = "machine type" if name.what == "machineType" else "accelerator"
            return self._unknown(
                ctx,
                address,
                name.path,
                f"{what} {name.value} is {_not_in(catalog_of, date)}",
                hint(name.value, names),
            )
        if catalog.is_region(name.region) and name.region not in known.regions:
            return self._unknown(
                ctx,
                address,
                name.path,
                f"{what} {name.value} is not offered in {name.region} "
                f"per gkeplan's catalog of {date}",
                None,
            )
        return None

    def _role(self, ctx: RuleContext, address: str, name: CatalogName) -> Finding | None:
        role = name.value
        deprecated = catalog.deprecated_role(role)
        if deprecated is not None:
            successor, source = deprecated
            return self.finding(
                ctx,
                address,
                name.path,
                f"{role} is deprecated ({source}); it still works but is hidden in the "
                f"console and may be removed",
                f"use {successor}",
                Severity.WARNING,
            )
        if role not in catalog.role_names():
            return self._unknown(
                ctx,
                address,
                name.path,
                f"role {role} is {_not_in('role', catalog.roles_date())}",
                hint(role, catalog.role_names()),
            )
        return None
