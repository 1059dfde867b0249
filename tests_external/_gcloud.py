"""The real gcloud CLI set up against a running emulator as `gkeplan sandbox env --format
gcloud` says: its lines (a configuration gkeplan-sandbox, its properties) applied in a
CLOUDSDK_CONFIG of its own, selected with CLOUDSDK_ACTIVE_CONFIG_NAME as it says, and an
access token from the emulator in a file gcloud reads (auth/access_token_file)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from gkeplan_emulator.clientenv import GCLOUD_CONFIGURATION, ClientEnv
from tests_external.conftest import RunningEmulator

SKIP = "gcloud is not on PATH: install the Google Cloud CLI to run this test"


def gcloud_or_skip() -> str:
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        pytest.skip(SKIP)
    return gcloud


@dataclass(frozen=True)
class Gcloud:
    """gcloud bound to the emulator: run() answers the finished process, never raises."""

    binary: str
    env: dict[str, str]
    emulator: RunningEmulator
    home: Path

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, *args, "--quiet"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def ok(self, *args: str) -> str:
        """stdout of a call that must succeed (its stderr in the failure)."""
        done = self.run(*args)
        assert done.returncode == 0, f"gcloud {' '.join(args)}: {done.stderr}"
        return done.stdout

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--format=json"))

    def methods_since(self, before: int) -> list[str]:
        """The emulator's method names of the calls made since `before` (a log length)."""
        return [e.method for e in self.emulator.emu.requests[before:]]

    def mark(self) -> int:
        return len(self.emulator.emu.requests)


def configure(emulator: RunningEmulator, home: Path) -> Gcloud:
    """gcloud configured from the `gkeplan sandbox env --format gcloud` output, line by line."""
    binary = gcloud_or_skip()
    env = ClientEnv(emulator.http, emulator.grpc, emulator.project)
    config = dict(os.environ, CLOUDSDK_CONFIG=str(home / "gcloud"))
    config["KUBECONFIG"] = str(home / "kubeconfig")
    for line in env.gcloud().splitlines():  # the output as printed, applied line by line
        if line and not line.startswith("#"):
            subprocess.run(line.split(), env=config, check=True, capture_output=True, timeout=60)
    # the token, as the output's comment says: from the emulator, into a file gcloud reads
    req = urllib.request.Request(env.token_url, data=b"{}", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        (home / "token").write_text(json.load(resp)["token"])
    config["CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"] = str(home / "token")
    # the configuration it wrote, selected for these calls as its comment says
    config["CLOUDSDK_ACTIVE_CONFIG_NAME"] = GCLOUD_CONFIGURATION
    return Gcloud(binary, config, emulator, home)
