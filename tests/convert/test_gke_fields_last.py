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
ML_HEAD = """
resource "google_container_cluster" "ml" {
  name                     = "ml"
  location                 = "us-central1-a"
  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = false
"""
ML_POOL = """
resource "google_container_node_pool" "pool" {
  name       = "pool"
  cluster    = google_container_cluster.ml.id
  node_count = 1
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


NAP_TF = (
    ML_HEAD
    + """  cluster_autoscaling {
    enabled                     = true
    auto_provisioning_locations = ["us-central1-a", "us-central1-b"]
    resource_limits {
      resource_type = "cpu"
      maximum       = 64
    }
    resource_limits {
      resource_type = "memory"
      maximum       = 256
    }
    auto_provisioning_defaults {
      disk_size         = 50
      disk_type         = "pd-balanced"
      image_type        = "COS_CONTAINERD"
      boot_disk_kms_key = "projects/demo-project/locations/us-central1/keyRings/r/cryptoKeys/k"
      management {
        auto_upgrade = true
        auto_repair  = false
      }
      upgrade_settings {
        max_surge       = 2
        max_unavailable = 1
        strategy        = "SURGE"
      }
      shielded_instance_config { enable_integrity_monitoring = true }
    }
  }
}
"""
    + ML_POOL
    + """}
"""
)


def test_auto_provisioning_defaults_and_locations_convert(tmp_path: Path) -> None:
    _, converted = _converted(tmp_path, NAP_TF)
    nap = _cluster(converted, "ml")["nodeAutoProvisioning"]
    assert nap["autoprovisioningLocations"] == ["us-central1-a", "us-central1-b"]
    assert {k: nap[k] for k in ("diskSizeGb", "diskType", "imageType", "bootDiskKmsKey")} == {
        "diskSizeGb": 50,
        "diskType": "pd-balanced",
        "imageType": "COS_CONTAINERD",
        "bootDiskKmsKey": "projects/demo-project/locations/us-central1/keyRings/r/cryptoKeys/k",
    }
    assert nap["management"] == {"autoRepair": False, "autoUpgrade": True}
    assert nap["upgradeSettings"] == {"maxSurge": 2, "maxUnavailable": 1, "strategy": "SURGE"}
    # the provider's default secure boot there is off (gkeplan's is on): written out
    assert nap["shieldedInstanceConfig"] == {
        "enableSecureBoot": False,
        "enableIntegrityMonitoring": True,
    }


POLICY_TF = (
    ML_HEAD
    + """  network_policy {
    enabled  = %s
    provider = "CALICO"
  }
  addons_config {
    network_policy_config { disabled = %s }
  }
}
"""
    + ML_POOL
    + """}
"""
)


def test_the_network_policy_add_on_is_read_with_network_policy(tmp_path: Path) -> None:
    for enabled, disabled in (("true", "false"), ("false", "true")):
        _, converted = _converted(tmp_path, POLICY_TF % (enabled, disabled))
        assert _cluster(converted, "ml")["networkPolicy"] is (enabled == "true")


def test_the_network_policy_add_on_apart_from_enforcement_is_left_out_said_why(
    tmp_path: Path,
) -> None:
    (tmp_path / "main.tf").write_text(PROVIDER + POLICY_TF % ("false", "false"))
    out = tmp_path / "spec.yaml"
    result = CliRunner().invoke(
        cli, ["convert", str(tmp_path), "--out", str(out), "--format", "json"]
    )
    left = json.loads(result.stdout)["leftOut"]
    assert [item["why"] for item in left] == [
        "the NetworkPolicy add-on on without enforcement while network_policy is off: "
        "gkeplan's networkPolicy turns both on or off"
    ], left


KUBELET_TF = (
    ML_HEAD
    + """}
"""
    + ML_POOL
    + """  node_config {
    kubelet_config {
      insecure_kubelet_readonly_port_enabled = "FALSE"
      image_gc_low_threshold_percent         = 70
      image_gc_high_threshold_percent        = 80
      container_log_max_size                 = "100Mi"
      container_log_max_files                = 4
    }
    linux_node_config {
      hugepages_config {
        hugepage_size_2m = 512
        hugepage_size_1g = 2
      }
    }
  }
}
"""
)


def test_the_kubelet_and_linux_settings_convert(tmp_path: Path) -> None:
    _, (spec, nodes) = _converted(tmp_path, KUBELET_TF)
    pool = BY_NAME["nodePool"].desired(spec, nodes["nodePool.ml.pool"]).attributes
    assert pool["kubeletConfig"] == {
        "insecureKubeletReadonlyPortEnabled": False,
        "imageGcLowThresholdPercent": 70,
        "imageGcHighThresholdPercent": 80,
        "containerLogMaxSize": "100Mi",
        "containerLogMaxFiles": 4,
    }
    assert pool["linuxNodeConfig"] == {"hugepages": {"hugepageSize2m": 512, "hugepageSize1g": 2}}
