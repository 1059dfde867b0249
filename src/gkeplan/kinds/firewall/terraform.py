"""google_compute_firewall as a gkeplan firewall rule."""

from __future__ import annotations

from typing import Any

from gkeplan.convert import api
from gkeplan.kinds.network.terraform import network_ref


def _traffic(res: api.TfResource, block: str) -> list[dict[str, Any]]:
    return [
        api.compact({"protocol": t.text("protocol"), "ports": t.strings("ports") or None})
        for t in res.blocks(block)
    ]


def _translate(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    for name in ("source_service_accounts", "target_service_accounts", "log_config"):
        if res.has(name):
            res.leave(
                name, "gkeplan's firewall rules have no field for it", "keep this rule in Terraform"
            )
    body = {
        "name": api.name_field(res, key),
        "network": network_ref(res),
        "direction": res.text("direction"),
        "priority": res.number("priority"),
        "sourceRanges": res.strings("source_ranges"),
        "destinationRanges": res.strings("destination_ranges"),
        "sourceTags": res.strings("source_tags"),
        "targetTags": res.strings("target_tags"),
        "allow": _traffic(res, "allow") or None,
        "deny": _traffic(res, "deny") or None,
        "disabled": res.flag("disabled"),
        "description": res.text("description"),
    }
    out.put("firewalls", key, api.compact(body), res)


_KEY = api.keyed("name")
_ID = "projects/{project}/global/firewalls/{name}"

MAPPINGS = (
    api.Mapping(
        "google_compute_firewall", "firewall", _translate, _KEY, api.state_id(_ID), order=7
    ),
)
