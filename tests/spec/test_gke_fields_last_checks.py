# ruff: noqa: E501  (exact messages: one message per line reads best)
"""The checks of the GKE fields issue 24 built last, through `gkeplan validate`: one message
naming file:line:col, before anything is sent."""

from __future__ import annotations

from pathlib import Path

from .helpers import BASE
from .test_gke_fields_more_checks import CLUSTER, POOL, _validate


def test_auto_config_network_tags_need_autopilot_or_auto_provisioning(tmp_path: Path) -> None:
    text = BASE.replace(CLUSTER, CLUSTER + "    nodePoolAutoConfig: {networkTags: [serving]}\n")
    code, lines = _validate(tmp_path, text)
    assert code == 1
    assert lines[0] == (
        "spec.yaml:13:39: error: clusters.sd-cluster.nodePoolAutoConfig.networkTags: network tags "
        "of auto-created node pools need Autopilot or node auto-provisioning, and this cluster has neither"
    )
    nap = (
        "    nodeAutoProvisioning:\n"
        "      resourceLimits: [{resourceType: cpu, maximum: 8}, {resourceType: memory, maximum: 32}]\n"
        "      autoProvisioningDefaults: {serviceAccount: gke-node}\n"
    )
    assert _validate(tmp_path, text.replace(CLUSTER, CLUSTER + nap))[0] == 0
    assert POOL in text


NAP = (
    "    nodeAutoProvisioning:\n"
    "      resourceLimits: [{resourceType: cpu, maximum: 8}, {resourceType: memory, maximum: 32}]\n"
    "      autoprovisioningLocations: [us-east1-b]\n"
    "      autoProvisioningDefaults: {serviceAccount: gke-node, diskSizeGb: 5, diskType: pd-fast}\n"
)


def test_auto_provisioning_defaults_gke_does_not_take_are_refused_at_their_place(
    tmp_path: Path,
) -> None:
    code, lines = _validate(tmp_path, BASE.replace(CLUSTER, CLUSTER + NAP))
    assert code == 1
    assert [line for line in lines if ": error: " in line] == [
        "spec.yaml:16:72: error: clusters.sd-cluster.nodeAutoProvisioning.autoProvisioningDefaults.diskSizeGb: input should be greater than or equal to 10 (got 5)",
        "spec.yaml:16:85: error: clusters.sd-cluster.nodeAutoProvisioning.autoProvisioningDefaults.diskType: 'pd-fast' is not allowed: input should be 'pd-standard', 'pd-balanced', 'pd-ssd' or 'hyperdisk-balanced'",
    ]
    fine = NAP.replace("diskSizeGb: 5, diskType: pd-fast", "diskSizeGb: 50")
    code, lines = _validate(tmp_path, BASE.replace(CLUSTER, CLUSTER + fine))
    assert code == 1
    assert lines[0] == (
        "spec.yaml:15:35: error: clusters.sd-cluster.nodeAutoProvisioning.autoprovisioningLocations[0]: zone us-east1-b is not in the cluster's region us-central1"
    )


def test_kubelet_settings_gke_does_not_take_are_refused_at_their_place(tmp_path: Path) -> None:
    kubelet = (
        "        kubeletConfig: {imageGcLowThresholdPercent: 85, imageGcHighThresholdPercent: 80,"
        " containerLogMaxSize: 1Gi, containerLogMaxFiles: 12}\n"
    )
    code, lines = _validate(tmp_path, BASE.replace(POOL, POOL + kubelet))
    assert code == 1
    assert [line for line in lines if ": error: " in line] == [
        "spec.yaml:17:138: error: clusters.sd-cluster.nodePools.pool.kubeletConfig.containerLogMaxFiles: input should be less than or equal to 10 (got 12)",
    ]
    code, lines = _validate(tmp_path, BASE.replace(POOL, POOL + kubelet.replace("12", "5")))
    assert code == 1
    assert [line for line in lines if ": error: " in line] == [
        "spec.yaml:17:53: error: clusters.sd-cluster.nodePools.pool.kubeletConfig.imageGcLowThresholdPercent: image GC's low threshold 85 is not below its high threshold 80",
        "spec.yaml:17:111: error: clusters.sd-cluster.nodePools.pool.kubeletConfig.containerLogMaxSize: GKE takes a container log size of 10Mi to 500Mi, not 1Gi",
    ], lines


def test_auto_provisioning_defaults_on_autopilot_warn_that_they_are_not_sent(
    tmp_path: Path,
) -> None:
    pools = BASE.index("    nodePools:\n")
    text = BASE[:pools].replace(
        CLUSTER,
        "    location: us-central1\n    autopilot: true\n"
        "    nodeAutoProvisioning:\n"
        "      autoProvisioningDefaults: {serviceAccount: gke-node, diskSizeGb: 50}\n",
    )
    code, lines = _validate(tmp_path, text + BASE[BASE.index("buckets:") :])
    assert code == 0
    assert next(line.strip() for line in lines if "warning" in line) == (
        "spec.yaml:15:72: warning: clusters.sd-cluster.nodeAutoProvisioning.autoProvisioningDefaults.diskSizeGb: an Autopilot cluster's diskSizeGb is GKE's: it is not sent"
    )
