"""Storage contract tests talk to the emulator only through the unmodified google-cloud-storage
client, built exactly as a user would build it against an endpoint."""

from __future__ import annotations

import os
from collections.abc import Callable

import google.cloud.storage as storage
import pytest

from gkeplan_emulator import Emulator

# The client's background bucket-metadata thread would add requests the tests do not make.
os.environ["DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA"] = "true"

BUCKET = "demo-project-models"
StorageFactory = Callable[..., storage.Client]


@pytest.fixture
def storage_for(emulator: Emulator) -> StorageFactory:
    """A storage client acting as `principal` (the applier, a project owner, by default)."""

    def make(principal: str | None = None, project: str | None = None) -> storage.Client:
        creds = (
            emulator.applier_credentials()
            if principal is None
            else emulator.credentials_for(principal)
        )
        return storage.Client(
            project=project or emulator.config.project,
            credentials=creds,
            client_options={"api_endpoint": emulator.endpoints.http},
        )

    return make


@pytest.fixture
def gcs(storage_for: StorageFactory) -> storage.Client:
    return storage_for()


@pytest.fixture
def bucket(gcs: storage.Client) -> storage.Bucket:
    return gcs.create_bucket(BUCKET, location="us-central1")
