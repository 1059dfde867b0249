"""The checker every semantic check reports through, with the checks many kinds share:
names, labels, the shape of roles and locations, and dependsOn references.

Whether a role, region, zone or machine type exists is the catalog rule's question
(policy CT001): gkeplan's catalog is dated, so its answer is a finding that can be waived,
never a refusal of a name GCP released after the catalog was built. A zone its known region's
zone list does not name is a warning here (`known_zone`), for the same reason never an error.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from gkeplan import catalog
from gkeplan.errors import Diagnostic, Path, Severity
from gkeplan.spec import names
from gkeplan.spec.base import Document, Resource
from gkeplan.spec.suggest import Suggestions

REGION = re.compile(r"^[a-z]+-[a-z]+\d+$")


@cache
def _known_locations() -> tuple[str, ...]:
    return (*catalog.regions(), *(z for zs in catalog.regions().values() for z in zs))


def name_at(path: Path, name: str | None, key: str) -> tuple[str, Path]:
    """A resource's GCP name (its key unless it writes `name`) and where an error on the name
    points: at `name` when it is written, else at the key."""
    return name or key, ((*path, "name") if name else path)


class Checker:
    """Collects the problems of one spec; `addresses` are every resource's graph address."""

    def __init__(self, spec: Document, addresses: set[str]) -> None:
        self.spec = spec
        self.source = spec.source  # read once: pydantic private attributes are slow to reach
        self.addresses = addresses
        self.problems: list[Diagnostic] = []
        self.suggestions = Suggestions()  # one index per candidate collection, for this run

    def hint(self, value: str, candidates: Iterable[str]) -> str | None:
        """Did you mean ...? in O(log n) per call once the candidates are indexed."""
        near = self.suggestions.closest(value, candidates)
        return f"did you mean '{near[0]}'?" if near else None

    def error(
        self,
        path: Path,
        message: str,
        hint: str | None = None,
        code: str = "reference",
        severity: Severity = Severity.ERROR,
    ) -> None:
        source = self.source
        loc = source.value(path) if source else None
        if source is not None and source.origins:
            message += source.origin_note(path)  # name the variables the value came from
        self.problems.append(Diagnostic(message, loc, path, hint, severity, code))

    def region(self, path: Path, value: str, fix: str = "e.g. us-central1") -> bool:
        """`value` is a region's name (us-central1), else an error at `path` with `fix`."""
        if REGION.match(value):
            return True
        self.error(path, f"'{value}' is not a region", fix)
        return False

    def check_name(self, path: Path, problem: str | None) -> None:
        if problem:
            self.error(path, problem)

    def named(
        self, path: Path, name: str, problem: str | None, seen: dict[str, str], key: str, what: str
    ) -> None:
        """A GCP name: valid (`problem` is None) and used by one resource only, since GCP names
        are unique within their scope; `seen` maps the names met so far to their keys."""
        self.check_name(path, problem)
        if name in seen:
            self.error(path, f"{what} '{name}' is also used by '{seen[name]}'")
        seen[name] = key

    def labels(self, path: Path, labels: dict[str, str]) -> None:
        if len(labels) > names.MAX_LABELS:
            self.error(path, f"{len(labels)} labels; GCP allows at most {names.MAX_LABELS}")
        for key, value in labels.items():
            self.check_name((*path, key), names.label(key, value))

    def kubernetes_labels(self, path: Path, labels: dict[str, str]) -> None:
        """Labels Kubernetes applies to nodes (not GCP resource labels: see names.py)."""
        for key, value in labels.items():
            self.check_name((*path, key), names.kubernetes_label(key, value))

    def role(self, path: Path, role: str) -> None:
        if role.startswith(("projects/", "organizations/")) and "/roles/" in role:
            return  # custom roles live in the project or organisation, not in the catalog
        if not role.startswith("roles/"):
            self.error(path, f"'{role}' is not a role", "predefined roles look like roles/x.y")

    def location(self, path: Path, location: str) -> bool:
        """A region or zone by its shape; whether it exists is the catalog rule's to say."""
        if REGION.match(location):
            return True
        if catalog.looks_like_zone(location):
            self.known_zone(path, location)
            return True
        self.error(
            path,
            f"'{location}' is neither a region (us-central1) nor a zone (us-central1-c)",
            self.hint(location, _known_locations()),
        )
        return False

    def zones(self, path: Path, zones: list[str] | None, region: str | None) -> None:
        for i, zone in enumerate(zones or []):
            if not catalog.looks_like_zone(zone):
                self.error(
                    (*path, i),
                    f"'{zone}' is not a zone",
                    self.hint(zone, catalog.regions().get(region or "", ())),
                )
            elif region and catalog.region_of(zone) != region:
                self.error((*path, i), f"zone {zone} is not in the cluster's region {region}")
            else:
                self.known_zone((*path, i), zone)

    def known_zone(self, path: Path, zone: str) -> None:
        """A zone its region's catalog entry does not name is a warning with did-you-mean,
        never an error: the zone list is an older snapshot, and GCP opens zones since. GKE
        refuses a zone that does not exist only at create, after the accounts and grants
        before it were made: `code=400, message=location "us-east1-b" does not exist.`
        (kubernetes/test-infra#8381)."""
        region = catalog.region_of(zone)
        known = catalog.regions().get(region, ())
        if not known or zone in known:
            return  # an unknown region is CT001's; a region without zone data, no opinion
        near = self.hint(zone, known)
        self.error(
            path,
            f"zone {zone} is not one of the zones of {region} in gkeplan's catalog "
            f"({', '.join(known)}); GKE refuses a zone that does not exist when it creates "
            "the cluster",
            (f"{near} " if near else "")
            + f"if GCP opened {zone} after the catalog was made, ignore this warning",
            code="catalog",
            severity=Severity.WARNING,
        )

    def depends_on(self, path: Path, resource: Resource) -> None:
        for i, address in enumerate(resource.depends_on):
            if address not in self.addresses:
                self.error(
                    (*path, "dependsOn", i),
                    f"dependsOn '{address}' is not a resource of this spec",
                    self.hint(address, self.addresses),
                )
