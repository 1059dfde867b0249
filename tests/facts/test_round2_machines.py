"""Issue 27, machines, disks and GPUs: a spec in, GCP's answer out. Each test names the source
of the fact it pins (the sources are also next to the data, in catalog/build.py)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import cli_validate, edit, findings

POOL = "        machineType: e2-standard-2\n"


def _pool(tmp_path: Path, lines: str) -> str:
    result = cli_validate(tmp_path, edit(POOL, lines))
    return f"{result.exit_code}\n{result.output}"


def test_a4x_refuses_persistent_disk(tmp_path: Path) -> None:
    # "pd-balanced disk type cannot be used by a4x-highgpu-4g machine type" (NVIDIA/aicr#2338)
    out = _pool(tmp_path, "        machineType: a4x-highgpu-4g\n        diskType: pd-balanced\n")
    assert out.startswith("1\n")
    assert "diskType: A4X machines boot only from Hyperdisk, not pd-balanced" in out


def test_g4_with_persistent_disk_warns_only(tmp_path: Path) -> None:
    # Google documents G4/M4/A4 with Hyperdisk Balanced boot disks (compute v1
    # AttachedDiskInitializeParams.diskType); no refusal quoted in a public issue: a warning.
    out = _pool(tmp_path, "        machineType: g4-standard-48\n        diskType: pd-balanced\n")
    assert "warning: clusters.c.nodePools.p.diskType: G4 machines" in out
    assert "G4 machines are documented with Hyperdisk Balanced boot disks, not pd-balanced" in out
    assert "(unconfirmed: the create may fail)" in out


def test_c3_and_a3_refuse_pd_standard(tmp_path: Path) -> None:
    # "pd-standard disk type cannot be used by c3d-standard-90 machine type., badRequest"
    # (docs.cast.ai); A3 "doesn't support pd-standard" (skypilot-org/skypilot#5351)
    for machine, family in (("c3-highcpu-4", "C3"), ("a3-highgpu-1g", "A3")):
        out = _pool(tmp_path, f"        machineType: {machine}\n        diskType: pd-standard\n")
        assert out.startswith("1\n"), out
        assert f"diskType: {family} machines refuse pd-standard disks, not pd-standard" in out


def test_n1_n2_e2_refuse_hyperdisk(tmp_path: Path) -> None:
    # "hyperdisk-balanced disk type cannot be used by n1-standard-1 machine type., badRequest"
    # (GoogleCloudPlatform/cloud-image-tests#229); N2/N2D/E2: nextflow-io/nextflow#6841
    for machine, family in (("n1-standard-4", "N1"), ("n2-standard-4", "N2"), ("e2-medium", "E2")):
        out = _pool(
            tmp_path, f"        machineType: {machine}\n        diskType: hyperdisk-balanced\n"
        )
        assert out.startswith("1\n"), out
        assert f"{family} machines do not support Hyperdisk, not hyperdisk-balanced" in out
        assert "hint: diskType: pd-balanced" in out or "diskType: pd-balanced (or" in out


def test_gpus_on_e2_are_refused(tmp_path: Path) -> None:
    # "[e2-standard-2, nvidia-tesla-t4] features are not compatible for creating instance."
    # (kubernetes/test-infra#35205)
    out = _pool(tmp_path, POOL + "        accelerators: [{type: nvidia-tesla-t4}]\n")
    assert out.startswith("1\n")
    assert (
        'E2 machines take no GPUs: GCP refuses "[e2-standard-2, nvidia-tesla-t4] features are '
        'not compatible"'
    ) in out


def test_gpus_on_n2_warn_and_on_n1_pass(tmp_path: Path) -> None:
    # only N1 is documented to take attached GPUs (cloud.google.com/compute/docs/gpus)
    gpu = "        accelerators: [{type: nvidia-tesla-t4}]\n"
    out = _pool(tmp_path, "        machineType: n2-standard-4\n" + gpu)
    assert "n2-standard-4 is not documented to take attached nvidia-tesla-t4 GPUs" in out
    n1 = _pool(tmp_path, "        machineType: n1-standard-4\n" + gpu)
    assert "not documented to take attached" not in n1 and "take no GPUs" not in n1


def test_a4_and_nolssd_types_count_their_built_in_gpus(tmp_path: Path) -> None:
    # "For the A and G series accelerator-optimized machine types, the specified GPU model
    # automatically attaches" (cloud.google.com/compute/docs/gpus): 8 B200 on a4-highgpu-8g,
    # 8 H200 on a3-ultragpu-8g-nolssd, 1 RTX PRO 6000 on g4-standard-48.
    for machine, gpus in (
        ("a4-highgpu-8g", 8),
        ("a3-ultragpu-8g-nolssd", 8),
        ("a4x-highgpu-4g", 4),
        ("g4-standard-48", 1),
    ):
        text = edit(POOL, f"        machineType: {machine}\n")
        got = [r for r in findings(tmp_path, text, "FT001") if "GPUS_ALL_REGIONS" in r[3]]
        assert got, machine
        assert f"= {gpus} GPUs; quota GPUS_ALL_REGIONS across regions is 0" in got[0][3]


def test_ssd_quota_fix_offers_pd_standard_only_where_the_series_takes_it(
    tmp_path: Path,
) -> None:
    # FT001's fix never suggests a disk GCP would refuse (C3: docs.cast.ai, above)
    text = edit(POOL, "        machineType: c3-highcpu-4\n        diskSizeGb: 300\n")
    text += "policy:\n  quotas: {C3_CPUS: 100, CPUS_ALL_REGIONS: 100}\n"
    ssd = [r for r in findings(tmp_path, text, "FT001") if "SSD_TOTAL_GB" in r[3]]
    assert ssd and "pd-standard" not in ssd[0][4]
    n2 = edit(POOL, "        machineType: n2-standard-2\n        diskSizeGb: 300\n")
    n2 += "policy:\n  quotas: {N2_CPUS: 100, CPUS_ALL_REGIONS: 100}\n"
    ssd = [r for r in findings(tmp_path, n2, "FT001") if "SSD_TOTAL_GB" in r[3]]
    assert ssd and "diskType: pd-standard" in ssd[0][4]


def test_node_labels_are_kubernetes_labels(tmp_path: Path) -> None:
    # NodeConfig.labels: "The map of Kubernetes labels (key/value pairs) to be applied to each
    # node" (container v1), whose syntax is Kubernetes' (kubernetes.io labels page): a DNS
    # prefix, '/', a name of up to 63 characters; GCP resource-label rules do not apply.
    out = _pool(tmp_path, POOL + "        labels: {example.com/role: serving, Tier: A.1}\n")
    assert out.startswith("0\n"), out
    assert "label key" not in out


def test_spot_with_preemptible_and_initial_above_max_only_warn(tmp_path: Path) -> None:
    # no GKE refusal of either was found: warnings, never refusals
    out = _pool(
        tmp_path,
        POOL
        + "        spot: true\n        preemptible: true\n        initialNodeCount: 3\n"
        + "        autoscaling: {minNodeCount: 1, maxNodeCount: 2}\n",
    )
    assert "warning: clusters.c.nodePools.p.spot: spot and preemptible are both set" in out
    assert "warning: clusters.c.nodePools.p.initialNodeCount: initialNodeCount 3 is above" in out


def test_attached_v100_and_t4_are_priced_per_region(tmp_path: Path) -> None:
    # skypilot-org/skypilot-catalog catalogs/v8/gcp/vms.csv (commit 006059e): V100 $2.48 and T4
    # $0.35 a GPU-hour on demand in us-central1; x 730 hours a month
    text = edit(
        POOL,
        "        machineType: n1-standard-8\n"
        "        accelerators: [{type: nvidia-tesla-v100}, {type: nvidia-tesla-t4, count: 2}]\n",
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    out = CliRunner().invoke(cli, ["validate", str(spec), "--cost"]).output
    assert "c/p: 1..1 x nvidia-tesla-v100" in out and "$  1810.40" in out
    assert "c/p: 2..2 x nvidia-tesla-t4" in out and "$   511.00" in out
