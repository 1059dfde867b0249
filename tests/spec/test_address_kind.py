"""The address kind in a spec: each combination GCP refuses is refused by `gkeplan validate` at
file:line:col; a NAT's natIps name spec addresses of its region (an edge address -> router);
FT003 counts reservations against the free trial's quotas."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gkeplan import validate
from gkeplan.cli import cli
from gkeplan.graph.build import build_graph

BASE = """\
version: 1
project: demo-project
region: us-central1
policy: {packs: []}
networks:
  ml-net: {}
subnetworks:
  ml-subnet: {network: ml-net, ipCidrRange: 10.10.0.0/20}
addresses:
  serving-ip:
    region: us-central1
    labels: {app: serving}
  nat-ip: {region: us-central1}
  db:
    region: us-central1
    addressType: INTERNAL
    subnetwork: ml-subnet
    address: 10.10.0.5
  lb-ip: {ipVersion: IPV4}
  psa:
    addressType: INTERNAL
    purpose: VPC_PEERING
    network: ml-net
    prefixLength: 16
routers:
  ml-router:
    network: ml-net
    nat:
      name: ml-nat
      natIpAllocateOption: MANUAL_ONLY
      natIps: [address:nat-ip]
"""


def _validate(tmp_path: Path, text: str) -> str:
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["validate", str(path)])
    return result.output


def test_the_base_spec_is_valid_and_the_nat_needs_its_address(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(BASE)
    result = validate(path, {}, environ={}, policies=False)
    assert [d.message for d in result.diagnostics] == []
    assert result.spec is not None
    graph = build_graph(result.spec)
    assert graph.has_edge("address.nat-ip", "router.ml-router")
    assert graph.has_edge("subnetwork.ml-subnet", "address.db")
    assert graph.has_edge("network.ml-net", "address.psa")


def _edit(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            _edit(
                "  lb-ip: {ipVersion: IPV4}", "  lb-ip: {ipVersion: IPV4, networkTier: STANDARD}"
            ),
            "spec.yaml:19:41: error: addresses.lb-ip.networkTier: networkTier applies to "
            "regional EXTERNAL addresses only (a global address is always PREMIUM)",
        ),
        (
            _edit("    subnetwork: ml-subnet\n", ""),
            "spec.yaml:15:5: error: addresses.db: an INTERNAL regional address needs subnetwork:",
        ),
        (
            _edit("address: 10.10.0.5", "address: 10.99.0.5"),
            "spec.yaml:18:14: error: addresses.db.address: 10.99.0.5 is outside subnetwork "
            "'ml-subnet' (10.10.0.0/20)",
        ),
        (
            _edit("    prefixLength: 16\n", ""),
            "spec.yaml:21:5: error: addresses.psa: a VPC_PEERING range needs prefixLength:",
        ),
        (
            _edit("  lb-ip: {ipVersion: IPV4}", "  lb-ip: {region: us-central1, ipVersion: IPV6}"),
            "spec.yaml:19:43: error: addresses.lb-ip.ipVersion: a regional IPv6 address needs "
            "ipv6EndpointType: VM or NETLB",
        ),
        (
            _edit("  lb-ip: {ipVersion: IPV4}", "  lb-ip: {region: us-central1, ipVersion: IPV6}"),
            "spec.yaml:19:10: error: addresses.lb-ip: a regional IPv6 address needs subnetwork: "
            "a dual-stack subnetwork with external IPv6 (stackType IPV4_IPV6, ipv6AccessType "
            "EXTERNAL)",
        ),
        (
            _edit(
                "  lb-ip: {ipVersion: IPV4}",
                "  lb-ip: {region: us-central1, ipVersion: IPV6, ipv6EndpointType: VM, "
                "subnetwork: ml-subnet}",
            ),
            "spec.yaml:19:83: error: addresses.lb-ip.subnetwork: subnetwork 'ml-subnet' of this "
            "spec is IPv4 only",
        ),
        (
            _edit("  lb-ip: {ipVersion: IPV4}", "  lb-ip: {ipVersion: IPV6, ipv6EndpointType: VM}"),
            "spec.yaml:19:46: error: addresses.lb-ip.ipv6EndpointType: ipv6EndpointType applies "
            "to regional IPv6 addresses only",
        ),
        (
            _edit(
                "  lb-ip: {ipVersion: IPV4}", "  lb-ip: {ipVersion: IPV6, address: '2001:db8::1'}"
            ),
            "spec.yaml:19:37: warning: addresses.lb-ip.address: gcloud reserves a global IPv6 "
            "address only when GCP picks it",
        ),
        (
            _edit("      natIpAllocateOption: MANUAL_ONLY\n", ""),
            "spec.yaml:30:15: error: routers.ml-router.nat.natIps: natIps are used only with "
            "natIpAllocateOption: MANUAL_ONLY",
        ),
        (
            _edit("natIps: [address:nat-ip]", "natIps: [address:nat-up]"),
            "spec.yaml:31:16: error: routers.ml-router.nat.natIps[0]: 'address:nat-up' is not a "
            "spec address",
        ),
        (
            _edit("natIps: [address:nat-ip]", "natIps: [address:lb-ip]"),
            "spec.yaml:31:16: error: routers.ml-router.nat.natIps[0]: address:lb-ip is a "
            "global EXTERNAL address; a NAT in us-central1 uses regional EXTERNAL addresses",
        ),
        (
            _edit("  nat-ip: {region: us-central1}", "  nat-ip: {region: us-central1, name: db}"),
            "spec.yaml:15:5: error: addresses.db: address 'db' (us-central1) is also address "
            "'nat-ip'",
        ),
    ],
)
def test_what_gcp_refuses_is_refused_at_its_line(tmp_path: Path, text: str, expected: str) -> None:
    output = _validate(tmp_path, text)
    assert expected in output.replace(str(tmp_path) + "/", ""), output


def test_global_and_regional_ipv6_addresses_are_valid(tmp_path: Path) -> None:
    text = _edit(
        "  lb-ip: {ipVersion: IPV4}",
        "  lb-ip: {ipVersion: IPV6}\n"
        "  vm-v6: {region: us-central1, ipVersion: IPV6, ipv6EndpointType: VM, "
        "subnetwork: dual-stack}",
    )
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    result = validate(path, {}, environ={}, policies=False)
    assert [d.message for d in result.diagnostics] == []


def test_a_misspelt_nat_ip_gets_a_suggestion(tmp_path: Path) -> None:
    output = _validate(tmp_path, _edit("natIps: [address:nat-ip]", "natIps: [address:nat-up]"))
    assert "did you mean 'address:nat-ip'?" in output


def test_the_free_trial_holds_one_static_address_per_region(tmp_path: Path) -> None:
    text = BASE.replace("policy: {packs: []}", "policy: {packs: [free-trial]}")
    assert "FT003" not in _validate(
        tmp_path,
        text.replace("  nat-ip: {region: us-central1}\n", "").replace(
            "      natIpAllocateOption: MANUAL_ONLY\n      natIps: [address:nat-ip]\n", ""
        ),
    )
    output = _validate(tmp_path, text)
    assert (
        "spec.yaml:11:5: error [FT003]: 2 addresses (address.nat-ip, address.serving-ip) = 2; "
        "quota STATIC_ADDRESSES in us-central1 is 1: Compute Engine refuses the reservation over it"
    ) in output, output
    raised = text.replace(
        "policy: {packs: [free-trial]}",
        "policy: {packs: [free-trial], quotas: {us-central1/STATIC_ADDRESSES: 2}}",
    )
    assert "FT003" not in _validate(tmp_path, raised)


def test_nat_ips_count_as_in_use_addresses_with_a_warning(tmp_path: Path) -> None:
    ips = "".join(f"  nat-{i}: {{region: us-central1}}\n" for i in range(5))
    text = (
        BASE.replace(
            "policy: {packs: []}",
            "policy: {packs: [free-trial], quotas: {us-central1/STATIC_ADDRESSES: 10}}",
        )
        .replace("addresses:\n", "addresses:\n" + ips)
        .replace(
            "natIps: [address:nat-ip]",
            f"natIps: [{', '.join(f'address:nat-{i}' for i in range(5))}]",
        )
    )
    output = _validate(tmp_path, text)
    assert "warning [FT003]: 5 addresses (address.nat-0, " in output, output
    assert "quota IN_USE_ADDRESSES in us-central1 is 4" in output
