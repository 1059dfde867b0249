"""router.NAME: a Cloud Router, with its Cloud NAT gateway (RouterNat) inside it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal, cast

from pydantic import Field

from gkeplan.errors import Path, Severity
from gkeplan.kinds import base
from gkeplan.kinds.address import address_name, addresses, ref_key
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


class NatLogging(Model):
    # RouterNatLogConfig (compute v1 discovery document): enable "is false by default"; filter
    # ALL / ERRORS_ONLY / TRANSLATIONS_ONLY, "If unspecified, logs are exported for all
    # connections handled by this NAT".
    enable: bool = True
    filter: Literal["ALL", "ERRORS_ONLY", "TRANSLATIONS_ONLY"] = "ALL"


class Nat(Model):
    name: Name
    # RouterNat.natIpAllocateOption (compute v1 discovery document): "MANUAL_ONLY: Uses only
    # Nat IP addresses provided by customers"; "AUTO_ONLY: Nat IPs are allocated by Google
    # Cloud Platform; customers can't specify any Nat IPs".
    nat_ip_allocate_option: Literal["AUTO_ONLY", "MANUAL_ONLY"] = "AUTO_ONLY"
    # RouterNat.natIps: "These IP addresses must be valid static external IP addresses
    # assigned to the project": the spec's regional EXTERNAL addresses, as address:KEY.
    nat_ips: list[str] = Field(default_factory=list, description="[address:KEY, ...]")
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


def _nat_ip_names(spec: Document, nat: Nat) -> list[str]:
    spec_addresses = addresses(spec)
    out = []
    for ref in nat.nat_ips:
        key = ref_key(ref)
        if key is not None and key in spec_addresses:
            out.append(address_name(key, spec_addresses[key]))
    return sorted(out)


def nat_attributes(spec: Document, nat: Nat | None) -> list[dict[str, object]]:
    if nat is None:
        return []
    return [
        {
            "name": nat.name,
            "natIpAllocateOption": nat.nat_ip_allocate_option,
            "natIps": _nat_ip_names(spec, nat),
            "sourceSubnetworkIpRangesToNat": nat.source_subnetwork_ip_ranges_to_nat,
            "logConfig": (
                nat.log_config.model_dump(by_alias=True)
                if nat.log_config and nat.log_config.enable
                else None
            ),
        }
    ]


def _expand(spec: Document) -> Iterable[base.Node]:
    return base.section_nodes("router", "routers", routers(spec))


def _link(spec: Document, node: base.Node, nodes: Mapping[str, base.Node]) -> Iterable[base.Dep]:
    router: Router = node.model
    deps = network_dep(spec, router.network, (*node.path, "network"), nodes)
    for i, ref in enumerate(router.nat.nat_ips if router.nat else []):
        address = f"address.{ref_key(ref)}"
        if address in nodes:  # the NAT uses the address: reserved before, released after
            deps.append(base.Dep(address, "natIps", (*node.path, "nat", "natIps", i)))
    return deps


_NEEDS = compute_permissions("routers", "regionOperations")


def _needs(spec: Document, node: base.Node, action: base.Verb) -> tuple[base.Permission, ...]:
    router: Router = node.model
    needs = base.project_permissions(_NEEDS)(spec, node, action)
    if action in ("create", "update") and router.nat is not None and router.nat.nat_ips:
        # a NAT's natIps use the addresses: compute.addresses.use (IAM's permission list;
        # roles/compute.networkAdmin holds it)
        needs += (base.Permission("compute.addresses.use"),)
    return needs


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    router: Router = node.model
    name = router.name or node.address.split(".", 1)[1]
    region = router.region or spec.region
    return base.DesiredState(
        f"projects/{spec.project}/regions/{region}/routers/{name}",
        {
            "name": name,
            "network": network_name(spec, router.network),
            "region": region,
            "nats": nat_attributes(spec, router.nat),
            "description": router.description,
        },
        {"project": spec.project},
    )


def _check(spec: Document, c: Checker) -> None:
    seen: dict[tuple[str, str], str] = {}
    for key, router in routers(spec).items():
        path: Path = ("routers", key)
        name, name_path = name_at(path, router.name, key)
        c.check_name(name_path, rfc1035(name, "router"))
        region = router.region or spec.region
        if router.region is not None:
            c.region((*path, "region"), router.region)
        if (region, name) in seen:
            c.error(name_path, f"router '{name}' in {region} is also router '{seen[region, name]}'")
        seen[region, name] = key
        check_network_ref(spec, c, (*path, "network"), router.network)
        if router.nat is not None:
            # RouterNat.name: "1-63 characters long and comply with RFC1035"
            c.check_name((*path, "nat", "name"), rfc1035(router.nat.name, "NAT"))
            _check_nat_ips(spec, c, (*path, "nat"), router.nat, region)
        c.depends_on(path, router)


def _check_nat_ips(spec: Document, c: Checker, path: Path, nat: Nat, region: str) -> None:
    manual = nat.nat_ip_allocate_option == "MANUAL_ONLY"
    if nat.nat_ips and not manual:
        # "When choosing AUTO_ONLY, then nat_ip should be empty." (RouterNat.natIpAllocateOption,
        # compute v1 discovery document); natIps "Only valid if natIpAllocateOption is set to
        # MANUAL_ONLY" (Google provider, RouterNat.yaml)
        c.error(
            (*path, "natIps"),
            "natIps are used only with natIpAllocateOption: MANUAL_ONLY (AUTO_ONLY takes no "
            "IPs: Google allocates them)",
            "set natIpAllocateOption: MANUAL_ONLY, or remove natIps",
        )
    if manual and not nat.nat_ips:
        # "When there are not enough specified Nat IPs, the Nat service fails for new VMs"
        # (discovery document); GCP takes the empty list (the provider's RouterNatAddress
        # fills it later), so this warns.
        c.error(
            (*path, "natIpAllocateOption"),
            "MANUAL_ONLY with no natIps: the NAT translates nothing until IPs are added",
            "add natIps: [address:KEY] (a regional EXTERNAL address in the router's region)",
            severity=Severity.WARNING,
        )
    spec_addresses = addresses(spec)
    seen: set[str] = set()
    for i, ref in enumerate(nat.nat_ips):
        at: Path = (*path, "natIps", i)
        key = ref_key(ref)
        target = spec_addresses.get(key) if key is not None else None
        if target is None:
            c.error(
                at,
                f"'{ref}' is not a spec address",
                c.hint(ref, [f"address:{k}" for k in spec_addresses])
                or "name one of the spec's addresses as address:KEY",
            )
            continue
        if ref in seen:
            c.error(at, f"{ref} is listed twice")
        seen.add(ref)
        if target.address_type != "EXTERNAL" or target.region != region:
            # natIps: "valid static external IP addresses"; a NAT gateway serves its own
            # region ("a Cloud NAT gateway in the region of the subnets that require NAT",
            # https://cloud.google.com/nat/docs/overview) and regional addresses live in one
            where = target.region or "global"
            c.error(
                at,
                f"{ref} is a {where} {target.address_type} address; a NAT in {region} "
                f"uses regional EXTERNAL addresses of {region}",
                f"give {ref} addressType: EXTERNAL and region: {region}",
            )
        elif target.ip_version == "IPV6":
            # Cloud NAT translates IPv4 (its NAT IPs are "static external IP addresses",
            # RouterNat.natIps); that an IPv6 reservation is refused is not sourced: a warning
            c.error(
                at,
                f"{ref} is an IPv6 address; Cloud NAT's IPs are IPv4 addresses",
                f"remove ipVersion: IPV6 from {ref}",
                severity=Severity.WARNING,
            )


KIND = base.Kind(
    "router",
    base.Section("routers", dict[str, Router], dict, "Cloud Routers (with Cloud NAT), by key."),
    _expand,
    _needs,
    _desired,
    apis=base.uses(COMPUTE_API),
    driver="gkeplan.kinds.router.driver:RouterDriver",
    generate="gkeplan.kinds.router.generate:GENERATOR",
    link=_link,
    check=_check,
    # routers.patch "supports PATCH semantics" (compute v1 discovery document): its nats change
    # in place; the network is the router's identity ("URI of the network to which this router
    # belongs").
    # A NAT's natIps among them: not `immutable` in magic-modules mmv1/products/compute/
    # RouterNat.yaml, whose update is a PATCH of the router (update_verb: 'PATCH'); swapping an
    # address frees the old one (tests/e2e/test_address.py).
    immutable=frozenset({"name", "network", "region", "description"}),
    expected_seconds=20.0,
    cost="gkeplan.kinds.router.cost:PRICED",
)
