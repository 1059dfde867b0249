"""A flaky day on GCP, against `gkeplan sandbox serve` in its own process: with 20% of calls
failing (mixed, per method family) or with someone else churning the same IAM policies, each
apply and each destroy converges in ONE run, creates nothing twice, keeps every binding's
members unique and never drops a member gkeplan does not manage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from google.api_core import exceptions as gexc

from gkeplan_emulator.clientfactory import ClientFactory

from .conftest import EXAMPLE

P = "demo-project"
TRIALS = 8
FAMILIES = ("container.*", "iam.*", "iamcredentials.*", "resourcemanager.*", "storage.*")
ENV = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}


class Server:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gkeplan", "sandbox", "serve"],
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert self.proc.stdout is not None
        self.endpoints = json.loads(self.proc.stdout.readline())
        self.http = self.endpoints["http"]

    def admin(self, path: str, body: object = None) -> object:
        url = f"{self.http}/_emulator/{path}"
        reply = requests.post(url, json=body, timeout=10) if body is not None else None
        return reply.json() if reply is not None else requests.get(url, timeout=10).json()

    def clients(self) -> ClientFactory:
        import google.oauth2.credentials

        token = requests.post(f"{self.http}/_emulator/token", json={}, timeout=5).json()["token"]
        creds = google.oauth2.credentials.Credentials(token)  # type: ignore[no-untyped-call]
        return ClientFactory(self.http, self.endpoints["grpc"], P, creds)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    s = Server()
    yield s
    s.proc.terminate()
    s.proc.wait(timeout=10)
    if s.proc.stdout is not None:
        s.proc.stdout.close()


def _run(server: Server, spec: Path, state: Path, command: str) -> tuple[int, float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [
            *(sys.executable, "-m", "gkeplan", command, str(spec), "--var", f"PROJECT_ID={P}"),
            *("--endpoint", server.http, "--state", str(state), "--auto-approve"),
        ],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=600,
    )
    return done.returncode, time.monotonic() - started, done.stdout + done.stderr


def _assert_nothing_twice(clients: ClientFactory) -> None:
    accounts = [a.email for a in clients.iam().list_service_accounts(name=f"projects/{P}")]
    assert len(accounts) == len(set(accounts))
    clusters = clients.container().list_clusters(parent=f"projects/{P}/locations/-").clusters
    assert len(clusters) <= 1 and all(len(c.node_pools) <= 1 for c in clusters)
    assert len([b.name for b in clients.storage().list_buckets()]) <= 1


def _assert_unique_members(clients: ClientFactory) -> None:
    policy = clients.projects().get_iam_policy(request={"resource": f"projects/{P}"})
    for b in policy.bindings:
        assert len(b.members) == len(set(b.members)), b.role
    bucket = clients.storage().lookup_bucket(f"{P}-models")
    if bucket is not None:
        for b in bucket.get_iam_policy(requested_policy_version=3).bindings:
            members = list(b["members"])
            assert len(members) == len(set(members)), b["role"]


class Churn(threading.Thread):
    """Someone else's tool: adds members to the project's and the bucket's policies
    (read-modify-write with the etag, as GCP requires) while gkeplan runs."""

    def __init__(self, clients: ClientFactory, trial: int) -> None:
        super().__init__(daemon=True)
        self.clients = clients
        self.trial = trial
        self.stop = threading.Event()
        self.added: set[tuple[str, str]] = set()

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            i += 1
            member = f"user:outsider-{self.trial}-{i}@example.com"
            for target in ("project", "bucket"):
                try:
                    if self._add(target, member):
                        self.added.add((target, member))
                except (gexc.GoogleAPICallError, requests.RequestException):
                    pass  # a conflict lost to gkeplan's write: someone else's problem
            self.stop.wait(0.02)

    def _add(self, target: str, member: str) -> bool:
        if target == "project":
            projects = self.clients.projects()
            policy = projects.get_iam_policy(request={"resource": f"projects/{P}"})
            policy.bindings.add(role="roles/viewer", members=[member])
            projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
            return True
        bucket = self.clients.storage().lookup_bucket(f"{P}-models")
        if bucket is None:
            return False
        policy = bucket.get_iam_policy(requested_policy_version=3)
        policy.bindings.append({"role": "roles/storage.objectViewer", "members": {member}})
        bucket.set_iam_policy(policy)
        return True

    def present(self) -> set[tuple[str, str]]:
        policy = self.clients.projects().get_iam_policy(request={"resource": f"projects/{P}"})
        out = {("project", m) for b in policy.bindings for m in b.members}
        bucket = self.clients.storage().lookup_bucket(f"{P}-models")
        if bucket is not None:
            for b in bucket.get_iam_policy(requested_policy_version=3).bindings:
                out |= {("bucket", m) for m in b["members"]}
        return out


def _faults(scenario: str, trial: int) -> list[dict[str, object]]:
    if scenario == "mixed":
        # 20% of every call: a 503, a 429, or a lost response (the call ran, its answer died)
        return [
            {"method": "*", "kind": "status", "status": 503, "probability": 0.07},
            {"method": "*", "kind": "status", "status": 429, "probability": 0.07},
            {"method": "*", "kind": "lost_response", "status": 503, "probability": 0.07},
        ]
    if scenario == "per-method":
        family = FAMILIES[trial % len(FAMILIES)]
        kind = "lost_response" if trial % 2 else "status"
        return [{"method": family, "kind": kind, "status": 503, "probability": 0.2}]
    return []


@pytest.mark.parametrize(
    "trials",
    [pytest.param(1, id="one-trial"), pytest.param(TRIALS, id="full", marks=pytest.mark.slow)],
)
@pytest.mark.parametrize("scenario", ["mixed", "per-method", "churn"])
def test_apply_and_destroy_converge_in_one_run(
    server: Server, tmp_path: Path, scenario: str, trials: int
) -> None:
    """`trials` trials of apply then destroy: TRIALS in `make test-slow`, one in `make test`."""
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text())
    times: list[float] = []
    injected = churned = 0
    for trial in range(trials):
        server.admin("reset", {})
        state = tmp_path / f"state-{trial}.json"
        clients = server.clients()
        churn = Churn(clients, trial) if scenario == "churn" else None
        if churn is not None:
            churn.start()
        # each run's draws start from a seed of its own: a trial fires the same faults whatever
        # ran before it on this server
        server.admin("faults", {"rules": _faults(scenario, trial), "seed": 2 * trial + 1})
        try:
            code, took, out = _run(server, spec, state, "apply")
            times.append(took)
            assert code == 0, f"trial {trial}: apply needed another run:\n{out}"
            server.admin("faults", {"rules": []})
            _assert_nothing_twice(clients)
            _assert_unique_members(clients)
            server.admin("faults", {"rules": _faults(scenario, trial), "seed": 2 * trial + 2})
            code, took, out = _run(server, spec, state, "destroy")
            times.append(took)
            assert code == 0, f"trial {trial}: destroy needed another run:\n{out}"
            log = server.admin("requests")
            assert isinstance(log, dict)
            injected += sum(1 for e in log["requests"] if e["status"] in (429, 503))
        finally:
            server.admin("faults", {"rules": []})
            if churn is not None:
                churn.stop.set()
                churn.join()
        _assert_unique_members(clients)
        if churn is not None:
            churned += len(churn.added)
            lost = churn.added - churn.present()
            assert not lost, f"trial {trial}: outside members lost: {sorted(lost)[:5]}"
    if scenario == "churn":
        assert churned, "no outside member was ever added: the churn proved nothing"
    else:
        assert injected, "no fault ever fired: the campaign proved nothing"
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"{scenario}: {len(times)} runs in one go each, p95 {p95:.1f}s, max {times[-1]:.1f}s, "
        f"{injected} injected faults, {churned} outside members added"
    )
