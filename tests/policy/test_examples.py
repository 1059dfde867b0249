"""The three examples behave exactly as the policies issue says."""

from __future__ import annotations

import subprocess
import sys

from .helpers import ROOT


def _validate(name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "gkeplan",
            "validate",
            str(ROOT / "examples" / name),
            "--var",
            "PROJECT_ID=demo-project",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_stable_diffusion_has_no_error_or_warning_findings() -> None:
    proc = _validate("stable-diffusion.yaml")
    assert proc.returncode == 0, proc.stdout
    assert "valid (10 resources; 0 errors, 0 warnings, 9 notes)" in proc.stdout


def test_tutorial_as_written_is_refused_with_each_problem_and_fix() -> None:
    proc = _validate("tutorial-as-written.yaml")
    assert proc.returncode == 1
    out = proc.stdout
    for expected in (
        "warning [CT001]: roles/container.nodeServiceAccount is deprecated",
        "fix: use roles/container.defaultNodeServiceAccount",
        "error [LP001/CKV_GCP_41]: serviceAccount:gke-admin gets roles/iam.serviceAccountUser on "
        "the whole project",
        "on: serviceAccount:gke-node",
        "warning [LP007]: roles/container.admin grants 434 permissions; "
        "roles/container.clusterAdmin (15) covers what serviceAccount:gke-admin uses",
        "warning [FT001]: cluster sd-cluster is zonal (us-central1-c): node pool sd-node-pool can "
        "run 2 nodes x 1 zone = 2 x n2-standard-4 (4 vCPUs) = 8 N2 vCPUs, +1 surge node = 12; "
        "quota N2_CPUS in us-central1 is 8: the apply works, but upgrades cannot add their surge "
        "nodes",
        "fix: clusters.sd-cluster.nodePools.sd-node-pool.upgradeSettings: {maxSurge: 0, "
        "maxUnavailable: 1}",
        "refused (10 resources; 1 errors, 4 warnings, 9 notes)",
    ):
        assert expected in out, expected
    # the tutorial removed GKE's default pool (remove_default_node_pool = true)
    assert "default-pool" not in out and "LP004" not in out


def test_regional_is_refused_on_n2_cpus_at_create_with_the_arithmetic() -> None:
    proc = _validate("regional.yaml")
    assert proc.returncode == 1
    assert (
        "error [FT001]: cluster sd-cluster is regional (us-central1): node pool sd-node-pool "
        "starts 1 node x 3 zones = 3 x n2-standard-4 (4 vCPUs) = 12 N2 vCPUs; quota N2_CPUS in "
        "us-central1 is 8: GKE refuses the create"
    ) in proc.stdout
    assert "fix: clusters.sd-cluster.location: us-central1-a (zonal: 1 zone, not 3)" in proc.stdout
