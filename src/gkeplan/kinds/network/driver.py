"""VPC networks through NetworksClient (REST)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.compute_v1.types import Network, NetworkRoutingConfig

from gkeplan.gcp import compute
from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import Attributes, Context, Wanted
from gkeplan.plan.model import Change


def network_attributes(net: Any) -> Attributes:
    return {
        "name": net.name,
        "autoCreateSubnetworks": bool(net.auto_create_subnetworks),
        "routingMode": net.routing_config.routing_mode or "REGIONAL",
        "mtu": int(net.mtu or 1460),  # "If unspecified, the value defaults to 1460."
        "description": net.description or "",
    }


class NetworkDriver:
    kind = "network"

    def read_all(self, ctx: Context, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        if not list(wanted):
            return {}
        client = ctx.conn.compute("networks")
        items = compute.listed(ctx.conn, lambda: client.list(project=ctx.project))
        ctx.count()
        return {
            f"projects/{ctx.project}/global/networks/{n.name}": network_attributes(n) for n in items
        }

    def read(self, ctx: Context, change: Change) -> Attributes | None:
        client = ctx.conn.compute("networks")
        try:
            got = call(
                ctx.conn.timeouts,
                lambda: client.get(project=ctx.project, network=compute.last(change.id)),
            )
        except gexc.NotFound:
            return None
        return network_attributes(got)

    def create(self, ctx: Context, change: Change) -> Attributes:
        after = change.after or {}
        body = Network(
            name=after["name"],
            auto_create_subnetworks=after["autoCreateSubnetworks"],
            routing_config=NetworkRoutingConfig(routing_mode=after["routingMode"]),
            mtu=after["mtu"],
            description=after["description"],
        )
        client = ctx.conn.compute("networks")
        compute.mutate(
            ctx.conn,
            ctx.project,
            None,
            f"create {change.address}",
            lambda: client.insert(project=ctx.project, network_resource=body),
        )
        return self.read(ctx, change) or after

    def update(self, ctx: Context, change: Change) -> Attributes:
        # networks.patch: "Only the following fields can be modified: routingConfig.routingMode"
        after = change.after or {}
        body = Network(routing_config=NetworkRoutingConfig(routing_mode=after["routingMode"]))
        client = ctx.conn.compute("networks")
        compute.mutate(
            ctx.conn,
            ctx.project,
            None,
            f"update {change.address}",
            lambda: client.patch(
                project=ctx.project, network=compute.last(change.id), network_resource=body
            ),
        )
        return self.read(ctx, change) or after

    def delete(self, ctx: Context, change: Change) -> None:
        client = ctx.conn.compute("networks")
        compute.delete(
            ctx.conn,
            ctx.project,
            change.id,
            f"delete {change.address}",
            lambda region, name: client.delete(project=ctx.project, network=name),
        )
