"""google_compute_router and google_compute_router_nat as a gkeplan router with its NAT."""

from __future__ import annotations

from typing import Any

from gkeplan.convert import api
from gkeplan.kinds.network.terraform import network_ref


def _router(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    if res.has("bgp"):
        res.leave("bgp", "gkeplan's routers serve Cloud NAT only", "keep BGP in Terraform")
    body = {
        "name": api.name_field(res, key),
        "network": network_ref(res),
        "region": res.text("region"),
        "description": res.text("description"),
    }
    out.put("routers", key, api.compact(body), res)


def _nat(res: api.TfResource, out: api.Output) -> None:
    api.same_project(res)
    router = res.ref_key("router", ["google_compute_router"])
    res.skip("router", "region")
    log = res.block("log_config")
    body: dict[str, Any] = api.compact(
        {
            "name": res.text("name"),
            "natIpAllocateOption": res.text("nat_ip_allocate_option"),
            "sourceSubnetworkIpRangesToNat": res.text("source_subnetwork_ip_ranges_to_nat"),
            "logConfig": api.compact({"enable": log.flag("enable"), "filter": log.text("filter")})
            if log
            else None,
        }
    )
    if router is None or not out.put_nested(("routers", router, "nat"), body, res):
        res.leave(
            "router",
            "its router is not one this configuration converts",
            "declare the router in the spec and its nat: under it",
        )


_KEY = api.keyed("name")
_ID = "projects/{project}/regions/{region}/routers/{name}"

MAPPINGS = (
    api.Mapping("google_compute_router", "router", _router, _KEY, api.state_id(_ID), order=7),
    # a NAT is part of its router in gkeplan (one routers.patch): adopted with it
    api.Mapping(
        "google_compute_router_nat", "router", _nat, order=8, part_of="google_compute_router"
    ),
)
