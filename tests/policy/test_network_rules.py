"""security-baseline's network rules, each firing on the insecure setting and silent on the
fix: SB040/CKV_GCP_2 (SSH open to the internet), SB041/CKV_GCP_3 (RDP), SB042/CKV_GCP_26 (flow
logs), SB043/CKV_GCP_74 (private Google access)."""

from __future__ import annotations

from pathlib import Path

import pytest

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
