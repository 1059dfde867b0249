"""Compute Engine v1 reserved addresses: `addresses` (regional: insert, get, list,
aggregatedList, delete, setLabels) and `globalAddresses` (insert, get, list, delete,
setLabels), URL paths and JSON names of the compute v1 discovery document. What a router's
Cloud NAT does to them is in compute_address_use.py (an address IN_USE cannot be released).

IPs are allocated deterministically (the same name gets the same IP on every run): external
ones from a fixed block, internal ones from their subnetwork's primary range, private services
access ranges from 10.0.0.0/8 outside the network's subnetworks.
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.errors import ApiError, precondition_failed
from gkeplan_emulator.mappings import Serve
from gkeplan_emulator.services.compute.address_use import GLOBAL, REGIONAL, ip_in_use, relative
from gkeplan_emulator.services.compute.model import (
    BASE,
    _last,
    _stamp,
    already_exists,
    check_name,
    in_use,
    invalid,
    not_found,
    parse,
)
from gkeplan_emulator.services.compute.routes import ComputeNetworkApi, compute_routes

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend


# Where external IPs come from: blocks of Google's address space, one for regional and one for
# global (anycast) addresses; which IP a name gets is a hash of its full name.
EXTERNAL_POOLS = {
    REGIONAL: ipaddress.IPv4Network("35.192.0.0/12"),
    GLOBAL: ipaddress.IPv4Network("34.96.0.0/12"),
}
PRIVATE = ipaddress.IPv4Network("10.0.0.0/8")  # private services access ranges (VPC_PEERING)
# External IPv6 comes from the documentation prefix (RFC 3849), never a routable one: a global
# IPv6 address is one address (its prefix length "is not applicable to ... global IPv6
# addresses"), a regional one a /96 ("If the address is an IPv6 address, the only allowed
# value is 96"; gcloud compute addresses create --help, --prefix-length, SDK 528), out of its
# dual-stack subnetwork's external range (Subnetwork.externalIpv6Prefix, "The external IPv6
# address range that is owned by this subnetwork").
EXTERNAL_V6 = {
    GLOBAL: ipaddress.IPv6Network("2001:db8:1000::/36"),
    REGIONAL: ipaddress.IPv6Network("2001:db8:2000::/36"),
}
V6_PREFIX = 96


def _fingerprint(labels: dict[str, str]) -> str:
    # labelFingerprint is "format: byte" (discovery document): base64 of a hash of the labels
    digest = hashlib.sha256(json.dumps(labels, sort_keys=True).encode()).digest()[:8]
    return base64.b64encode(digest).decode()


class AddressesApi(ComputeNetworkApi):
    """get, list and aggregatedList are the networking collections' own; an address's name
    and scope, its insert, delete and setLabels are its own."""

    def full(self, req: Request, collection: str, name: str | None = None) -> str:
        project = req.params["project"]
        where = (
            f"projects/{project}/regions/{self.model.check_region(req)}"
            if collection == REGIONAL
            else f"projects/{project}/global"
        )
        return f"{where}/addresses/{req.params['name'] if name is None else name}"

    # -- writes --------------------------------------------------------------------------------
    def insert(self, store: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            body = parse(store, req)
            name = check_name(body)
            full = self.full(req, store, name)
            internal = body.get("addressType", "EXTERNAL") == "INTERNAL"
            # internal reservations have their own permission (IAM: addresses.createInternal)
            permission = f"compute.{store}.create{'Internal' if internal else ''}"
            self.model.require(req, permission, full)
            with self.model.lock:
                if full in self.model.items[store]:
                    raise already_exists(full)
                self._fill(req, store, body, full)
                now = self.backend.clock.now()
                body.update(
                    kind="compute#address",
                    id=str(int(hashlib.sha256(full.encode()).hexdigest()[:15], 16)),
                    creationTimestamp=_stamp(now),
                    selfLink=BASE + full,
                    status="RESERVED",
                    labelFingerprint=_fingerprint(body.get("labels", {})),
                )
                self.model.items[store][full] = body
                return self.model.start(req, "insert", full, req.params.get("region"))

        return handler

    def delete(self, store: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            full = self.full(req, store)
            with self.model.lock:
                item = self.model.items[store].get(full)
                internal = item is not None and item.get("addressType") == "INTERNAL"
                self.model.require(
                    req, f"compute.{store}.delete{'Internal' if internal else ''}", full
                )
                if item is None:
                    raise not_found(full)
                if item.get("users"):
                    # "Cannot delete google_compute_address when it's a dependency of
                    # google_compute_router_nat" (400 resourceInUseByAnotherResource,
                    # hashicorp/terraform-provider-google#6812), in the words GCP uses for
                    # every resource still in use (model.in_use)
                    raise in_use(full, relative(item["users"][0]))
                del self.model.items[store][full]
                return self.model.start(req, "delete", full, req.params.get("region"))

        return handler

    def set_labels(self, store: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            project = req.params["project"]
            name = req.params["resource"]
            region = self.model.check_region(req) if store == REGIONAL else None
            scope = f"regions/{region}" if region else "global"
            full = f"projects/{project}/{scope}/addresses/{name}"
            self.model.require(req, f"compute.{store}.setLabels", full)
            body = req.json()
            with self.model.lock:
                item = self.model.items[store].get(full)
                if item is None:
                    raise not_found(full)
                if body.get("labelFingerprint") != item["labelFingerprint"]:
                    # "You must always provide an up-to-date fingerprint hash in order to
                    # update or change labels, otherwise the request will fail with error 412
                    # conditionNotMet" (Address.labelFingerprint); "Precondition check failed."
                    # (googlecodelabs/feedback#817)
                    raise precondition_failed("Precondition check failed.")
                labels = dict(body.get("labels") or {})
                if labels:
                    item["labels"] = labels
                else:
                    item.pop("labels", None)
                item["labelFingerprint"] = _fingerprint(labels)
                return self.model.start(req, "setLabels", full, region)

        return handler

    # -- what GCP fills in and refuses ---------------------------------------------------------
    def _fill(self, req: Request, store: str, body: dict[str, Any], full: str) -> None:
        project = req.params["project"]
        regional = store == REGIONAL
        body.setdefault("addressType", "EXTERNAL")  # "If unspecified, defaults to EXTERNAL."
        internal = body["addressType"] == "INTERNAL"
        tier = body.setdefault("networkTier", "PREMIUM")  # "assumed to be PREMIUM"
        if tier != "PREMIUM" and (internal or not regional):
            # "Internal IP addresses are always Premium Tier; global external IP addresses are
            # always Premium Tier" (discovery document); GCP's wording is not sourced
            raise invalid(
                "resource.networkTier", tier, "Only PREMIUM is supported for this address."
            )
        purpose = body.get("purpose")
        if purpose is not None and not internal:
            raise invalid("resource.purpose", purpose, "Purpose is only valid for INTERNAL.")
        if purpose in ("VPC_PEERING", "PRIVATE_SERVICE_CONNECT") and regional:
            # VPC_PEERING "for global internal IP addresses"; PRIVATE_SERVICE_CONNECT: "Only
            # global internal addresses can use this purpose" (discovery document)
            raise invalid("resource.purpose", purpose, "Only global addresses can use it.")
        if regional:
            body["region"] = f"{BASE}projects/{project}/regions/{req.params['region']}"
        elif "ipVersion" not in body:
            body["ipVersion"] = "IPV4"
        v6 = body.get("ipVersion") == "IPV6"
        if body.get("ipv6EndpointType") and not (regional and v6):
            # Address.ipv6EndpointType: "used for deciding which type of endpoint this address
            # can be used after the external IPv6 address reservation"; the wording is ours
            raise invalid(
                "resource.ipv6EndpointType",
                body["ipv6EndpointType"],
                "The endpoint type applies to regional IPv6 addresses only.",
            )
        if v6 and not internal:
            self._external_v6(req, store, body, full)
            return
        if body.get("subnetwork") and not (internal and regional):
            # "This field can only be used with INTERNAL type with a GCE_ENDPOINT or
            # DNS_RESOLVER purpose" (Address.subnetwork)
            raise invalid(
                "resource.subnetwork",
                body["subnetwork"],
                "This field can only be used with INTERNAL type.",
            )
        if not internal:
            body["address"] = self._external(store, body.get("address"), full)
        elif regional and body.setdefault("purpose", "GCE_ENDPOINT") != "IPSEC_INTERCONNECT":
            self._internal(req, body, full)
        else:
            self._range(req, store, body, full)

    def _external_v6(self, req: Request, store: str, body: dict[str, Any], full: str) -> None:
        taken = self._taken()
        if store == REGIONAL:
            # gcloud compute addresses create --help: --endpoint-type "The endpoint type of the
            # external IPv6 address to be reserved"; the wordings below are ours
            if not body.get("ipv6EndpointType"):
                raise invalid(
                    "resource.ipv6EndpointType",
                    "",
                    "A regional IPv6 address needs an endpoint type (VM or NETLB).",
                )
            ref = str(body.get("subnetwork") or "")
            sub = self.model.subnetwork(req.params["region"], ref) if ref else None
            if sub is None:
                raise invalid(
                    "resource.subnetwork",
                    ref,
                    "The referenced subnetwork resource cannot be found.",
                )
            if sub.get("stackType") != "IPV4_IPV6" or sub.get("ipv6AccessType") != "EXTERNAL":
                raise invalid(
                    "resource.subnetwork",
                    ref,
                    "The subnetwork has no external IPv6 range (stackType IPV4_IPV6, "
                    "ipv6AccessType EXTERNAL).",
                )
            body["subnetwork"] = sub["selfLink"]
            body["prefixLength"] = V6_PREFIX
        pool = EXTERNAL_V6[store]
        size = 2 ** (128 - V6_PREFIX) if store == REGIONAL else 1
        count = pool.num_addresses // size
        start = int(hashlib.sha256(full.encode()).hexdigest(), 16) % count
        for step in range(count):
            n = int(pool.network_address) + ((start + step) % count) * size
            ip = str(ipaddress.IPv6Address(n))
            if ip not in taken:
                body["address"] = ip
                return
        raise ApiError("RESOURCE_EXHAUSTED", "No external IPv6 addresses are available.")

    def _taken(self) -> dict[str, str]:
        """Every reserved IP (range start) -> the address holding it."""
        return {
            item["address"]: key
            for store in (REGIONAL, GLOBAL)
            for key, item in self.model.items[store].items()
            if item.get("address")
        }

    def _external(self, store: str, wanted: str | None, full: str) -> str:
        taken = self._taken()
        if wanted is not None:
            try:
                ipaddress.ip_address(wanted)
            except ValueError:
                raise invalid("resource.address", wanted, "Invalid IP address.") from None
            if wanted in taken:
                raise ip_in_use(wanted)
            return wanted
        pool = EXTERNAL_POOLS[store]
        start = int(hashlib.sha256(full.encode()).hexdigest(), 16) % (pool.num_addresses - 2)
        for step in range(pool.num_addresses - 2):
            ip = str(pool.network_address + 1 + (start + step) % (pool.num_addresses - 2))
            if ip not in taken:
                return ip
        raise ApiError("RESOURCE_EXHAUSTED", "No external IP addresses are available.")

    def _internal(self, req: Request, body: dict[str, Any], full: str) -> None:
        region = req.params["region"]
        ref = body.get("subnetwork")
        sub = (
            self.model.subnetwork(region, ref) if ref else self.model.subnetwork(region, "default")
        )
        if sub is None:
            if not ref:
                # "Invalid value for field 'resource.subnetwork': ''. No default subnetwork
                # was found for an address with type INTERNAL." (hashicorp/terraform#19507)
                raise invalid(
                    "resource.subnetwork",
                    "",
                    "No default subnetwork was found for an address with type INTERNAL.",
                )
            raise invalid(
                "resource.subnetwork", ref, "The referenced subnetwork resource cannot be found."
            )
        body["subnetwork"] = sub["selfLink"]
        primary = ipaddress.IPv4Network(sub["ipCidrRange"])
        # "Reserved IP addresses in every subnet": the network and default gateway addresses
        # (first two) and the second-to-last and broadcast addresses (last two)
        # (https://cloud.google.com/vpc/docs/subnets#unusable-ip-addresses-in-every-subnet)
        usable = range(int(primary.network_address) + 2, int(primary.broadcast_address) - 1)
        taken = self._taken()
        wanted = body.get("address")
        if wanted is not None:
            try:
                ip = ipaddress.IPv4Address(wanted)
            except ValueError:
                raise invalid("resource.address", wanted, "Invalid IP address.") from None
            if int(ip) not in usable:
                # "Requested internal IP is outside the subnetwork CIDR range." (Compute
                # Engine; ansible/ansible#51325)
                raise invalid(
                    "resource.address",
                    wanted,
                    "Requested internal IP is outside the subnetwork CIDR range.",
                )
            if wanted in taken:
                raise ip_in_use(wanted)
            return
        for n in usable:
            free = str(ipaddress.IPv4Address(n))
            if free not in taken:
                body["address"] = free
                return
        raise ApiError("RESOURCE_EXHAUSTED", f"The subnetwork {_last(ref or '')} is full.")

    def _range(self, req: Request, store: str, body: dict[str, Any], full: str) -> None:
        """A global internal range (VPC_PEERING, PRIVATE_SERVICE_CONNECT) or an IPSEC
        interconnect range: in a network, outside its subnetworks and other ranges."""
        ref = str(body.get("network") or "")
        network = self.model.network(ref) if ref else None
        if network is None:
            raise invalid(
                "resource.network", ref, "The referenced network resource cannot be found."
            )
        body["network"] = network["selfLink"]
        prefix = int(body.get("prefixLength") or 32)
        used = list(self._ranges_of(_last(ref)))
        wanted = body.get("address")
        if wanted is not None:
            try:
                block = ipaddress.IPv4Network(f"{wanted}/{prefix}", strict=True)
            except ValueError:
                raise invalid("resource.address", wanted, "Invalid IP address range.") from None
            if any(block.overlaps(u) for u in used):
                raise ip_in_use(wanted)
            return
        # the lowest free block: 10.0.0.0, or one just past a range in use
        size = 2 ** (32 - prefix)
        starts = [int(PRIVATE.network_address)] + [int(u.broadcast_address) + 1 for u in used]
        for start in sorted({-(-n // size) * size for n in starts}):
            block = ipaddress.IPv4Network((start, prefix))
            if block.subnet_of(PRIVATE) and not any(block.overlaps(u) for u in used):
                body["address"] = str(block.network_address)
                return
        raise ApiError("RESOURCE_EXHAUSTED", "No internal IP range of that size is free.")

    def _ranges_of(self, network: str) -> Iterable[ipaddress.IPv4Network]:
        for sub in self.model.items["subnetworks"].values():
            if _last(sub.get("network", "")) == network:
                yield ipaddress.IPv4Network(sub["ipCidrRange"])
                for r in sub.get("secondaryIpRanges", []):
                    yield ipaddress.IPv4Network(r["ipCidrRange"])
        for item in self.model.items[GLOBAL].values():
            if _last(item.get("network", "")) == network and item.get("address"):
                prefix = item.get("prefixLength", 32)
                yield ipaddress.IPv4Network(f"{item['address']}/{prefix}", strict=False)


def routes(backend: Backend) -> list[Route]:
    api = AddressesApi(backend)
    table = [Serve("compute.addresses.aggregatedList", api.aggregated(REGIONAL), "")]
    for store in (REGIONAL, GLOBAL):
        table += [
            Serve(f"compute.{store}.insert", api.insert(store), ""),
            Serve(f"compute.{store}.list", api.list(store), ""),
            Serve(f"compute.{store}.get", api.get(store), ""),
            Serve(f"compute.{store}.delete", api.delete(store), ""),
            # setLabels names its target `{resource}`, which the handler reads as such
            Serve(f"compute.{store}.setLabels", api.set_labels(store), ""),
        ]
    return compute_routes(table)
