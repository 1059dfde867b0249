"""IPv6 reservations in the sandbox: a global external IPv6 address and a regional one (a /96
of a dual-stack subnetwork made through Google's client, with ipv6EndpointType) are sent,
read back ("No changes."), and shown by `gkeplan output`."""

from __future__ import annotations

import ipaddress

from google.cloud.compute_v1.types import Network, Subnetwork

from .cli_sandbox import User, server, user
from .test_address import GLOBAL, REGIONAL, VARS, P, R

__all__ = ["server", "user"]

SPEC = """\
version: 1
project: ${PROJECT_ID}
region: us-central1
variables:
  PROJECT_ID: {description: the project}
policy: {packs: []}
addresses:
  lb-v6: {ipVersion: IPV6, labels: {app: serving}}
  vm-v6:
    region: us-central1
    ipVersion: IPV6
    ipv6EndpointType: VM
    subnetwork: dual-stack
"""


def _dual_stack_subnetwork(user: User) -> None:
    """What a person made outside gkeplan: a network and a dual-stack subnetwork."""
    conn = user.sandbox.conn()
    conn.compute("networks").insert(
        project=P, network_resource=Network(name="v6-net", auto_create_subnetworks=False)
    ).result()
    conn.compute("subnetworks").insert(
        project=P,
        region=R,
        subnetwork_resource=Subnetwork(
            name="dual-stack",
            network=f"projects/{P}/global/networks/v6-net",
            ip_cidr_range="10.20.0.0/24",
            stack_type="IPV4_IPV6",
            ipv6_access_type="EXTERNAL",
        ),
    ).result()


def test_ipv6_addresses_apply_read_back_and_show_in_output(user: User) -> None:
    _dual_stack_subnetwork(user)
    user.write(SPEC)
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    plan = user.plan()
    assert plan.exit_code == 0, plan.output
    assert "No changes." in plan.output, plan.output
    conn = user.sandbox.conn()
    lb = conn.rest_client(GLOBAL).get(project=P, address="lb-v6")
    vm = conn.rest_client(REGIONAL).get(project=P, region=R, address="vm-v6")
    assert lb.ip_version == "IPV6" and ipaddress.ip_address(lb.address).version == 6
    assert "prefix_length" not in lb  # a global IPv6 address is one address
    assert vm.ip_version == "IPV6" and vm.ipv6_endpoint_type == "VM"
    assert vm.prefix_length == 96 and vm.subnetwork.endswith("/subnetworks/dual-stack")
    assert ipaddress.ip_network(f"{vm.address}/96").version == 6
    listing = user.run("output", str(user.spec), *VARS)
    assert listing.exit_code == 0, listing.output
    lines = listing.output.splitlines()
    assert f"address.lb-v6.ip = {lb.address}" in lines, listing.output
    assert f"address.vm-v6.range = {vm.address}/96" in lines, listing.output


def test_a_regional_ipv6_address_needs_a_dual_stack_subnetwork_in_gcp_too(user: User) -> None:
    conn = user.sandbox.conn()
    conn.compute("networks").insert(
        project=P, network_resource=Network(name="v4-net", auto_create_subnetworks=False)
    ).result()
    conn.compute("subnetworks").insert(
        project=P,
        region=R,
        subnetwork_resource=Subnetwork(
            name="dual-stack",
            network=f"projects/{P}/global/networks/v4-net",
            ip_cidr_range="10.30.0.0/24",
        ),
    ).result()
    user.write(SPEC)
    applied = user.apply()
    assert applied.exit_code != 0
    assert "has no external IPv6 range" in applied.output, applied.output
