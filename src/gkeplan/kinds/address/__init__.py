"""address.NAME: a reserved static IP address (Compute Engine `addresses`, regional, or
`globalAddresses` when it has no region): a serving endpoint's stable IP, a Cloud NAT's
MANUAL_ONLY IP (`natIps: [address:KEY]`), an internal IP in a subnetwork, a private services
access range."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal, cast

from pydantic import Field

from gkeplan.errors import Path, Severity
from gkeplan.kinds import base
from gkeplan.kinds.network import (
    COMPUTE_API,
    check_network_ref,
    network_dep,
    network_name,
    rfc1035,
    span,
)
from gkeplan.spec.base import Document, Labels, Name, Resource
from gkeplan.spec.checks import Checker, name_at

# Address.purpose values a spec may ask for (compute v1 discovery document; each also in
# google-cloud-compute 1.57's Address.Purpose): regional internal GCE_ENDPOINT, DNS_RESOLVER,
# SHARED_LOADBALANCER_VIP ("an internal IP address that is assigned to multiple internal
# forwarding rules") and IPSEC_INTERCONNECT ("regional resources"); VPC_PEERING "for global
# internal IP addresses used for private services access allocated ranges" and
# PRIVATE_SERVICE_CONNECT ("Only global internal addresses can use this purpose"). NAT_AUTO
# ("used by Cloud NAT when allocating addresses using automatic NAT IP address allocation") and
# SERVERLESS are set by Google, not by a reservation.
REGIONAL_PURPOSES = (
    "GCE_ENDPOINT",
    "DNS_RESOLVER",
    "SHARED_LOADBALANCER_VIP",
    "IPSEC_INTERCONNECT",
)
GLOBAL_PURPOSES = ("VPC_PEERING", "PRIVATE_SERVICE_CONNECT")
# Address.subnetwork: "This field can only be used with INTERNAL type with a GCE_ENDPOINT or
# DNS_RESOLVER purpose" (discovery document); the Google provider's Address.yaml adds nothing
# more, and SHARED_LOADBALANCER_VIP addresses live in a subnetwork as GCE_ENDPOINT ones do.
SUBNETWORK_PURPOSES = ("GCE_ENDPOINT", "DNS_RESOLVER", "SHARED_LOADBALANCER_VIP")
# Address.network: "This field can only be used with INTERNAL type with the VPC_PEERING
# purpose" (discovery document); the Google provider's Address.yaml: "with the VPC_PEERING and
# IPSEC_INTERCONNECT purposes"; GlobalAddress.yaml: "the network in which to reserve the IP
# range", for PRIVATE_SERVICE_CONNECT as well.
NETWORK_PURPOSES = ("VPC_PEERING", "IPSEC_INTERCONNECT", "PRIVATE_SERVICE_CONNECT")
# Address.networkTier: "If this field is not specified, it is assumed to be PREMIUM."
DEFAULT_TIER = "PREMIUM"
# GlobalAddress.yaml ipVersion: "The default value is `IPV4`" (read back empty or IPV4: the
# provider suppresses the difference).
DEFAULT_IP_VERSION = "IPV4"
# A regional IPv6 reservation is a range: "If the address is an IPv6 address, the only allowed
# value is 96", and prefix length "is not applicable to external IPv4 addresses or global IPv6
# addresses" (gcloud compute addresses create --help, --prefix-length, SDK 528).
IPV6_PREFIX = 96


class Address(Resource):
    name: str | None = Field(None, description="Address name; defaults to the key.")
    region: str | None = Field(
        None, description="The region of a regional address; absent: a global address."
    )
    # Address.addressType: "If unspecified, defaults to EXTERNAL."
    address_type: Literal["EXTERNAL", "INTERNAL"] = "EXTERNAL"
    # Address.networkTier "can only take the following values: PREMIUM or STANDARD" (compute
    # v1 discovery document), though the client's Address.NetworkTier also has FIXED_STANDARD
    # and the output-only STANDARD_OVERRIDES_FIXED_STANDARD
    network_tier: Literal["PREMIUM", "STANDARD"] | None = Field(
        None, description="External regional addresses only; PREMIUM when absent."
    )
    subnetwork: Name | None = Field(
        None, description="INTERNAL regional: a spec subnetwork's key, or an existing one's name."
    )
    network: Name | None = Field(
        None,
        description="INTERNAL with purpose VPC_PEERING, PRIVATE_SERVICE_CONNECT or "
        "IPSEC_INTERCONNECT: a spec network's key, or an existing one's name.",
    )
    address: str | None = Field(None, description="A specific IP; absent: GCP picks one.")
    purpose: (
        Literal[
            "GCE_ENDPOINT",
            "DNS_RESOLVER",
            "SHARED_LOADBALANCER_VIP",
            "IPSEC_INTERCONNECT",
            "VPC_PEERING",
            "PRIVATE_SERVICE_CONNECT",
        ]
        | None
    ) = Field(None, description="INTERNAL addresses only.")
    ip_version: Literal["IPV4", "IPV6"] | None = Field(
        None,
        description="IPV4 when absent; IPV6 on a global address, or on a regional EXTERNAL one "
        "with ipv6EndpointType and a dual-stack subnetwork (a /96 range).",
    )
    ipv6_endpoint_type: Literal["VM", "NETLB"] | None = Field(
        None, description="Regional IPv6 addresses only: what may use it, a VM or a NETLB."
    )
    prefix_length: Annotated[int, Field(ge=8, le=30)] | None = Field(
        None, description="A range's size: global INTERNAL VPC_PEERING addresses only."
    )
    description: str = ""
    labels: Labels = Field(default_factory=dict)


def _subnetworks(spec: Document) -> dict[str, Any]:
    # read as the section it is: the subnetwork kind reads routers, which read addresses
    return cast(dict[str, Any], spec.section("subnetworks"))


def _subnetwork(spec: Document, ref: str) -> tuple[str, str] | None:
    """(GCP name, region) of the spec subnetwork `ref` names, if it names one."""
    sub = _subnetworks(spec).get(ref)
    return None if sub is None else (sub.name or ref, sub.region or spec.region)


def addresses(spec: Document) -> dict[str, Address]:
    return cast(dict[str, Address], spec.section("addresses"))


def address_name(key: str, address: Address) -> str:
    return address.name or key


def address_id(project: str, key: str, address: Address) -> str:
    scope = f"regions/{address.region}" if address.region else "global"
    return f"projects/{project}/{scope}/addresses/{address_name(key, address)}"


REF = "address:"  # how other kinds name a spec address: natIps: [address:nat-ip]


def ref_key(ref: str) -> str | None:
    """The spec key `address:KEY` names, or None when `ref` is not of that form."""
    return ref[len(REF) :] if ref.startswith(REF) and len(ref) > len(REF) else None


def _expand(spec: Document) -> Iterable[base.Node]:
    return base.section_nodes("address", "addresses", addresses(spec))


def _link(spec: Document, node: base.Node, nodes: Mapping[str, base.Node]) -> Iterable[base.Dep]:
    address: Address = node.model
    deps: list[base.Dep] = []
    if address.subnetwork:
        dep = f"subnetwork.{address.subnetwork}"
        if dep in nodes:
            deps.append(base.Dep(dep, "subnetwork", (*node.path, "subnetwork")))
    if address.network:
        deps += network_dep(spec, address.network, (*node.path, "network"), nodes)
    return deps


def _collection(address: Address) -> tuple[str, str]:
    """(permission prefix, operations) of an address: regional or global."""
    if address.region:
        return "compute.addresses", "compute.regionOperations.get"
    return "compute.globalAddresses", "compute.globalOperations.get"


def _needs(spec: Document, node: base.Node, action: base.Verb) -> tuple[base.Permission, ...]:
    address: Address = node.model
    prefix, op = _collection(address)
    # An internal address has its own create and delete permissions
    # (compute.addresses.createInternal / deleteInternal, globalAddresses.createInternal /
    # deleteInternal in IAM's permission list); labels change through setLabels.
    internal = "Internal" if address.address_type == "INTERNAL" else ""
    table = {
        "read": (f"{prefix}.get",),
        "create": (f"{prefix}.create{internal}", op),
        "update": (f"{prefix}.setLabels", op),
        "delete": (f"{prefix}.delete{internal}", op),
    }
    return tuple(base.Permission(p) for p in table[action])


def _subnetwork_name(spec: Document, ref: str | None) -> str | None:
    found = _subnetwork(spec, ref) if ref else None
    return found[0] if found else ref


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    address: Address = node.model
    key = node.address.split(".", 1)[1]
    external = address.address_type == "EXTERNAL"
    return base.DesiredState(
        address_id(spec.project, key, address),
        {
            "name": address_name(key, address),
            "region": address.region,
            "addressType": address.address_type,
            # "Internal IP addresses are always Premium Tier; global external IP addresses are
            # always Premium Tier" (discovery document, Address.networkTier)
            "networkTier": (address.network_tier or DEFAULT_TIER) if external else None,
            "subnetwork": _subnetwork_name(spec, address.subnetwork),
            "network": network_name(spec, address.network) if address.network else None,
            "address": address.address,
            "purpose": address.purpose,
            "ipVersion": address.ip_version or DEFAULT_IP_VERSION,
            "ipv6EndpointType": address.ipv6_endpoint_type,
            "prefixLength": IPV6_PREFIX if _regional_v6(address) else address.prefix_length,
            "description": address.description,
            "labels": dict(address.labels),
        },
        {"project": spec.project},
    )


def _check(spec: Document, c: Checker) -> None:
    seen: dict[tuple[str, str], str] = {}
    for key, address in addresses(spec).items():
        path: Path = ("addresses", key)
        name, name_path = name_at(path, address.name, key)
        scope = address.region or "global"
        c.check_name(name_path, rfc1035(name, "address"))
        if (scope, name) in seen:
            # names are unique per region (addresses) and among global ones (globalAddresses)
            c.error(name_path, f"address '{name}' ({scope}) is also address '{seen[scope, name]}'")
        seen[scope, name] = key
        if address.region is not None:
            c.region((*path, "region"), address.region)
        _check_combination(spec, c, path, address)
        _check_ip(spec, c, path, address)
        c.labels((*path, "labels"), address.labels)
        c.depends_on(path, address)


def _regional_v6(a: Address) -> bool:
    return a.region is not None and a.ip_version == "IPV6"


def _check_combination(spec: Document, c: Checker, path: Path, a: Address) -> None:
    """What GCP refuses of a reservation, from the fields of the spec alone."""
    internal = a.address_type == "INTERNAL"
    regional = a.region is not None
    if _regional_v6(a):
        _check_regional_v6(spec, c, path, a)
        if a.network_tier is not None and internal:
            c.error((*path, "networkTier"), "networkTier applies to EXTERNAL addresses only")
        return
    if a.network_tier is not None and (internal or not regional):
        # "Internal IP addresses are always Premium Tier; global external IP addresses are
        # always Premium Tier; regional external IP addresses can be either Standard or
        # Premium Tier." (discovery document, Address.networkTier); for INTERNAL the Google
        # provider says "leave the network_tier argument unset".
        c.error(
            (*path, "networkTier"),
            "networkTier applies to regional EXTERNAL addresses only"
            + (" (a global address is always PREMIUM)" if not regional else ""),
            "remove networkTier",
        )
    if a.purpose is not None and not internal:
        # Address.yaml (Google provider): "This should only be set when using an Internal
        # address."
        c.error((*path, "purpose"), "purpose applies to INTERNAL addresses only", "remove it")
    purposes = REGIONAL_PURPOSES if regional else GLOBAL_PURPOSES
    if a.purpose is not None and internal and a.purpose not in purposes:
        where = "a regional" if regional else "a global"
        c.error(
            (*path, "purpose"),
            f"purpose {a.purpose} is not one {where} address takes",
            f"one of {', '.join(purposes)}"
            + ("" if regional else ", or set region: for a regional address"),
        )
    purpose = a.purpose or ("GCE_ENDPOINT" if regional else None)
    if a.subnetwork is not None:
        if not (internal and regional and purpose in SUBNETWORK_PURPOSES):
            # Address.subnetwork: "This field can only be used with INTERNAL type with a
            # GCE_ENDPOINT or DNS_RESOLVER purpose" (discovery document); addresses in a
            # subnetwork are regional.
            c.error(
                (*path, "subnetwork"),
                "subnetwork applies to regional INTERNAL addresses (purpose GCE_ENDPOINT, "
                "DNS_RESOLVER or SHARED_LOADBALANCER_VIP) only",
                "remove subnetwork, or set addressType: INTERNAL and region:",
            )
        else:
            _check_subnetwork(spec, c, path, a)
    elif internal and regional and purpose in SUBNETWORK_PURPOSES:
        # Without one GCP takes the default network's subnetwork in the region, and refuses
        # when there is none: "Invalid value for field 'resource.subnetwork': ''. No default
        # subnetwork was found for an address with type INTERNAL." (hashicorp/terraform#19507)
        c.error(
            path,
            "an INTERNAL regional address needs subnetwork: (GCP would otherwise pick the "
            "default network's subnetwork in the region, and refuses when there is none)",
            "set subnetwork: to a spec subnetwork's key or an existing subnetwork's name",
        )
    if a.network is not None:
        if not (internal and purpose in NETWORK_PURPOSES):
            c.error(
                (*path, "network"),
                "network applies to INTERNAL addresses of purpose VPC_PEERING, "
                "PRIVATE_SERVICE_CONNECT or IPSEC_INTERCONNECT only",
                "remove network (an address in a subnetwork names the subnetwork)",
            )
        else:
            check_network_ref(spec, c, (*path, "network"), a.network)
    elif internal and purpose in NETWORK_PURPOSES:
        # GlobalAddress.yaml network: "The URL of the network in which to reserve the IP
        # range"; a range belongs to one network.
        c.error(path, f"purpose {purpose} needs network:", "set network: to the VPC network")
    if a.ipv6_endpoint_type is not None:
        # "The endpoint type of the external IPv6 address to be reserved" (gcloud compute
        # addresses create --help, --endpoint-type); Address.ipv6EndpointType "is used for
        # deciding which type of endpoint this address can be used after the external IPv6
        # address reservation" (compute v1 discovery document)
        c.error(
            (*path, "ipv6EndpointType"),
            "ipv6EndpointType applies to regional IPv6 addresses only",
            "remove it, or set region: and ipVersion: IPV6",
        )
    if a.ip_version == "IPV6" and a.address is not None:
        # "IP version can only be specified for global addresses that are generated
        # automatically (i.e., ... given --addresses is not specified)" (gcloud compute
        # addresses create --help, --ip-version); gcloud's rule, not a sourced API error
        c.error(
            (*path, "address"),
            "gcloud reserves a global IPv6 address only when GCP picks it; GCP may refuse "
            "a given one",
            "remove address: to let GCP pick it",
            severity=Severity.WARNING,
        )
    if a.prefix_length is not None and not (internal and not regional and purpose == "VPC_PEERING"):
        # GlobalAddress.yaml prefixLength: "The prefix length of the IP range"; "not
        # applicable to addresses with addressType=INTERNAL when purpose=PRIVATE_SERVICE_CONNECT"
        c.error(
            (*path, "prefixLength"),
            "prefixLength applies to global INTERNAL addresses of purpose VPC_PEERING only",
            "remove prefixLength",
        )
    if internal and not regional and purpose == "VPC_PEERING" and a.prefix_length is None:
        # a private services access range is "a contiguous internal IP address range"
        # (https://cloud.google.com/vpc/docs/configure-private-services-access): its size
        c.error(path, "a VPC_PEERING range needs prefixLength:", "e.g. prefixLength: 16")
    if internal and not regional and a.purpose is None:
        c.error(
            (*path, "addressType"),
            "a global INTERNAL address needs purpose: VPC_PEERING or PRIVATE_SERVICE_CONNECT",
            "set purpose:, or region: for an internal address in a subnetwork",
        )


def _check_regional_v6(spec: Document, c: Checker, path: Path, a: Address) -> None:
    """A regional IPv6 reservation: EXTERNAL, with ipv6EndpointType, out of a dual-stack
    subnetwork's external IPv6 range (gcloud compute addresses create --region --subnet
    --ip-version=IPV6 --endpoint-type; Address.yaml in magic-modules has both ipVersion and
    ipv6EndpointType on the regional address)."""
    if a.address_type == "INTERNAL":
        c.error(
            (*path, "ipVersion"),
            "gkeplan reserves regional IPv6 addresses as EXTERNAL only",
            "remove addressType: INTERNAL, or ipVersion",
        )
    if a.ipv6_endpoint_type is None:
        # gcloud compute addresses create --help: --endpoint-type "The endpoint type of the
        # external IPv6 address to be reserved"
        c.error(
            (*path, "ipVersion"),
            "a regional IPv6 address needs ipv6EndpointType: VM or NETLB",
            "ipv6EndpointType: VM (for an instance) or NETLB (for a network load balancer)",
        )
    if a.purpose is not None or a.network is not None:
        c.error(
            (*path, "purpose" if a.purpose is not None else "network"),
            "purpose and network do not apply to a regional IPv6 address",
        )
    if a.prefix_length is not None:
        c.error(
            (*path, "prefixLength"),
            "a regional IPv6 address is a /96; prefixLength is not set",
            "remove prefixLength",
        )
    if a.subnetwork is None:
        # Subnetwork.externalIpv6Prefix: "The external IPv6 address range that is owned by
        # this subnetwork" (compute v1 discovery document): the range the address is taken from
        c.error(
            path,
            "a regional IPv6 address needs subnetwork: a dual-stack subnetwork with external "
            "IPv6 (stackType IPV4_IPV6, ipv6AccessType EXTERNAL)",
            "set subnetwork: to that subnetwork's name",
        )
        return
    found = _subnetwork(spec, a.subnetwork)
    if found is not None:
        c.error(
            (*path, "subnetwork"),
            f"subnetwork '{a.subnetwork}' of this spec is IPv4 only (gkeplan does not set a "
            "subnetwork's stackType); a regional IPv6 address needs a dual-stack one",
            "name an existing dual-stack subnetwork (stackType IPV4_IPV6, ipv6AccessType "
            "EXTERNAL), or reserve a global IPv6 address (no region:)",
        )
    else:
        c.check_name((*path, "subnetwork"), rfc1035(a.subnetwork, "subnetwork"))


def _check_subnetwork(spec: Document, c: Checker, path: Path, a: Address) -> None:
    assert a.subnetwork is not None
    found = _subnetwork(spec, a.subnetwork)
    if found is None:
        c.check_name((*path, "subnetwork"), rfc1035(a.subnetwork, "subnetwork"))
        return
    if found[1] != a.region:
        c.error(
            (*path, "subnetwork"),
            f"subnetwork '{a.subnetwork}' is in {found[1]}, the address in {a.region}",
            f"set region: {found[1]}",
        )


def _check_ip(spec: Document, c: Checker, path: Path, a: Address) -> None:
    if a.address is None:
        return
    try:
        ip = ipaddress.ip_address(a.address)
    except ValueError:
        c.error((*path, "address"), f"'{a.address}' is not an IP address", "e.g. 10.10.0.5")
        return
    sub = _subnetworks(spec).get(a.subnetwork) if a.subnetwork else None
    if sub is not None and ip.version == 4:
        first, last = span(sub.ip_cidr_range)
        if not first <= int(ip) <= last:
            # "Requested internal IP is outside the subnetwork CIDR range." (Compute Engine;
            # ansible/ansible#51325); Address.subnetwork: "If an IP address is specified, it
            # must be within the subnetwork's IP range."
            c.error(
                (*path, "address"),
                f"{a.address} is outside subnetwork '{a.subnetwork}' ({sub.ip_cidr_range})",
                f"pick an address in {sub.ip_cidr_range}",
            )
    if a.address_type == "INTERNAL" and not ip.is_private:
        c.error(
            (*path, "address"),
            f"{a.address} is a public address; an INTERNAL one is private (RFC 1918)",
            "set addressType: EXTERNAL, or pick a private address",
        )


def _outputs(id: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    ip = attributes.get("address")
    if not ip:
        return {}
    prefix = attributes.get("prefixLength")
    return {"ip": ip, **({"range": f"{ip}/{prefix}"} if prefix else {})}


KIND = base.Kind(
    "address",
    base.Section(
        "addresses",
        dict[str, Address],
        dict,
        "Reserved static IP addresses, by key: regional with region:, global without.",
    ),
    _expand,
    _needs,
    _desired,
    apis=base.uses(COMPUTE_API),
    driver="gkeplan.kinds.address.driver:AddressDriver",
    link=_link,
    check=_check,
    # Address.yaml and GlobalAddress.yaml (Google provider, magic-modules): `immutable: true`
    # for the resource, labels alone changed in place (update_url .../setLabels); the API's
    # labels: "These can only be added or modified by the setLabels method".
    immutable=frozenset(
        {
            "name",
            "region",
            "addressType",
            "networkTier",
            "subnetwork",
            "network",
            "address",
            "purpose",
            "ipVersion",
            "ipv6EndpointType",
            "prefixLength",
            "description",
        }
    ),
    expected_seconds=5.0,
    # A new reservation gets another IP (unless address: names one): what points at the old
    # one (DNS, allowlists, clients) breaks, so a replacement is made only by name.
    replace_loses_data=True,
    rules="gkeplan.kinds.address.rules:RULES",
    outputs=_outputs,
)
