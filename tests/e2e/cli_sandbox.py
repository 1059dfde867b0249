"""The CLI against `gkeplan sandbox serve` in its own process, as a person at a terminal uses it:
one server per test module, reset before each test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner, Result

from gkeplan.cli import cli
from gkeplan.gcp.connection import Connection
from gkeplan.gcp.sandbox import endpoint_connection
from gkeplan.run.target import sandbox_timeouts

from .conftest import EXAMPLE

ENV = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}
BUCKET = "demo-project-models"
CLUSTER = "projects/demo-project/locations/us-central1-c/clusters/sd-cluster"


class Sandbox:
    """One `gkeplan sandbox serve` process, reset before each test."""

    def __init__(self, *options: str) -> None:
        self.proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "gkeplan", "sandbox", "serve"),
                *("--operation-seconds", "0.05", *options),
            ],
            stdout=subprocess.PIPE,
            text=True,
            env=ENV,
        )
        assert self.proc.stdout is not None
        self.http: str = json.loads(self.proc.stdout.readline())["http"]

    def conn(self) -> Connection:
        return endpoint_connection("demo-project", self.http, sandbox_timeouts())

    def requests(self) -> list[dict[str, Any]]:
        """gkeplan's calls (the admin API's own, these reads included, left out)."""
        log: list[dict[str, Any]] = requests.get(
            self.http + "/_emulator/requests", timeout=10
        ).json()["requests"]
        return [e for e in log if not e["method"].startswith("admin.")]

    def reset(self) -> None:
        requests.post(self.http + "/_emulator/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    sandbox = Sandbox()
    yield sandbox
    sandbox.stop()


class User:
    """A person at a terminal in a fresh directory, running gkeplan against the sandbox."""

    def __init__(self, sandbox: Sandbox, tmp: Path) -> None:
        self.sandbox = sandbox
        self.tmp = tmp
        self.spec = tmp / "spec.yaml"
        self.state = tmp / "state.json"
        self.write(EXAMPLE.read_text())

    def write(self, text: str) -> Path:
        self.spec.write_text(text)
        return self.spec

    def run(self, *args: str, state: bool = True, endpoint: bool = True) -> Result:
        argv = list(args)
        if endpoint:
            argv += ["--endpoint", self.sandbox.http]
        if state:
            argv += ["--state", str(self.state)]
        return CliRunner().invoke(cli, argv, catch_exceptions=False)

    def apply(self, *extra: str) -> Result:
        return self.run(
            "apply", str(self.spec), "--var", "PROJECT_ID=demo-project", "--auto-approve", *extra
        )

    def plan(self, *extra: str) -> Result:
        return self.run("plan", str(self.spec), "--var", "PROJECT_ID=demo-project", *extra)

    def destroy(self, *extra: str) -> Result:
        return self.run(
            "destroy", str(self.spec), "--var", "PROJECT_ID=demo-project", "--auto-approve", *extra
        )


@pytest.fixture
def user(server: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> User:
    server.reset()
    monkeypatch.chdir(tmp_path)
    return User(server, tmp_path)


def use_gcs_state(user: User) -> None:
    """The example with `state: {backend: gcs, bucket: demo-project-tfstate, prefix: ml}`,
    and that bucket made (versioned, as SB020 wants)."""
    storage = user.sandbox.conn().storage()
    bucket = storage.bucket("demo-project-tfstate")
    bucket.versioning_enabled = True
    bucket.iam_configuration.uniform_bucket_level_access_enabled = True
    storage.create_bucket(bucket, location="us-central1")
    user.write(
        EXAMPLE.read_text().replace(
            "policy:\n",
            "state: {backend: gcs, bucket: demo-project-tfstate, prefix: ml}\n\npolicy:\n",
            1,
        )
    )
