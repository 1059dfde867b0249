"""`gkeplan convert` of the google_container_cluster / node_pool arguments issue 24 built
last (docs/gke-fields.md): each becomes its spec field, and none is left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.kinds import BY_NAME, expand
from gkeplan.validation.pipeline import validate

PROVIDER = """
provider "google" {
  project = "demo-project"
  region  = "us-central1"
}
"""
AUTOPILOT_TF = """
resource "google_container_cluster" "auto" {
  name                = "auto"
  location            = "us-central1"
  enable_autopilot    = true
  deletion_protection = false
  node_pool_auto_config {
    network_tags { tags = ["serving", "allow-lb"] }
    resource_manager_tags = { "tagKeys/281478395625645" = "tagValues/281479290029250" }
  }
}
"""


def _converted(tmp_path: Path, tf: str) -> tuple[dict[str, Any], Any]:
    (tmp_path / "main.tf").write_text(PROVIDER + tf)
    out = tmp_path / "spec.yaml"
    result = CliRunner().invoke(
        cli, ["convert", str(tmp_path), "--out", str(out), "--format", "json"]
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, report["leftOut"]
    assert not report["leftOut"], report["leftOut"]
    checked = validate(out.read_text(), {}, policies=False)
    assert checked.spec is not None, [d.render() for d in checked.errors]
    nodes, _ = expand(checked.spec)
    return report, (checked.spec, nodes)


def _cluster(spec_nodes: Any, key: str) -> dict[str, Any]:
    spec, nodes = spec_nodes
    attrs: dict[str, Any] = BY_NAME["cluster"].desired(spec, nodes[f"cluster.{key}"]).attributes
    return attrs


def test_autopilots_node_pool_auto_config_converts(tmp_path: Path) -> None:
    _, converted = _converted(tmp_path, AUTOPILOT_TF)
    cluster = _cluster(converted, "auto")
    assert cluster["autoConfigNetworkTags"] == ["serving", "allow-lb"]
    assert cluster["autoConfigResourceManagerTags"] == {
        "tagKeys/281478395625645": "tagValues/281479290029250"
    }
