"""projectService.NAME: an API enabled in the spec's project (Service Usage), as Terraform's
google_project_service.

An API the spec lists is enabled before anything that calls it (each kind declares the APIs
its driver calls, `Kind.apis`; the graph puts this node before theirs). One that is enabled
already is taken into the state as it is, with no call: it is the API the spec asks for, in the
state the spec asks for it, so there is nothing to refuse.
Leaving the spec never disables it unless the entry says `disableOnDestroy: true`: disabling
an API stops everything in the project that uses it, which is why the Google provider's
`disable_on_destroy` documents the risk (google_project_service: "If true or unset, disable
the service when the Terraform resource is destroyed"); gkeplan's default is the safe one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from pydantic import Field

from gkeplan.errors import Path, Severity
from gkeplan.kinds import base
from gkeplan.lifecycle import Lifecycle
from gkeplan.spec.base import Document, Resource
from gkeplan.spec.checks import Checker

SERVICE_USAGE_API = "serviceusage.googleapis.com"  # the service its driver's client calls


class ProjectService(Resource):
    name: str = Field(description="The API's service name, e.g. container.googleapis.com.")
    disable_on_destroy: bool = Field(
        False,
        description="Disable the API when it leaves the spec (or on destroy). Off: gkeplan "
        "stops managing it and leaves it enabled.",
    )
    disable_dependent_services: bool = Field(
        False,
        description="With disableOnDestroy: also disable the services that depend on it "
        "(Service Usage refuses to disable a service others depend on otherwise).",
    )


def services(spec: Document) -> list[ProjectService]:
    """The spec's entries, a bare name read as {name: NAME}."""

    def normalised() -> list[ProjectService]:
        raw = cast(list[str | ProjectService], spec.section("services"))
        return [s if isinstance(s, ProjectService) else ProjectService(name=s) for s in raw]

    return spec.memo("service.entries", normalised)


def _expand(spec: Document) -> Iterable[base.Node]:
    for i, service in enumerate(services(spec)):
        path: Path = ("services", i)
        deps = tuple(base.explicit_deps(path, service.depends_on))
        yield base.Node(f"projectService.{service.name}", "projectService", path, service, deps)


def _enables(spec: Document, node: base.Node) -> Iterable[str]:
    return (node.model.name,)


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    s: ProjectService = node.model
    return base.DesiredState(
        f"projects/{spec.project}/services/{s.name}",
        {"name": s.name, "state": "ENABLED"},
        {"disableDependentServices": s.disable_dependent_services},
        # leaving the spec forgets it unless it is to be disabled
        Lifecycle(keep_on_destroy=not s.disable_on_destroy),
    )


# A service name is one path segment: services.enable is POST v1/{name=*/*/services/*}:enable
# (Service Usage v1 reference), so a name with a slash or a space can never be enabled. Google's
# own are DNS names ("projects/123/services/serviceusage.googleapis.com", the same page); any
# other shape is unsourced, so it warns.
_SEGMENT = re.compile(r"[^/\s]+\Z")
_SHAPE = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?\Z")


def _check(spec: Document, c: Checker) -> None:
    seen: dict[str, int] = {}
    for i, service in enumerate(services(spec)):
        path: Path = ("services", i)
        fix = (
            "write the name `gcloud services list --available` shows, e.g. container.googleapis.com"
        )
        if not _SEGMENT.match(service.name):
            c.error(path, f"'{service.name}' is not an API's service name", fix)
        elif not _SHAPE.match(service.name) or "." not in service.name:
            c.error(
                path,
                f"'{service.name}' does not look like an API's service name",
                fix,
                severity=Severity.WARNING,
            )
        elif service.name in seen:
            c.error(
                path, f"{service.name} is listed twice (first at services[{seen[service.name]}])"
            )
        else:
            seen[service.name] = i
        if service.disable_dependent_services and not service.disable_on_destroy:
            c.error(
                (*path, "disableDependentServices"),
                "disableDependentServices has no effect without disableOnDestroy: true",
                severity=Severity.WARNING,
            )
        c.depends_on(path, service)


# services.get / enable / disable (roles/serviceusage.serviceUsageAdmin in
# shared/reference/gcp-iam-roles holds all three)
_NEEDS = {
    "read": ("serviceusage.services.get",),
    "create": ("serviceusage.services.enable",),
    "update": ("serviceusage.services.enable",),
    "delete": ("serviceusage.services.disable",),
}


KIND = base.Kind(
    "projectService",
    base.Section(
        "services",
        list[str | ProjectService],
        list,
        "APIs enabled in the project before anything that calls them: a service name, or "
        "{name, disableOnDestroy, disableDependentServices}.",
    ),
    _expand,
    base.project_permissions(_NEEDS),
    _desired,
    driver="gkeplan.kinds.project_service.driver:ProjectServiceDriver",
    check=_check,
    apis=base.uses(SERVICE_USAGE_API),
    enables=_enables,
    immutable=frozenset({"name"}),
    takes_over_existing=True,  # an API that is on is what the spec asks for (see above)
    expected_seconds=30.0,  # a scheduling guess: enabling an API takes seconds to minutes
)
