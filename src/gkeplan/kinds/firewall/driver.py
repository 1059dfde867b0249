"""VPC firewall rules through FirewallsClient (REST)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.cloud.compute_v1.types import Allowed, Denied, Firewall

from gkeplan.gcp import compute
from gkeplan.kinds.compute_base import ComputeDriver
from gkeplan.kinds.driver import Attributes, CallContext
from gkeplan.plan.model import Change


def _traffic(items: Iterable[Any]) -> list[dict[str, Any]]:
    return sorted(
        ({"protocol": t.I_p_protocol, "ports": list(t.ports)} for t in items),
        key=lambda t: (t["protocol"], t["ports"]),
    )


def firewall_attributes(rule: Any) -> Attributes:
    return {
        "name": rule.name,
        "network": compute.last(rule.network),
        "direction": rule.direction or "INGRESS",
        "priority": int(rule.priority if "priority" in rule else 1000),
        "sourceRanges": sorted(rule.source_ranges),
        "destinationRanges": sorted(rule.destination_ranges),
        "sourceTags": sorted(rule.source_tags),
        "targetTags": sorted(rule.target_tags),
        "allow": _traffic(rule.allowed),
        "deny": _traffic(rule.denied),
        "disabled": bool(rule.disabled),
        "description": rule.description or "",
    }


class FirewallDriver(ComputeDriver):
    kind = "firewall"
    collection = "firewalls"
    singular = "firewall"

    def attributes(self, item: Any) -> Attributes:
        return firewall_attributes(item)

    def body(self, ctx: CallContext, after: Attributes) -> Firewall:
        return Firewall(
            name=after["name"],
            network=f"projects/{ctx.project}/global/networks/{after['network']}",
            direction=after["direction"],
            priority=after["priority"],
            source_ranges=after["sourceRanges"],
            destination_ranges=after["destinationRanges"],
            source_tags=after["sourceTags"],
            target_tags=after["targetTags"],
            allowed=[Allowed(I_p_protocol=t["protocol"], ports=t["ports"]) for t in after["allow"]],
            denied=[Denied(I_p_protocol=t["protocol"], ports=t["ports"]) for t in after["deny"]],
            disabled=after["disabled"],
            description=after["description"],
        )

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        # firewalls.update (PUT): "all fields will be updated ... even fields that are not
        # specified"; a PATCH (JSON merge patch) cannot empty a list the client leaves out.
        after = change.after or {}
        body = self.body(ctx, after)
        client = ctx.conn.compute("firewalls")
        self.send(
            ctx,
            change,
            "",
            lambda: client.update(
                project=ctx.project, firewall=compute.last(change.id), firewall_resource=body
            ),
        )
        return self.read(ctx, change) or after
