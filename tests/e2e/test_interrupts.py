"""Ctrl-C twice stops waiting and the next apply picks the operation up; a dead --endpoint
fails in seconds. Against `gkeplan sandbox serve` as a subprocess."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from gkeplan.state.local import LocalStateStore

from .conftest import EXAMPLE, apply_command

ENV = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}
OPERATION_S = 4.0  # long enough that not waiting (under half of it) is told from waiting


@pytest.fixture
def endpoint() -> Iterator[str]:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gkeplan",
            "sandbox",
            "serve",
            "--operation-seconds",
            str(OPERATION_S),
        ],
        stdout=subprocess.PIPE,
        text=True,
        env=ENV,
    )
    assert proc.stdout is not None
    yield json.loads(proc.stdout.readline())["http"]
    proc.terminate()
    proc.wait(timeout=10)
    proc.stdout.close()


def test_a_second_ctrl_c_stops_waiting_and_the_next_apply_resumes_the_operation(
    endpoint: str, tmp_path: Path
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text())
    state = tmp_path / "state.json"
    proc = subprocess.Popen(
        apply_command(endpoint, spec, state),
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert proc.stdout is not None
    seen = []
    second: float | None = None
    for line in proc.stdout:
        seen.append(line)
        if "cluster.sd-cluster: create started" in line:
            proc.send_signal(signal.SIGINT)
        if "Interrupted: finishing the calls in flight" in line:
            second = time.monotonic()
            proc.send_signal(signal.SIGINT)
            break
    rest = proc.stdout.read()
    proc.stdout.close()
    code = proc.wait(timeout=60)
    assert second is not None, "".join(seen) + rest
    waited = time.monotonic() - second
    assert code == 130, "".join(seen) + rest
    assert waited < OPERATION_S / 2, f"still waited {waited:.1f}s\n" + "".join(seen) + rest
    assert "no longer waiting for operations in flight" in rest
    doc = LocalStateStore(state).read()
    assert doc is not None
    cluster = doc.resources["cluster.sd-cluster"]
    assert cluster.status == "pending-create", "".join(seen) + rest
    assert cluster.operation and "/operations/" in cluster.operation

    final = subprocess.run(
        apply_command(endpoint, spec, state), env=ENV, capture_output=True, text=True, timeout=120
    )
    assert final.returncode == 0, final.stdout + final.stderr
    log = requests.get(f"{endpoint}/_emulator/requests", timeout=5).json()["requests"]
    creates = [e for e in log if e["method"] == "container.createCluster"]
    assert len(creates) == 1, "the cluster create was started again"
    assert [e["status"] for e in creates] == [200]
    doc = LocalStateStore(state).read()
    assert doc is not None
    assert all(r.status == "ok" and r.operation is None for r in doc.resources.values())


def _silent_listener() -> tuple[socket.socket, int]:
    """A port that takes connections and never answers (a hung or half-dead server)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, server.getsockname()[1]


@pytest.mark.parametrize("kind", ["refused", "silent"])
def test_a_dead_endpoint_fails_within_seconds_as_one_line(tmp_path: Path, kind: str) -> None:
    if kind == "refused":
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()  # bound once, now nothing listens there
        listener = None
    else:
        listener, port = _silent_listener()
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text())
    started = time.monotonic()
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "gkeplan",
                "plan",
                str(spec),
                "--var",
                "PROJECT_ID=demo-project",
                "--endpoint",
                f"http://127.0.0.1:{port}",
            ],
            env=ENV,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        if listener is not None:
            listener.close()
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert elapsed < 10, f"took {elapsed:.1f}s"
    assert "--endpoint" in result.stderr and "no gkeplan sandbox answers" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_clients_give_up_connecting_to_an_unreachable_endpoint_within_the_connect_timeout() -> None:
    """A listener whose accept queue is full drops SYNs, like a blackholed address."""
    from google.auth.credentials import AnonymousCredentials

    from gkeplan.gcp.connection import Connection, Endpoints, Timeouts

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    port = server.getsockname()[1]
    fillers = []
    for _ in range(3):
        filler = socket.socket()
        filler.setblocking(False)
        filler.connect_ex(("127.0.0.1", port))
        fillers.append(filler)
    conn = Connection(
        "demo-project",
        Endpoints(http=f"http://127.0.0.1:{port}", grpc="127.0.0.1:1"),
        AnonymousCredentials(),  # type: ignore[no-untyped-call]
        Timeouts(connect_timeout_s=1.0),
    )
    started = time.monotonic()
    try:
        with pytest.raises(requests.exceptions.ConnectTimeout):
            conn.projects().get_project(name="projects/demo-project", retry=None, timeout=60)
        with pytest.raises(requests.exceptions.ConnectTimeout):
            conn.storage().get_bucket("b", retry=None, timeout=60)
    finally:
        for s in (server, *fillers):
            s.close()
    assert time.monotonic() - started < 10  # two calls of a 60 s timeout, 1 s connects
