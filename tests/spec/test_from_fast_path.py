"""A `from:` reference is found however its key is written: the look for references is skipped
only when the text cannot spell `from` (no 'from', no '\\' escape)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gkeplan.cli import cli

SPEC = """\
version: 1
project: demo-project
region: us-central1
firewalls:
  allow-health-checks:
    network:
      {key}: {{spec: network.yaml}}
    sourceRanges: [35.191.0.0/16]
    allow: [{{protocol: tcp, ports: ["8080"]}}]
"""


@pytest.mark.parametrize("key", ["from", '"\\x66rom"', '"fr\\u006Fm"'])
def test_a_reference_missing_its_output_is_refused_at_its_line_however_the_key_is_spelt(
    tmp_path: Path, key: str
) -> None:
    spec = tmp_path / "rules.yaml"
    spec.write_text(SPEC.format(key=key))
    result = CliRunner().invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 1, result.output
    assert "rules.yaml:7:7: error: firewalls.allow-health-checks.network: from: missing " in (
        result.output
    )


def test_a_spec_with_no_reference_validates_as_before(tmp_path: Path) -> None:
    spec = tmp_path / "rules.yaml"
    spec.write_text(SPEC.replace("{key}: {{spec: network.yaml}}", "default").format())
    result = CliRunner().invoke(cli, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
