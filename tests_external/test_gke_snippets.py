"""Google's own Kubernetes Engine samples (python-docs-samples: container/snippets and
kubernetes_engine/api-client), unmodified, run as scripts against the emulator.

The samples build `container_v1.ClusterManagerClient()` with no arguments (gRPC, Google's
default transport) and `googleapiclient.discovery.build("container", "v1")`; they reach the
emulator through the environment alone (the shim on PYTHONPATH that `gkeplan sandbox env` names, see
gkeplan_emulator/autoclient.py). Each container sample runs once per transport: the default
(gRPC) and REST (GKEPLAN_EMULATOR_TRANSPORT=rest).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests_external.conftest import DOCS_SAMPLES_VAR, RunningEmulator, checkout

LOCATION = "us-central1"
TRANSPORTS = ("grpc", "rest")


@pytest.fixture(scope="module")
def samples() -> Path:
    return checkout(DOCS_SAMPLES_VAR)


def run(emulator: RunningEmulator, script: Path, *args: str, transport: str) -> str:
    env = emulator.client_env()
    if transport == "rest":
        env["GKEPLAN_EMULATOR_TRANSPORT"] = "rest"
    done = subprocess.run(
        [sys.executable, script.name, *args],
        cwd=script.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"{script.name} {' '.join(args)} ({transport}):\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_samples_client_uses_the_transport_asked_for(
    emulator: RunningEmulator, transport: str
) -> None:
    """What `ClusterManagerClient()` builds in a sample's environment, for each run below."""
    env = emulator.client_env()
    if transport == "rest":
        env["GKEPLAN_EMULATOR_TRANSPORT"] = "rest"
    probe = (
        "from google.cloud import container_v1\n"
        "print(type(container_v1.ClusterManagerClient().transport).__name__)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    expected = (
        "ClusterManagerRestTransport" if transport == "rest" else "ClusterManagerGrpcTransport"
    )
    assert done.stdout.strip() == expected


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_create_list_and_delete_a_cluster(
    emulator: RunningEmulator, samples: Path, transport: str
) -> None:
    snippets = samples / "container" / "snippets"
    name = f"snippet-{transport}"
    project = emulator.project

    out = run(
        emulator, snippets / "create_cluster.py", project, LOCATION, name, transport=transport
    )
    assert "Successfully created cluster" in out

    listed = run(emulator, snippets / "quickstart.py", project, LOCATION, transport=transport)
    assert f"There were 1 clusters in {LOCATION} for project {project}." in listed
    assert f"- {name}" in listed

    out = run(
        emulator, snippets / "delete_cluster.py", project, LOCATION, name, transport=transport
    )
    assert "Successfully deleted cluster" in out

    listed = run(emulator, snippets / "quickstart.py", project, LOCATION, transport=transport)
    assert f"There were 0 clusters in {LOCATION} for project {project}." in listed


def test_api_client_lists_clusters_and_node_pools(emulator: RunningEmulator, samples: Path) -> None:
    """kubernetes_engine/api-client: the discovery-based client, over the v1 zonal paths. Its
    cluster is a Standard one made here (the create sample makes Autopilot clusters, whose node
    pools the emulator, like GKE, does not let callers touch)."""
    from google.cloud import container_v1 as gke

    client = gke.ClusterManagerClient(
        credentials=emulator.credentials,
        transport="rest",
        client_options={"api_endpoint": emulator.http},
    )
    parent = f"projects/{emulator.project}/locations/{LOCATION}"
    pool = gke.NodePool(
        name="default-pool",
        initial_node_count=1,
        config=gke.NodeConfig(machine_type="e2-standard-2"),
    )
    op = client.create_cluster(
        parent=parent, cluster=gke.Cluster(name="api-client", node_pools=[pool])
    )
    deadline = time.monotonic() + 30
    while op.status != gke.Operation.Status.DONE and time.monotonic() < deadline:
        op = client.get_operation(name=f"{parent}/operations/{op.name}")
    try:
        out = run(
            emulator,
            samples / "kubernetes_engine" / "api-client" / "snippets.py",
            "list_clusters_and_nodepools",
            emulator.project,
            LOCATION,
            transport="rest",
        )
        assert "Cluster: api-client, Status: RUNNING" in out
        assert " -> Pool: default-pool, Status: RUNNING, Machine Type: e2-standard-2" in out
    finally:
        client.delete_cluster(name=f"{parent}/clusters/api-client")
