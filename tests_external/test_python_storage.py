"""python-storage's own system tests and samples, unmodified, against the emulator.

The checkout (googleapis/python-storage at ab4997ce) comes from GKEPLAN_EXTERNAL_PYTHON_STORAGE;
nothing is fetched. Its tests run against the google-cloud-storage *installed* in this venv
(3.17.1, newer than the checkout's 3.10.1): that is the library users of `gkeplan sandbox serve`
run, so it is the one whose requests the emulator must answer; the checkout's `google/` stays off
the path. The two large data files the checkout does not carry are generated in a temporary copy
of its tests (the checkout itself is never written to).

Each suite runs in a pytest subprocess with only what Google's test runs set: the emulator host
(STORAGE_EMULATOR_HOST: the client then sends no credentials, and the emulator treats such calls
as the project owner) and project variables. Every failure must be on OUT_OF_SCOPE with a reason;
a connection-level failure (the emulator unreachable, a dropped connection) never is.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gkeplan_emulator import Emulator, EmulatorConfig

ENV_VAR = "GKEPLAN_EXTERNAL_PYTHON_STORAGE"
PROJECT = "demo-project"
# The test-only packages python-storage's suites import (its noxfile installs them).
TEST_DEPS = ("test_utils", "mock", "backoff", "google.cloud.kms", "google.cloud.pubsub")

# Out of scope per issue 12: ACLs, HMAC keys, notifications, KMS/CSEK, signed URLs and the XML
# API, retention and holds, autoclass, RPO, soft-delete restore, managed folders; and tests
# that need a real second project, a real service-account key or the internet. Keys are
# junit "classname::name" prefixes (a prefix ending in "::" covers a whole module).
OUT_OF_SCOPE: dict[str, str] = {}


@dataclass(frozen=True)
class Outcome:
    passed: list[str]
    failed: dict[str, str]  # test id -> first line of the failure
    skipped: list[str]

    @property
    def total(self) -> int:
        return len(self.passed) + len(self.failed) + len(self.skipped)


def _checkout() -> Path:
    raw = os.environ.get(ENV_VAR)
    if not raw or not Path(raw, "tests", "system").is_dir():
        pytest.skip(f"{ENV_VAR} is not set to a python-storage checkout (see tests_external)")
    missing = [m for m in TEST_DEPS if importlib.util.find_spec(m.split(".")[0]) is None]
    if missing:
        pytest.skip(f"python-storage's test packages are missing: {', '.join(missing)}")
    return Path(raw)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the checkout's tests and samples, with the two large data files made."""
    src = _checkout()
    dst = tmp_path_factory.mktemp("python-storage")
    shutil.copytree(src / "tests", dst / "tests")
    shutil.copytree(src / "samples" / "snippets", dst / "samples" / "snippets")
    data = dst / "tests" / "data"
    rng = __import__("random").Random(12)
    (data / "five-point-one-mb-file.zip").write_bytes(rng.randbytes(int(5.1 * 1024 * 1024)))
    (data / "random_9_MiB_file").write_bytes(rng.randbytes(9 * 1024 * 1024))
    return dst


@pytest.fixture(scope="module")
def storage_emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(project=PROJECT)) as emu:
        yield emu


def _env(emu: Emulator, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOOGLE_", "PYTEST_"))}
    env.update(
        STORAGE_EMULATOR_HOST=emu.endpoints.http,
        GOOGLE_CLOUD_PROJECT=PROJECT,
        MAIN_GOOGLE_CLOUD_PROJECT=PROJECT,
        # No Google credentials exist here; anything that still looks for them fails fast.
        GOOGLE_APPLICATION_CREDENTIALS=str(tmp / "no-credentials.json"),
        DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA="true",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def run_suite(emu: Emulator, cwd: Path, target: str, junit: Path) -> Outcome:
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        target,
        "-q",
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-o",
        "addopts=",
        f"--junitxml={junit}",
    ]
    subprocess.run(cmd, cwd=cwd, env=_env(emu, cwd), capture_output=True, timeout=3000)
    return parse_junit(junit)


def parse_junit(path: Path) -> Outcome:
    passed: list[str] = []
    failed: dict[str, str] = {}
    skipped: list[str] = []
    for case in ET.parse(path).getroot().iter("testcase"):
        name = f"{case.get('classname')}::{case.get('name')}"
        bad = case.find("failure")
        if bad is None:
            bad = case.find("error")
        if bad is not None:
            failed[name] = (
                (bad.get("message") or "").strip().splitlines()[0:1].pop()
                if (bad.get("message") or "").strip()
                else "(no message)"
            )
        elif case.find("skipped") is not None:
            skipped.append(name)
        else:
            passed.append(name)
    return Outcome(passed, failed, skipped)


_TRANSPORT = ("ConnectionError", "ConnectionResetError", "RemoteDisconnected", "ProtocolError")


def _check(outcome: Outcome, label: str) -> None:
    transport = {n: m for n, m in outcome.failed.items() if any(t in m for t in _TRANSPORT)}
    in_scope = {
        n: m
        for n, m in outcome.failed.items()
        if n not in transport and not any(n.startswith(k) for k in OUT_OF_SCOPE)
    }
    summary = f"{label}: {len(outcome.passed)} passed / {outcome.total}"
    print(summary)
    assert not transport, f"{summary}; transport failures: {transport}"
    assert not in_scope, f"{summary}; in-scope failures:\n" + "\n".join(
        f"{n}: {m}" for n, m in sorted(in_scope.items())
    )


def test_python_storage_system_tests(storage_emulator: Emulator, workdir: Path) -> None:
    outcome = run_suite(storage_emulator, workdir, "tests/system", workdir / "system.xml")
    _check(outcome, "python-storage system tests")


def test_python_storage_samples(storage_emulator: Emulator, workdir: Path) -> None:
    outcome = run_suite(
        storage_emulator, workdir / "samples" / "snippets", ".", workdir / "samples.xml"
    )
    _check(outcome, "python-storage samples")
