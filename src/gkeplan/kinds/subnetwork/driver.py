"""VPC subnetworks through SubnetworksClient (REST)."""

from __future__ import annotations

from typing import Any

from google.cloud.compute_v1.types import (
    Subnetwork,
    SubnetworkLogConfig,
    SubnetworkSecondaryRange,
    SubnetworksSetPrivateIpGoogleAccessRequest,
)

from gkeplan.errors import CloudError
from gkeplan.gcp import compute
from gkeplan.kinds.compute_base import ComputeDriver
from gkeplan.kinds.driver import Attributes, CallContext
from gkeplan.plan.model import Change


def _log_config(sub: Any) -> dict[str, Any] | None:
    if "log_config" not in sub or not sub.log_config.enable:
        return None
    log = sub.log_config
    # the documented defaults, should GCP leave a field out
    return {
        "enable": True,
        "aggregationInterval": log.aggregation_interval or "INTERVAL_5_SEC",
        "flowSampling": float(log.flow_sampling if "flow_sampling" in log else 0.5),
        "metadata": log.metadata or "EXCLUDE_ALL_METADATA",
    }


def subnetwork_attributes(sub: Any) -> Attributes:
    return {
        "name": sub.name,
        "network": compute.last(sub.network),
        "region": compute.last(sub.region),
        "ipCidrRange": sub.ip_cidr_range,
        "secondaryIpRanges": sorted(
            (
                {"rangeName": r.range_name, "ipCidrRange": r.ip_cidr_range}
                for r in sub.secondary_ip_ranges
            ),
            key=lambda r: r["rangeName"],
        ),
        "privateIpGoogleAccess": bool(sub.private_ip_google_access),
        "logConfig": _log_config(sub),
        "description": sub.description or "",
    }


def _log_body(log: dict[str, Any] | None) -> SubnetworkLogConfig:
    if log is None:
        return SubnetworkLogConfig(enable=False)
    return SubnetworkLogConfig(
        enable=True,
        aggregation_interval=log["aggregationInterval"],
        flow_sampling=log["flowSampling"],
        metadata=log["metadata"],
    )


def _ranges(after: Attributes) -> list[SubnetworkSecondaryRange]:
    return [
        SubnetworkSecondaryRange(range_name=r["rangeName"], ip_cidr_range=r["ipCidrRange"])
        for r in after["secondaryIpRanges"]
    ]


class SubnetworkDriver(ComputeDriver):
    kind = "subnetwork"
    collection = "subnetworks"
    singular = "subnetwork"
    regional = True

    def attributes(self, item: Any) -> Attributes:
        return subnetwork_attributes(item)

    def body(self, ctx: CallContext, after: Attributes) -> Subnetwork:
        body = Subnetwork(
            name=after["name"],
            network=f"projects/{ctx.project}/global/networks/{after['network']}",
            ip_cidr_range=after["ipCidrRange"],
            secondary_ip_ranges=_ranges(after),
            private_ip_google_access=after["privateIpGoogleAccess"],
            description=after["description"],
        )
        if after["logConfig"] is not None:
            body.log_config = _log_body(after["logConfig"])
        return body

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        after = change.after or {}
        region, name = compute.regional(change.id)
        client = ctx.conn.compute("subnetworks")
        fields = {f.name for f in change.fields}
        if "privateIpGoogleAccess" in fields:
            # "updated using setPrivateIpGoogleAccess" (Subnetwork.privateIpGoogleAccess)
            request = SubnetworksSetPrivateIpGoogleAccessRequest(
                private_ip_google_access=after["privateIpGoogleAccess"]
            )
            self.send(
                ctx,
                change,
                " privateIpGoogleAccess",
                lambda: client.set_private_ip_google_access(
                    project=ctx.project,
                    region=region,
                    subnetwork=name,
                    subnetworks_set_private_ip_google_access_request_resource=request,
                ),
            )
        patched = fields & {"secondaryIpRanges", "logConfig"}
        if patched:
            # patch needs "the current fingerprint of the subnetwork resource being patched"
            current = self.get(ctx, change)
            if "secondaryIpRanges" in patched and not after["secondaryIpRanges"]:
                # A PATCH is a JSON merge patch: a field left out is left alone, and the
                # client leaves an empty list out. Removing the last range is the one change
                # this client cannot send.
                raise CloudError(
                    f"{change.address}: removing every secondary range cannot be sent through "
                    "the Compute Engine client (it leaves an empty list out of the PATCH); "
                    f"remove them with `gcloud compute networks subnets update {name} --region "
                    f"{region} --remove-secondary-ranges NAME,...`, then apply again"
                )
            body = Subnetwork(fingerprint=current.fingerprint)
            if "secondaryIpRanges" in patched:
                body.secondary_ip_ranges = _ranges(after)
            if "logConfig" in patched:
                body.log_config = _log_body(after["logConfig"])
            self.send(
                ctx,
                change,
                f" {', '.join(sorted(patched))}",
                lambda: client.patch(
                    project=ctx.project, region=region, subnetwork=name, subnetwork_resource=body
                ),
            )
        return self.read(ctx, change) or after
