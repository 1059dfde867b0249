"""G1, Q11, Q16, Q21, G2/A2/A3 GPUs, P5, P11, LP004's checkov id: a spec in, GCP's answer out."""

from __future__ import annotations

from pathlib import Path

from gkeplan.gcp.connection import Timeouts

from .helpers import cli_validate, edit, findings

POOL = "        machineType: e2-standard-2\n"


def test_gke_metadata_without_workload_identity_is_refused(tmp_path: Path) -> None:
    text = edit(
        "    location: us-central1-c\n",
        "    location: us-central1-c\n    workloadIdentity: false\n",
    )
    text = edit(POOL, POOL + "        workloadMetadata: GKE_METADATA\n", text)
    result = cli_validate(tmp_path, text)
    assert result.exit_code == 1
    assert (
        "clusters.c.nodePools.p.workloadMetadata: GKE_METADATA needs Workload Identity on the "
        "cluster, which has workloadIdentity: false"
    ) in result.output


def test_without_workload_identity_the_default_metadata_is_the_one_gke_accepts(
    tmp_path: Path,
) -> None:
    text = edit(
        "    location: us-central1-c\n",
        "    location: us-central1-c\n    workloadIdentity: false\n",
    )
    result = cli_validate(tmp_path, text)
    assert result.exit_code == 0, result.output
    assert "GKE_METADATA needs" not in result.output


def test_public_nodes_count_external_ips(tmp_path: Path) -> None:
    text = edit(
        "    location: us-central1-c\n", "    location: us-central1-c\n    privateCluster: null\n"
    )
    text = edit(POOL, POOL + "        initialNodeCount: 5\n", text)
    got = findings(tmp_path, text, "FT001")
    ips = [r for r in got if "IN_USE_ADDRESSES" in r[3]]
    assert [(r[1], r[3]) for r in ips] == [
        (
            "error",
            "cluster c is zonal (us-central1-c): node pool p starts 5 nodes x 1 zone = 5 x "
            "e2-standard-2 = 5 external IPs (public nodes); quota IN_USE_ADDRESSES in "
            "us-central1 is 4: GKE refuses the create",
        )
    ]
    private = edit(POOL, POOL + "        initialNodeCount: 5\n")
    assert not [r for r in findings(tmp_path, private, "FT001") if "IN_USE_ADDRESSES" in r[3]]


def test_external_ips_is_not_a_field_that_does_nothing(tmp_path: Path) -> None:
    result = cli_validate(tmp_path, edit(POOL, POOL + "        externalIps: true\n"))
    assert result.exit_code == 1
    assert "clusters.c.nodePools.p.externalIps: unknown key 'externalIps'" in result.output


def test_hyperdisk_has_its_own_quota(tmp_path: Path) -> None:
    text = edit(POOL, "        machineType: n4-standard-2\n        diskSizeGb: 300\n")
    got = findings(tmp_path, text, "FT001")
    assert not [r for r in got if "SSD_TOTAL_GB" in r[3]]  # 300 GB > 250, but not SSD quota
    capped = text + "policy:\n  quotas: {HYPERDISK_BALANCED_TOTAL_GB: 200}\n"
    ((_, sev, _, msg, _),) = [r for r in findings(tmp_path, capped, "FT001") if "HYPERDISK" in r[3]]
    assert sev == "error"
    assert msg == (
        "cluster c is zonal (us-central1-c): node pool p starts 1 node x 1 zone = 1 x "
        "n4-standard-2 with 300 GB hyperdisk-balanced boot disks = 300 GB of Hyperdisk Balanced; "
        "quota HYPERDISK_BALANCED_TOTAL_GB in us-central1 is 200: GKE refuses the create"
    )


def test_hyperdisk_only_series_default_to_hyperdisk_and_refuse_pd(tmp_path: Path) -> None:
    n4 = edit(POOL, "        machineType: n4-standard-2\n")
    assert cli_validate(tmp_path, n4).exit_code == 0
    pd = edit(POOL, "        machineType: c4-standard-4\n        diskType: pd-balanced\n")
    result = cli_validate(tmp_path, pd)
    assert result.exit_code == 1
    assert (
        "clusters.c.nodePools.p.diskType: C4 machines boot only from Hyperdisk, not pd-balanced"
        in result.output
    )


def test_pd_standard_fix_is_not_offered_for_hyperdisk_only_series(tmp_path: Path) -> None:
    text = edit(POOL, "        machineType: n4-standard-2\n        initialNodeCount: 3\n")
    text += "policy:\n  quotas: {HYPERDISK_BALANCED_TOTAL_GB: 250, N4_CPUS: 100}\n"
    ((*_, fix),) = [r for r in findings(tmp_path, text, "FT001") if "HYPERDISK" in r[3]]
    assert "pd-standard" not in fix and "diskSizeGb: 83" in fix


def test_built_in_gpus_are_counted_once(tmp_path: Path) -> None:
    text = edit(
        POOL,
        "        machineType: g2-standard-4\n        accelerators: [{type: nvidia-l4, count: 1}]\n",
    )
    text += (
        "policy:\n  quotas: {G2_CPUS: 8, NVIDIA_L4_GPUS: 1, GPUS_ALL_REGIONS: 1, "
        "SSD_TOTAL_GB: 500}\n"
    )
    assert findings(tmp_path, text, "FT001") == []
    two = text.replace(
        "NVIDIA_L4_GPUS: 1, GPUS_ALL_REGIONS: 1", "NVIDIA_L4_GPUS: 0, GPUS_ALL_REGIONS: 1"
    )
    (row,) = findings(tmp_path, two, "FT001")
    assert "= 1 GPUs; quota NVIDIA_L4_GPUS in us-central1 is 0" in row[3]


def test_a2_gpus_come_with_the_machine(tmp_path: Path) -> None:
    text = edit(POOL, "        machineType: a2-highgpu-2g\n")
    got = findings(tmp_path, text, "FT001")
    assert any("= 2 GPUs; quota GPUS_ALL_REGIONS across regions is 0" in r[3] for r in got)


def test_node_permissions_missing_is_a_warning(tmp_path: Path) -> None:
    text = edit(
        "    roles: [roles/container.defaultNodeServiceAccount]",
        "    roles: [roles/storage.objectViewer]",
    )
    ((rule, sev, res, msg, fix),) = findings(tmp_path, text, "LP006")
    assert "roles/container.defaultNodeServiceAccount" in fix
    assert (rule, sev, res) == ("LP006", "warning", "serviceAccount.gke-node")
    assert "on GKE 1.33 and earlier, logging and monitoring degrade" in msg
    assert cli_validate(tmp_path, text).exit_code == 0


def test_lp004_carries_checkovs_gke_check_id(tmp_path: Path) -> None:
    text = edit("        serviceAccount: gke-node\n", "")
    result = cli_validate(tmp_path, text)
    assert "[LP004/CKV2_GCP_1]" in result.output
    assert "CKV_GCP_30" not in result.output


def test_iam_propagation_window_is_ten_minutes_by_default() -> None:
    # configurable per run with --retry-timeout, which bounds every retry of a change
    assert Timeouts().propagation_window_s == 600.0


def test_a_quota_without_a_sourced_limit_is_named_not_silently_passed(tmp_path: Path) -> None:
    text = edit(POOL, "        machineType: n4-standard-2\n")
    got = [r for r in findings(tmp_path, text, "FT001") if "HYPERDISK" in r[3]]
    assert got == [
        (
            "FT001",
            "info",
            "nodePool.c.p",
            "gkeplan has no sourced free-trial value for quota HYPERDISK_BALANCED_TOTAL_GB, "
            "so it is not checked",
            "set policy.quotas.HYPERDISK_BALANCED_TOTAL_GB to your project's limit, or "
            "quotaProfile: live",
        )
    ]


DEFAULT_SA_POOL = """\
version: 1
project: demo-project
region: us-central1
serviceAccounts:
  gke-admin:
    impersonators: ["user:me@example.com"]
iam:
  - member: serviceAccount:gke-admin
    roles: [roles/container.clusterAdmin]
clusters:
  c:
    location: us-central1-c
    createAs: gke-admin
    nodePools:
      p:
        machineType: e2-standard-2
        upgradeSettings: {maxSurge: 0, maxUnavailable: 1}
policy:
  exceptions:
    - {rule: LP004, resource: nodePool.c.p, reason: the default account is locked down}
"""


def test_creating_nodes_on_the_default_account_needs_act_as_on_it(tmp_path: Path) -> None:
    got = [r for r in findings(tmp_path, DEFAULT_SA_POOL, "LP006") if "actAs" in r[3]]
    ((_, sev, res, msg, fix),) = got
    assert (sev, res) == ("error", "serviceAccount.gke-admin")
    assert msg == (
        "createAs account gke-admin cannot create cluster.c: it lacks "
        "iam.serviceAccounts.actAs on default-compute-service-account"
    )
    assert "on: serviceAccount:PROJECT_NUMBER-compute@developer.gserviceaccount.com" in fix
    granted = DEFAULT_SA_POOL.replace(
        "clusters:\n",
        "  - member: serviceAccount:gke-admin\n    roles: [roles/iam.serviceAccountUser]\n"
        "    on: serviceAccount:123456789-compute@developer.gserviceaccount.com\n"
        "clusters:\n",
    )
    assert not [r for r in findings(tmp_path, granted, "LP006") if "actAs" in r[3]]
