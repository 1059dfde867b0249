"""security-baseline's network rules, each firing on the insecure setting and silent on the
fix: SB040/CKV_GCP_2 (SSH open to the internet), SB041/CKV_GCP_3 (RDP), SB042/CKV_GCP_26 (flow
logs), SB043/CKV_GCP_74 (private Google access)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkeplan.errors import Diagnostic
from gkeplan.validation.pipeline import validate

from .helpers import findings

SPEC = """\
version: 1
project: demo-project
region: us-central1
policy: {packs: [security-baseline]}
networks:
  ml-net: {}
subnetworks:
  ml-subnet:
    network: ml-net
    ipCidrRange: 10.10.0.0/20
    privateIpGoogleAccess: true
    logConfig: {enable: true}
firewalls:
  rule:
    network: ml-net
    sourceRanges: [35.235.240.0/20]
    allow: [{protocol: tcp, ports: ["22", "3389"]}]
"""

WORLD = "    sourceRanges: [35.235.240.0/20]"


def _edit(old: str, new: str) -> str:
    assert old in SPEC, old
    return SPEC.replace(old, new, 1)


CASES = {
    # rule: (spec with the insecure setting, resource, words of the message)
    "SB040": (
        _edit(WORLD, "    sourceRanges: [0.0.0.0/0]"),
        "firewall.rule",
        "SSH (port 22) is open to the whole internet",
    ),
    "SB041": (
        _edit(WORLD, "    sourceRanges: [0.0.0.0/0]"),
        "firewall.rule",
        "RDP (port 3389) is open to the whole internet",
    ),
    "SB042": (
        _edit("    logConfig: {enable: true}\n", ""),
        "subnetwork.ml-subnet",
        "VPC flow logs are off",
    ),
    "SB043": (
        _edit("privateIpGoogleAccess: true", "privateIpGoogleAccess: false"),
        "subnetwork.ml-subnet",
        "private Google access is off",
    ),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_fires_on_the_insecure_setting(tmp_path: Path, rule: str) -> None:
    text, resource, words = CASES[rule]
    found = findings(tmp_path, text, rules=(rule,))
    assert [(r, res) for r, _, res, m in found if words in m] == [(rule, resource)], found


@pytest.mark.parametrize("rule", sorted(CASES))
def test_silent_on_the_secure_spec(tmp_path: Path, rule: str) -> None:
    assert findings(tmp_path, SPEC, rules=(rule,)) == []


@pytest.mark.parametrize(
    ("allow", "fires"),
    [
        ('[{protocol: tcp, ports: ["20-25"]}]', True),  # a range that holds 22
        ("[{protocol: tcp}]", True),  # no ports: every port
        ('[{protocol: udp, ports: ["22"]}]', False),  # SSH is TCP
        ('[{protocol: tcp, ports: ["443"]}]', False),
    ],
)
def test_ssh_rule_reads_port_ranges_and_protocols(tmp_path: Path, allow: str, fires: bool) -> None:
    text = _edit(WORLD, "    sourceRanges: [0.0.0.0/0]").replace(
        '[{protocol: tcp, ports: ["22", "3389"]}]', allow
    )
    assert bool(findings(tmp_path, text, rules=("SB040",))) is fires


def test_a_disabled_rule_does_not_fire(tmp_path: Path) -> None:
    open_text = _edit(WORLD, "    sourceRanges: [0.0.0.0/0]")
    disabled = open_text.replace(
        "    network: ml-net\n    sourceRanges",
        "    network: ml-net\n    disabled: true\n    sourceRanges",
    )
    assert findings(tmp_path, disabled, rules=("SB040", "SB041")) == []


def test_each_rule_names_its_checkov_id() -> None:
    from gkeplan.policy.engine import registry

    rules = registry()
    assert {r: rules[r].checkov for r in CASES} == {
        "SB040": "CKV_GCP_2",
        "SB041": "CKV_GCP_3",
        "SB042": "CKV_GCP_26",
        "SB043": "CKV_GCP_74",
    }


# --- issue 27: firewall and subnetwork facts, each with its source --------------------------


def diagnostics(tmp_path: Path, text: str) -> list[Diagnostic]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    return validate(spec, {}, environ={}).diagnostics


def _fw(extra: str) -> str:
    return (
        "version: 1\nproject: demo-project\nregion: us-central1\n"
        "networks:\n  vpc: {}\nfirewalls:\n  fw:\n    network: vpc\n" + extra
    )


def test_ipv6_firewall_ranges_are_accepted(tmp_path: Path) -> None:
    # Firewall.sourceRanges: "Both IPv4 and IPv6 are supported." (compute v1 discovery document)
    text = _fw(
        "    sourceRanges: ['2001:db8::/32']\n    allow: [{protocol: tcp, ports: ['443']}]\n"
    )
    assert not [d for d in diagnostics(tmp_path, text) if d.severity.value == "error"]


def test_ports_only_with_tcp_udp_sctp_and_known_protocols_only(tmp_path: Path) -> None:
    # allowed[].ports: "only applicable for the UDP or TCP protocol"; IPProtocol: "one of the
    # following well known protocol strings (tcp, udp, icmp, esp, ah, ipip, sctp) or the IP
    # protocol number" (compute v1 discovery document)
    text = _fw(
        "    sourceRanges: [10.0.0.0/8]\n"
        "    allow: [{protocol: icmp, ports: ['22']}, {protocol: http}, {protocol: tcp, "
        "ports: ['70000']}]\n"
    )
    got = [d.message for d in diagnostics(tmp_path, text) if d.severity.value == "error"]
    assert "ports apply to tcp, udp and sctp only, not icmp" in got
    assert "'http' is not an IP protocol GCP's firewall takes" in got
    assert "port '70000' is neither a port (0-65535) nor a range such as 8000-8080" in got


def test_ingress_without_source_is_open_to_the_internet(tmp_path: Path) -> None:
    # GCP applies 0.0.0.0/0 to an INGRESS rule with no source
    # (hashicorp/terraform-provider-google#6789): a warning, SB040 sees port 22 open, and the
    # desired state holds what GCP stores (no diff on every plan)
    text = _fw("    allow: [{protocol: tcp, ports: ['22']}]\n")
    warned = [d.message for d in diagnostics(tmp_path, text) if d.severity.value == "warning"]
    assert any("names no source: GCP applies it from 0.0.0.0/0" in m for m in warned)
    assert [f[0] for f in findings(tmp_path, text, rules=("SB040",))] == ["SB040"]
    from gkeplan.kinds.firewall import KIND

    spec_file = tmp_path / "fw.yaml"
    spec_file.write_text(text)
    spec = validate(spec_file, {}, environ={}).spec
    assert spec is not None
    node = next(iter(KIND.expand(spec)))
    assert KIND.desired(spec, node).attributes["sourceRanges"] == ["0.0.0.0/0"]


def test_a_30_subnetwork_warns(tmp_path: Path) -> None:
    # the /29 minimum is not sourced by this audit: a warning, never a refusal
    text = (
        "version: 1\nproject: demo-project\nregion: us-central1\nnetworks:\n  vpc: {}\n"
        "subnetworks:\n  s: {network: vpc, ipCidrRange: 10.0.0.0/30}\n"
    )
    got = [(d.severity.value, d.message) for d in diagnostics(tmp_path, text)]
    assert any(sev == "warning" and "smaller than a /29" in m for sev, m in got)
    assert not [m for sev, m in got if sev == "error"]
