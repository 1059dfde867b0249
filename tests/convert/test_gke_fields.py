"""`gkeplan convert` of the google_container_cluster / node_pool arguments of issue 24
(docs/gke-fields.md): each becomes its spec field, and nothing of them is left out."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.kinds import BY_NAME, expand
from gkeplan.validation.pipeline import validate

MAIN_TF = """
provider "google" {
  project = "demo-project"
  region  = "us-central1"
}

resource "google_container_cluster" "ml" {
  name                     = "ml"
  location                 = "us-central1-a"
  remove_default_node_pool = true
  initial_node_count       = 1
  deletion_protection      = false
  addons_config {
    ray_operator_config { enabled = true }
    dns_cache_config { enabled = true }
    gke_backup_agent_config { enabled = true }
    stateful_ha_config { enabled = false }
    config_connector_config { enabled = true }
  }
  secret_manager_config { enabled = true }
  security_posture_config {
    mode               = "BASIC"
    vulnerability_mode = "VULNERABILITY_ENTERPRISE"
  }
  monitoring_config {
    enable_components = ["SYSTEM_COMPONENTS"]
    managed_prometheus { enabled = true }
  }
  cost_management_config { enabled = true }
  gateway_api_config { channel = "CHANNEL_STANDARD" }
  networking_mode           = "VPC_NATIVE"
  default_max_pods_per_node = 64
  vertical_pod_autoscaling { enabled = true }
  cluster_autoscaling {
    enabled             = true
    autoscaling_profile = "OPTIMIZE_UTILIZATION"
    resource_limits {
      resource_type = "cpu"
      maximum       = 64
    }
    resource_limits {
      resource_type = "memory"
      maximum       = 256
    }
  }
  dns_config {
    cluster_dns       = "CLOUD_DNS"
    cluster_dns_scope = "CLUSTER_SCOPE"
  }
  private_cluster_config {
    enable_private_nodes = true
    master_global_access_config { enabled = true }
  }
  control_plane_endpoints_config {
    dns_endpoint_config { allow_external_traffic = true }
  }
  maintenance_policy {
    daily_maintenance_window { start_time = "03:00" }
    maintenance_exclusion {
      exclusion_name = "launch"
      start_time     = "2026-11-20T00:00:00Z"
      end_time       = "2026-11-30T00:00:00Z"
      exclusion_options { scope = "NO_MINOR_UPGRADES" }
    }
  }
}

resource "google_container_node_pool" "gpu" {
  name       = "gpu"
  cluster    = google_container_cluster.ml.id
  node_count = 1
  autoscaling {
    total_min_node_count = 0
    total_max_node_count = 4
    location_policy      = "ANY"
  }
  queued_provisioning { enabled = false }
  placement_policy {
    type         = "COMPACT"
    tpu_topology = "2x2"
  }
  node_config {
    machine_type = "n1-standard-4"
    guest_accelerator {
      type  = "nvidia-tesla-t4"
      count = 1
      gpu_driver_installation_config { gpu_driver_version = "LATEST" }
    }
    gvnic { enabled = true }
    sandbox_config { type = "GVISOR" }
    kubelet_config {
      cpu_manager_policy = "static"
      pod_pids_limit     = 4096
    }
    linux_node_config {
      sysctls     = { "net.core.somaxconn" = "4096" }
      cgroup_mode = "CGROUP_MODE_V2"
    }
    reservation_affinity {
      consume_reservation_type = "SPECIFIC_RESERVATION"
      key                      = "compute.googleapis.com/reservation-name"
      values                   = ["t4-reservation"]
    }
  }
}
"""


def test_the_fields_convert_and_none_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF)
    out = tmp_path / "spec.yaml"
    result = CliRunner().invoke(
        cli, ["convert", str(tmp_path), "--out", str(out), "--format", "json"]
    )
    report = json.loads(result.stdout)
    assert result.exit_code == 0, report["leftOut"]
    checked = validate(out.read_text(), {}, policies=False)
    assert checked.spec is not None, [d.render() for d in checked.errors]
    nodes, _ = expand(checked.spec)
    cluster = BY_NAME["cluster"].desired(checked.spec, nodes["cluster.ml"]).attributes
    assert {k: v for k, v in cluster.items() if k.startswith("addons.") and v is not None} == {
        "addons.rayOperator": True,
        "addons.dnsCache": True,
        "addons.gkeBackupAgent": True,
        "addons.statefulHa": False,
        "addons.configConnector": True,
    }
    assert cluster["secretManager"] is True
    assert cluster["securityPostureMode"] == "BASIC"
    assert cluster["vulnerabilityMode"] == "VULNERABILITY_ENTERPRISE"
    assert cluster["monitoringComponents"] == ["SYSTEM_COMPONENTS"]
    assert cluster["managedPrometheus"] is True
    assert cluster["costAllocation"] is True
    assert cluster["gatewayApi"] == "CHANNEL_STANDARD"
    assert cluster["masterGlobalAccess"] is True
    assert cluster["defaultMaxPodsPerNode"] == 64
    assert cluster["verticalPodAutoscaling"] is True
    assert cluster["autoscalingProfile"] == "OPTIMIZE_UTILIZATION"
    nap = cluster["nodeAutoProvisioning"]
    assert nap["enabled"] is True
    assert nap["resourceLimits"] == [
        {"resourceType": "cpu", "minimum": 0, "maximum": 64},
        {"resourceType": "memory", "minimum": 0, "maximum": 256},
    ]
    assert cluster["clusterDns"] == {"clusterDns": "CLOUD_DNS", "clusterDnsScope": "CLUSTER_SCOPE"}
    assert cluster["dnsEndpointExternalTraffic"] is True
    assert cluster["maintenancePolicy"] == {
        "dailyStartTime": "03:00",
        "recurring": None,
        "exclusions": [
            {
                "name": "launch",
                "startTime": "2026-11-20T00:00:00Z",
                "endTime": "2026-11-30T00:00:00Z",
                "scope": "NO_MINOR_UPGRADES",
            }
        ],
    }
    pool = BY_NAME["nodePool"].desired(checked.spec, nodes["nodePool.ml.gpu"]).attributes
    assert pool["accelerators"] == [
        {"type": "nvidia-tesla-t4", "count": 1, "gpuDriverVersion": "LATEST"}
    ]
    assert pool["autoscaling"] == {
        "enabled": True,
        "minNodeCount": 0,
        "maxNodeCount": 0,
        "totalMinNodeCount": 0,
        "totalMaxNodeCount": 4,
    }
    assert pool["locationPolicy"] == "ANY"
    assert pool["gvnic"] is True
    assert pool["sandbox"] == "GVISOR"
    assert pool["kubeletConfig"] == {"cpuManagerPolicy": "static", "podPidsLimit": 4096}
    assert pool["linuxNodeConfig"] == {
        "sysctls": {"net.core.somaxconn": "4096"},
        "cgroupMode": "CGROUP_MODE_V2",
    }
    assert pool["queuedProvisioning"] is False
    assert pool["placementPolicy"] == {"type": "COMPACT", "tpuTopology": "2x2"}
    assert pool["reservationAffinity"] == {
        "consumeReservationType": "SPECIFIC_RESERVATION",
        "key": "compute.googleapis.com/reservation-name",
        "values": ["t4-reservation"],
    }
