"""examples/gpu-serving.yaml: GPUs, a model bucket mounted by GCS FUSE, Workload Identity,
private nodes behind Cloud NAT and the image in Artifact Registry; it validates, applies in the
sandbox, and plans no changes after."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkeplan.cli import cli

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "gpu-serving.yaml"
VARS = ["--var", "PROJECT_ID=demo-project"]


def test_the_gpu_serving_example_validates_applies_in_the_sandbox_and_then_has_no_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    checked = CliRunner().invoke(cli, ["validate", str(EXAMPLE), *VARS])
    assert checked.exit_code == 0, checked.output
    assert "0 errors, 0 warnings" in checked.output

    args = [str(EXAMPLE), *VARS, "--sandbox"]
    applied = CliRunner().invoke(cli, ["apply", *args, "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    done = "Apply complete! Resources: 8 adopted, 21 added, 0 changed, 0 destroyed."
    assert done in applied.output  # the 8 adopted: the APIs, on already in the sandbox
    for address in (
        "network.serving-net",
        "subnetwork.serving-nodes",
        "router.serving-router",
        "address.serving-ip",
        "firewall.allow-iap-ssh",
        "artifactRepository.serving-images",
        "secret.hf-token",
        "iamMember.secret.hf-token/roles/secretmanager.secretAccessor/serviceAccount:model-reader",
        "cluster.gpu-serving",
        "nodePool.gpu-serving.gpu",
        "iamMember.serviceAccount.model-reader/roles/iam.workloadIdentityUser/"
        "serviceAccount:demo-project.svc.id.goog[serving/tf-serving]",
    ):
        assert f"{address}: create done" in applied.output, address

    again = CliRunner().invoke(cli, ["plan", *args, "--detailed-exitcode"])
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output


def test_the_sandbox_project_has_the_gpu_quota_the_spec_says_was_granted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without policy.quotas the sandbox is a new project with no GPU quota: gkeplan refuses
    the plan (FT001) and, with that finding waived, the sandbox's GKE refuses the create as
    GKE does."""
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "spec.yaml"
    text = EXAMPLE.read_text()
    granted = "  quotas: {G2_CPUS: 8, NVIDIA_L4_GPUS: 1, GPUS_ALL_REGIONS: 1}\n"
    assert granted in text
    waived = (
        "  exceptions:\n"
        "    - {rule: FT001, resource: '*', reason: to see what the sandbox's GKE answers}\n"
    )
    spec.write_text(text.replace(granted, ""))
    refused = CliRunner().invoke(cli, ["plan", str(spec), *VARS, "--sandbox"])
    assert refused.exit_code == 1 and "[FT001]" in refused.output, refused.output
    spec.write_text(text.replace(granted, waived))
    applied = CliRunner().invoke(cli, ["apply", str(spec), *VARS, "--sandbox", "--auto-approve"])
    assert applied.exit_code == 1, applied.output
    assert "Insufficient regional quota" in applied.output


def test_a_sandbox_apply_prints_nothing_of_grpcs_own_logging(tmp_path: Path) -> None:
    """gRPC's C core logs a GOAWAY line when the in-process sandbox stops; a user sees only
    gkeplan's output."""
    env = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}
    env.pop("GRPC_VERBOSITY", None)
    argv = [sys.executable, "-m", "gkeplan", "apply", str(EXAMPLE), *VARS, "--sandbox"]
    done = subprocess.run(
        [*argv, "--auto-approve"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "chttp2" not in done.stderr and "GOAWAY" not in done.stderr, done.stderr
