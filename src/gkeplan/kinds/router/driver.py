"""Cloud Routers and their Cloud NAT through RoutersClient (REST)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.compute_v1.types import Router, RouterNat, RouterNatLogConfig

from gkeplan.gcp import compute
from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import Attributes, Context, Wanted
from gkeplan.plan.model import Change


def _nat(nat: Any) -> dict[str, Any]:
    log = nat.log_config if "log_config" in nat else None
    return {
        "name": nat.name,
        "natIpAllocateOption": nat.nat_ip_allocate_option,
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


def _nats(after: Attributes) -> list[RouterNat]:
    out = []
    for nat in after["nats"]:
        body = RouterNat(
            name=nat["name"],
            nat_ip_allocate_option=nat["natIpAllocateOption"],
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
        nats=_nats(after),
        description=after["description"],
    )


class RouterDriver:
    kind = "router"

    def read_all(self, ctx: Context, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        if not list(wanted):
            return {}
        client = ctx.conn.compute("routers")
        items = compute.aggregated(
            ctx.conn, lambda: client.aggregated_list(project=ctx.project), "routers"
        )
        ctx.count()
        out = {}
        for router in items:
            attrs = router_attributes(router)
            out[f"projects/{ctx.project}/regions/{attrs['region']}/routers/{router.name}"] = attrs
        return out

    def read(self, ctx: Context, change: Change) -> Attributes | None:
        region, name = compute.regional(change.id)
        client = ctx.conn.compute("routers")
        try:
            got = call(
                ctx.conn.timeouts,
                lambda: client.get(project=ctx.project, region=region, router=name),
            )
        except gexc.NotFound:
            return None
        return router_attributes(got)

    def create(self, ctx: Context, change: Change) -> Attributes:
        after = change.after or {}
        region, _ = compute.regional(change.id)
        body = _router(ctx.project, after)
        client = ctx.conn.compute("routers")
        compute.mutate(
            ctx.conn,
            ctx.project,
            region,
            f"create {change.address}",
            lambda: client.insert(project=ctx.project, region=region, router_resource=body),
        )
        return self.read(ctx, change) or after

    def update(self, ctx: Context, change: Change) -> Attributes:
        # routers.update (PUT: "the state of the target resource be created or replaced with
        # the state defined by the representation"), not patch: a JSON merge patch leaves out
        # the empty nats list the client never sends, so a removed NAT would stay.
        after = change.after or {}
        region, name = compute.regional(change.id)
        body = _router(ctx.project, after)
        client = ctx.conn.compute("routers")
        compute.mutate(
            ctx.conn,
            ctx.project,
            region,
            f"update {change.address} nats",
            lambda: client.update(
                project=ctx.project, region=region, router=name, router_resource=body
            ),
        )
        return self.read(ctx, change) or after

    def delete(self, ctx: Context, change: Change) -> None:
        client = ctx.conn.compute("routers")
        compute.delete(
            ctx.conn,
            ctx.project,
            change.id,
            f"delete {change.address}",
            lambda region, name: client.delete(project=ctx.project, region=region, router=name),
        )
