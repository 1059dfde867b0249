"""The harness for suites written by others (python-storage's system tests, Google's samples):
one emulator on loopback per session, and what a Google client needs to reach it.

Nothing is fetched: a suite names the checkout it runs by an environment variable
(`checkout("GKEPLAN_EXTERNAL_...")`) and is skipped, saying which variable, when it is unset.
See tests_external/README.md for how to get the checkouts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gkeplan_emulator import Emulator, EmulatorConfig
from gkeplan_emulator.clientenv import ClientEnv

PYTHON_STORAGE_VAR = "GKEPLAN_EXTERNAL_PYTHON_STORAGE"
DOCS_SAMPLES_VAR = "GKEPLAN_EXTERNAL_DOCS_SAMPLES"


def checkout(var: str) -> Path:
    """The checkout named by `var`, or a skip that says how to provide it."""
    value = os.environ.get(var)
    if not value:
        pytest.skip(f"{var} is not set: point it at the checkout (see tests_external/README.md)")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"{var}={value} is not a directory (see tests_external/README.md)")
    return path


@dataclass(frozen=True)
class RunningEmulator:
    """A running emulator as Google's clients see it.

    http: base URL of every REST API ("http://127.0.0.1:PORT"); grpc: the gRPC target
    ("127.0.0.1:PORT"; local channel credentials); project: its project; env: os.environ plus
    what `gkeplan sandbox env` prints (endpoints, project, STORAGE_EMULATOR_HOST) and the
    PYTHONPATH shim that lets `ClusterManagerClient()` with no arguments reach it, for
    subprocesses; credentials: the applier's (a project owner) for clients built in process.
    """

    emu: Emulator
    http: str
    grpc: str
    project: str
    env: dict[str, str]
    credentials: Any

    def client_env(self, **extra: str) -> dict[str, str]:
        """`env` with more variables (e.g. GKEPLAN_EMULATOR_TRANSPORT="rest")."""
        return {**self.env, **extra}


def _environment(client_env: ClientEnv) -> dict[str, str]:
    env = dict(os.environ)
    # the samples' processes ask for the shim (PYTHONPATH), as `sandbox env`'s sh says how
    env.update(client_env.python_variables(env.get("PYTHONPATH")))
    # the storage client's background metadata thread would add requests no test makes
    env.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")
    return env


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    """One emulator for the session (zero delays, the applier owns its project). Its quotas are
    a paid project's ("default"): Google's samples create regional Autopilot clusters, whose
    3 x 100 GB boot disks a Free Trial project's 250 GB SSD quota refuses, as GCP would."""
    with Emulator(EmulatorConfig(quota_profile="default")) as emu:
        http, grpc_target = emu.endpoints.http, emu.endpoints.grpc
        project = emu.config.project
        yield RunningEmulator(
            emu,
            http,
            grpc_target,
            project,
            _environment(ClientEnv(http, grpc_target, project)),
            emu.applier_credentials(),
        )
