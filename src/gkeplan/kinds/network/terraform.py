"""google_compute_network as a gkeplan network."""

from __future__ import annotations

from typing import Any

from gkeplan.convert import api

# hashicorp/terraform-provider-google v4.74.0 (and v3.5.0), resource_compute_network.go:
# `"auto_create_subnetworks": {Type: schema.TypeBool, Optional: true, ForceNew: true,
# Default: true}`; gkeplan's default is custom mode, so an unset one is written out.
PROVIDER_AUTO_SUBNETS = True


def _translate(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    auto = res.flag("auto_create_subnetworks")
    if res.flag("delete_default_routes_on_create"):
        res.leave(
            "delete_default_routes_on_create",
            "gkeplan keeps the network's default route",
            "delete the route with gcloud, or keep the network in Terraform",
        )
    body: dict[str, Any] = {
        "name": api.name_field(res, key),
        "autoCreateSubnetworks": PROVIDER_AUTO_SUBNETS if auto is None else auto,
        "routingMode": res.text("routing_mode"),
        "mtu": res.number("mtu") or None,  # 0 in old states: GCE's default, 1460
        "description": res.text("description"),
    }
    out.put("networks", key, api.compact(body), res)


_KEY = api.keyed("name")
_ID = "projects/{project}/global/networks/{name}"

MAPPINGS = (
    api.Mapping("google_compute_network", "network", _translate, _KEY, api.state_id(_ID), order=5),
)


def network_ref(res: api.TfResource, arg: str = "network") -> str | None:
    """A network argument as the spec names it: a converted network's key, else the name of
    an existing one (the last part of an id or self link)."""
    key = res.ref_key(arg, ["google_compute_network"])
    if key is not None:
        res.skip(arg)
        return key
    text = res.text(arg)
    return text.rstrip("/").rsplit("/", 1)[-1] if text else None
