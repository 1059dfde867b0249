"""Compute Engine v1 networking routes: insert/get/list/patch/delete of networks, subnetworks,
routers and firewalls, subnetworks.setPrivateIpGoogleAccess, firewalls.update and
routers.update (PUT), and
globalOperations / regionOperations get and wait (URL paths of the compute v1 discovery
document). The state and GCP's errors are in model.py."""

from __future__ import annotations

import dataclasses
import hashlib
import ipaddress
import json
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.errors import ApiError, precondition_failed
from gkeplan_emulator.mappings import Serve, discovered, routes_for
from gkeplan_emulator.services.compute import address_use as compute_address_use
from gkeplan_emulator.services.compute.model import (
    BASE,
    COLLECTIONS,
    MESSAGES,
    ComputeModel,
    _last,
    _stamp,
    already_exists,
    check_name,
    cidr,
    in_use,
    invalid,
    not_found,
    parse,
)

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend


def _fingerprint(body: dict[str, Any]) -> str:
    text = json.dumps({k: v for k, v in body.items() if k != "fingerprint"}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _immutable(collection: str, field: str, value: Any) -> ApiError:
    # The field descriptions say what a patch may change ("This field can be set only at
    # resource creation time"); GCP's exact words for refusing the others were not found.
    return invalid(
        f"resource.{field}", value, f"The {field} of a {collection[:-1]} cannot be changed."
    )


# What a PATCH may change, per collection (compute v1 discovery document): networks.patch
# "Only routingConfig can be modified"; Subnetwork fields "can be updated with a patch request"
# (secondaryIpRanges, stackType) or have their own call (privateIpGoogleAccess), logConfig is
# patched by gcloud's `subnets update --enable-flow-logs`; routers and firewalls use JSON merge
# patch semantics over their mutable fields.
PATCHABLE = {
    "networks": {"routingConfig"},
    "subnetworks": {"secondaryIpRanges", "logConfig", "stackType", "fingerprint"},
    "routers": {"nats", "bgp", "bgpPeers", "interfaces", "description"},
    "firewalls": {
        "description",
        "priority",
        "sourceRanges",
        "destinationRanges",
        "sourceTags",
        "targetTags",
        "sourceServiceAccounts",
        "targetServiceAccounts",
        "allowed",
        "denied",
        "disabled",
        "logConfig",
    },
}


class ComputeNetworkApi:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @property
    def model(self) -> ComputeModel:
        model: ComputeModel = self.backend.models["compute"]
        return model

    # -- names --------------------------------------------------------------------------------
    def full(self, req: Request, collection: str, name: str | None = None) -> str:
        project = req.params["project"]
        scope = COLLECTIONS[collection][2]
        where = (
            f"projects/{project}/global"
            if scope == "global"
            else f"projects/{project}/regions/{self.model.check_region(req)}"
        )
        return f"{where}/{collection}/{req.params['name'] if name is None else name}"

    def network_of(self, req: Request, ref: str, field: str) -> str:
        """The full name of the network `ref` (a URL or partial URL) points at; it must exist."""
        project = req.params["project"]
        full = f"projects/{project}/global/networks/{_last(ref)}"
        if full not in self.model.items["networks"]:
            raise invalid(field, ref, "The referenced network resource cannot be found.")
        return full

    # -- generic handlers ------------------------------------------------------------------------
    def get(self, collection: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            full = self.full(req, collection)
            self.model.require(req, f"compute.{collection}.get", full)
            with self.model.lock:
                item = self.model.items[collection].get(full)
            if item is None:
                raise not_found(full)
            return Response(body=item)

        return handler

    def list(self, collection: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            prefix = self.full(req, collection, "")
            self.model.require(req, f"compute.{collection}.list", prefix.rstrip("/"))
            with self.model.lock:
                found = [
                    v
                    for k, v in sorted(self.model.items[collection].items())
                    if k.startswith(prefix)
                ]
            return Response(
                body={
                    "kind": MESSAGES[collection][1] + "List",
                    "id": prefix.rstrip("/"),
                    "items": found,
                    "selfLink": BASE + prefix.rstrip("/"),
                }
            )

        return handler

    def aggregated(self, collection: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            project = req.params["project"]
            self.model.require(req, f"compute.{collection}.list", f"projects/{project}")
            scopes: dict[str, dict[str, Any]] = {}
            with self.model.lock:
                for key, item in sorted(self.model.items[collection].items()):
                    region = key.split("/")[3]
                    scopes.setdefault(f"regions/{region}", {collection: []})[collection].append(
                        item
                    )
            return Response(
                body={
                    "kind": MESSAGES[collection][1] + "AggregatedList",
                    "id": f"projects/{project}/aggregated/{collection}",
                    "items": scopes,
                    "selfLink": f"{BASE}projects/{project}/aggregated/{collection}",
                }
            )

        return handler

    def aggregated_operations(self, req: Request) -> Response:
        """globalOperations.aggregatedList (GET projects/{project}/aggregated/operations,
        compute v1): OperationAggregatedList, items keyed by scope ("global",
        "regions/REGION"), each {operations: [...]}; `gcloud compute operations list` reads it."""
        project = req.params["project"]
        self.model.require(req, "compute.globalOperations.list", f"projects/{project}")
        now = self.backend.clock.now()
        scopes: dict[str, dict[str, Any]] = {}
        with self.model.lock:
            for op in sorted(self.model.operations.values(), key=lambda o: o.started):
                scope = f"regions/{op.region}" if op.region else "global"
                scopes.setdefault(scope, {"operations": []})["operations"].append(
                    op.body(self.model.project, now)
                )
        return Response(
            body={
                "kind": "compute#operationAggregatedList",
                "id": f"projects/{project}/aggregated/operations",
                "items": scopes,
                "selfLink": f"{BASE}projects/{project}/aggregated/operations",
            }
        )

    def insert(self, collection: str) -> Callable[[Request], Response]:
        fill = getattr(self, f"fill_{collection}")

        def handler(req: Request) -> Response:
            body = parse(collection, req)
            name = check_name(body)
            full = self.full(req, collection, name)
            self.model.require(req, f"compute.{collection}.create", full)
            with self.model.lock:
                if full in self.model.items[collection]:
                    raise already_exists(full)
                now = self.backend.clock.now()
                body.update(
                    kind=COLLECTIONS[collection][1],
                    id=str(int(hashlib.sha256(full.encode()).hexdigest()[:15], 16)),
                    creationTimestamp=_stamp(now),
                    selfLink=BASE + full,
                )
                fill(req, body, full)
                if collection == "subnetworks":
                    body["fingerprint"] = _fingerprint(body)
                self.model.items[collection][full] = body
                region = req.params.get("region")
                return self.model.start(req, "insert", full, region)

        return handler

    def patch(self, collection: str, *, replace: bool = False) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            body = parse(collection, req)
            full = self.full(req, collection)
            self.model.require(req, f"compute.{collection}.update", full)
            with self.model.lock:
                current = self.model.items[collection].get(full)
                if current is None:
                    raise not_found(full)
                if (
                    collection == "subnetworks"
                    and body.get("fingerprint") != current["fingerprint"]
                ):
                    # "An up-to-date fingerprint must be provided in order to update the
                    # Subnetwork, otherwise the request will fail with error 412
                    # conditionNotMet" (discovery document); its message: "Precondition check
                    # failed." (googlecodelabs/feedback#817)
                    raise precondition_failed("Precondition check failed.")
                for key, value in body.items():
                    if key in PATCHABLE[collection] or current.get(key) == value:
                        continue
                    if key == "network" and _last(str(value)) == _last(str(current.get(key, ""))):
                        continue
                    raise _immutable(collection, key, value)
                updated = dict(current)
                if replace:  # firewalls.update / routers.update (PUT): "all fields will be
                    # updated ... even fields that are not specified"
                    for key in PATCHABLE[collection]:
                        updated.pop(key, None)
                updated.update({k: v for k, v in body.items() if k in PATCHABLE[collection]})
                getattr(self, f"fill_{collection}")(req, updated, full)
                if collection == "subnetworks":
                    updated["fingerprint"] = _fingerprint(updated)
                self.model.items[collection][full] = updated
                return self.model.start(
                    req, "update" if replace else "patch", full, req.params.get("region")
                )

        return handler

    def delete(self, collection: str) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            full = self.full(req, collection)
            self.model.require(req, f"compute.{collection}.delete", full)
            with self.model.lock:
                if full not in self.model.items[collection]:
                    raise not_found(full)
                if collection == "networks":
                    for other in ("subnetworks", "routers", "firewalls"):
                        for key, item in sorted(self.model.items[other].items()):
                            if _last(item.get("network", "")) == _last(full):
                                raise in_use(full, key)
                if collection == "subnetworks":
                    user = self.nodes_in(full)
                    if user is not None:
                        raise in_use(full, user)
                if collection in ("networks", "subnetworks"):
                    user = compute_address_use.holder(self.model, full)
                    if user is not None:
                        raise in_use(full, user)
                if collection == "routers":
                    compute_address_use.release_nat_ips(self.model, full)
                del self.model.items[collection][full]
                return self.model.start(req, "delete", full, req.params.get("region"))

        return handler

    def nodes_in(self, subnetwork: str) -> str | None:
        """The node instance group of a GKE cluster whose nodes are in `subnetwork`: GKE's
        nodes are Compute Engine instances there, and hold it until the cluster is gone."""
        container = self.backend.models.get("container")
        if container is None:
            return None
        container.settle()
        region, name = subnetwork.split("/")[3], _last(subnetwork)
        for cluster in list(container.clusters.values()):
            location = str(cluster.location)
            in_region = location == region or location.startswith(region + "-")
            if in_region and _last(cluster.subnetwork or "") == name:
                urls = [u for p in cluster.node_pools for u in p.instance_group_urls]
                return str(urls[0]).split("/compute/v1/", 1)[-1] if urls else str(cluster.self_link)
        return None

    def set_private_access(self, req: Request) -> Response:
        full = self.full(req, "subnetworks")
        self.model.require(req, "compute.subnetworks.setPrivateIpGoogleAccess", full)
        value = req.json().get("privateIpGoogleAccess")
        with self.model.lock:
            current = self.model.items["subnetworks"].get(full)
            if current is None:
                raise not_found(full)
            current["privateIpGoogleAccess"] = bool(value)
            current["fingerprint"] = _fingerprint(current)
            return self.model.start(req, "setPrivateIpGoogleAccess", full, req.params["region"])

    def operation(self, regional: bool) -> Callable[[Request], Response]:
        """operations.get, and operations.wait: wait "waits for no more than the default
        deadline (2 minutes) and then returns the current state of the operation, which might
        be DONE or still in progress" (discovery document), so answering the current state at
        once keeps its contract (the emulator's operations end by its clock, which a request
        does not move)."""

        def handler(req: Request) -> Response:
            region = self.model.check_region(req) if regional else None
            scope = "regionOperations" if regional else "globalOperations"
            name = req.params["op"]
            where = f"regions/{region}" if region else "global"
            self.model.require(
                req,
                f"compute.{scope}.get",
                f"projects/{req.params['project']}/{where}/operations/{name}",
            )
            with self.model.lock:
                op = self.model.operation(name, region)
            return Response(body=op.body(self.model.project, self.backend.clock.now()))

        return handler

    # -- what each collection fills in -------------------------------------------------------------
    def fill_networks(self, req: Request, body: dict[str, Any], full: str) -> None:
        # "If unspecified, the value defaults to 1460"; minimum 1300, maximum 8896 (Network.mtu)
        mtu = body.setdefault("mtu", 1460)
        if not 1300 <= int(mtu) <= 8896:
            raise invalid("resource.mtu", mtu, "The MTU must be between 1300 and 8896.")
        body.setdefault("autoCreateSubnetworks", False)
        body.setdefault("routingConfig", {}).setdefault("routingMode", "REGIONAL")
        subs = [
            BASE + k
            for k, v in self.model.items["subnetworks"].items()
            if _last(v["network"]) == _last(full)
        ]
        body["subnetworks"] = sorted(subs)

    def fill_subnetworks(self, req: Request, body: dict[str, Any], full: str) -> None:
        region = req.params["region"]
        network = self.network_of(req, str(body.get("network", "")), "resource.network")
        body["network"] = BASE + network
        body["region"] = f"{BASE}projects/{req.params['project']}/regions/{region}"
        primary = cidr("resource.ipCidrRange", body.get("ipCidrRange"))
        body["gatewayAddress"] = str(next(primary.hosts()))
        body.setdefault("privateIpGoogleAccess", False)
        body.setdefault("stackType", "IPV4_ONLY")
        mine: list[tuple[str, ipaddress.IPv4Network]] = [("resource.ipCidrRange", primary)]
        for i, r in enumerate(body.get("secondaryIpRanges", [])):
            if not r.get("rangeName"):
                # "Required field 'resource.secondaryIpRanges[0].rangeName' not specified,
                # required" (kubernetes-sigs/cluster-api-provider-gcp#1058)
                raise ApiError(
                    "INVALID_ARGUMENT",
                    f"Required field 'resource.secondaryIpRanges[{i}].rangeName' not specified",
                    legacy_reason="required",
                )
            field = f"resource.secondaryIpRanges[{i}].ipCidrRange"
            mine.append((field, cidr(field, r.get("ipCidrRange"))))
        name = _last(full)
        for i, (field, net) in enumerate(mine):
            for _, other in mine[:i]:
                if net.overlaps(other):
                    raise self._conflict(field, net, name, region)
        for key, other_sub in self.model.items["subnetworks"].items():
            if key == full or _last(other_sub["network"]) != _last(network):
                continue
            ranges = [
                other_sub["ipCidrRange"],
                *(r["ipCidrRange"] for r in other_sub.get("secondaryIpRanges", [])),
            ]
            for field, net in mine:
                if any(net.overlaps(ipaddress.IPv4Network(r)) for r in ranges):
                    raise self._conflict(field, net, _last(key), key.split("/")[3])
        log = body.get("logConfig")
        if log and log.get("enable"):
            # SubnetworkLogConfig defaults: INTERVAL_5_SEC, flowSampling 0.5,
            # EXCLUDE_ALL_METADATA (discovery document)
            log.setdefault("aggregationInterval", "INTERVAL_5_SEC")
            log.setdefault("flowSampling", 0.5)
            log.setdefault("metadata", "EXCLUDE_ALL_METADATA")
        # keep the network's list of subnetworks true
        net_body = self.model.items["networks"][network]
        links = set(net_body.get("subnetworks", [])) | {BASE + full}
        net_body["subnetworks"] = sorted(links)

    @staticmethod
    def _conflict(field: str, net: ipaddress.IPv4Network, name: str, region: str) -> ApiError:
        # "Invalid value for field 'resource.secondaryIpRanges[0].ipCidrRange':
        # '192.168.64.0/24'. Invalid IPCidrRange: 192.168.64.0/24 conflicts with existing
        # subnetwork 'subnet-01' in region 'us-west1'., invalid"
        # (terraform-google-modules/terraform-google-network#20)
        return invalid(
            field,
            str(net),
            f"Invalid IPCidrRange: {net} conflicts with existing subnetwork '{name}' in region "
            f"'{region}'.",
        )

    def fill_routers(self, req: Request, body: dict[str, Any], full: str) -> None:
        network = self.network_of(req, str(body.get("network", "")), "resource.network")
        body["network"] = BASE + network
        body["region"] = f"{BASE}projects/{req.params['project']}/regions/{req.params['region']}"
        for i, nat in enumerate(body.get("nats", [])):
            if not nat.get("name") or not str(nat["name"])[0].isalpha():
                raise invalid(f"resource.nats[{i}].name", nat.get("name", ""), "Invalid NAT name.")
        compute_address_use.use_nat_ips(self.model, full, body.get("nats", []))

    def fill_firewalls(self, req: Request, body: dict[str, Any], full: str) -> None:
        # Firewall.network: "If not specified when creating a firewall rule, the default
        # network is used: global/networks/default"; direction "The default is INGRESS";
        # priority "The default value is 1000" (discovery document)
        network = self.network_of(
            req, str(body.get("network") or "global/networks/default"), "resource.network"
        )
        body["network"] = BASE + network
        body.setdefault("direction", "INGRESS")
        body.setdefault("priority", 1000)
        body.setdefault("disabled", False)
        if not 0 <= int(body["priority"]) <= 65535:
            raise invalid("resource.priority", body["priority"], "Must be between 0 and 65535.")
        if body["direction"] == "EGRESS" and body.get("sourceTags"):
            # "For EGRESS traffic, you cannot specify the sourceTags fields."
            raise invalid(
                "resource.sourceTags",
                body["sourceTags"],
                "Source tags cannot be set for EGRESS rules.",
            )
        for field in ("sourceRanges", "destinationRanges"):
            # "These ranges must be expressed in CIDR format ... Both IPv4 and IPv6 are
            # supported." (discovery document, Firewall.sourceRanges / destinationRanges)
            for i, value in enumerate(body.get(field, [])):
                firewall_range(f"resource.{field}[{i}]", value)
        if body["direction"] == "INGRESS" and not any(
            body.get(k) for k in ("sourceRanges", "sourceTags", "sourceServiceAccounts")
        ):
            # an INGRESS rule with no source applies to 0.0.0.0/0 and is stored so
            # (hashicorp/terraform-provider-google#6789)
            body["sourceRanges"] = ["0.0.0.0/0"]
        for key in ("allowed", "denied"):
            for i, rule in enumerate(body.get(key, [])):
                check_traffic(f"resource.{key}[{i}]", rule)


# Firewall.allowed[].IPProtocol: "one of the following well known protocol strings (tcp, udp,
# icmp, esp, ah, ipip, sctp) or the IP protocol number" (discovery document); "all" too (the
# Google provider's google_compute_firewall allow.protocol). ports: "only applicable for the UDP
# or TCP protocol" (the provider adds SCTP); "Each entry must be either an integer or a range."
PROTOCOLS = frozenset({"tcp", "udp", "icmp", "esp", "ah", "ipip", "sctp", "all"})
PORT_PROTOCOLS = frozenset({"tcp", "udp", "sctp", "6", "17", "132"})
_PORT = re.compile(r"(\d{1,5})(-(\d{1,5}))?\Z")


def firewall_range(field_name: str, value: Any) -> None:
    try:
        ipaddress.ip_network(str(value), strict=True)
    except ValueError:
        raise invalid(field_name, value, "Invalid IPCidrRange.") from None


def check_traffic(at: str, rule: dict[str, Any]) -> None:
    protocol = str(rule.get("IPProtocol", "")).lower()
    if protocol not in PROTOCOLS and not (protocol.isdigit() and int(protocol) <= 255):
        raise invalid(f"{at}.IPProtocol", rule.get("IPProtocol", ""), "Invalid IP protocol.")
    for j, port in enumerate(rule.get("ports", [])):
        if protocol not in PORT_PROTOCOLS:
            # the wording of Compute Engine's refusal is not sourced; the rule is the
            # discovery document's (above)
            raise invalid(
                f"{at}.ports[{j}]",
                port,
                "Ports may only be specified on rules whose protocol is one of [TCP, UDP, SCTP].",
            )
        m = _PORT.match(str(port))
        if (
            not m
            or int(m.group(3) or m.group(1)) > 65535
            or int(m.group(1)) > int(m.group(3) or m.group(1))
        ):
            raise invalid(f"{at}.ports[{j}]", port, "Invalid port range.")


def routes(backend: Backend) -> list[Route]:
    """Every method at its path in the compute v1 discovery document (the route names are its
    method ids); each resource's own variable (`{network}`, `{operation}`) reaches the
    handlers as `name` / `op`."""
    api = ComputeNetworkApi(backend)
    table: list[Serve] = []
    for collection, (_, _, scope) in COLLECTIONS.items():
        table += [
            Serve(f"compute.{collection}.insert", api.insert(collection), ""),
            Serve(f"compute.{collection}.list", api.list(collection), ""),
            Serve(f"compute.{collection}.get", api.get(collection), ""),
            Serve(f"compute.{collection}.patch", api.patch(collection), ""),
            Serve(f"compute.{collection}.delete", api.delete(collection), ""),
        ]
        if scope != "global":
            table.append(
                Serve(f"compute.{collection}.aggregatedList", api.aggregated(collection), "")
            )
    table += [
        Serve("compute.globalOperations.aggregatedList", api.aggregated_operations, ""),
        Serve("compute.firewalls.update", api.patch("firewalls", replace=True), ""),
        Serve("compute.routers.update", api.patch("routers", replace=True), ""),
        Serve("compute.subnetworks.setPrivateIpGoogleAccess", api.set_private_access, ""),
        Serve("compute.globalOperations.get", api.operation(False), ""),
        Serve("compute.globalOperations.wait", api.operation(False), "", mutating=False),
        Serve("compute.regionOperations.get", api.operation(True), ""),
        Serve("compute.regionOperations.wait", api.operation(True), "", mutating=False),
    ]
    return compute_routes(table)


def compute_routes(table: Iterable[Serve]) -> list[Route]:
    """`table`'s rows at their discovery paths, each named by its method id."""
    rows = [dataclasses.replace(row, name=row.rpc, names=_NAMES) for row in table]
    return routes_for(discovered("compute", "v1", (row.rpc for row in rows)), rows)


# compute v1 names each resource's variable after its kind; the handlers read `name`
_NAMES = {
    **{k: "name" for k in ("network", "subnetwork", "firewall", "router", "address")},
    "operation": "op",
}
