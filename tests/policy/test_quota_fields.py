"""FT001 with issue 13's fields: node auto-provisioning's GPU limits at their worst moment, local
SSDs in LOCAL_SSD_TOTAL_GB, and Autopilot clusters, which have no pools to count."""

from __future__ import annotations

from pathlib import Path

from .helpers import edit, findings

NAP = (
    "    releaseChannel: REGULAR\n",
    "    releaseChannel: REGULAR\n"
    "    nodeAutoProvisioning:\n"
    "      resourceLimits:\n"
    "        - {resourceType: cpu, maximum: 8}\n"
    "        - {resourceType: memory, maximum: 32}\n"
    "        - {resourceType: nvidia-tesla-t4, maximum: 2}\n"
    "      autoProvisioningDefaults: {serviceAccount: gke-node}\n",
)


def _ft(tmp_path: Path, text: str, word: str) -> list[tuple[str, str, str, str]]:
    return [f for f in findings(tmp_path, text, rules=("FT001",)) if word in f[3]]


def test_nap_gpu_limits_count_at_their_maximum(tmp_path: Path) -> None:
    got = _ft(tmp_path, edit(*NAP), "auto-provisioning")
    assert got == [
        (
            "FT001",
            "warning",
            "cluster.sd-cluster",
            "cluster sd-cluster: node auto-provisioning may add 2 GPUs (resourceLimits "
            "nvidia-tesla-t4 maximum 2); quota NVIDIA_T4_GPUS in us-central1 is 0: the apply "
            "works, but the autoscaler cannot reach maxNodeCount",
        ),
        (
            "FT001",
            "warning",
            "cluster.sd-cluster",
            "cluster sd-cluster: node auto-provisioning may add 2 GPUs (resourceLimits "
            "nvidia-tesla-t4 maximum 2); quota GPUS_ALL_REGIONS across regions is 0: the apply "
            "works, but the autoscaler cannot reach maxNodeCount",
        ),
    ]


def test_nap_gpus_within_the_quota_pass(tmp_path: Path) -> None:
    text = edit("policy:\n", "policy:\n  quotas: {GPUS_ALL_REGIONS: 2, NVIDIA_T4_GPUS: 2}\n")
    assert _ft(tmp_path, edit(*NAP, text), "auto-provisioning") == []
    cpu_only = edit("        - {resourceType: nvidia-tesla-t4, maximum: 2}\n", "", edit(*NAP))
    assert _ft(tmp_path, cpu_only, "auto-provisioning") == []


def test_local_ssds_count_375_gb_each(tmp_path: Path) -> None:
    text = edit(
        "policy:\n",
        "policy:\n  quotas: {LOCAL_SSD_TOTAL_GB: 1000}\n",
        edit("        diskSizeGb: 50\n", "        diskSizeGb: 50\n        localSsdCount: 2\n"),
    )
    (got,) = _ft(tmp_path, text, "local SSD")
    assert got[3] == (
        "cluster sd-cluster is zonal (us-central1-c): node pool sd-node-pool can run 2 nodes x "
        "1 zone = 2 x n2-standard-4 with 2 local SSDs of 375 GB = 1500 GB of local SSD; quota "
        "LOCAL_SSD_TOTAL_GB in us-central1 is 1000: the apply works, but the autoscaler cannot "
        "reach maxNodeCount"
    )
    assert findings(
        tmp_path,
        edit("LOCAL_SSD_TOTAL_GB: 1000", "LOCAL_SSD_TOTAL_GB: 1500", text),
        rules=("FT001",),
    ) == [f for f in findings(tmp_path, text, rules=("FT001",)) if "local SSD" not in f[3]]


def test_an_autopilot_cluster_counts_nothing_and_says_so(tmp_path: Path) -> None:
    text = edit("    removeDefaultNodePool: true\n", "    autopilot: true\n")
    text = edit("    location: us-central1-c\n", "    location: us-central1\n", text)
    text = text[: text.index("    nodePools:\n")] + text[text.index("\nbuckets:") :]
    assert findings(tmp_path, text, rules=("FT001",)) == [
        (
            "FT001",
            "info",
            "cluster.sd-cluster",
            "cluster sd-cluster is Autopilot: GKE sizes its nodes from the pods' requests, so "
            "it has no node pools to count against the quotas",
        )
    ]


def test_a_nap_account_counts_like_a_pools(tmp_path: Path) -> None:
    """LP004 on auto-provisioned nodes that run as the default account; none with gke-node."""
    assert findings(tmp_path, edit(*NAP), rules=("LP004",)) == []
    default = edit("      autoProvisioningDefaults: {serviceAccount: gke-node}\n", "", edit(*NAP))
    assert findings(tmp_path, default, rules=("LP004",)) == [
        (
            "LP004",
            "error",
            "cluster.sd-cluster",
            "node auto-provisioning in sd-cluster runs nodes as the Compute Engine default "
            "service account",
        )
    ]


def test_the_nap_account_needs_act_as_and_the_node_role_like_a_pools(tmp_path: Path) -> None:
    text = edit("serviceAccounts:\n", "serviceAccounts:\n  nap-nodes: {displayName: NAP nodes}\n")
    text = edit(
        NAP[0], NAP[1].replace("serviceAccount: gke-node", "serviceAccount: nap-nodes"), text
    )
    got = [f for f in findings(tmp_path, text, rules=("LP006",))]
    assert got == [
        (
            "LP006",
            "error",
            "serviceAccount.gke-admin",
            "createAs account gke-admin cannot create cluster.sd-cluster: it lacks "
            "iam.serviceAccounts.actAs on serviceAccount.nap-nodes",
        ),
        (
            "LP006",
            "warning",
            "serviceAccount.nap-nodes",
            "nodes of sd-cluster/nodeAutoProvisioning run as nap-nodes, which lacks 6 "
            "permission(s) nodes need to write logs and metrics (autoscaling.sites.writeMetrics, "
            "logging.logEntries.create, monitoring.metricDescriptors.create...): on GKE 1.33 and "
            "earlier, logging and monitoring degrade",
        ),
    ]


def test_cost_lists_local_ssds_and_nap_gpus_it_cannot_price(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from gkeplan.cli import cli

    text = edit(
        *NAP, edit("        diskSizeGb: 50\n", "        diskSizeGb: 50\n        localSsdCount: 1\n")
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    result = CliRunner().invoke(
        cli, ["validate", str(spec), "--cost", "--var", "PROJECT_ID=demo-project"]
    )
    out = result.output
    assert "sd-cluster/sd-node-pool: 1..2 x 1 x 375 GB local SSD" in out
    # NAP's T4s are priced at their maximum from the attached-GPU table (skypilot-catalog
    # vms.csv: $0.35/h in us-central1, x 2 x 730 h); local SSD has no price in the table
    assert "sd-cluster/nodeAutoProvisioning: 0..2 x nvidia-tesla-t4" in out
    assert "$     0.00 .. $   511.00" in out
    assert out.count("not in the price table: not counted") == 1
