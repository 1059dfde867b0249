"""Reserved addresses through AddressesClient (regional) and GlobalAddressesClient (REST)."""

from __future__ import annotations

from typing import Any

from google.cloud.compute_v1.types import Address, GlobalSetLabelsRequest, RegionSetLabelsRequest

from gkeplan.gcp import compute
from gkeplan.kinds.compute_base import ComputeDriver, global_listing, regional_listing
from gkeplan.kinds.driver import Attributes, CallContext
from gkeplan.plan.model import Change

REGIONAL = "google.cloud.compute_v1.services.addresses:AddressesClient"
GLOBAL = "google.cloud.compute_v1.services.global_addresses:GlobalAddressesClient"


def address_attributes(a: Any) -> Attributes:
    region = compute.last(a.region) or None
    external = (a.address_type or "EXTERNAL") == "EXTERNAL"
    return {
        "name": a.name,
        "region": region,
        "addressType": a.address_type or "EXTERNAL",
        # "If this field is not specified, it is assumed to be PREMIUM" (Address.networkTier);
        # internal addresses are always Premium: the spec cannot set it, so it is not compared
        "networkTier": (a.network_tier or "PREMIUM") if external else None,
        "subnetwork": compute.last(a.subnetwork) or None,
        "network": compute.last(a.network) or None,
        "address": a.address or None,
        "purpose": a.purpose or None,
        "ipVersion": a.ip_version or "IPV4",  # GlobalAddress.yaml: "The default value is IPV4"
        "ipv6EndpointType": a.ipv6_endpoint_type or None,
        "prefixLength": int(a.prefix_length) if "prefix_length" in a else None,
        "description": a.description or "",
        "labels": dict(a.labels),
    }


class AddressDriver(ComputeDriver):
    kind = "address"
    collection = "addresses"
    singular = "address"

    def client(self, ctx: CallContext, region: str | None) -> Any:
        return ctx.conn.rest_client(REGIONAL if region else GLOBAL)

    def attributes(self, item: Any) -> Attributes:
        return address_attributes(item)

    def listing(self, ctx: CallContext) -> list[Any]:
        # two calls: every region's addresses (aggregatedList), then the global ones
        regional = regional_listing(ctx, ctx.conn.rest_client(REGIONAL), "addresses")
        return regional + global_listing(ctx, ctx.conn.rest_client(GLOBAL))

    def body(self, ctx: CallContext, after: Attributes) -> Address:
        body = Address(
            name=after["name"],
            address_type=after["addressType"],
            description=after["description"],
            labels=after["labels"],
        )
        region = after["region"]
        if after["networkTier"]:
            body.network_tier = after["networkTier"]
        if after["subnetwork"]:
            body.subnetwork = (
                f"projects/{ctx.project}/regions/{region}/subnetworks/{after['subnetwork']}"
            )
        if after["network"]:
            body.network = f"projects/{ctx.project}/global/networks/{after['network']}"
        # a regional IPv6 address's /96 is GCP's to set (gcloud --prefix-length: for IPv6
        # "the only allowed value is 96"): read back, never sent
        v6 = bool(region) and after["ipVersion"] == "IPV6"
        for key, field in (
            ("address", "address"),
            ("purpose", "purpose"),
            ("prefixLength", "prefix_length"),
        ):
            if v6 and key == "prefixLength":
                continue
            if after[key] is not None:
                setattr(body, field, after[key])
        if not region or after["ipVersion"] == "IPV6":
            body.ip_version = after["ipVersion"]
        if after.get("ipv6EndpointType"):
            body.ipv6_endpoint_type = after["ipv6EndpointType"]
        return body

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        # Labels are the one thing that changes in place: "These can only be added or
        # modified by the setLabels method", with "an up-to-date fingerprint hash ... otherwise
        # the request will fail with error 412 conditionNotMet" (discovery document)
        after = change.after or {}
        region, name = compute.where(change.id)
        fingerprint = self.get(ctx, change).label_fingerprint
        client = self.client(ctx, region)
        request, field = (
            (RegionSetLabelsRequest, "region_set_labels_request_resource")
            if region
            else (GlobalSetLabelsRequest, "global_set_labels_request_resource")
        )
        body = request(labels=after["labels"], label_fingerprint=fingerprint)
        self.send(
            ctx,
            change,
            " labels",
            lambda: client.set_labels(**self.scope(ctx, region), resource=name, **{field: body}),
        )
        return self.read(ctx, change) or after
