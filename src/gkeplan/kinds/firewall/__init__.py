"""firewall.NAME: a VPC firewall rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, cast

from pydantic import Field

from gkeplan.errors import Path, Severity
from gkeplan.kinds.base import (
    Dep,
    DesiredState,
    Kind,
    Node,
    Section,
    project_permissions,
    section_nodes,
)
from gkeplan.kinds.network import (
    Cidr,
    check_network_ref,
    compute_permissions,
    network_dep,
    network_name,
    rfc1035,
)
from gkeplan.spec.base import Document, Model, Name, Resource
from gkeplan.spec.checks import Checker


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
    source_ranges: list[Cidr] = Field(default_factory=list)
    destination_ranges: list[Cidr] = Field(default_factory=list)
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


def _expand(spec: Document) -> Iterable[Node]:
    return section_nodes("firewall", "firewalls", firewalls(spec))


def _link(spec: Document, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    rule: Firewall = node.config
    return network_dep(spec, rule.network, (*node.path, "network"), nodes)


_NEEDS = compute_permissions("firewalls", "globalOperations")


_needs = project_permissions(_NEEDS)


def _desired(spec: Document, node: Node) -> DesiredState:
    rule: Firewall = node.config
    name = rule.name or node.address.split(".", 1)[1]
    return DesiredState(
        f"projects/{spec.project}/global/firewalls/{name}",
        {
            "name": name,
            "network": network_name(spec, rule.network),
            "direction": rule.direction,
            "priority": rule.priority,
            "sourceRanges": sorted(rule.source_ranges),
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
        name = rule.name or key
        name_path = (*path, "name") if rule.name else path
        c.named(name_path, name, rfc1035(name, "firewall rule"), seen, key, "firewall rule name")
        check_network_ref(spec, c, (*path, "network"), rule.network)
        # Firewall.direction: "For EGRESS traffic, you cannot specify the sourceTags fields."
        if rule.direction == "EGRESS" and rule.source_tags:
            c.error(
                (*path, "sourceTags"),
                "an EGRESS rule cannot have sourceTags",
                "use targetTags for the instances the rule applies to",
            )
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


KIND = Kind(
    "firewall",
    Section("firewalls", dict[str, Firewall], dict, "VPC firewall rules, by key."),
    _expand,
    _needs,
    _desired,
    driver="gkeplan.kinds.firewall.driver:FirewallDriver",
    link=_link,
    check=_check,
    # firewalls.patch "supports PATCH semantics and uses the JSON merge patch format" (compute
    # v1 discovery document). The network is the rule's identity ("URL of the network resource
    # for this firewall rule"); direction is kept as the rule's identity too (a rule's sources
    # and destinations mean different things per direction), so changing it replaces the rule.
    immutable=frozenset({"name", "network", "direction"}),
    weight=10.0,
)
