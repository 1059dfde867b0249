"""security-baseline for firewall rules: checkov's firewall checks as they apply to a spec's
`firewalls` (source: bridgecrewio/checkov, checkov/terraform/checks/resource/gcp/)."""

from __future__ import annotations

from gkeplan.kinds.firewall import ANYWHERE, Firewall, effective_source_ranges
from gkeplan.policy.baseline import E, baseline
from gkeplan.policy.model import Rule

ANYWHERE_V6 = "::/0"  # every IPv6 address: as open as 0.0.0.0/0
# The source range of Identity-Aware Proxy's TCP forwarding, the fix the SSH/RDP findings
# suggest (https://cloud.google.com/iap/docs/using-tcp-forwarding#create-firewall-rule).
IAP_RANGE = "35.235.240.0/20"


def _covers(ports: list[str], port: int) -> bool:
    """Whether a Firewall.allowed[].ports list lets `port` through ("22", "1000-2000"; an empty
    list is every port of the protocol)."""
    if not ports:
        return True
    for entry in ports:
        low, _, high = entry.partition("-")
        try:
            if int(low) <= port <= int(high or low):
                return True
        except ValueError:
            continue
    return False


def open_to_internet(rule: Firewall, port: int) -> bool:
    """An enabled INGRESS rule from 0.0.0.0/0 that allows TCP `port`. checkov's
    AbsGoogleComputeFirewallUnrestrictedIngress fails on `port` in an allow block's ports with
    0.0.0.0/0 in source_ranges; an allow block without ports (every port) fails here too."""
    # the ranges GCP applies: a rule with no source at all is open to 0.0.0.0/0
    sources = effective_source_ranges(rule)
    if rule.direction != "INGRESS" or rule.disabled or not {ANYWHERE, ANYWHERE_V6} & set(sources):
        return False
    return any(
        t.protocol.lower() in ("tcp", "all", "6") and _covers(t.ports, port) for t in rule.allow
    )


RULES: list[type[Rule]] = [
    baseline(
        "SB040",
        "firewall",
        "sourceRanges",
        lambda f: open_to_internet(f, 22),
        "SSH (port 22) is open to the whole internet (0.0.0.0/0)",
        f"sourceRanges: [{IAP_RANGE}]  # Identity-Aware Proxy's TCP forwarding range",
        E,
        # GoogleComputeFirewallUnrestrictedIngress22.py
        "CKV_GCP_2",
        "SSH is not open to the internet",
        "Reach nodes through IAP or a bastion; an open port 22 is scanned within minutes.",
    ),
    baseline(
        "SB041",
        "firewall",
        "sourceRanges",
        lambda f: open_to_internet(f, 3389),
        "RDP (port 3389) is open to the whole internet (0.0.0.0/0)",
        f"sourceRanges: [{IAP_RANGE}]  # Identity-Aware Proxy's TCP forwarding range",
        E,
        # GoogleComputeFirewallUnrestrictedIngress3389.py
        "CKV_GCP_3",
        "RDP is not open to the internet",
        "An open port 3389 invites brute force against Windows nodes.",
    ),
]
