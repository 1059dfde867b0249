"""A spec in, the findings or the CLI's verdict out: the user's side of GCP's facts."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from gkeplan.cli import cli
from gkeplan.validation.pipeline import validate

SPEC = """\
version: 1
project: demo-project
region: us-central1
serviceAccounts:
  gke-node:
    displayName: nodes
iam:
  - member: serviceAccount:gke-node
    roles: [roles/container.defaultNodeServiceAccount]
clusters:
  c:
    location: us-central1-c
    nodePools:
      p:
        machineType: e2-standard-2
        serviceAccount: gke-node
        upgradeSettings: {maxSurge: 0, maxUnavailable: 1}
"""

Row = tuple[str, str, str, str, str]  # rule, severity, resource, message, fix


def findings(tmp_path: Path, text: str, *rules: str) -> list[Row]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    result = validate(spec, {}, environ={})
    assert result.policy is not None, [d.render() for d in result.diagnostics]
    return [
        (f.rule, f.severity.value, f.resource, f.message, f.fix)
        for f in result.policy.findings
        if (not rules or f.rule in rules) and not f.waived
    ]


def cli_validate(tmp_path: Path, text: str, *args: str) -> Result:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text)
    return CliRunner().invoke(cli, ["validate", str(spec), *args])


def edit(old: str, new: str, text: str = SPEC) -> str:
    assert old in text, old
    return text.replace(old, new, 1)
