"""Compute Engine networking through google-cloud-compute's own clients (REST): networks,
subnetworks, routers and firewalls; their operations; GCP's 404/409/412/400/403 answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions as gexc
from google.cloud.compute_v1.types import (
    Allowed,
    Firewall,
    Network,
    NetworkRoutingConfig,
    Router,
    RouterNat,
    RouterNatLogConfig,
    Subnetwork,
    SubnetworkLogConfig,
    SubnetworkSecondaryRange,
    SubnetworksSetPrivateIpGoogleAccessRequest,
)

from gkeplan.errors import OperationFailed
from gkeplan.gcp import compute
from gkeplan.gcp.connection import Connection, Endpoints, Timeouts
from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock
from gkeplan_emulator.config import FaultRule

P = "demo-project"
R = "us-central1"
NET = f"projects/{P}/global/networks/ml-net"


def _net(conn: Connection, name: str = "ml-net") -> Any:
    return conn.compute("networks").insert(
        project=P,
        network_resource=Network(
            name=name,
            auto_create_subnetworks=False,
            routing_config=NetworkRoutingConfig(routing_mode="REGIONAL"),
        ),
    )


def _sub(conn: Connection, name: str = "ml-subnet", primary: str = "10.10.0.0/20") -> Any:
    return conn.compute("subnetworks").insert(
        project=P,
        region=R,
        subnetwork_resource=Subnetwork(
            name=name,
            network=NET,
            ip_cidr_range=primary,
            secondary_ip_ranges=[
                SubnetworkSecondaryRange(range_name="pods", ip_cidr_range="10.20.0.0/14")
            ],
        ),
    )


def test_network_insert_get_list_patch_delete(conn: Connection) -> None:
    client = conn.compute("networks")
    op = _net(conn)
    assert op.name.startswith("operation-") and op.status.name == "DONE"
    got = client.get(project=P, network="ml-net")
    assert (got.mtu, got.routing_config.routing_mode, got.auto_create_subnetworks) == (
        1460,
        "REGIONAL",
        False,
    )
    assert got.self_link == "https://www.googleapis.com/compute/v1/" + NET
    assert [n.name for n in client.list(project=P)] == ["ml-net"]
    client.patch(
        project=P,
        network="ml-net",
        network_resource=Network(routing_config=NetworkRoutingConfig(routing_mode="GLOBAL")),
    )
    assert client.get(project=P, network="ml-net").routing_config.routing_mode == "GLOBAL"
    client.delete(project=P, network="ml-net")
    with pytest.raises(gexc.NotFound, match=f"The resource '{NET}' was not found"):
        client.get(project=P, network="ml-net")


def test_network_conflict_and_what_patch_may_not_change(conn: Connection) -> None:
    _net(conn)
    with pytest.raises(gexc.Conflict, match=f"The resource '{NET}' already exists"):
        _net(conn)
    with pytest.raises(gexc.BadRequest, match=r"resource\.mtu"):
        conn.compute("networks").patch(
            project=P, network="ml-net", network_resource=Network(mtu=1500)
        )


def test_a_network_in_use_is_not_deleted(conn: Connection) -> None:
    _net(conn)
    _sub(conn)
    with pytest.raises(gexc.BadRequest, match="is already being used by 'projects/demo-project/"):
        conn.compute("networks").delete(project=P, network="ml-net")


def test_subnetwork_lifecycle_with_fingerprint_and_private_access(conn: Connection) -> None:
    _net(conn)
    _sub(conn)
    client = conn.compute("subnetworks")
    got = client.get(project=P, region=R, subnetwork="ml-subnet")
    assert got.network.endswith(NET) and got.region.endswith(f"regions/{R}")
    assert [r.range_name for r in got.secondary_ip_ranges] == ["pods"]
    assert not got.private_ip_google_access
    listed = compute.aggregated(conn, lambda: client.aggregated_list(project=P), "subnetworks")
    assert [s.name for s in listed] == ["ml-subnet"]
    # a patch without the current fingerprint fails 412 conditionNotMet
    with pytest.raises(gexc.PreconditionFailed):
        client.patch(
            project=P,
            region=R,
            subnetwork="ml-subnet",
            subnetwork_resource=Subnetwork(fingerprint="stale"),
        )
    client.patch(
        project=P,
        region=R,
        subnetwork="ml-subnet",
        subnetwork_resource=Subnetwork(
            fingerprint=got.fingerprint,
            secondary_ip_ranges=[
                *got.secondary_ip_ranges,
                SubnetworkSecondaryRange(range_name="services", ip_cidr_range="10.24.0.0/20"),
            ],
            log_config=SubnetworkLogConfig(enable=True),
        ),
    )
    client.set_private_ip_google_access(
        project=P,
        region=R,
        subnetwork="ml-subnet",
        subnetworks_set_private_ip_google_access_request_resource=(
            SubnetworksSetPrivateIpGoogleAccessRequest(private_ip_google_access=True)
        ),
    )
    after = client.get(project=P, region=R, subnetwork="ml-subnet")
    assert [r.range_name for r in after.secondary_ip_ranges] == ["pods", "services"]
    assert after.private_ip_google_access and after.fingerprint != got.fingerprint
    # the documented flow-log defaults are filled in
    assert (after.log_config.aggregation_interval, after.log_config.flow_sampling) == (
        "INTERVAL_5_SEC",
        0.5,
    )
    with pytest.raises(gexc.BadRequest, match=r"resource\.ipCidrRange"):
        client.patch(
            project=P,
            region=R,
            subnetwork="ml-subnet",
            subnetwork_resource=Subnetwork(
                fingerprint=after.fingerprint, ip_cidr_range="10.99.0.0/20"
            ),
        )
    client.delete(project=P, region=R, subnetwork="ml-subnet")
    with pytest.raises(gexc.NotFound):
        client.get(project=P, region=R, subnetwork="ml-subnet")


def test_subnetworks_refuse_a_missing_network_and_overlapping_ranges(conn: Connection) -> None:
    with pytest.raises(gexc.BadRequest, match="The referenced network resource cannot be found"):
        _sub(conn)
    _net(conn)
    _sub(conn)
    with pytest.raises(gexc.Conflict, match="already exists"):
        _sub(conn)
    with pytest.raises(gexc.BadRequest, match="conflicts with existing subnetwork 'ml-subnet'"):
        _sub(conn, "other", "10.10.8.0/24")


def test_router_with_nat_insert_patch_update_delete(conn: Connection) -> None:
    _net(conn)
    client = conn.compute("routers")
    nat = RouterNat(
        name="ml-nat",
        nat_ip_allocate_option="AUTO_ONLY",
        source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_IP_RANGES",
        log_config=RouterNatLogConfig(enable=True, filter="ERRORS_ONLY"),
    )
    client.insert(project=P, region=R, router_resource=Router(name="r", network=NET, nats=[nat]))
    got = client.get(project=P, region=R, router="r")
    assert [n.name for n in got.nats] == ["ml-nat"] and got.nats[
        0
    ].log_config.filter == "ERRORS_ONLY"
    listed = compute.aggregated(conn, lambda: client.aggregated_list(project=P), "routers")
    assert [r.name for r in listed] == ["r"]
    client.patch(project=P, region=R, router="r", router_resource=Router(nats=[]))
    client.patch(
        project=P,
        region=R,
        router="r",
        router_resource=Router(nats=[RouterNat(name="nat2", nat_ip_allocate_option="AUTO_ONLY")]),
    )
    assert [n.name for n in client.get(project=P, region=R, router="r").nats] == ["nat2"]
    # PUT replaces the router: the nats it leaves out are gone
    client.update(project=P, region=R, router="r", router_resource=Router(name="r", network=NET))
    assert list(client.get(project=P, region=R, router="r").nats) == []
    with pytest.raises(gexc.BadRequest, match=r"resource\.network"):
        client.patch(
            project=P,
            region=R,
            router="r",
            router_resource=Router(network=f"projects/{P}/global/networks/other"),
        )
    client.delete(project=P, region=R, router="r")
    with pytest.raises(gexc.NotFound):
        client.delete(project=P, region=R, router="r")


def test_firewall_insert_patch_update_delete(conn: Connection) -> None:
    _net(conn)
    client = conn.compute("firewalls")
    client.insert(
        project=P,
        firewall_resource=Firewall(
            name="ssh",
            network=NET,
            source_ranges=["35.235.240.0/20"],
            allowed=[Allowed(I_p_protocol="tcp", ports=["22"])],
            target_tags=["gke-node"],
        ),
    )
    got = client.get(project=P, firewall="ssh")
    # the documented defaults: INGRESS, priority 1000
    assert (got.direction, got.priority, got.disabled) == ("INGRESS", 1000, False)
    assert [f.name for f in client.list(project=P)] == ["ssh"]
    client.patch(project=P, firewall="ssh", firewall_resource=Firewall(priority=900))
    patched = client.get(project=P, firewall="ssh")
    assert patched.priority == 900 and list(patched.target_tags) == ["gke-node"]
    # PUT replaces every mutable field: the target tags it leaves out are gone
    client.update(
        project=P,
        firewall="ssh",
        firewall_resource=Firewall(
            name="ssh", network=NET, allowed=[Allowed(I_p_protocol="tcp", ports=["22"])]
        ),
    )
    updated = client.get(project=P, firewall="ssh")
    assert list(updated.target_tags) == [] and updated.priority == 1000
    with pytest.raises(gexc.Conflict):
        client.insert(project=P, firewall_resource=Firewall(name="ssh", network=NET))
    with pytest.raises(gexc.BadRequest, match="sourceTags"):
        client.insert(
            project=P,
            firewall_resource=Firewall(
                name="egress", network=NET, direction="EGRESS", source_tags=["a"]
            ),
        )
    client.delete(project=P, firewall="ssh")
    with pytest.raises(gexc.NotFound):
        client.get(project=P, firewall="ssh")


def test_permission_is_checked_and_named(emulator: Emulator) -> None:
    stranger = Connection(
        P,
        Endpoints(http=emulator.endpoints.http),
        credentials=emulator.credentials_for("user:stranger@example.com"),
    )
    with pytest.raises(gexc.Forbidden, match=r"Required .compute\.networks\.create. permission"):
        _net(stranger)
    with pytest.raises(gexc.Forbidden, match=r"Required .compute\.firewalls\.list. permission"):
        list(stranger.compute("firewalls").list(project=P))


def test_an_operation_runs_until_its_time_then_is_waited_for() -> None:
    clock = ManualClock()
    with Emulator(EmulatorConfig(operation_s={"compute": 30.0}), clock=clock) as emu:
        conn = Connection(
            P,
            Endpoints(http=emu.endpoints.http),
            credentials=emu.credentials_for(emu.backend.config.applier),
            timeouts=Timeouts(operation_poll_s=0.01, operation_deadline_s=5.0),
        )
        op = _net(conn)
        assert op.status.name == "RUNNING"
        ops = conn.compute("global_operations")
        assert ops.get(project=P, operation=op.name).status.name == "RUNNING"
        # wait may answer before DONE ("which might be DONE or still in progress")
        assert ops.wait(project=P, operation=op.name).status.name == "RUNNING"
        clock.advance(31)
        compute.wait(conn, P, None, op, "create network.ml-net")
        assert ops.get(project=P, operation=op.name).status.name == "DONE"
        assert ops.wait(project=P, operation=op.name).status.name == "DONE"
        with pytest.raises(gexc.NotFound):
            conn.compute("region_operations").get(project=P, region=R, operation=op.name)


def test_a_failed_operation_is_reported(emulator: Emulator, conn: Connection) -> None:
    emulator.backend.faults.set_rules(
        [FaultRule("compute.networks.insert", kind="operation_error", count=1)]
    )
    op = _net(conn)
    with pytest.raises(OperationFailed, match="does not have enough resources"):
        compute.wait(conn, P, None, op, "create network.ml-net")


def _unknown(schemas: dict[str, Any], name: str, value: Any, where: str) -> list[str]:
    """Keys of `value` that the discovery document's schema `name` does not define."""
    schema = schemas[name]
    out = []
    for key, item in value.items():
        prop = schema["properties"].get(key)
        if prop is None:
            out.append(f"{where}.{key}")
            continue
        ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
        for element in item if isinstance(item, list) else [item]:
            if ref and isinstance(element, dict):
                out += _unknown(schemas, ref, element, f"{where}.{key}")
    return out


def test_every_field_the_emulator_answers_is_in_the_discovery_document(
    emulator: Emulator, conn: Connection
) -> None:
    import json
    from pathlib import Path

    import googleapiclient

    doc = Path(googleapiclient.__file__).parent / "discovery_cache/documents/compute.v1.json"
    schemas = json.loads(doc.read_text())["schemas"]
    _net(conn)
    _sub(conn)
    conn.compute("subnetworks").patch(
        project=P,
        region=R,
        subnetwork="ml-subnet",
        subnetwork_resource=Subnetwork(
            fingerprint=conn.compute("subnetworks")
            .get(project=P, region=R, subnetwork="ml-subnet")
            .fingerprint,
            log_config=SubnetworkLogConfig(enable=True),
        ),
    )
    nat = RouterNat(name="n", log_config=RouterNatLogConfig(enable=True, filter="ALL"))
    conn.compute("routers").insert(
        project=P, region=R, router_resource=Router(name="r", network=NET, nats=[nat])
    )
    op = conn.compute("firewalls").insert(
        project=P,
        firewall_resource=Firewall(
            name="f", network=NET, allowed=[Allowed(I_p_protocol="tcp", ports=["22"])]
        ),
    )
    model = emulator.backend.models["compute"]
    kinds = {"networks": "Network", "subnetworks": "Subnetwork", "routers": "Router"}
    kinds["firewalls"] = "Firewall"
    unknown = [
        u
        for collection, schema in kinds.items()
        for item in model.items[collection].values()
        for u in _unknown(schemas, schema, item, collection)
    ]
    operation = model.operations[op.name].body(P, 0.0)
    unknown += _unknown(schemas, "Operation", operation, "operation")
    assert unknown == []


def test_a_stopped_wait_names_the_operation_and_resume_waits_for_it(tmp_path: Path) -> None:
    from gkeplan.errors import OperationAbandoned
    from gkeplan.run.resume import resume_operations
    from gkeplan.state.local import LocalStateStore
    from gkeplan.state.model import ResourceState, StateDoc

    clock = ManualClock()
    with Emulator(EmulatorConfig(operation_s={"compute": 30.0}), clock=clock) as emu:
        conn = Connection(
            P,
            Endpoints(http=emu.endpoints.http),
            credentials=emu.credentials_for(emu.backend.config.applier),
            timeouts=Timeouts(operation_poll_s=0.01, operation_deadline_s=5.0),
        )
        _net(conn)
        clock.advance(31)  # the network's operation is done; the subnetwork's is not yet
        op = _sub(conn)
        conn.stop_waiting.set()  # a second Ctrl-C
        with pytest.raises(OperationAbandoned) as stopped:
            compute.wait(conn, P, R, op, "create subnetwork.ml-subnet")
        path = stopped.value.operation
        assert path == f"projects/{P}/regions/{R}/operations/{op.name}"
        store = LocalStateStore(str(tmp_path / "state.json"))
        doc = StateDoc(project=P)
        doc.resources["subnetwork.ml-subnet"] = ResourceState(
            "subnetwork", "x", status="pending-create", operation=path
        )
        store.write(doc)
        conn.stop_waiting.clear()
        clock.advance(31)
        assert resume_operations(store.read(), store, conn, P) == ["subnetwork.ml-subnet"]
        after = store.read()
        assert after is not None and after.resources["subnetwork.ml-subnet"].operation is None
        ops = conn.compute("region_operations")
        assert ops.get(project=P, region=R, operation=op.name).status.name == "DONE"
