"""security-baseline for subnetworks: checkov's subnetwork checks as they apply to a spec's
`subnetworks` (source: bridgecrewio/checkov, checkov/terraform/checks/resource/gcp/)."""

from __future__ import annotations

from gkeplan.policy.baseline import N, W, baseline
from gkeplan.policy.model import Rule

RULES: list[type[Rule]] = [
    baseline(
        "SB042",
        "subnetwork",
        "logConfig",
        lambda s: s.log_config is None or not s.log_config.enable,
        "VPC flow logs are off on this subnetwork",
        "logConfig: {enable: true}",
        N,
        # GoogleSubnetworkLoggingEnabled.py (inspects log_config)
        "CKV_GCP_26",
        "VPC flow logs are on",
        "Flow logs show who talked to the serving nodes when something goes wrong.",
    ),
    baseline(
        "SB043",
        "subnetwork",
        "privateIpGoogleAccess",
        lambda s: not s.private_ip_google_access,
        "private Google access is off: nodes without external IPs cannot reach Google APIs "
        "(Artifact Registry, Cloud Storage)",
        "privateIpGoogleAccess: true",
        W,
        # GoogleSubnetworkPrivateGoogleEnabled.py (inspects private_ip_google_access)
        "CKV_GCP_74",
        "Private Google access is on",
        "Private nodes pull images and read the model bucket through it.",
    ),
]
