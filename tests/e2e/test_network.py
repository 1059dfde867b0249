"""Networks, subnetworks, Cloud Router + NAT and firewalls: plan, apply in the sandbox, plan
again; drift in each mutable field; a network gkeplan does not own; a cluster in them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud.compute_v1.types import (
    Allowed,
    Firewall,
    Network,
    NetworkRoutingConfig,
    Router,
    RouterNat,
    Subnetwork,
    SubnetworkLogConfig,
    SubnetworkSecondaryRange,
    SubnetworksSetPrivateIpGoogleAccessRequest,
)

from gkeplan.gcp.sandbox import connection_for
from gkeplan.plan.model import Action
from gkeplan.run.preflight import ServicesDisabled
from gkeplan_emulator import Emulator, EmulatorConfig

from .conftest import Harness

P = "demo-project"
R = "us-central1"

HEAD = """\
version: 1
project: ${PROJECT_ID}
region: us-central1
variables:
  PROJECT_ID: {description: the project}
policy: {packs: []}
"""
SPEC = (
    HEAD
    + """\
networks:
  ml-net: {routingMode: REGIONAL, mtu: 1460, description: serving network}
subnetworks:
  ml-subnet:
    network: ml-net
    ipCidrRange: 10.10.0.0/20
    secondaryIpRanges:
      - {rangeName: pods, ipCidrRange: 10.20.0.0/14}
      - {rangeName: services, ipCidrRange: 10.24.0.0/20}
    logConfig: {aggregationInterval: INTERVAL_1_MIN}
routers:
  ml-router:
    network: ml-net
    nat:
      name: ml-nat
      logConfig: {enable: true, filter: ERRORS_ONLY}
firewalls:
  allow-ssh-iap:
    network: ml-net
    sourceRanges: [35.235.240.0/20]
    allow: [{protocol: tcp, ports: ["22"]}]
    targetTags: [gke-node]
"""
)

CLUSTER = """\
clusters:
  c:
    location: us-central1-c
    deletionProtection: false
    network: ml-net
    subnetwork: ml-subnet
    ipAllocationPolicy: {clusterSecondaryRangeName: pods, servicesSecondaryRangeName: services}
    nodePools:
      p: {machineType: e2-medium, initialNodeCount: 1}
"""


def _actions(plan: Any) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes if c.action is not Action.NOOP}


def _apply(harness: Harness, text: str) -> None:
    result = harness.apply(harness.spec(text))
    assert result.ok, result.walk.errors


def test_apply_then_plan_shows_no_changes(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    plan = harness.plan(spec)
    assert plan.summary() == "Plan: 4 to add, 0 to change, 0 to destroy."
    # dependencies first: the network before what lives in it
    order = [c.address for c in plan.changes]
    assert order.index("network.ml-net") < order.index("subnetwork.ml-subnet")
    assert harness.apply(spec).ok
    again = harness.plan(spec)
    assert not again.has_changes, _actions(again)
    # one list call per kind: networks, subnetworks (aggregated), routers (aggregated), firewalls
    assert again.refresh_calls == 4


def _drift(harness: Harness, change: Any) -> dict[str, Any]:
    """Change something through Google's client behind gkeplan's back; the plan's fields."""
    conn = connection_for(harness.emu)
    change(conn)
    plan = harness.plan(harness.spec(SPEC))
    return {
        c.address: {f.name: (f.before, f.after) for f in c.fields}
        for c in plan.changes
        if c.action is Action.UPDATE
    }


def _fingerprint(conn: Any) -> str:
    sub = conn.compute("subnetworks").get(project=P, region=R, subnetwork="ml-subnet")
    return str(sub.fingerprint)


DRIFTS = {
    "routingMode": (
        lambda conn: (
            conn.compute("networks")
            .patch(
                project=P,
                network="ml-net",
                network_resource=Network(
                    routing_config=NetworkRoutingConfig(routing_mode="GLOBAL")
                ),
            )
            .result()
        ),
        "network.ml-net",
        ("GLOBAL", "REGIONAL"),
    ),
    "privateIpGoogleAccess": (
        lambda conn: conn.compute("subnetworks").set_private_ip_google_access(
            project=P,
            region=R,
            subnetwork="ml-subnet",
            subnetworks_set_private_ip_google_access_request_resource=(
                SubnetworksSetPrivateIpGoogleAccessRequest(private_ip_google_access=False)
            ),
        ),
        "subnetwork.ml-subnet",
        (False, True),
    ),
    "secondaryIpRanges": (
        lambda conn: conn.compute("subnetworks").patch(
            project=P,
            region=R,
            subnetwork="ml-subnet",
            subnetwork_resource=Subnetwork(
                fingerprint=_fingerprint(conn),
                secondary_ip_ranges=[
                    SubnetworkSecondaryRange(range_name="pods", ip_cidr_range="10.20.0.0/14"),
                    SubnetworkSecondaryRange(range_name="services", ip_cidr_range="10.24.0.0/20"),
                    SubnetworkSecondaryRange(range_name="extra", ip_cidr_range="10.30.0.0/20"),
                ],
            ),
        ),
        "subnetwork.ml-subnet",
        None,
    ),
    "logConfig": (
        lambda conn: conn.compute("subnetworks").patch(
            project=P,
            region=R,
            subnetwork="ml-subnet",
            subnetwork_resource=Subnetwork(
                fingerprint=_fingerprint(conn), log_config=SubnetworkLogConfig(enable=False)
            ),
        ),
        "subnetwork.ml-subnet",
        None,
    ),
    "nats": (
        lambda conn: conn.compute("routers").patch(
            project=P,
            region=R,
            router="ml-router",
            router_resource=Router(
                nats=[
                    RouterNat(
                        name="ml-nat",
                        nat_ip_allocate_option="AUTO_ONLY",
                        source_subnetwork_ip_ranges_to_nat="ALL_SUBNETWORKS_ALL_PRIMARY_IP_RANGES",
                    )
                ]
            ),
        ),
        "router.ml-router",
        None,
    ),
    "sourceRanges": (
        lambda conn: conn.compute("firewalls").patch(
            project=P,
            firewall="allow-ssh-iap",
            firewall_resource=Firewall(source_ranges=["0.0.0.0/0"]),
        ),
        "firewall.allow-ssh-iap",
        (["0.0.0.0/0"], ["35.235.240.0/20"]),
    ),
    "allow": (
        lambda conn: conn.compute("firewalls").patch(
            project=P,
            firewall="allow-ssh-iap",
            firewall_resource=Firewall(allowed=[Allowed(I_p_protocol="tcp", ports=["22", "3389"])]),
        ),
        "firewall.allow-ssh-iap",
        ([{"protocol": "tcp", "ports": ["22", "3389"]}], [{"protocol": "tcp", "ports": ["22"]}]),
    ),
    "targetTags": (
        lambda conn: conn.compute("firewalls").patch(
            project=P,
            firewall="allow-ssh-iap",
            firewall_resource=Firewall(target_tags=["gke-node", "bastion"]),
        ),
        "firewall.allow-ssh-iap",
        (["bastion", "gke-node"], ["gke-node"]),
    ),
    "disabled": (
        lambda conn: conn.compute("firewalls").patch(
            project=P, firewall="allow-ssh-iap", firewall_resource=Firewall(disabled=True)
        ),
        "firewall.allow-ssh-iap",
        (True, False),
    ),
    "description": (
        lambda conn: conn.compute("firewalls").patch(
            project=P, firewall="allow-ssh-iap", firewall_resource=Firewall(description="x")
        ),
        "firewall.allow-ssh-iap",
        ("x", ""),
    ),
    "priority": (
        lambda conn: conn.compute("firewalls").patch(
            project=P, firewall="allow-ssh-iap", firewall_resource=Firewall(priority=10)
        ),
        "firewall.allow-ssh-iap",
        (10, 1000),
    ),
}


@pytest.mark.parametrize("field", sorted(DRIFTS))
def test_drift_in_each_mutable_field_is_found_and_undone(harness: Harness, field: str) -> None:
    _apply(harness, SPEC)
    change, address, values = DRIFTS[field]
    updates = _drift(harness, change)
    assert list(updates) == [address]
    assert list(updates[address]) == [field]
    if values is not None:
        assert updates[address][field] == values
    # applied in place (no replacement), then the cloud is as the spec says
    _apply(harness, SPEC)
    assert not harness.plan(harness.spec(SPEC)).has_changes


def test_changing_an_immutable_field_replaces(harness: Harness) -> None:
    _apply(harness, SPEC)
    spec = harness.spec(SPEC.replace("ipCidrRange: 10.10.0.0/20", "ipCidrRange: 10.11.0.0/20"))
    plan = harness.plan(spec)
    sub = next(c for c in plan.changes if c.address == "subnetwork.ml-subnet")
    assert sub.action is Action.REPLACE
    assert sub.reason is not None and sub.reason.startswith("ipCidrRange cannot be changed")


def test_replacing_the_network_replaces_what_lives_in_it_dependents_first(
    harness: Harness,
) -> None:
    # GCP refuses to delete a network still in use ("The network resource '...' is already
    # being used by '.../firewalls/...'", quoted in kubernetes/kops#13855), as the sandbox does:
    # a replacement is two steps, so the subnetwork, router and firewall go before the
    # network, and come back after it.
    _apply(harness, SPEC)
    renamed = harness.spec(SPEC.replace("  ml-net: {", "  ml-net: {name: ml-net-2, "))
    plan = harness.plan(renamed)
    assert set(_actions(plan).values()) == {"replace"}
    assert set(_actions(plan)) == {
        "network.ml-net",
        "subnetwork.ml-subnet",
        "router.ml-router",
        "firewall.allow-ssh-iap",
    }
    before = len(harness.emu.requests)
    result = harness.apply(renamed)
    assert result.ok, result.walk.errors
    calls = [e.method for e in harness.emu.requests[before:] if e.status < 300]
    network_gone = calls.index("compute.networks.delete")
    network_back = calls.index("compute.networks.insert")
    for inside in ("subnetworks", "routers", "firewalls"):
        assert calls.index(f"compute.{inside}.delete") < network_gone, calls
        assert calls.index(f"compute.{inside}.insert") > network_back, calls
    networks = connection_for(harness.emu).compute("networks").list(project=P)
    assert [n.name for n in networks] == ["ml-net-2"]
    assert not harness.plan(renamed).has_changes


def test_an_existing_network_is_refused_then_adopted(harness: Harness) -> None:
    conn = connection_for(harness.emu)
    conn.compute("networks").insert(
        project=P, network_resource=Network(name="ml-net", auto_create_subnetworks=False)
    )
    only_net = HEAD
    plan = harness.plan(harness.spec(only_net + "networks:\n  ml-net: {}\n"))
    change = next(c for c in plan.changes if c.address == "network.ml-net")
    assert change.refused is not None and "gkeplan did not create it" in change.refused
    assert not harness.apply(harness.spec(only_net + "networks:\n  ml-net: {}\n")).ok
    adopted = harness.spec(only_net + "networks:\n  ml-net: {adopt: true}\n")
    assert harness.apply(adopted).ok
    assert not harness.plan(adopted).has_changes


def test_a_cluster_gets_its_pod_and_service_ranges_from_the_subnetwork(harness: Harness) -> None:
    _apply(harness, SPEC + CLUSTER)
    gke = connection_for(harness.emu).container()
    cluster = gke.get_cluster(name=f"projects/{P}/locations/us-central1-c/clusters/c")
    assert cluster.network == "ml-net" and cluster.subnetwork == "ml-subnet"
    policy = cluster.ip_allocation_policy
    assert policy.use_ip_aliases
    assert (policy.cluster_secondary_range_name, policy.services_secondary_range_name) == (
        "pods",
        "services",
    )
    assert not harness.plan(harness.spec(SPEC + CLUSTER)).has_changes


def test_a_disabled_compute_api_stops_the_run_with_the_command_to_enable_it(
    tmp_path: Path,
) -> None:
    config = EmulatorConfig(disabled_services=frozenset({"compute.googleapis.com"}))
    with Emulator(config) as emu:
        harness = Harness(emu, tmp_path)
        with pytest.raises(
            ServicesDisabled, match=r"gcloud services enable compute\.googleapis\.com"
        ):
            harness.plan(harness.spec(SPEC))
        # a spec without network kinds does not need Compute Engine
        assert harness.plan(harness.spec(HEAD + "buckets:\n  b: {name: demo-project-b}\n"))


def test_a_removed_nat_and_target_tags_are_removed(harness: Harness) -> None:
    _apply(harness, SPEC)
    text = SPEC.replace(
        "    nat:\n      name: ml-nat\n      logConfig: {enable: true, filter: ERRORS_ONLY}\n", ""
    ).replace("    targetTags: [gke-node]\n", "")
    assert _actions(harness.plan(harness.spec(text))) == {
        "router.ml-router": "update",
        "firewall.allow-ssh-iap": "update",
    }
    _apply(harness, text)
    assert not harness.plan(harness.spec(text)).has_changes


def test_removing_every_secondary_range_fails_with_the_command_that_does_it(
    harness: Harness,
) -> None:
    _apply(harness, SPEC)
    text = SPEC.replace(
        "    secondaryIpRanges:\n"
        "      - {rangeName: pods, ipCidrRange: 10.20.0.0/14}\n"
        "      - {rangeName: services, ipCidrRange: 10.24.0.0/20}\n",
        "",
    )
    result = harness.apply(harness.spec(text))
    assert not result.ok
    error = str(result.walk.errors["subnetwork.ml-subnet"])
    assert "gcloud compute networks subnets update ml-subnet --region us-central1" in error
    # removing one of two ranges is an ordinary patch
    one = SPEC.replace("      - {rangeName: services, ipCidrRange: 10.24.0.0/20}\n", "")
    _apply(harness, one)
    assert not harness.plan(harness.spec(one)).has_changes


def test_destroy_removes_what_lives_in_the_network_before_the_network(harness: Harness) -> None:
    _apply(harness, SPEC + CLUSTER)
    result = harness.apply(harness.spec(SPEC + CLUSTER), destroy=True)
    assert result.ok, result.walk.errors
    conn = connection_for(harness.emu)
    assert list(conn.compute("networks").list(project=P)) == []
    assert list(conn.compute("firewalls").list(project=P)) == []


@pytest.mark.parametrize(
    "method",
    [
        "compute.networks.insert",
        "compute.subnetworks.insert",
        "compute.routers.insert",
        "compute.firewalls.insert",
    ],
)
def test_a_create_whose_answer_was_lost_keeps_what_it_made(tmp_path: Path, method: str) -> None:
    from gkeplan_emulator.config import FaultRule

    # the insert is made, then its answer is lost (503): the retry meets 409 alreadyExists
    # for what its own first attempt made, which is gkeplan's
    fault = FaultRule(method, kind="lost_response", status=503, count=1)
    with Emulator(EmulatorConfig(faults=(fault,))) as emu:
        harness = Harness(emu, tmp_path)
        _apply(harness, SPEC)
        assert not harness.plan(harness.spec(SPEC)).has_changes
        assert [e.status for e in emu.requests if e.method == method] == [503, 409]


def test_gkeplan_import_takes_over_an_existing_firewall_rule(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gkeplan.cli import cli

    with Emulator(EmulatorConfig()) as emu:
        spec, state = tmp_path / "spec.yaml", tmp_path / "state.json"
        spec.write_text(SPEC)
        common = ["--var", "PROJECT_ID=demo-project", "--endpoint", emu.endpoints.http]
        common += ["--state", str(state)]

        def run(*args: str) -> Any:
            return CliRunner().invoke(cli, [*args, *common])

        conn = connection_for(emu)
        conn.compute("networks").insert(
            project=P,
            network_resource=Network(
                name="ml-net", auto_create_subnetworks=False, description="serving network"
            ),
        )
        conn.compute("firewalls").insert(
            project=P,
            firewall_resource=Firewall(
                name="allow-ssh-iap",
                network=f"projects/{P}/global/networks/ml-net",
                source_ranges=["0.0.0.0/0"],
                allowed=[Allowed(I_p_protocol="tcp", ports=["22"])],
            ),
        )
        for address, rid in (
            ("network.ml-net", f"projects/{P}/global/networks/ml-net"),
            ("firewall.allow-ssh-iap", f"projects/{P}/global/firewalls/allow-ssh-iap"),
        ):
            imported = run("import", address, rid, "--spec", str(spec))
            assert imported.exit_code == 0, imported.output
        plan = run("plan", str(spec))
        # managed now: the rule converges in place (its sources narrowed, its target tags
        # added); the network is as the spec says; the subnetwork and router are created
        assert "~ firewall.allow-ssh-iap will be updated in place" in plan.output, plan.output
        assert "Plan: 2 to add, 1 to change, 0 to destroy." in plan.output, plan.output
        applied = run("apply", str(spec), "--auto-approve")
        assert applied.exit_code == 0, applied.output
        rule = conn.compute("firewalls").get(project=P, firewall="allow-ssh-iap")
        assert list(rule.source_ranges) == ["35.235.240.0/20"]
