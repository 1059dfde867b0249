"""Point 9: graph output is clean on stdout, escapes what it must, keeps keys apart, and
needs no variable the graph does not depend on."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import EXAMPLE

SPEC = """\
version: 1
project: demo-project
region: us-central1
serviceAccounts:
  reader-sa: {displayName: reader}
buckets:
  models-a: {name: demo-project-models-a, location: us-central1}
  models_a: {name: demo-project-models_a, location: us-central1}
iam:
  - member: serviceAccount:reader-sa
    roles: [roles/storage.objectViewer]
    on: bucket:models-a
    condition:
      title: 'only "prod" objects'
      expression: resource.name.startsWith("projects/_/buckets/prod")
"""


def _graph(tmp_path: Path, fmt: str) -> tuple[int, str, str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC)
    result = CliRunner().invoke(cli, ["graph", str(spec), "--format", fmt])
    return result.exit_code, result.stdout, result.stderr


def test_errors_go_to_stderr_not_into_the_output_file(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("version: 1\nproject: demo-project\nregion: nowhere-1\n")
    result = CliRunner().invoke(cli, ["graph", str(spec)])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error" in result.stderr


def test_dot_escapes_quotes_in_a_condition_title(tmp_path: Path) -> None:
    code, out, err = _graph(tmp_path, "dot")
    assert code == 0, err
    line = next(ln for ln in out.splitlines() if "#only" in ln and "->" not in ln)
    # a DOT string: the inner quotes are escaped, so the statement ends where it should
    assert line.strip().endswith('\\"prod\\" objects";')
    for ln in out.splitlines():
        unescaped = re.sub(r"\\.", "", ln)
        assert unescaped.count('"') % 2 == 0, ln


def test_mermaid_keeps_similar_keys_apart_and_escapes_quotes(tmp_path: Path) -> None:
    code, out, err = _graph(tmp_path, "mermaid")
    assert code == 0, err
    nodes = [ln for ln in out.splitlines() if "[" in ln and "-->" not in ln]
    ids = [ln.split("[", 1)[0].strip() for ln in nodes]
    assert len(ids) == len(set(ids))
    labels = [ln.split("[", 1)[1] for ln in nodes]
    assert any("bucket.models-a" in lb for lb in labels)
    assert any("bucket.models_a" in lb for lb in labels)
    for label in labels:  # each label is one quoted string with no quote inside
        assert label.startswith('"') and label.endswith('"]') and label.count('"') == 2


def test_graph_does_not_demand_variables_it_does_not_use() -> None:
    result = CliRunner().invoke(cli, ["graph", str(EXAMPLE), "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert '"cluster.sd-cluster"' in result.stdout
