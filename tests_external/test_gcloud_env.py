"""`gkeplan sandbox env --format gcloud` used by the real gcloud CLI (if installed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import urllib.request
from pathlib import Path

import pytest

from gkeplan_emulator.clientenv import ClientEnv
from tests_external.conftest import RunningEmulator


def test_gcloud_lists_clusters_through_the_endpoint_overrides(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        pytest.skip("gcloud is not on PATH: install the Google Cloud CLI to run this test")
    env = ClientEnv(emulator.http, emulator.grpc, emulator.project)
    config = dict(os.environ, CLOUDSDK_CONFIG=str(tmp_path / "gcloud"))
    for line in env.gcloud().splitlines():  # the output as printed, applied line by line
        if line and not line.startswith("#"):
            subprocess.run(line.split(), env=config, check=True, capture_output=True, timeout=60)
    # the token, as the output's comment says: from the emulator, into a file gcloud reads
    req = urllib.request.Request(env.token_url, data=b"{}", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        (tmp_path / "token").write_text(json.load(resp)["token"])
    config["CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"] = str(tmp_path / "token")
    before = len(emulator.emu.requests)
    done = subprocess.run(
        [gcloud, "container", "clusters", "list", "--location", "us-central1", "--format=json"],
        env=config,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)
    assert "container.listClusters" in [e.method for e in emulator.emu.requests[before:]]
