"""VPC networks through NetworksClient (REST)."""

from __future__ import annotations

from typing import Any

from google.cloud.compute_v1.types import Network, NetworkRoutingConfig

from gkeplan.gcp import compute
from gkeplan.kinds.compute_base import ComputeDriver
from gkeplan.kinds.driver import Attributes, CallContext
from gkeplan.plan.model import Change


def network_attributes(net: Any) -> Attributes:
    return {
        "name": net.name,
        "autoCreateSubnetworks": bool(net.auto_create_subnetworks),
        "routingMode": net.routing_config.routing_mode or "REGIONAL",
        "mtu": int(net.mtu or 1460),  # "If unspecified, the value defaults to 1460."
        "description": net.description or "",
    }


class NetworkDriver(ComputeDriver):
    kind = "network"
    collection = "networks"
    singular = "network"

    def attributes(self, item: Any) -> Attributes:
        return network_attributes(item)

    def body(self, ctx: CallContext, after: Attributes) -> Network:
        return Network(
            name=after["name"],
            auto_create_subnetworks=after["autoCreateSubnetworks"],
            routing_config=NetworkRoutingConfig(routing_mode=after["routingMode"]),
            mtu=after["mtu"],
            description=after["description"],
        )

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        # networks.patch: "Only the following fields can be modified: routingConfig.routingMode"
        after = change.after or {}
        body = Network(routing_config=NetworkRoutingConfig(routing_mode=after["routingMode"]))
        client = ctx.conn.compute("networks")
        self.send(
            ctx,
            change,
            "",
            lambda: client.patch(
                project=ctx.project, network=compute.last(change.id), network_resource=body
            ),
        )
        return self.read(ctx, change) or after
