"""Cloud Routers and their Cloud NAT through RoutersClient (REST)."""

from __future__ import annotations

from typing import Any

from google.cloud.compute_v1.types import Router, RouterNat, RouterNatLogConfig

from gkeplan.gcp import compute
from gkeplan.kinds.compute_base import ComputeDriver
from gkeplan.kinds.driver import Attributes, CallContext
from gkeplan.plan.model import Change


def _nat(nat: Any) -> dict[str, Any]:
    log = nat.log_config if "log_config" in nat else None
    return {
        "name": nat.name,
        "natIpAllocateOption": nat.nat_ip_allocate_option,
        "natIps": sorted(compute.last(ip) for ip in nat.nat_ips),
        "sourceSubnetworkIpRangesToNat": nat.source_subnetwork_ip_ranges_to_nat,
        "logConfig": (
            {"enable": True, "filter": log.filter or "ALL"}
            if log is not None and log.enable
            else None
        ),
    }


def router_attributes(router: Any) -> Attributes:
    return {
        "name": router.name,
        "network": compute.last(router.network),
        "region": compute.last(router.region),
        "nats": [_nat(n) for n in router.nats],
        "description": router.description or "",
    }


def _nats(project: str, after: Attributes) -> list[RouterNat]:
    out = []
    for nat in after["nats"]:
        # natIps: "A list of URLs of the IP resources used for this Nat service" (discovery
        # document): the router's region's addresses
        addresses = f"projects/{project}/regions/{after['region']}/addresses"
        body = RouterNat(
            name=nat["name"],
            nat_ip_allocate_option=nat["natIpAllocateOption"],
            nat_ips=[f"{addresses}/{n}" for n in nat.get("natIps", [])],
            source_subnetwork_ip_ranges_to_nat=nat["sourceSubnetworkIpRangesToNat"],
        )
        log = nat["logConfig"]
        body.log_config = (
            RouterNatLogConfig(enable=True, filter=log["filter"])
            if log
            else RouterNatLogConfig(enable=False)
        )
        out.append(body)
    return out


def _router(project: str, after: Attributes) -> Router:
    return Router(
        name=after["name"],
        network=f"projects/{project}/global/networks/{after['network']}",
        nats=_nats(project, after),
        description=after["description"],
    )


class RouterDriver(ComputeDriver):
    kind = "router"
    collection = "routers"
    singular = "router"
    regional = True

    def attributes(self, item: Any) -> Attributes:
        return router_attributes(item)

    def body(self, ctx: CallContext, after: Attributes) -> Router:
        return _router(ctx.project, after)

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        # routers.update (PUT: "the state of the target resource be created or replaced with
        # the state defined by the representation"), not patch: a JSON merge patch leaves out
        # the empty nats list the client never sends, so a removed NAT would stay.
        after = change.after or {}
        region, name = compute.regional(change.id)
        body = _router(ctx.project, after)
        client = ctx.conn.compute("routers")
        self.send(
            ctx,
            change,
            " nats",
            lambda: client.update(
                project=ctx.project, region=region, router=name, router_resource=body
            ),
        )
        return self.read(ctx, change) or after
