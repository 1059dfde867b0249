"""`validate --cost` prices Cloud NAT (gateway hours by the VMs using it, data processed) and
Artifact Registry storage, from the dated price data, at the sizes the policy parameters say."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

GPU_SERVING = Path(__file__).resolve().parents[2] / "examples" / "gpu-serving.yaml"


def _cost(spec: Path) -> str:
    result = CliRunner().invoke(
        cli, ["validate", str(spec), "--var", "PROJECT_ID=demo-project", "--cost"]
    )
    return result.stdout


def test_nat_and_repository_storage_are_priced_with_their_sources() -> None:
    out = _cost(GPU_SERVING)
    # $0.0014/hour per VM (cloud.google.com/nat/pricing) x 730 hours
    assert "NAT serving-nat: gateway, 1 VM(s) assumed" in out
    assert "$     1.02 .. $     1.02  $0.0014/hour" in out
    assert "NAT serving-nat: data processed, 10 GiB assumed" in out
    assert "$     0.45 .. $     0.45  $0.045/GiB" in out
    assert "repository serving-images: storage, 1 GB assumed" in out
    assert "$0.1/GB-month (0.5 GB free per billing account)" in out
    assert "cloud.google.com/nat/pricing" in out
    assert "cloud.google.com/artifact-registry/pricing" in out
    assert "unpriced" not in out


def test_the_gateway_rate_is_capped_at_32_vms_and_sizes_come_from_parameters(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "gkeplan.yaml"
    spec.write_text(
        GPU_SERVING.read_text().replace(
            "policy:\n", "policy:\n  parameters: {natVms: 40, natGib: 200, repositoryGb: 20}\n", 1
        )
    )
    out = _cost(spec)
    # more than 32 VMs: $0.044/hour; 200 GiB x $0.045 = $9.00; 20 GB x $0.10 = $2.00
    assert "NAT serving-nat: gateway, 40 VM(s) assumed" in out
    assert "$    32.12 .. $    32.12  $0.044/hour" in out
    assert "$     9.00 .. $     9.00  $0.045/GiB" in out
    assert "repository serving-images: storage, 20 GB assumed" in out
    assert "$     2.00 .. $     2.00" in out
