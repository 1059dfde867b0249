"""network.NAME: a VPC network (Compute Engine `networks`), and what the network kinds share:
resolving a spec network name to the GCP network it stands for, RFC 1035 names, CIDR ranges."""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from functools import lru_cache
from typing import Annotated, Literal, TypeVar, cast

from pydantic import AfterValidator, Field

from gkeplan.errors import Path
from gkeplan.kinds import base
from gkeplan.spec.base import Document, Resource
from gkeplan.spec.checks import Checker, name_at

# Compute Engine resource names: "1-63 characters long, and comply with RFC1035", pattern
# `[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?` (compute v1 discovery document: Network.name,
# Subnetwork.name, Router.name, Firewall.name, Address.name, RouterNat.name and
# SubnetworkSecondaryRange.rangeName alike).
_RFC1035 = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?\Z")


def rfc1035(value: str, what: str) -> str | None:
    if _RFC1035.match(value):
        return None
    return (
        f"'{value}' is not a valid {what} name: 1-63 characters, lowercase letters, digits and "
        "hyphens, starting with a letter and ending with a letter or digit"
    )


def _cidr(value: str) -> str:
    if "/" not in value:
        raise ValueError(f"'{value}' has no prefix length; write it as {value}/32")
    try:
        span(value)
    except ValueError as exc:
        msg = f"'{value}' is not an IPv4 CIDR range such as 10.10.0.0/20 ({exc})"
        raise ValueError(msg) from None
    return value


# An IPv4 range in CIDR form, with no host bits set (GCP refuses 10.0.0.1/16 as a range).
Cidr = Annotated[str, AfterValidator(_cidr)]


@lru_cache(maxsize=65536)
def span(cidr: str) -> tuple[int, int]:
    """The first and last address of an IPv4 CIDR range, as integers; ValueError when it is
    not one (four decimal octets without leading zeros, a prefix of 0-32, no host bits: what
    ipaddress.IPv4Network accepts with strict=True). Parsed once per range, and without
    ipaddress, which costs ~40 us a range: a spec's ranges are checked and compared often."""
    address, _, prefix = cidr.partition("/")
    octets = address.split(".")
    if len(octets) != 4 or not all(_OCTET.match(o) for o in octets):
        raise ValueError(f"{address!r} is not an IPv4 address")
    if not _PREFIX.match(prefix):
        raise ValueError(f"{prefix!r} is not a prefix length of 0-32")
    first = 0
    for octet in octets:
        first = first << 8 | int(octet)
    size = 1 << (32 - int(prefix))
    if first & (size - 1):
        raise ValueError(f"{cidr} has host bits set")
    return first, first + size - 1


_OCTET = re.compile(r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\Z")
_PREFIX = re.compile(r"(3[0-2]|[12]?[0-9])\Z")


def overlaps(a: str, b: str) -> bool:
    (a_start, a_end), (b_start, b_end) = span(a), span(b)
    return a_start <= b_end and b_start <= a_end


T = TypeVar("T")


def overlapping(ranges: Iterable[tuple[str, Hashable, T]]) -> list[tuple[T, T]]:
    """Pairs (later, earlier) of ranges of different groups that overlap: each range that
    overlaps a range of another group starting no later than it is reported once, with one
    such range. A sweep in start order, O(n log n): specs may hold thousands of ranges.
    CIDR blocks either nest or are disjoint, so the earlier range reaching furthest among
    those of another group is the one to compare with."""
    items = sorted(
        ((*span(cidr), group, tag) for cidr, group, tag in ranges), key=lambda r: (r[0], -r[1])
    )
    found: list[tuple[T, T]] = []
    best: tuple[int, Hashable, T] | None = None  # the furthest end so far
    other: tuple[int, Hashable, T] | None = None  # the furthest end of a group not best's
    for start, end, group, tag in items:
        holder = best if best is not None and best[1] != group else other
        if holder is not None and start <= holder[0]:
            found.append((tag, holder[2]))
        here = (end, group, tag)
        if best is None or end > best[0]:
            if best is not None and best[1] != group:
                other = best
            best = here
        elif group != best[1] and (other is None or end > other[0]):
            other = here
    return found


class Network(Resource):
    name: str | None = Field(None, description="Network name; defaults to the key.")
    # "Must be set to create a VPC network. If not set, a legacy network is created. When set to
    # true, the VPC network is created in auto mode. When set to false, ... custom mode"
    # (compute v1 discovery document, Network.autoCreateSubnetworks). Custom mode is the
    # default here: GKE's pod and service ranges live on subnetworks the spec declares.
    auto_create_subnetworks: bool = False
    # NetworkRoutingConfig.routingMode: GLOBAL or REGIONAL (compute v1 discovery document).
    routing_mode: Literal["REGIONAL", "GLOBAL"] = "REGIONAL"
    # "Virtual Private Cloud (VPC) networks use a default MTU of 1,460 bytes. You can set a VPC
    # network's MTU to any value between 1,300 bytes and 8,896 bytes (inclusive)"
    # (https://cloud.google.com/vpc/docs/mtu).
    mtu: Annotated[int, Field(ge=1300, le=8896)] = 1460
    description: str = ""


def networks(spec: Document) -> dict[str, Network]:
    return cast(dict[str, Network], spec.section("networks"))


def network_name(spec: Document, ref: str) -> str:
    """The GCP name of the network `ref` names: a spec network's name, else `ref` itself (an
    existing network such as `default`)."""
    net = networks(spec).get(ref)
    return (net.name if net else None) or ref


def compute_permissions(
    collection: str, operations: str, *update_also: str
) -> dict[str, tuple[str, ...]]:
    """What each action on a Compute Engine collection needs: its own get/create/update/delete
    permission, and reading the operation it answers with (globalOperations or
    regionOperations)."""
    op = f"compute.{operations}.get"
    return {
        "read": (f"compute.{collection}.get",),
        "create": (f"compute.{collection}.create", op),
        "update": (f"compute.{collection}.update", *update_also, op),
        "delete": (f"compute.{collection}.delete", op),
    }


def network_dep(
    spec: Document, ref: str, path: Path, nodes: Mapping[str, base.Node]
) -> list[base.Dep]:
    """The edge to the spec network `ref` names, if it names one."""
    address = f"network.{ref}"
    return (
        [base.Dep(address, "network", path)] if ref in networks(spec) and address in nodes else []
    )


def network_id(project: str, name: str) -> str:
    return f"projects/{project}/global/networks/{name}"


def check_network_ref(spec: Document, c: Checker, path: Path, ref: str) -> None:
    """A reference to a network: a spec network, or the name of one that exists already."""
    if ref not in networks(spec):
        c.check_name(path, rfc1035(ref, "network"))


def _expand(spec: Document) -> Iterable[base.Node]:
    return base.section_nodes("network", "networks", networks(spec))


_NEEDS = compute_permissions("networks", "globalOperations")


_needs = base.project_permissions(_NEEDS)


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    net: Network = node.model
    name = net.name or node.address.split(".", 1)[1]
    return base.DesiredState(
        network_id(spec.project, name),
        {
            "name": name,
            "autoCreateSubnetworks": net.auto_create_subnetworks,
            "routingMode": net.routing_mode,
            "mtu": net.mtu,
            "description": net.description,
        },
        {"project": spec.project},
    )


def _check(spec: Document, c: Checker) -> None:
    seen: dict[str, str] = {}
    for key, net in networks(spec).items():
        path: Path = ("networks", key)
        name, name_path = name_at(path, net.name, key)
        c.named(name_path, name, rfc1035(name, "network"), seen, key, "network name")
        c.depends_on(path, net)


# the service the Compute Engine kinds' drivers call: network, subnetwork, firewall, router and
# address take it from here
COMPUTE_API = "compute.googleapis.com"

KIND = base.Kind(
    "network",
    base.Section(
        "networks", dict[str, Network], dict, "VPC networks, by key (the name by default)."
    ),
    _expand,
    _needs,
    _desired,
    apis=base.uses(COMPUTE_API),
    driver="gkeplan.kinds.network.driver:NetworkDriver",
    generate="gkeplan.kinds.network.generate:GENERATOR",
    check=_check,
    # networks.patch: "Only the following fields can be modified: routingConfig.routingMode"
    # (https://cloud.google.com/compute/docs/reference/rest/v1/networks/patch); any other
    # change is a new network.
    immutable=frozenset({"name", "autoCreateSubnetworks", "mtu", "description"}),
    expected_seconds=20.0,
)
