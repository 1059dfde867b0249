"""Live quotas and the API preflight against the emulator's Compute Engine (projects.get,
regions.get) and Service Usage (services:batchGet), through Google's client libraries."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.cloud import container_v1 as gke

import gkeplan
from gkeplan.errors import PolicyRefused
from gkeplan.gcp import quotas
from gkeplan.gcp.sandbox import connection_for
from gkeplan.run import plan
from gkeplan.run.preflight import ServicesDisabled, check_live_quotas, require_services
from gkeplan_emulator import Emulator, EmulatorConfig

from .helpers import edit

N2_8 = edit("        machineType: e2-standard-2\n", "        machineType: n2-standard-8\n")
ZONE = "projects/demo-project/locations/us-central1-c"


def _busy(emu: Emulator) -> None:
    """Something outside the spec already runs one n2-standard-4 node (4 of 8 N2 vCPUs)."""
    emu.clients().container().create_cluster(
        parent=ZONE,
        cluster=gke.Cluster(
            name="other",
            node_pools=[
                gke.NodePool(
                    name="p",
                    initial_node_count=1,
                    config=gke.NodeConfig(machine_type="n2-standard-4", disk_size_gb=50),
                )
            ],
            private_cluster_config=gke.PrivateClusterConfig(enable_private_nodes=True),
        ),
    )


def test_the_emulator_reports_limits_and_what_its_nodes_use() -> None:
    with Emulator(EmulatorConfig()) as emu:
        _busy(emu)
        live = quotas.read(connection_for(emu), ["us-central1"])
    assert live[("us-central1", "N2_CPUS")] == quotas.Quota(8.0, 4.0)
    assert live[("us-central1", "SSD_TOTAL_GB")] == quotas.Quota(250.0, 50.0)
    assert live[("", "CPUS_ALL_REGIONS")] == quotas.Quota(12.0, 4.0)


def test_a_plan_that_fits_the_limit_but_not_the_headroom_is_refused(tmp_path: Path) -> None:
    spec = gkeplan.load_spec(N2_8 + "policy:\n  quotaProfile: live\n", {}, environ={})
    made = plan(
        spec,
        target=gkeplan.Target(sandbox=True, sandbox_dir=tmp_path / "sb"),
        state_path=str(tmp_path / "state.json"),
    )
    with Emulator(EmulatorConfig()) as emu:
        conn = connection_for(emu)
        assert check_live_quotas(conn, spec, made) == []  # 8 of 8 free: it fits
        _busy(emu)
        with pytest.raises(PolicyRefused, match=r"the project has 4 left \(quota 8, in use 4"):
            check_live_quotas(conn, spec, made)


def test_a_disabled_api_in_the_emulator_stops_the_run() -> None:
    config = EmulatorConfig(disabled_services=frozenset({"container.googleapis.com"}))
    with Emulator(config) as emu, pytest.raises(ServicesDisabled) as stopped:
        require_services(connection_for(emu))
    assert str(stopped.value) == (
        "container.googleapis.com is not enabled in project demo-project; enable it with: "
        "gcloud services enable container.googleapis.com --project demo-project"
    )
    with Emulator(EmulatorConfig()) as emu:
        require_services(connection_for(emu), live_quotas=True)  # all enabled: no error
