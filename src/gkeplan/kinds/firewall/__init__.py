"""firewall.NAME: a VPC firewall rule."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, cast

from pydantic import AfterValidator, Field

from gkeplan.errors import Path, Severity
from gkeplan.kinds import base
from gkeplan.kinds.network import (
    COMPUTE_API,
    check_network_ref,
    compute_permissions,
    network_dep,
    network_name,
    rfc1035,
)
from gkeplan.spec.base import Document, Model, Name, Resource
from gkeplan.spec.checks import Checker, name_at


def _range(value: str) -> str:
    """Firewall.sourceRanges / destinationRanges: "These ranges must be expressed in CIDR
    format ... Both IPv4 and IPv6 are supported." (compute v1 discovery document)"""
    if "/" not in value:
        raise ValueError(f"'{value}' has no prefix length; write it as {value}/32 (or /128)")
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        msg = f"'{value}' is not an IPv4 or IPv6 CIDR range such as 10.0.0.0/8 or 2001:db8::/32"
        raise ValueError(f"{msg} ({exc})") from None
    return value


# An IPv4 or IPv6 range in CIDR form, with no host bits set.
FirewallRange = Annotated[str, AfterValidator(_range)]

# "This value can either be one of the following well known protocol strings (tcp, udp, icmp,
# esp, ah, ipip, sctp) or the IP protocol number." (compute v1 discovery document,
# Firewall.allowed[].IPProtocol); "all" too (Google provider, google_compute_firewall
# allow.protocol: "(tcp, udp, icmp, esp, ah, sctp, ipip, all)").
PROTOCOLS = frozenset({"tcp", "udp", "icmp", "esp", "ah", "ipip", "sctp", "all"})
# ports: "This field is only applicable for the UDP or TCP protocol" (same document; the
# Google provider adds SCTP); by number, TCP is 6, UDP 17 and SCTP 132 (IANA).
PORT_PROTOCOLS = frozenset({"tcp", "udp", "sctp", "6", "17", "132"})
_PORT = re.compile(r"(\d{1,5})(-(\d{1,5}))?\Z")
ANYWHERE = "0.0.0.0/0"


def effective_source_ranges(rule: Firewall) -> list[str]:
    """What GCP applies: an INGRESS rule with no source at all gets 0.0.0.0/0 ("Firewall
    source_ranges defaults to 0.0.0.0/0 when source_tags not provided",
    hashicorp/terraform-provider-google#6789; GoogleCloudPlatform/cloud-foundation-fabric#1815)."""
    if rule.direction == "INGRESS" and not rule.source_ranges and not rule.source_tags:
        return [ANYWHERE]
    return list(rule.source_ranges)


class Traffic(Model):
    """One entry of Firewall.allowed[] / denied[]: IPProtocol and ports."""

    # "The IP protocol to which this rule applies. The protocol type is required when creating a
    # firewall rule. This value can either be one of the following well known protocol strings
    # (tcp, udp, icmp, esp, ah, ipip, sctp) or the IP protocol number." (discovery document)
    protocol: Name
    ports: list[str] = Field(default_factory=list, description='e.g. ["22"], ["8000-8080"]')


class Firewall(Resource):
    name: str | None = Field(None, description="Rule name; defaults to the key.")
    network: Name = Field(description="A spec network's key, or an existing network's name.")
    # Firewall.direction: "either INGRESS or EGRESS. The default is INGRESS."
    direction: Literal["INGRESS", "EGRESS"] = "INGRESS"
    # Firewall.priority: "an integer between 0 and 65535, both inclusive. The default value
    # is 1000." (compute v1 discovery document)
    priority: Annotated[int, Field(ge=0, le=65535)] = 1000
    source_ranges: list[FirewallRange] = Field(default_factory=list)
    destination_ranges: list[FirewallRange] = Field(default_factory=list)
    source_tags: list[Name] = Field(default_factory=list)
    target_tags: list[Name] = Field(default_factory=list)
    allow: list[Traffic] = Field(default_factory=list)
    deny: list[Traffic] = Field(default_factory=list)
    disabled: bool = False
    description: str = ""


def firewalls(spec: Document) -> dict[str, Firewall]:
    return cast(dict[str, Firewall], spec.section("firewalls"))


def traffic(items: list[Traffic]) -> list[dict[str, Any]]:
    return sorted(
        ({"protocol": t.protocol, "ports": list(t.ports)} for t in items),
        key=lambda t: (t["protocol"], t["ports"]),
    )


def _expand(spec: Document) -> Iterable[base.Node]:
    return base.section_nodes("firewall", "firewalls", firewalls(spec))


def _link(spec: Document, node: base.Node, nodes: Mapping[str, base.Node]) -> Iterable[base.Dep]:
    rule: Firewall = node.model
    return network_dep(spec, rule.network, (*node.path, "network"), nodes)


_NEEDS = compute_permissions("firewalls", "globalOperations")


_needs = base.project_permissions(_NEEDS)


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    rule: Firewall = node.model
    name = rule.name or node.address.split(".", 1)[1]
    return base.DesiredState(
        f"projects/{spec.project}/global/firewalls/{name}",
        {
            "name": name,
            "network": network_name(spec, rule.network),
            "direction": rule.direction,
            "priority": rule.priority,
            # as GCP stores it: no source on INGRESS is 0.0.0.0/0 (no diff on every plan)
            "sourceRanges": sorted(effective_source_ranges(rule)),
            "destinationRanges": sorted(rule.destination_ranges),
            "sourceTags": sorted(rule.source_tags),
            "targetTags": sorted(rule.target_tags),
            "allow": traffic(rule.allow),
            "deny": traffic(rule.deny),
            "disabled": rule.disabled,
            "description": rule.description,
        },
        {"project": spec.project},
    )


def _check(spec: Document, c: Checker) -> None:
    seen: dict[str, str] = {}
    for key, rule in firewalls(spec).items():
        path: Path = ("firewalls", key)
        name, name_path = name_at(path, rule.name, key)
        c.named(name_path, name, rfc1035(name, "firewall rule"), seen, key, "firewall rule name")
        check_network_ref(spec, c, (*path, "network"), rule.network)
        # Firewall.direction: "For EGRESS traffic, you cannot specify the sourceTags fields."
        if rule.direction == "EGRESS" and rule.source_tags:
            c.error(
                (*path, "sourceTags"),
                "an EGRESS rule cannot have sourceTags",
                "use targetTags for the instances the rule applies to",
            )
        if rule.direction == "INGRESS" and not rule.source_ranges and not rule.source_tags:
            c.error(
                path,
                f"the INGRESS rule names no source: GCP applies it from {ANYWHERE}, the whole "
                "internet",
                "set sourceRanges (or sourceTags) to the sources you mean",
                severity=Severity.WARNING,
            )
        for key, items in (("allow", rule.allow), ("deny", rule.deny)):
            for i, t in enumerate(items):
                _check_traffic(c, (*path, key, i), t)
        if not rule.allow and not rule.deny:
            c.error(
                path,
                "the rule neither allows nor denies anything",
                'add allow: [{protocol: tcp, ports: ["22"]}] or deny: [...]',
                severity=Severity.WARNING,
            )
        if rule.allow and rule.deny:
            # The Google provider accepts exactly one of allow and deny; unsourced for the
            # API itself: a warning.
            c.error(
                (*path, "deny"),
                "the rule both allows and denies: write two rules",
                severity=Severity.WARNING,
            )
        c.depends_on(path, rule)


def _check_traffic(c: Checker, at: Path, t: Traffic) -> None:
    protocol = t.protocol.lower()
    number = protocol.isdigit() and int(protocol) <= 255
    if protocol not in PROTOCOLS and not number:
        c.error(
            (*at, "protocol"),
            f"'{t.protocol}' is not an IP protocol GCP's firewall takes",
            "tcp, udp, icmp, esp, ah, ipip, sctp, all, or a protocol number 0-255",
        )
        return
    if t.ports and protocol not in PORT_PROTOCOLS:
        c.error(
            (*at, "ports"),
            f"ports apply to tcp, udp and sctp only, not {t.protocol}",
            "remove ports (the rule then covers all of the protocol's traffic)",
        )
    for j, port in enumerate(t.ports):
        m = _PORT.match(port)
        low, high = (int(m.group(1)), int(m.group(3) or m.group(1))) if m else (0, -1)
        if not m or high > 65535 or low > high:
            # "Each entry must be either an integer or a range." (same document)
            c.error(
                (*at, "ports", j),
                f"port '{port}' is neither a port (0-65535) nor a range such as 8000-8080",
            )


KIND = base.Kind(
    "firewall",
    base.Section("firewalls", dict[str, Firewall], dict, "VPC firewall rules, by key."),
    _expand,
    _needs,
    _desired,
    apis=base.uses(COMPUTE_API),
    driver="gkeplan.kinds.firewall.driver:FirewallDriver",
    generate="gkeplan.kinds.firewall.generate:GENERATOR",
    link=_link,
    check=_check,
    # firewalls.patch "supports PATCH semantics and uses the JSON merge patch format" (compute
    # v1 discovery document). The network is the rule's identity ("URL of the network resource
    # for this firewall rule"); direction is kept as the rule's identity too (a rule's sources
    # and destinations mean different things per direction), so changing it replaces the rule.
    immutable=frozenset({"name", "network", "direction"}),
    expected_seconds=10.0,
    rules="gkeplan.kinds.firewall.rules:RULES",
)
