"""VPC firewall rules through FirewallsClient (REST)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.compute_v1.types import Allowed, Denied, Firewall

from gkeplan.gcp import compute
from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import Attributes, Context, Wanted
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


def _body(project: str, after: Attributes, *, full: bool) -> Firewall:
    body = Firewall(
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
    if full:
        body.name = after["name"]
        body.network = f"projects/{project}/global/networks/{after['network']}"
        body.direction = after["direction"]
    return body


class FirewallDriver:
    kind = "firewall"

    def read_all(self, ctx: Context, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        if not list(wanted):
            return {}
        client = ctx.conn.compute("firewalls")
        items = compute.listed(ctx.conn, lambda: client.list(project=ctx.project))
        ctx.count()
        return {
            f"projects/{ctx.project}/global/firewalls/{f.name}": firewall_attributes(f)
            for f in items
        }

    def read(self, ctx: Context, change: Change) -> Attributes | None:
        client = ctx.conn.compute("firewalls")
        try:
            got = call(
                ctx.conn.timeouts,
                lambda: client.get(project=ctx.project, firewall=compute.last(change.id)),
            )
        except gexc.NotFound:
            return None
        return firewall_attributes(got)

    def create(self, ctx: Context, change: Change) -> Attributes:
        after = change.after or {}
        body = _body(ctx.project, after, full=True)
        client = ctx.conn.compute("firewalls")
        compute.mutate(
            ctx.conn,
            ctx.project,
            None,
            f"create {change.address}",
            lambda: client.insert(project=ctx.project, firewall_resource=body),
        )
        return self.read(ctx, change) or after

    def update(self, ctx: Context, change: Change) -> Attributes:
        # firewalls.update (PUT): "all fields will be updated ... even fields that are not
        # specified"; a PATCH (JSON merge patch) cannot empty a list the client leaves out.
        after = change.after or {}
        body = _body(ctx.project, after, full=True)
        client = ctx.conn.compute("firewalls")
        compute.mutate(
            ctx.conn,
            ctx.project,
            None,
            f"update {change.address}",
            lambda: client.update(
                project=ctx.project, firewall=compute.last(change.id), firewall_resource=body
            ),
        )
        return self.read(ctx, change) or after

    def delete(self, ctx: Context, change: Change) -> None:
        client = ctx.conn.compute("firewalls")
        compute.delete(
            ctx.conn,
            ctx.project,
            change.id,
            f"delete {change.address}",
            lambda region, name: client.delete(project=ctx.project, firewall=name),
        )
