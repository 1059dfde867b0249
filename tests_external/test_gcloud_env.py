"""`gkeplan sandbox env --format gcloud` used by the real gcloud CLI (if installed)."""

from __future__ import annotations

import json
from pathlib import Path

from tests_external._gcloud import configure
from tests_external.conftest import RunningEmulator


def test_gcloud_lists_clusters_through_the_endpoint_overrides(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    gcloud = configure(emulator, tmp_path)
    before = gcloud.mark()
    done = gcloud.run("container", "clusters", "list", "--location", "us-central1", "--format=json")
    assert done.returncode == 0, done.stderr
    assert isinstance(json.loads(done.stdout), list)
    assert "container.listClusters" in gcloud.methods_since(before)
