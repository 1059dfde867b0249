"""Reserved addresses and a Cloud NAT using them (MANUAL_ONLY natIps) in the sandbox: apply,
then "No changes."; `gkeplan output` shows each IP; drift made through Google's clients is
found and undone; an address gkeplan did not make is refused until imported; destroy takes
the router down before the addresses it holds."""

from __future__ import annotations

from typing import Any

from google.cloud.compute_v1.types import Address, RegionSetLabelsRequest, Router, RouterNat

from gkeplan.gcp.sandbox import connection_for
from gkeplan.plan import protection
from gkeplan.plan.model import Action

from .cli_sandbox import User, server, user
from .conftest import Harness

__all__ = ["server", "user"]

P = "demo-project"
R = "us-central1"
REGIONAL = "google.cloud.compute_v1.services.addresses:AddressesClient"
GLOBAL = "google.cloud.compute_v1.services.global_addresses:GlobalAddressesClient"
VARS = ("--var", "PROJECT_ID=demo-project")

SPEC = """\
version: 1
project: ${PROJECT_ID}
region: us-central1
variables:
  PROJECT_ID: {description: the project}
policy: {packs: []}
networks:
  ml-net: {}
subnetworks:
  ml-subnet: {network: ml-net, ipCidrRange: 10.10.0.0/20}
addresses:
  serving-ip:
    region: us-central1
    description: the model server's endpoint
    labels: {app: serving}
  nat-ip: {region: us-central1}
  db: {region: us-central1, addressType: INTERNAL, subnetwork: ml-subnet, address: 10.10.0.5}
  lb-ip: {}
routers:
  ml-router:
    network: ml-net
    nat:
      name: ml-nat
      natIpAllocateOption: MANUAL_ONLY
      natIps: [address:nat-ip]
"""


def _actions(plan: Any) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes if c.action is not Action.NOOP}


def _apply(harness: Harness, text: str = SPEC) -> None:
    result = harness.apply(harness.spec(text))
    assert result.ok, result.walk.errors


def test_apply_then_plan_shows_no_changes_and_output_shows_the_ips(user: User) -> None:
    user.write(SPEC)
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    plan = user.plan()
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output, plan.output
    conn = user.sandbox.conn()
    serving = conn.rest_client(REGIONAL).get(project=P, region=R, address="serving-ip")
    nat_ip = conn.rest_client(REGIONAL).get(project=P, region=R, address="nat-ip")
    lb = conn.rest_client(GLOBAL).get(project=P, address="lb-ip")
    assert nat_ip.status == "IN_USE" and serving.status == "RESERVED"
    router = conn.compute("routers").get(project=P, region=R, router="ml-router")
    assert [list(n.nat_ips) for n in router.nats] == [[nat_ip.self_link]]
    listing = user.run("output", str(user.spec), *VARS)
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    assert f"address.serving-ip.ip = {serving.address}" in lines, listing.output
    assert f"address.lb-ip.ip = {lb.address}" in lines
    assert "address.db.ip = 10.10.0.5" in lines


def test_an_existing_address_is_refused_then_imported(user: User) -> None:
    text = SPEC.split("routers:")[0]
    user.write(text)
    conn = user.sandbox.conn()
    conn.rest_client(REGIONAL).insert(
        project=P,
        region=R,
        address_resource=Address(
            name="serving-ip", description="the model server's endpoint", labels={"app": "old"}
        ),
    )
    refused = user.plan()
    assert "gkeplan import address.serving-ip" in refused.output, refused.output
    assert user.apply().exit_code != 0
    rid = f"projects/{P}/regions/{R}/addresses/serving-ip"
    imported = user.run("import", "address.serving-ip", rid, "--spec", str(user.spec), *VARS)
    assert imported.exit_code == 0, imported.output
    plan = user.plan()
    assert "~ address.serving-ip will be updated in place" in plan.output, plan.output
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    got = conn.rest_client(REGIONAL).get(project=P, region=R, address="serving-ip")
    assert dict(got.labels) == {"app": "serving"}
    assert "No changes." in user.plan().output


def test_label_and_nat_drift_are_found_and_undone(harness: Harness) -> None:
    _apply(harness)
    conn = connection_for(harness.emu)
    client = conn.rest_client(REGIONAL)
    got = client.get(project=P, region=R, address="serving-ip")
    client.set_labels(
        project=P,
        region=R,
        resource="serving-ip",
        region_set_labels_request_resource=RegionSetLabelsRequest(
            labels={"app": "hacked"}, label_fingerprint=got.label_fingerprint
        ),
    )
    # someone turns the NAT to automatic IPs, which releases the address
    conn.compute("routers").patch(
        project=P,
        region=R,
        router="ml-router",
        router_resource=Router(
            nats=[
                RouterNat(
                    name="ml-nat",
                    nat_ip_allocate_option="AUTO_ONLY",
                    source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
                )
            ]
        ),
    )
    assert client.get(project=P, region=R, address="nat-ip").status == "RESERVED"
    plan = harness.plan(harness.spec(SPEC))
    assert _actions(plan) == {"address.serving-ip": "update", "router.ml-router": "update"}
    fields = {
        c.address: {f.name: (f.before, f.after) for f in c.fields}
        for c in plan.changes
        if c.action is Action.UPDATE
    }
    assert fields["address.serving-ip"] == {"labels": ({"app": "hacked"}, {"app": "serving"})}
    assert list(fields["router.ml-router"]) == ["nats"]
    _apply(harness)
    assert not harness.plan(harness.spec(SPEC)).has_changes
    assert client.get(project=P, region=R, address="nat-ip").status == "IN_USE"


def test_changing_a_reservation_is_a_replacement_that_needs_consent(harness: Harness) -> None:
    _apply(harness)
    plan = harness.plan(harness.spec(SPEC.replace("the model server's endpoint", "another")))
    change = next(c for c in plan.changes if c.address == "address.serving-ip")
    assert change.action is Action.REPLACE
    assert change.reason == "description cannot be changed in place"
    # a new reservation is a new IP: only `--allow-replace address.serving-ip`
    assert protection.needs_consent(plan.changes) == [change]


def test_destroy_takes_the_router_down_before_its_addresses(harness: Harness) -> None:
    _apply(harness)
    result = harness.apply(harness.spec(SPEC), destroy=True)
    assert result.ok, result.walk.errors
    # the emulator refuses to release an address a NAT holds (400 resourceInUseByAnotherResource,
    # as GCP does): every release succeeding first time means the router went first
    deletes = [
        (e.method, e.status)
        for e in harness.emu.requests
        if e.method in ("compute.routers.delete", "compute.addresses.delete")
    ]
    assert sorted(deletes) == [
        *[("compute.addresses.delete", 200)] * 3,
        ("compute.routers.delete", 200),
    ]
    conn = connection_for(harness.emu)
    assert list(conn.rest_client(REGIONAL).list(project=P, region=R)) == []
    assert list(conn.rest_client(GLOBAL).list(project=P)) == []
    assert list(conn.compute("networks").list(project=P)) == []


def test_refresh_reads_every_address_in_two_calls(harness: Harness) -> None:
    _apply(harness)
    again = harness.plan(harness.spec(SPEC))
    assert not again.has_changes, _actions(again)
    # networks, subnetworks (aggregated), routers (aggregated), addresses (aggregated + global)
    assert again.refresh_calls == 5


def test_swapping_a_nats_ips_updates_the_router_in_place(harness: Harness) -> None:
    """natIps change through the router's update (the NAT is part of the router), never a
    replacement: the new address goes IN_USE, the old one back to RESERVED."""
    _apply(harness)
    swapped = SPEC.replace("  lb-ip: {}\n", "  lb-ip: {}\n  nat-ip-2: {region: us-central1}\n")
    swapped = swapped.replace("natIps: [address:nat-ip]", "natIps: [address:nat-ip-2]")
    plan = harness.plan(harness.spec(swapped))
    assert _actions(plan) == {"address.nat-ip-2": "create", "router.ml-router": "update"}
    _apply(harness, swapped)
    client = connection_for(harness.emu).rest_client(REGIONAL)
    assert client.get(project=P, region=R, address="nat-ip-2").status == "IN_USE"
    assert client.get(project=P, region=R, address="nat-ip").status == "RESERVED"
    assert not harness.plan(harness.spec(swapped)).has_changes
