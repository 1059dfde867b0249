"""google_compute_subnetwork as a gkeplan subnetwork."""

from __future__ import annotations

from typing import Any

from gkeplan.convert import api
from gkeplan.kinds.network.terraform import network_ref

# hashicorp/terraform-provider-google v4.74.0, google/services/compute/
# resource_compute_subnetwork.go: `"private_ip_google_access": {Type: schema.TypeBool,
# Computed: true, Optional: true}`, not sent when unset, so GCE's default applies: off
# (Subnetwork.privateIpGoogleAccess, compute v1). gkeplan turns it on by default.
PROVIDER_PRIVATE_ACCESS = False


def _translate(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    access = res.flag("private_ip_google_access")
    body: dict[str, Any] = {
        "name": api.name_field(res, key),
        "network": network_ref(res),
        "region": res.text("region"),
        "ipCidrRange": res.text("ip_cidr_range"),
        "privateIpGoogleAccess": PROVIDER_PRIVATE_ACCESS if access is None else access,
        "description": res.text("description"),
    }
    ranges = [
        {"rangeName": r.text("range_name"), "ipCidrRange": r.text("ip_cidr_range")}
        for r in res.blocks("secondary_ip_range")
    ]
    if ranges:
        body["secondaryIpRanges"] = ranges
    log = res.block("log_config")
    if log is not None:
        body["logConfig"] = api.compact(
            {
                "aggregationInterval": log.text("aggregation_interval"),
                "flowSampling": log.value("flow_sampling"),
                "metadata": log.text("metadata"),
            }
        )
    for name in ("stack_type", "purpose", "role"):
        if res.has(name):
            value = res.text(name)
            if value not in (None, "IPV4_ONLY", "PRIVATE", "PRIVATE_RFC_1918"):
                res.leave(
                    name,
                    f"gkeplan's subnetworks are IPv4 private ones, not {value}",
                    "keep this subnetwork in Terraform",
                )
    out.put("subnetworks", key, api.compact(body), res)


_KEY = api.keyed("name")
_ID = "projects/{project}/regions/{region}/subnetworks/{name}"

MAPPINGS = (
    api.Mapping(
        "google_compute_subnetwork", "subnetwork", _translate, _KEY, api.state_id(_ID), order=6
    ),
)
