"""What other Compute Engine collections do to reserved addresses: a router's Cloud NAT takes
its MANUAL_ONLY natIps (existing regional external addresses of its region), which are then
IN_USE until it lets them go; a subnetwork or network holding a reservation is not deleted.
The addresses' own API is compute_addresses.py."""

from __future__ import annotations

from typing import Any

from gkeplan_emulator.errors import ApiError
from gkeplan_emulator.services.compute.model import BASE, ComputeModel, invalid, not_found

REGIONAL, GLOBAL = "addresses", "globalAddresses"  # the model's stores and the permissions'


def ip_in_use(ip: str) -> ApiError:
    # "googleapi: Error 409: IP_IN_USE_BY_ANOTHER_RESOURCE - IP '10.164.0.18' is already being
    # used by another resource." (Compute Engine; kubernetes/ingress-gce#2735)
    return ApiError(
        "ALREADY_EXISTS",
        f"IP_IN_USE_BY_ANOTHER_RESOURCE - IP '{ip}' is already being used by another resource.",
        legacy_reason="alreadyExists",
    )


def relative(url: str) -> str:
    """projects/P/... of a full or partial Compute Engine URL."""
    return url.split("/compute/v1/", 1)[-1].lstrip("/")


def use_nat_ips(model: ComputeModel, router: str, nats: list[dict[str, Any]]) -> None:
    """A router's NATs take their natIps: each must be a regional external address of the
    router's region; those it names are IN_USE by it, those it no longer names are released.
    Checked whole before anything changes."""
    region = router.split("/")[3]
    wanted: dict[str, dict[str, Any]] = {}
    links: list[list[str]] = []  # each NAT's natIps as GCP stores them: full URLs
    for i, nat in enumerate(nats):
        links.append([])
        ips = [str(u) for u in nat.get("natIps", [])]
        if ips and nat.get("natIpAllocateOption") != "MANUAL_ONLY":
            # "When choosing AUTO_ONLY, then nat_ip should be empty." (discovery document,
            # RouterNat.natIpAllocateOption); GCP's wording is not sourced
            raise invalid(
                f"resource.nats[{i}].natIps",
                ips[0],
                "NAT IPs can only be specified with natIpAllocateOption MANUAL_ONLY.",
            )
        for j, url in enumerate(ips):
            key = relative(url)
            parts = key.split("/")
            if len(parts) == 4 and parts[0] == "regions":  # a partial URL: regions/R/addresses/N
                key = f"projects/{model.project}/{key}"
                parts = key.split("/")
            field = f"resource.nats[{i}].natIps[{j}]"
            if len(parts) != 6 or parts[2] != "regions" or parts[4] != "addresses":
                raise invalid(field, url, "Invalid address URL.")
            if parts[3] != region:
                raise invalid(field, url, f"The NAT IP must be in region {region}.")
            item = model.items[REGIONAL].get(key)
            if item is None:
                # "Error 404: The resource 'projects/<projectname>/regions/us-west1/addresses/
                # 34.83.95.163' was not found, notFound" (terraform-google-cloud-nat#74)
                raise not_found(key)
            if item.get("addressType", "EXTERNAL") != "EXTERNAL":
                # natIps: "These IP addresses must be valid static external IP addresses"
                raise invalid(field, url, "The NAT IP must be an external IP address.")
            users = [relative(u) for u in item.get("users", [])]
            if users and users != [router]:
                raise ip_in_use(str(item.get("address")))
            wanted[key] = item
            links[i].append(BASE + key)
    for nat, urls in zip(nats, links, strict=True):
        if urls:
            nat["natIps"] = urls
    release_nat_ips(model, router, keep=set(wanted))
    for item in wanted.values():
        item["status"] = "IN_USE"
        item["users"] = [BASE + router]


def release_nat_ips(model: ComputeModel, router: str, keep: set[str] | None = None) -> None:
    """The addresses `router` uses and no longer names go back to RESERVED."""
    for key, item in model.items[REGIONAL].items():
        if key in (keep or set()):
            continue
        users = [u for u in item.get("users", []) if relative(u) != router]
        if users != item.get("users", []):
            if users:
                item["users"] = users
            else:
                item.pop("users", None)
                item["status"] = "RESERVED"


def holder(model: ComputeModel, resource: str) -> str | None:
    """An address reserved in `resource` (a subnetwork, or a network's range), which GCP
    keeps from being deleted: "The network cannot be deleted if there are any reserved IP
    ranges referring to it" (Google provider, GlobalAddress.yaml)."""
    field = "subnetwork" if "/subnetworks/" in resource else "network"
    for store in (REGIONAL, GLOBAL):
        for key, item in sorted(model.items[store].items()):
            if relative(str(item.get(field, ""))) == resource:
                return key
    return None
