"""Reserved addresses through google-cloud-compute's own AddressesClient and
GlobalAddressesClient (REST): insert/get/list/aggregatedList/delete/setLabels with operations,
deterministic IPs, GCP's refusals, and a Cloud NAT's MANUAL_ONLY natIps holding them IN_USE."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions as gexc
from google.cloud.compute_v1.types import (
    Address,
    GlobalSetLabelsRequest,
    Network,
    RegionSetLabelsRequest,
    Router,
    RouterNat,
    Subnetwork,
)

from gkeplan.gcp import compute
from gkeplan.gcp.connection import Connection

P = "demo-project"
R = "us-central1"
NET = f"projects/{P}/global/networks/ml-net"
REGIONAL = "google.cloud.compute_v1.services.addresses:AddressesClient"
GLOBAL = "google.cloud.compute_v1.services.global_addresses:GlobalAddressesClient"


def _regional(conn: Connection) -> Any:
    return conn.rest_client(REGIONAL)


def _global(conn: Connection) -> Any:
    return conn.rest_client(GLOBAL)


def _reserve(conn: Connection, name: str = "serving-ip", region: str = R, **fields: Any) -> Any:
    return _regional(conn).insert(
        project=P, region=region, address_resource=Address(name=name, **fields)
    )


def _network(conn: Connection) -> None:
    conn.compute("networks").insert(
        project=P, network_resource=Network(name="ml-net", auto_create_subnetworks=False)
    )
    conn.compute("subnetworks").insert(
        project=P,
        region=R,
        subnetwork_resource=Subnetwork(name="ml-subnet", network=NET, ip_cidr_range="10.10.0.0/20"),
    )


def _router(conn: Connection, *ips: str, option: str = "MANUAL_ONLY") -> Any:
    return conn.compute("routers").insert(
        project=P,
        region=R,
        router_resource=Router(
            name="ml-router",
            network=NET,
            nats=[
                RouterNat(
                    name="ml-nat",
                    nat_ip_allocate_option=option,
                    source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
                    nat_ips=list(ips),
                )
            ],
        ),
    )


def test_regional_external_address_lifecycle(conn: Connection) -> None:
    op = _reserve(conn, labels={"team": "ml"})
    assert op.name.startswith("operation-") and op.status.name == "DONE"
    client = _regional(conn)
    got = client.get(project=P, region=R, address="serving-ip")
    assert (got.address_type, got.network_tier, got.status) == ("EXTERNAL", "PREMIUM", "RESERVED")
    assert got.region.endswith(f"regions/{R}") and dict(got.labels) == {"team": "ml"}
    ip = got.address
    assert ip.startswith("35.")
    # the same name gets the same IP once it is released and reserved again
    client.delete(project=P, region=R, address="serving-ip")
    _reserve(conn)
    assert client.get(project=P, region=R, address="serving-ip").address == ip
    assert [a.name for a in client.list(project=P, region=R)] == ["serving-ip"]
    listed = compute.aggregated(conn, lambda: client.aggregated_list(project=P), "addresses")
    assert [a.name for a in listed] == ["serving-ip"]
    with pytest.raises(gexc.Conflict, match="addresses/serving-ip' already exists"):
        _reserve(conn)


def test_set_labels_needs_the_current_fingerprint(conn: Connection) -> None:
    _reserve(conn)
    client = _regional(conn)
    got = client.get(project=P, region=R, address="serving-ip")
    with pytest.raises(gexc.PreconditionFailed):
        client.set_labels(
            project=P,
            region=R,
            resource="serving-ip",
            region_set_labels_request_resource=RegionSetLabelsRequest(
                labels={"a": "b"}, label_fingerprint="c3RhbGU="
            ),
        )
    client.set_labels(
        project=P,
        region=R,
        resource="serving-ip",
        region_set_labels_request_resource=RegionSetLabelsRequest(
            labels={"a": "b"}, label_fingerprint=got.label_fingerprint
        ),
    )
    again = client.get(project=P, region=R, address="serving-ip")
    assert dict(again.labels) == {"a": "b"} and again.label_fingerprint != got.label_fingerprint


def test_global_address_and_its_labels(conn: Connection) -> None:
    client = _global(conn)
    client.insert(project=P, address_resource=Address(name="lb-ip"))
    got = client.get(project=P, address="lb-ip")
    assert (got.ip_version, got.network_tier, got.region) == ("IPV4", "PREMIUM", "")
    client.set_labels(
        project=P,
        resource="lb-ip",
        global_set_labels_request_resource=GlobalSetLabelsRequest(
            labels={"x": "y"}, label_fingerprint=got.label_fingerprint
        ),
    )
    assert dict(client.get(project=P, address="lb-ip").labels) == {"x": "y"}
    # "global external IP addresses are always Premium Tier" (Address.networkTier)
    with pytest.raises(gexc.BadRequest, match=r"resource\.networkTier"):
        client.insert(project=P, address_resource=Address(name="std", network_tier="STANDARD"))
    client.delete(project=P, address="lb-ip")
    assert list(client.list(project=P)) == []


def test_internal_addresses_come_from_their_subnetwork(conn: Connection) -> None:
    _network(conn)
    sub = f"projects/{P}/regions/{R}/subnetworks/ml-subnet"
    _reserve(conn, "db", address_type="INTERNAL", subnetwork=sub)
    got = _regional(conn).get(project=P, region=R, address="db")
    # the first two addresses of a subnet are its network and gateway
    assert (got.address, got.purpose) == ("10.10.0.2", "GCE_ENDPOINT")
    with pytest.raises(gexc.BadRequest, match="outside the subnetwork CIDR range"):
        _reserve(conn, "far", address_type="INTERNAL", subnetwork=sub, address="10.99.0.5")
    with pytest.raises(gexc.Conflict, match=r"IP_IN_USE_BY_ANOTHER_RESOURCE - IP '10\.10\.0\.2'"):
        _reserve(conn, "again", address_type="INTERNAL", subnetwork=sub, address="10.10.0.2")
    with pytest.raises(gexc.BadRequest, match="No default subnetwork was found"):
        _reserve(conn, "nosub", address_type="INTERNAL")
    # the subnetwork holds a reservation: it cannot be deleted before it
    with pytest.raises(gexc.BadRequest, match="is already being used by 'projects/demo-project/"):
        conn.compute("subnetworks").delete(project=P, region=R, subnetwork="ml-subnet")


def test_a_private_services_range_avoids_the_networks_subnetworks(conn: Connection) -> None:
    _network(conn)
    conn.compute("subnetworks").insert(
        project=P,
        region=R,
        subnetwork_resource=Subnetwork(name="low", network=NET, ip_cidr_range="10.0.0.0/16"),
    )
    _global(conn).insert(
        project=P,
        address_resource=Address(
            name="psa",
            address_type="INTERNAL",
            purpose="VPC_PEERING",
            network=NET,
            prefix_length=16,
        ),
    )
    got = _global(conn).get(project=P, address="psa")
    assert (got.address, got.prefix_length) == ("10.1.0.0", 16)
    with pytest.raises(gexc.BadRequest, match="is already being used by"):
        conn.compute("networks").delete(project=P, network="ml-net")


def test_a_nat_holds_its_manual_ips_in_use(conn: Connection) -> None:
    _network(conn)
    _reserve(conn, "nat-ip")
    url = f"projects/{P}/regions/{R}/addresses/nat-ip"
    _router(conn, url)
    got = _regional(conn).get(project=P, region=R, address="nat-ip")
    assert got.status == "IN_USE"
    assert list(got.users) == [
        f"https://www.googleapis.com/compute/v1/projects/{P}/regions/{R}/routers/ml-router"
    ]
    # an address IN_USE cannot be released (hashicorp/terraform-provider-google#6812)
    with pytest.raises(gexc.BadRequest, match="is already being used by 'projects/demo-project/"):
        _regional(conn).delete(project=P, region=R, address="nat-ip")
    conn.compute("routers").delete(project=P, region=R, router="ml-router")
    assert _regional(conn).get(project=P, region=R, address="nat-ip").status == "RESERVED"
    _regional(conn).delete(project=P, region=R, address="nat-ip")


def test_a_nat_refuses_what_gcp_refuses(conn: Connection) -> None:
    _network(conn)
    _reserve(conn, "nat-ip")
    _reserve(conn, "far-ip", region="europe-west4")
    with pytest.raises(gexc.NotFound, match=f"projects/{P}/regions/{R}/addresses/missing"):
        _router(conn, f"projects/{P}/regions/{R}/addresses/missing")
    with pytest.raises(gexc.BadRequest, match="natIps"):
        _router(conn, f"projects/{P}/regions/{R}/addresses/nat-ip", option="AUTO_ONLY")
    with pytest.raises(gexc.BadRequest, match=r"natIps\[0\]"):
        _router(conn, f"projects/{P}/regions/europe-west4/addresses/far-ip")
    assert list(conn.compute("routers").list(project=P, region=R)) == []
    assert _regional(conn).get(project=P, region=R, address="nat-ip").status == "RESERVED"
