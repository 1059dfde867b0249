"""Several gkeplan processes on one GCS state, against `gkeplan sandbox serve`."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from gkeplan.gcp.sandbox import endpoint_connection
from gkeplan.run.target import sandbox_timeouts
from gkeplan.state.gcs import GcsStateStore
from gkeplan.state.model import StateDoc

from .conftest import EXAMPLE

STATE = "gs://demo-project-tfstate/ml-cluster"
ENV = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}


class Server:
    """`operation_seconds`: 1 where two runs must overlap (an apply outlasts the other's
    start-up); the modules that only lose responses take it small."""

    def __init__(self, tmp: Path, operation_seconds: float = 1.0) -> None:
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "gkeplan", "sandbox", "serve"),
                *("--operation-seconds", str(operation_seconds)),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert self.proc.stdout is not None
        self.http = json.loads(self.proc.stdout.readline())["http"]
        conn = endpoint_connection("demo-project", self.http, sandbox_timeouts())
        self.storage = conn.storage()
        self.fresh(tmp)

    def fresh(self, tmp: Path) -> None:
        """An empty project again (the admin API's reset: no faults, an empty log) holding
        only the versioned state bucket, and the example spec in `tmp`."""
        requests.post(f"{self.http}/_emulator/reset", json={}, timeout=10).raise_for_status()
        bucket = self.storage.bucket("demo-project-tfstate")
        bucket.versioning_enabled = True
        bucket.iam_configuration.uniform_bucket_level_access_enabled = True
        self.storage.create_bucket(bucket, location="us-central1")
        self.spec = tmp / "spec.yaml"
        self.spec.write_text(EXAMPLE.read_text())

    def cmd(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "gkeplan", *args, "--endpoint", self.http, "--state", STATE]

    def apply(self, *extra: str) -> list[str]:
        return self.cmd(
            "apply", str(self.spec), "--var", "PROJECT_ID=demo-project", "--auto-approve", *extra
        )

    def run(self, argv: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            argv, capture_output=True, text=True, env=ENV, timeout=180, check=False
        )

    def versions(self) -> list[StateDoc]:
        store = GcsStateStore(self.storage, "demo-project-tfstate", "ml-cluster")
        return [StateDoc.from_json(data.decode()) for _, data in store.versions()]

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture(scope="module")
def _server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for all the tests of a module (the modules that import this fixture get
    their own); each test starts from `Server.fresh`."""
    s = Server(tmp_path_factory.mktemp("sandbox"))
    yield s
    s.close()


@pytest.fixture
def server(_server: Server, tmp_path: Path) -> Server:
    _server.fresh(tmp_path)
    return _server


def test_two_applies_at_once_exactly_one_proceeds(server: Server) -> None:
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(server.run, [server.apply(), server.apply()]))
    codes = sorted(r.returncode for r in results)
    assert codes == [0, 1], [r.stdout + r.stderr for r in results]
    loser = next(r for r in results if r.returncode == 1)
    assert re.search(
        r"state gs://demo-project-tfstate/ml-cluster/default\.gkstate is locked by "
        r"\S+ \(apply, started \d+ s ago, pid \d+, lock id [0-9a-f-]{36}\)",
        loser.stderr,
    ), loser.stderr


def test_with_a_lock_timeout_the_second_waits_then_finds_nothing_to_do(server: Server) -> None:
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(server.run, [server.apply("--lock-timeout", "2m")] * 2))
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    assert sum("Apply complete! Resources: 10 added" in r.stdout for r in results) == 1
    assert sum("No changes." in r.stdout for r in results) == 1


def test_killed_holder_leaves_a_lock_that_force_unlock_clears(server: Server) -> None:
    proc = subprocess.Popen(
        server.apply(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=ENV
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if "cluster.sd-cluster: create started" in line:
            break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    blocked = server.run(server.apply())
    assert blocked.returncode == 1
    lock_id = re.search(r"lock id ([0-9a-f-]{36})", blocked.stderr)
    assert lock_id, blocked.stderr
    wrong = server.run(server.cmd("force-unlock", "00000000-0000-0000-0000-000000000000"))
    assert wrong.returncode == 1 and "the current lock has id" in wrong.stderr
    freed = server.run(server.cmd("force-unlock", lock_id.group(1)))
    assert freed.returncode == 0, freed.stderr
    final = server.run(server.apply())
    assert final.returncode == 0, final.stdout + final.stderr
    again = server.run(
        server.cmd(
            "plan", str(server.spec), "--var", "PROJECT_ID=demo-project", "--detailed-exitcode"
        )
    )
    assert again.returncode == 0, again.stdout + again.stderr


def test_an_injected_412_on_the_state_write_never_overwrites(server: Server) -> None:
    assert server.run(server.apply()).returncode == 0
    before = server.versions()
    # the first insert is the lock object; the second, a state write
    rule = {
        "method": "storage.objects.insert",
        "kind": "status",
        "status": 412,
        "count": 1,
        "skip": 1,
    }
    requests.post(f"{server.http}/_emulator/faults", json={"rules": [rule]}, timeout=5)
    server.spec.write_text(EXAMPLE.read_text().replace("GKE Node Service Account", "Nodes"))
    refused = server.run(server.apply())
    assert refused.returncode == 1
    assert "was written by someone else since gkeplan read it" in refused.stdout + refused.stderr
    assert [v.serial for v in server.versions()] == [v.serial for v in before]
    assert server.run(server.apply()).returncode == 0
    latest = server.versions()[-1]
    assert latest.resources["serviceAccount.gke-node"].attributes["displayName"] == "Nodes"


@pytest.mark.parametrize(
    "runs", [pytest.param(10, id="ten"), pytest.param(50, id="fifty", marks=pytest.mark.slow)]
)
def test_concurrent_runs_leave_versions_that_parse_with_growing_serials(
    server: Server, runs: int
) -> None:
    """`runs` plans and applies, five at a time, on one state: fifty in `make test-slow`, ten
    (the same assertions, scaled) in `make test`. Not fewer: with five, all at once, a draw of
    mostly 0 s lock timeouts leaves one run to succeed, and the case proves nothing."""
    rng = random.Random(50)
    names = ["GKE Node Service Account", "Nodes A", "Nodes B"]

    def one(i: int) -> int:
        spec = server.spec.with_name(f"spec-{i}.yaml")
        spec.write_text(EXAMPLE.read_text().replace("GKE Node Service Account", rng.choice(names)))
        verb = rng.choice(["plan", "apply"])
        argv = server.cmd(
            verb,
            str(spec),
            "--var",
            "PROJECT_ID=demo-project",
            "--lock-timeout",
            rng.choice(["0s", "20s"]),
            *(["--auto-approve"] if verb == "apply" else []),
        )
        return server.run(argv).returncode

    start = time.monotonic()
    with ThreadPoolExecutor(5) as pool:
        codes = list(pool.map(one, range(runs)))
    assert set(codes) <= {0, 1}
    assert codes.count(0) > runs // 5, "nearly every run failed; the test proves nothing"
    versions = server.versions()
    assert versions, "no state was ever written"
    serials = [v.serial for v in versions]
    assert serials == sorted(serials) and len(set(serials)) == len(serials)
    assert len({v.lineage for v in versions}) == 1
    assert time.monotonic() - start < 300
