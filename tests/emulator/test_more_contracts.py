"""More of the API surface: storage body checks, bucket patch and IAM, versioning, roles,
cluster updates and failed operations, and `gkeplan sandbox serve` with a state file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan.errors import OperationFailed
from gkeplan.gcp import operations
from gkeplan.gcp.connection import Connection
from gkeplan.run.target import sandbox_timeouts
from gkeplan_emulator import Emulator, FaultRule

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-c"


def test_storage_rejects_fields_the_discovery_document_does_not_know(emulator: Emulator) -> None:
    token = emulator.issue_token(emulator.config.applier)
    resp = requests.post(
        f"{emulator.endpoints.http}/storage/v1/b?project={P}",
        json={"name": "demo-project-x", "storageClas": "STANDARD"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert resp.status_code == 400
    assert 'Unknown name "storageClas"' in resp.json()["error"]["message"]


def test_bucket_patch_metageneration_and_iam(conn: Connection) -> None:
    client = conn.storage()
    bucket = client.create_bucket("demo-project-b1", location="us-central1")
    bucket.labels = {"env": "test"}
    bucket.patch(if_metageneration_match=bucket.metageneration)
    assert client.get_bucket("demo-project-b1").labels == {"env": "test"}
    with pytest.raises(gexc.PreconditionFailed):
        bucket.patch(if_metageneration_match=1)
    policy = bucket.get_iam_policy(requested_policy_version=3)
    policy.bindings.append(
        {"role": "roles/storage.objectViewer", "members": {"user:reader@example.com"}}
    )
    bucket.set_iam_policy(policy)
    got = bucket.get_iam_policy(requested_policy_version=3)
    viewers = [b["members"] for b in got.bindings if b["role"] == "roles/storage.objectViewer"]
    assert viewers == [{"user:reader@example.com"}]
    conditional = bucket.get_iam_policy(requested_policy_version=3)
    conditional.version = 3
    conditional.bindings.append(
        {
            "role": "roles/storage.objectViewer",
            "members": {"user:c@x.io"},
            "condition": {"title": "t", "expression": "true"},
        }
    )
    with pytest.raises(gexc.PreconditionFailed, match="uniform bucket-level access"):
        bucket.set_iam_policy(conditional)


def test_versioning_keeps_noncurrent_generations(conn: Connection) -> None:
    client = conn.storage()
    bucket = client.bucket("demo-project-v")
    bucket.versioning_enabled = True
    bucket = client.create_bucket(bucket, location="us-central1")
    bucket.blob("model.bin").upload_from_string(b"v1")
    bucket.blob("model.bin").upload_from_string(b"v2")
    versions = list(client.list_blobs("demo-project-v", versions=True))
    assert len(versions) == 2
    old = min(versions, key=lambda b: b.generation)
    assert bucket.blob("model.bin", generation=old.generation).download_as_bytes() == b"v1"
    assert bucket.blob("model.bin").download_as_bytes() == b"v2"


def test_roles_come_from_the_catalog(conn: Connection) -> None:
    iam = conn.iam()
    role = iam.get_role(request={"name": "roles/container.clusterAdmin"})
    assert "container.clusters.create" in role.included_permissions
    with pytest.raises(gexc.NotFound):
        iam.get_role(request={"name": "roles/container.notARole"})
    first = iam.list_roles(request={"page_size": 50}).roles
    assert len(first) == 50


def test_cluster_updates_labels_and_a_failed_operation(
    emulator: Emulator, conn: Connection
) -> None:
    client = conn.container()
    timeouts = sandbox_timeouts()

    def wait(op: gke.Operation) -> None:
        operations.wait(client, P, "us-central1-c", op, timeouts, "test")

    pool = gke.NodePool(
        name="p", initial_node_count=1, config=gke.NodeConfig(machine_type="e2-medium")
    )
    wait(client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[pool])))
    name = f"{ZONE}/clusters/c1"
    update = gke.ClusterUpdate(desired_release_channel=gke.ReleaseChannel(channel="STABLE"))
    wait(client.update_cluster(request={"name": name, "update": update}))
    assert (
        client.get_cluster(name=name).release_channel.channel == gke.ReleaseChannel.Channel.STABLE
    )
    with pytest.raises(gexc.BadRequest, match="fingerprint mismatch"):
        client.set_labels(
            request={"name": name, "resource_labels": {"a": "b"}, "label_fingerprint": "stale"}
        )
    emulator.backend.faults.set_rules(
        [FaultRule("container.createCluster", kind="operation_error")]
    )
    op = client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c2", node_pools=[pool]))
    with pytest.raises(OperationFailed, match="does not have enough resources"):
        wait(op)
    assert client.get_cluster(name=f"{ZONE}/clusters/c2").status == gke.Cluster.Status.ERROR


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


def test_sandbox_serve_prints_endpoints_and_keeps_state_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "emulator.json"
    env = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}

    def start() -> tuple[subprocess.Popen[str], dict[str, str]]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gkeplan", "sandbox", "serve", "--state", str(state)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout is not None
        return proc, json.loads(proc.stdout.readline())

    proc, endpoints = start()
    try:
        assert endpoints["http"].startswith("http://127.0.0.1:")
        from gkeplan.gcp.sandbox import endpoint_connection

        conn = endpoint_connection(P, endpoints["http"], sandbox_timeouts())
        conn.iam().create_service_account(
            request={"name": f"projects/{P}", "account_id": "kept-account"}
        )
    finally:
        _stop(proc)
    proc, endpoints = start()
    try:
        conn = endpoint_connection(P, endpoints["http"], sandbox_timeouts())
        emails = [a.email for a in conn.iam().list_service_accounts(name=f"projects/{P}")]
        assert emails == [f"kept-account@{P}.iam.gserviceaccount.com"]
        reset = requests.post(endpoints["http"] + "/_emulator/reset", timeout=5)
        assert reset.status_code == 200
        assert list(conn.iam().list_service_accounts(name=f"projects/{P}")) == []
    finally:
        _stop(proc)
