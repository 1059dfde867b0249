"""google_project_service as an entry of the spec's `services:`.

Faithful to what Terraform does: the provider disables the API when the resource is destroyed
unless told otherwise ("disable_on_destroy - (Optional) If true or unset, disable the service
when the Terraform resource is destroyed. Defaults to true.", google_project_service docs,
hashicorp/terraform-provider-google), so an entry that leaves it unset converts to
`disableOnDestroy: true`, where gkeplan's own default is to leave the API on.
"""

from __future__ import annotations

from gkeplan.convert import api


def _translate(res: api.TfResource, out: api.Output) -> None:
    api.same_project(res)
    name = res.text("service")
    if name is None:
        res.leave("service", "the service name cannot be read", "write it in the spec")
        return
    disable = res.flag("disable_on_destroy", True)
    dependents = res.flag("disable_dependent_services", False)
    # usage checks and timeouts: Service Usage's own switches, nothing the spec models
    res.skip("check_if_service_has_usage_on_destroy", "timeouts")
    if not disable and not dependents:
        out.append("services", {"name": name}, res)
        return
    body: dict[str, object] = {"name": name, "disableOnDestroy": bool(disable)}
    if dependents:
        body["disableDependentServices"] = True
    out.append("services", body, res)


MAPPINGS = (
    api.Mapping(
        "google_project_service",
        "projectService",
        _translate,
        None,
        # the provider's id is "{project}/{service}"; gkeplan's is the Service Usage name
        api.state_id("projects/{project}/services/{service}"),
        order=5,
    ),
)
