"""C8: --cost shows GPUs and Hyperdisk; an item without a price is named, never a silent $0.
Attached GPUs are priced from skypilot-org/skypilot-catalog catalogs/v8/gcp/vms.csv (T4 in
us-central1: $0.35 an hour, 730 hours a month = $255.50)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

SPEC = Path(__file__).with_name("gpu-and-hyperdisk.yaml")


def test_cost_lists_gpus_and_hyperdisk_and_flags_what_it_cannot_price(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(SPEC), "--cost"])
    assert result.exit_code == 0, result.output
    out = result.output
    # GPUs that come with the machine are in its price, and said so
    assert "c/a2: 1..1 x a2-highgpu-1g, 1 x nvidia-tesla-a100 built in $  2681.57" in out
    # an attached T4 is priced; a Hyperdisk boot disk is a line of its own, flagged as unpriced
    assert "c/t4: 1..1 x nvidia-tesla-t4                               $   255.50" in out
    assert "c/hd: 1..1 x 100 GB hyperdisk-balanced" in out
    assert out.count("not in the price table: not counted") == 1
    assert "+ 1 unpriced item(s)" in out


def test_budget_rule_warns_that_it_could_not_price_everything(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", str(SPEC)])
    assert (
        "warning [FT002]: maxMonthlyUsd $100000.00 is checked without "
        "c/hd: 1..1 x 100 GB hyperdisk-balanced:"
    ) in result.output


def test_budget_still_refuses_what_it_can_price(tmp_path: Path) -> None:
    text = SPEC.read_text().replace("maxMonthlyUsd: 100000", "maxMonthlyUsd: 1000")
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    result = CliRunner().invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 1
    assert "error [FT002]: at maximum scale this spec costs $3161.98 a month" in result.output
