"""router.NAME: a Cloud Router, with its Cloud NAT gateway (RouterNat) inside it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, cast

from pydantic import Field

from gkeplan.errors import Path
from gkeplan.kinds.base import (
    Dep,
    DesiredState,
    Kind,
    Node,
    Section,
    project_permissions,
    section_nodes,
    uses,
)
from gkeplan.kinds.network import (
    check_network_ref,
    compute_permissions,
    network_dep,
    network_name,
    rfc1035,
)
from gkeplan.spec.base import Document, Model, Name, Resource
from gkeplan.spec.checks import REGION, Checker


class NatLogging(Model):
    # RouterNatLogConfig (compute v1 discovery document): enable "is false by default"; filter
    # ALL / ERRORS_ONLY / TRANSLATIONS_ONLY, "If unspecified, logs are exported for all
    # connections handled by this NAT".
    enable: bool = True
    filter: Literal["ALL", "ERRORS_ONLY", "TRANSLATIONS_ONLY"] = "ALL"


class Nat(Model):
    name: Name
    # RouterNat.natIpAllocateOption: AUTO_ONLY or MANUAL_ONLY; MANUAL_ONLY needs natIps, which
    # gkeplan does not manage, so only AUTO_ONLY is offered.
    nat_ip_allocate_option: Literal["AUTO_ONLY"] = "AUTO_ONLY"
    # RouterNat.sourceSubnetworkIpRangesToNat; LIST_OF_SUBNETWORKS needs a subnetwork list,
    # not offered.
    source_subnetwork_ip_ranges_to_nat: Literal[
        "ALL_SUBNETWORKS_ALL_IP_RANGES", "ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES"
    ] = "ALL_SUBNETWORKS_ALL_IP_RANGES"
    log_config: NatLogging | None = None


class Router(Resource):
    name: str | None = Field(None, description="Router name; defaults to the key.")
    network: Name = Field(description="A spec network's key, or an existing network's name.")
    region: str | None = Field(None, description="Defaults to the spec's region.")
    nat: Nat | None = Field(None, description="Its Cloud NAT gateway.")
    description: str = ""


def routers(spec: Document) -> dict[str, Router]:
    return cast(dict[str, Router], spec.section("routers"))


def nat_regions(spec: Document) -> set[tuple[str, str]]:
    """(network key or name, region) of every Cloud NAT gateway in the spec. A gateway serves
    its own region only: "You configure Cloud NAT by creating a Cloud NAT gateway in the region
    of the subnets that require NAT" (https://cloud.google.com/nat/docs/overview)."""
    return {
        (r.network, r.region or spec.region) for r in routers(spec).values() if r.nat is not None
    }


def nat_attributes(nat: Nat | None) -> list[dict[str, object]]:
    if nat is None:
        return []
    return [
        {
            "name": nat.name,
            "natIpAllocateOption": nat.nat_ip_allocate_option,
            "sourceSubnetworkIpRangesToNat": nat.source_subnetwork_ip_ranges_to_nat,
            "logConfig": (
                nat.log_config.model_dump(by_alias=True)
                if nat.log_config and nat.log_config.enable
                else None
            ),
        }
    ]


def _expand(spec: Document) -> Iterable[Node]:
    return section_nodes("router", "routers", routers(spec))


def _link(spec: Document, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    router: Router = node.config
    return network_dep(spec, router.network, (*node.path, "network"), nodes)


_NEEDS = compute_permissions("routers", "regionOperations")


_needs = project_permissions(_NEEDS)


def _desired(spec: Document, node: Node) -> DesiredState:
    router: Router = node.config
    name = router.name or node.address.split(".", 1)[1]
    region = router.region or spec.region
    return DesiredState(
        f"projects/{spec.project}/regions/{region}/routers/{name}",
        {
            "name": name,
            "network": network_name(spec, router.network),
            "region": region,
            "nats": nat_attributes(router.nat),
            "description": router.description,
        },
        {"project": spec.project},
    )


def _check(spec: Document, c: Checker) -> None:
    seen: dict[tuple[str, str], str] = {}
    for key, router in routers(spec).items():
        path: Path = ("routers", key)
        name = router.name or key
        name_path = (*path, "name") if router.name else path
        c.check_name(name_path, rfc1035(name, "router"))
        region = router.region or spec.region
        if router.region is not None and not REGION.match(router.region):
            c.error((*path, "region"), f"'{router.region}' is not a region", "e.g. us-central1")
        if (region, name) in seen:
            c.error(name_path, f"router '{name}' in {region} is also router '{seen[region, name]}'")
        seen[region, name] = key
        check_network_ref(spec, c, (*path, "network"), router.network)
        if router.nat is not None:
            # RouterNat.name: "1-63 characters long and comply with RFC1035"
            c.check_name((*path, "nat", "name"), rfc1035(router.nat.name, "NAT"))
        c.depends_on(path, router)


COMPUTE_API = "compute.googleapis.com"  # the service its driver's client calls

KIND = Kind(
    "router",
    Section("routers", dict[str, Router], dict, "Cloud Routers (with Cloud NAT), by key."),
    _expand,
    _needs,
    _desired,
    apis=uses(COMPUTE_API),
    driver="gkeplan.kinds.router.driver:RouterDriver",
    generate="gkeplan.kinds.router.generate:GENERATOR",
    link=_link,
    check=_check,
    # routers.patch "supports PATCH semantics" (compute v1 discovery document): its nats change
    # in place; the network is the router's identity ("URI of the network to which this router
    # belongs").
    immutable=frozenset({"name", "network", "region", "description"}),
    weight=20.0,
    cost="gkeplan.kinds.router.cost:PRICED",
)
