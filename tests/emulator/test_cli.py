"""`gkeplan sandbox serve` as a process: endpoints on the first line, atomic state file,
restart keeps state, and the /_emulator/ admin API (state, reset, faults)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner
from google.api_core import exceptions as gexc

from gkeplan_emulator.cli import sandbox
from gkeplan_emulator.clientfactory import ClientFactory

P = "demo-project"


class Served:
    def __init__(self, proc: subprocess.Popen[str], endpoints: dict[str, Any]) -> None:
        self.proc = proc
        self.endpoints = endpoints

    def admin(self, path: str) -> str:
        return str(self.endpoints["http"]) + "/_emulator/" + path

    def clients(self) -> ClientFactory:
        import google.oauth2.credentials

        token = requests.post(self.admin("token"), json={}, timeout=5).json()["token"]
        creds = google.oauth2.credentials.Credentials(token)  # type: ignore[no-untyped-call]
        return ClientFactory(self.endpoints["http"], self.endpoints["grpc"], P, creds)


Serve = Callable[..., Served]


@pytest.fixture
def serve() -> Iterator[Serve]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> Served:
        proc = subprocess.Popen(
            [sys.executable, "-m", "gkeplan_emulator.cli", "serve", *args],
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"},
        )
        procs.append(proc)
        assert proc.stdout is not None
        return Served(proc, json.loads(proc.stdout.readline()))

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=10)
        if proc.stdout is not None:
            proc.stdout.close()


def _stop(served: Served) -> None:
    served.proc.terminate()
    assert served.proc.wait(timeout=10) == 0


def test_first_line_is_json_endpoints_on_loopback(serve: Serve) -> None:
    served = serve("--latency-profile", "fast")
    assert served.endpoints["http"].startswith("http://127.0.0.1:")
    assert served.endpoints["grpc"].startswith("127.0.0.1:")
    assert served.endpoints["project"] == P
    project = served.clients().projects().get_project(name=f"projects/{P}")
    assert project.project_id == P
    # the gRPC port serves IAM, Kubernetes Engine, Resource Manager and Secret Manager, and
    # says so
    assert served.endpoints["grpc_services"] == [
        "google.cloud.resourcemanager.v3.Projects",
        "google.cloud.secretmanager.v1.SecretManagerService",
        "google.container.v1.ClusterManager",
        "google.iam.admin.v1.IAM",
    ]
    clusters = served.clients().container_grpc().list_clusters(parent=f"projects/{P}/locations/-")
    assert list(clusters.clusters) == []
    # the http port serves the REST APIs, Artifact Registry and IAM admin among them
    assert served.endpoints["rest_apis"] == [
        "artifactregistry",
        "compute",
        "container",
        "iam",
        "iamcredentials",
        "resourcemanager",
        "secretmanager",
        "serviceusage",
        "storage",
    ]
    repos = served.clients().artifact_registry()
    assert list(repos.list_repositories(parent=f"projects/{P}/locations/us-central1")) == []


def test_state_file_is_written_atomically_and_survives_restart(
    serve: Serve, tmp_path: Path
) -> None:
    state = tmp_path / "state" / "emulator.json"
    served = serve("--state", str(state))
    clients = served.clients()
    clients.iam_admin().create_service_account(
        request={"name": f"projects/{P}", "account_id": "kept-account"}
    )
    saved = json.loads(state.read_text())  # written after the mutating call, not at exit
    assert f"kept-account@{P}.iam.gserviceaccount.com" in saved["models"]["iam"]["accounts"]
    assert [p.name for p in state.parent.iterdir()] == ["emulator.json"]  # no temp left over
    token = requests.post(served.admin("token"), json={}, timeout=5).json()["token"]
    assert token not in state.read_text()
    _stop(served)

    again = serve("--state", str(state))
    emails = [
        a.email for a in again.clients().iam_admin().list_service_accounts(name=f"projects/{P}")
    ]
    assert emails == [f"kept-account@{P}.iam.gserviceaccount.com"]
    dumped = requests.get(again.admin("state"), timeout=5).json()
    assert list(dumped["models"]["iam"]["accounts"]) == emails


def test_admin_api_sets_faults_and_resets(serve: Serve) -> None:
    served = serve()
    clients = served.clients()
    iam = clients.iam_admin()
    iam.create_service_account(request={"name": f"projects/{P}", "account_id": "to-be-reset"})
    rule = {"method": "iam.listServiceAccounts", "kind": "status", "status": 503, "count": 1}
    posted = requests.post(served.admin("faults"), json={"rules": [rule]}, timeout=5)
    assert posted.status_code == 200
    listed = requests.get(served.admin("faults"), timeout=5).json()["rules"]
    assert listed[0]["method"] == "iam.listServiceAccounts" and listed[0]["status"] == 503
    with pytest.raises(gexc.ServiceUnavailable):
        list(iam.list_service_accounts(request={"name": f"projects/{P}"}, retry=None))
    assert requests.post(served.admin("reset"), timeout=5).json() == {"reset": True}
    assert list(iam.list_service_accounts(name=f"projects/{P}")) == []


def test_unknown_quota_profile_is_a_usage_error() -> None:
    result = CliRunner().invoke(sandbox, ["serve", "--quota-profile", "no-such-profile"])
    assert result.exit_code == 2
    assert "--quota-profile" in result.output


def test_serve_lets_storage_emulator_host_clients_act_as_the_owner(serve: Serve) -> None:
    import google.cloud.storage as storage

    served = serve()
    env = {"STORAGE_EMULATOR_HOST": str(served.endpoints["http"])}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        gcs = storage.Client(project=P)  # google-cloud-storage sends no credentials here
        gcs.create_bucket("from-env").blob("x").upload_from_string(b"ok")
    url = f"{served.endpoints['http']}/storage/v1/b/from-env/o/x?alt=media"
    assert requests.get(url, timeout=5).content == b"ok"


def test_serve_require_auth_answers_anonymous_storage_calls_401(serve: Serve) -> None:
    served = serve("--require-auth")
    resp = requests.get(f"{served.endpoints['http']}/storage/v1/b?project={P}", timeout=5)
    assert resp.status_code == 401
    assert resp.json()["error"]["errors"][0]["reason"] == "required"
    token = requests.post(served.admin("token"), json={}, timeout=5).json()["token"]
    ok = requests.get(
        f"{served.endpoints['http']}/storage/v1/b?project={P}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert ok.status_code == 200


def test_serve_quota_gives_the_project_its_own_limits(serve: Serve) -> None:
    """--quota sets a limit over the profile's, per project, every region or one region, as
    Compute Engine reports them (regions.get / projects.get)."""
    from google.cloud import compute_v1

    served = serve("--quota", "NVIDIA_L4_GPUS=1", "--quota", "europe-west4/G2_CPUS=8")
    transport = "rest"
    opts = {"api_endpoint": str(served.endpoints["http"])}
    creds = served.clients().credentials

    def limits(region: str) -> dict[str, float]:
        client = compute_v1.RegionsClient(
            credentials=creds, transport=transport, client_options=opts
        )
        got = client.get(project=P, region=region)
        return {q.metric: q.limit for q in got.quotas}

    assert limits("us-central1")["NVIDIA_L4_GPUS"] == 1
    assert limits("europe-west4")["NVIDIA_L4_GPUS"] == 1
    assert limits("europe-west4")["G2_CPUS"] == 8
    assert limits("us-central1")["G2_CPUS"] == 0  # the free-trial profile's


def test_a_quota_that_is_not_metric_equals_limit_is_a_usage_error() -> None:
    result = CliRunner().invoke(sandbox, ["serve", "--quota", "NVIDIA_L4_GPUS"])
    assert result.exit_code == 2
    assert "--quota" in result.output and "METRIC=LIMIT" in result.output


def test_a_kept_state_started_for_another_project_keeps_the_first_and_owns_the_second(
    tmp_path: Path,
) -> None:
    """One sandbox directory, two specs of two projects: like one Google account with two
    projects, the caller owns both and nothing of the first is lost."""
    from gkeplan_emulator import Emulator, EmulatorConfig

    state = tmp_path / "emulator.json"
    with Emulator(EmulatorConfig(project="first-project"), state_file=state) as emu:
        emu.clients().storage().create_bucket("first-bucket")
    config = EmulatorConfig(project="second-project")
    with Emulator(config, state_file=state) as emu:
        gcs = emu.clients().storage()
        gcs.create_bucket("second-bucket")
        assert sorted(b.name for b in gcs.list_buckets(project="first-project")) == ["first-bucket"]
        assert [b.name for b in gcs.list_buckets(project="second-project")] == ["second-bucket"]


def test_serve_takes_free_tier_as_the_old_name_of_free_trial(serve: Serve) -> None:
    from google.cloud import compute_v1

    limits = []
    for profile in ("free-tier", "free-trial"):
        served = serve("--quota-profile", profile)
        client = compute_v1.RegionsClient(
            credentials=served.clients().credentials,
            transport="rest",
            client_options={"api_endpoint": str(served.endpoints["http"])},
        )
        got = client.get(project=P, region="us-central1")
        limits.append({q.metric: q.limit for q in got.quotas})
        _stop(served)
    assert limits[0] == limits[1]
    assert limits[0]["N2_CPUS"] == 8  # the Free Trial's (quota-profiles.json, sourced)
