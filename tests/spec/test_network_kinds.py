"""The network kinds in a spec: what validation refuses, what it warns about, and the edges
GCP needs (a network before what lives in it, a subnetwork before the cluster using it)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gkeplan import validate
from gkeplan.errors import Severity, format_path

BASE = """\
version: 1
project: demo-project
region: us-central1
policy: {packs: []}
networks:
  ml-net: {}
subnetworks:
  ml-subnet:
    network: ml-net
    ipCidrRange: 10.10.0.0/20
    secondaryIpRanges:
      - {rangeName: pods, ipCidrRange: 10.20.0.0/14}
      - {rangeName: services, ipCidrRange: 10.24.0.0/20}
routers:
  ml-router:
    network: ml-net
    nat: {name: ml-nat}
firewalls:
  allow-ssh-iap:
    network: ml-net
    sourceRanges: [35.235.240.0/20]
    allow: [{protocol: tcp, ports: ["22"]}]
clusters:
  c:
    location: us-central1-c
    network: ml-net
    subnetwork: ml-subnet
    ipAllocationPolicy: {clusterSecondaryRangeName: pods, servicesSecondaryRangeName: services}
    nodePools:
      p: {machineType: e2-medium}
"""


def _problems(tmp_path: Path, text: str) -> list[tuple[str, str, str]]:
    path = tmp_path / "spec.yaml"
    path.write_text(textwrap.dedent(text))
    result = validate(path, {}, environ={}, policies=False)
    return [(d.severity.value, format_path(d.path), d.message) for d in result.diagnostics]


def _edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


def test_the_base_spec_is_valid_and_ordered(tmp_path: Path) -> None:
    assert _problems(tmp_path, BASE) == []
    result = validate(BASE, {}, environ={}, policies=False)
    graph = result.graph
    assert graph is not None
    for before, after in [
        ("network.ml-net", "subnetwork.ml-subnet"),
        ("network.ml-net", "router.ml-router"),
        ("network.ml-net", "firewall.allow-ssh-iap"),
        ("network.ml-net", "cluster.c"),
        ("subnetwork.ml-subnet", "cluster.c"),
    ]:
        assert graph.has_edge(before, after), (before, after)


CASES = {
    "cidr-with-host-bits": (
        _edit("ipCidrRange: 10.10.0.0/20", "ipCidrRange: 10.10.0.1/20"),
        ("error", "subnetworks.ml-subnet.ipCidrRange", "is not an IPv4 CIDR range"),
    ),
    "secondary-overlaps-primary": (
        _edit(
            "{rangeName: pods, ipCidrRange: 10.20.0.0/14}",
            "{rangeName: pods, ipCidrRange: 10.10.4.0/24}",
        ),
        (
            "error",
            "subnetworks.ml-subnet.secondaryIpRanges[0].ipCidrRange",
            "secondary range 10.10.4.0/24 overlaps the primary range 10.10.0.0/20",
        ),
    ),
    "secondaries-overlap": (
        _edit("ipCidrRange: 10.24.0.0/20}", "ipCidrRange: 10.21.0.0/20}"),
        (
            "error",
            "subnetworks.ml-subnet.secondaryIpRanges[1].ipCidrRange",
            "overlaps secondary range 'pods' (10.20.0.0/14)",
        ),
    ),
    "two-subnetworks-overlap": (
        BASE.replace(
            "routers:",
            "  other:\n    network: ml-net\n    ipCidrRange: 10.10.8.0/24\nrouters:",
            1,
        ),
        (
            "error",
            "subnetworks.other.ipCidrRange",
            "10.10.8.0/24 overlaps 10.10.0.0/20 of subnetwork 'ml-subnet' in network 'ml-net'",
        ),
    ),
    "range-name-missing-on-subnetwork": (
        _edit("clusterSecondaryRangeName: pods", "clusterSecondaryRangeName: pod"),
        (
            "error",
            "clusters.c.ipAllocationPolicy.clusterSecondaryRangeName",
            "subnetwork 'ml-subnet' has no secondary range 'pod'",
        ),
    ),
    "subnetwork-in-another-region": (
        _edit("    location: us-central1-c", "    location: europe-west4-a"),
        (
            "error",
            "clusters.c.subnetwork",
            "subnetwork 'ml-subnet' is in us-central1, the cluster in europe-west4-a",
        ),
    ),
    "subnetwork-of-another-network": (
        _edit("    network: ml-net\n    subnetwork:", "    network: default\n    subnetwork:"),
        (
            "error",
            "clusters.c.subnetwork",
            "subnetwork 'ml-subnet' is in network 'ml-net', not in the cluster's network 'default'",
        ),
    ),
    "private-nodes-without-nat": (
        _edit("    nat: {name: ml-nat}\n", ""),
        ("warning", "clusters.c.network", "network 'ml-net' has no Cloud NAT"),
    ),
    "nat-in-another-region": (
        _edit("    nat: {name: ml-nat}", "    region: europe-west4\n    nat: {name: ml-nat}"),
        ("warning", "clusters.c.network", "has no Cloud NAT in us-central1"),
    ),
    "custom-mode-network-without-subnetwork": (
        _edit("    subnetwork: ml-subnet\n", ""),
        ("error", "clusters.c.network", "uses manual subnet mode"),
    ),
    "overlap-with-auto-mode-subnetworks": (
        _edit("  ml-net: {}", "  ml-net: {autoCreateSubnetworks: true}").replace(
            "ipCidrRange: 10.10.0.0/20", "ipCidrRange: 10.130.0.0/20"
        ),
        ("error", "subnetworks.ml-subnet.ipCidrRange", "overlaps 10.128.0.0/9"),
    ),
    "bad-network-name": (
        _edit("  ml-net: {}", "  ml-net: {name: ML_Net}"),
        ("error", "networks.ml-net.name", "'ML_Net' is not a valid network name"),
    ),
    "mtu-too-small": (
        _edit("  ml-net: {}", "  ml-net: {mtu: 1200}"),
        ("error", "networks.ml-net.mtu", "1200"),
    ),
    "egress-with-source-tags": (
        _edit("    sourceRanges: [35.235.240.0/20]", "    direction: EGRESS\n    sourceTags: [a]"),
        ("error", "firewalls.allow-ssh-iap.sourceTags", "an EGRESS rule cannot have sourceTags"),
    ),
    "priority-out-of-range": (
        _edit(
            "    sourceRanges: [35.235.240.0/20]",
            "    priority: 70000\n    sourceRanges: [35.235.240.0/20]",
        ),
        ("error", "firewalls.allow-ssh-iap.priority", "70000"),
    ),
    "firewall-that-does-nothing": (
        _edit('    allow: [{protocol: tcp, ports: ["22"]}]\n', ""),
        ("warning", "firewalls.allow-ssh-iap", "neither allows nor denies"),
    ),
    "manual-nat-ip-allocation": (
        _edit("nat: {name: ml-nat}", "nat: {name: ml-nat, natIpAllocateOption: MANUAL_ONLY}"),
        # offered since addresses exist (issue 24); with no natIps it warns
        ("warning", "routers.ml-router.nat.natIpAllocateOption", "MANUAL_ONLY with no natIps"),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_problem_is_reported_where_it_is(tmp_path: Path, case: str) -> None:
    text, (severity, path, words) = CASES[case]
    problems = _problems(tmp_path, text)
    assert [(s, p) for s, p, m in problems if words in m] == [(severity, path)], problems


def test_only_the_private_nodes_warning_is_a_warning(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _edit("    nat: {name: ml-nat}\n", ""))
    assert [s for s, _, _ in problems] == [Severity.WARNING.value]


def test_two_resources_with_one_gcp_name_are_refused(tmp_path: Path) -> None:
    text = BASE.replace("  ml-net: {}\n", "  ml-net: {}\n  other: {name: ml-net}\n", 1).replace(
        "firewalls:\n",
        "firewalls:\n  second: {network: ml-net, name: allow-ssh-iap, deny: [{protocol: all}]}\n",
        1,
    )
    problems = [(p, m) for _, p, m in _problems(tmp_path, text) if "is also used by" in m]
    assert problems == [
        ("networks.other.name", "network name 'ml-net' is also used by 'ml-net'"),
        (
            "firewalls.allow-ssh-iap",
            "firewall rule name 'allow-ssh-iap' is also used by 'second'",
        ),
    ]
