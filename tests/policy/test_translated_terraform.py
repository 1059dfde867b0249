"""Public GKE Terraform configurations, translated into gkeplan specs (tests/data/README.md names
each with its commit): each is accepted as written, and gkeplan reports what it should on it.

The comments name the checkov finding each gkeplan rule matches on the original Terraform
(checkov 3.3.30, `checkov -d DIR --framework terraform`), and what gkeplan finds that checkov
does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkeplan.validation.pipeline import validate

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"
PROJECT = {"PROJECT_ID": "demo-project"}

Finding = tuple[str, str, str]  # rule, severity, resource

EXPECTED: dict[str, tuple[dict[str, str], set[Finding]]] = {
    # kubernetes-engine-samples ai-ml/gke-ray/gke-platform: a regional cluster of public nodes
    # with a CPU pool and a T4 pool for Ray, managed Prometheus on (issue 24)
    "gke-ray-platform": (
        PROJECT,
        {
            # gkeplan only: 3 zones of n1-standard-16 public nodes are over a new project's
            # vCPU, external IP and SSD quotas, its 6 T4s over the all-region GPUs (0,
            # sourced) and the T4 quota (0, unverified: a warning); both pools run as the
            # Compute Engine default account
            ("FT001", "error", "nodePool.ml-cluster.cpu-pool"),
            ("FT001", "error", "nodePool.ml-cluster.gpu-pool"),
            ("FT001", "warning", "nodePool.ml-cluster.gpu-pool"),
            ("LP004", "error", "nodePool.ml-cluster.cpu-pool"),
            ("LP004", "error", "nodePool.ml-cluster.gpu-pool"),
            ("SB004", "warning", "nodePool.ml-cluster.cpu-pool"),  # CKV_GCP_68
            # gkeplan only: checkov's CKV_GCP_68 did not fail the GPU pool, whose
            # shielded_instance_config is unset as the CPU pool's is
            ("SB004", "warning", "nodePool.ml-cluster.gpu-pool"),
            ("SB007", "warning", "cluster.ml-cluster"),  # CKV_GCP_25, CKV_GCP_64
            ("SB008", "info", "cluster.ml-cluster"),  # CKV_GCP_20
            ("SB009", "info", "cluster.ml-cluster"),  # CKV_GCP_12
            ("SB023", "info", "cluster.ml-cluster"),  # CKV_GCP_61
            ("SB024", "info", "cluster.ml-cluster"),  # CKV_GCP_65
            ("SB025", "info", "cluster.ml-cluster"),  # CKV_GCP_66
            ("SB026", "info", "cluster.ml-cluster"),  # gkeplan only: Dataplane V2
        },
    ),
    # hashicorp/learn-terraform-provision-gke-cluster: a regional cluster of public nodes in its
    # own VPC
    "hashicorp-learn-gke": (
        PROJECT,
        {
            # gkeplan only: 2 nodes x 3 zones of public nodes need 6 external IPs and 600 GB
            # of SSD-backed disk, over a new project's quota; the surge does not fit either
            ("FT001", "error", "nodePool.primary.primary-nodes"),
            ("FT001", "warning", "nodePool.primary.primary-nodes"),
            # the Compute Engine default account (checkov's graph check CKV2_GCP_1 did not run
            # on it: no node service account is named at all)
            ("LP004", "error", "nodePool.primary.primary-nodes"),
            ("SB001", "warning", "cluster.primary"),  # CKV_GCP_69 (metadata server)
            ("SB004", "warning", "nodePool.primary.primary-nodes"),  # CKV_GCP_68
            ("SB007", "warning", "cluster.primary"),  # CKV_GCP_25, CKV_GCP_64
            ("SB008", "info", "cluster.primary"),  # CKV_GCP_20
            ("SB009", "info", "cluster.primary"),  # CKV_GCP_12
            ("SB015", "info", "cluster.primary"),  # CKV_GCP_21
            ("SB023", "info", "cluster.primary"),  # CKV_GCP_61
            ("SB024", "info", "cluster.primary"),  # CKV_GCP_65
            ("SB025", "info", "cluster.primary"),  # CKV_GCP_66
            ("SB026", "info", "cluster.primary"),  # gkeplan only: Dataplane V2
            ("SB042", "info", "subnetwork.subnet"),  # CKV_GCP_26
            ("SB043", "warning", "subnetwork.subnet"),  # CKV_GCP_74
        },
    ),
    # kubernetes-engine-samples demos/vit-training-example: an L4 GPU pool, GCS FUSE and
    # Workload Identity for a bucket that exists outside the config
    "vit-training-example": (
        {**PROJECT, "GCS_BUCKET": "someones-training-data"},
        {
            # gkeplan only: all-region GPUs are 0 in a new project (sourced), so GKE refuses
            # the pool; the profile's G2 vCPU and L4 zeros are unverified, so they warn; and
            # the pool runs as the Compute Engine default account
            ("FT001", "error", "nodePool.ml-vit-cluster.gpu-pool"),
            ("FT001", "warning", "nodePool.ml-vit-cluster.gpu-pool"),
            ("LP004", "error", "nodePool.ml-vit-cluster.gpu-pool"),
            ("SB004", "warning", "nodePool.ml-vit-cluster.gpu-pool"),  # CKV_GCP_68
            ("SB007", "warning", "cluster.ml-vit-cluster"),  # CKV_GCP_25, CKV_GCP_64
            ("SB008", "info", "cluster.ml-vit-cluster"),  # CKV_GCP_20
            ("SB009", "info", "cluster.ml-vit-cluster"),  # CKV_GCP_12
            ("SB015", "info", "cluster.ml-vit-cluster"),  # CKV_GCP_21
            ("SB023", "info", "cluster.ml-vit-cluster"),  # CKV_GCP_61
            ("SB024", "info", "cluster.ml-vit-cluster"),  # CKV_GCP_65
            ("SB025", "info", "cluster.ml-vit-cluster"),  # CKV_GCP_66
            ("SB026", "info", "cluster.ml-vit-cluster"),
        },
    ),
    # kubernetes-engine-samples quickstarts/wordpress-persistent-disks: a node account of its
    # own, Workload Identity for the app, network policy on
    "wordpress-persistent-disks": (
        PROJECT,
        {
            # gkeplan only: the node account has logWriter and monitoring.viewer but not
            # metricWriter, so node metrics are not written
            ("LP006", "warning", "serviceAccount.gke-service-account"),
            ("SB004", "warning", "nodePool.wordpress-cluster.wordpress-cluster-node-pool"),
            ("SB007", "warning", "cluster.wordpress-cluster"),  # CKV_GCP_25, CKV_GCP_64
            ("SB008", "info", "cluster.wordpress-cluster"),  # CKV_GCP_20
            ("SB015", "info", "cluster.wordpress-cluster"),  # CKV_GCP_21
            ("SB023", "info", "cluster.wordpress-cluster"),  # CKV_GCP_61
            ("SB024", "info", "cluster.wordpress-cluster"),  # CKV_GCP_65
            ("SB025", "info", "cluster.wordpress-cluster"),  # CKV_GCP_66
            ("SB026", "info", "cluster.wordpress-cluster"),
        },
    ),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_translated_public_terraform_config_is_accepted_and_its_findings_are_reported(
    name: str,
) -> None:
    variables, expected = EXPECTED[name]
    result = validate(DATA / f"{name}.yaml", variables, environ={})
    assert result.diagnostics == [], [d.render() for d in result.diagnostics]
    assert result.policy is not None
    found = {(f.rule, f.severity.value, f.resource) for f in result.policy.findings}
    assert found == expected


def test_every_translation_is_named_with_its_commit_in_the_data_readme() -> None:
    readme = (DATA.parent / "README.md").read_text()
    for path in sorted(DATA.glob("*.yaml")):
        assert f"terraform/{path.name}" in readme, path.name
        assert path.stem in EXPECTED, f"{path.name} has no expected findings"
