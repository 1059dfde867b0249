"""Cloud Storage through google-cloud-storage."""

from __future__ import annotations

import os
import threading

import pytest
from google.api_core import exceptions as gexc

from gkeplan.emulator import Emulator
from gkeplan.gcp.connection import Connection


def _bucket(conn: Connection, name: str = "demo-project-models", **settings: object) -> object:
    client = conn.storage()
    b = client.bucket(name)
    b.iam_configuration.uniform_bucket_level_access_enabled = True
    b.iam_configuration.public_access_prevention = "enforced"
    b.versioning_enabled = bool(settings.get("versioning"))
    b.labels = {"team": "ml"}
    b.storage_class = "NEARLINE"
    b.add_lifecycle_delete_rule(age=30)
    return client.create_bucket(b, location="us-central1")


def test_create_time_settings_come_back(conn: Connection) -> None:
    _bucket(conn)
    got = conn.storage().get_bucket("demo-project-models")
    assert got.location == "US-CENTRAL1"
    assert got.storage_class == "NEARLINE"
    assert got.iam_configuration.uniform_bucket_level_access_enabled is True
    assert got.iam_configuration.public_access_prevention == "enforced"
    assert got.labels == {"team": "ml"}
    assert [r["action"]["type"] for r in got.lifecycle_rules] == ["Delete"]


def test_uploads_downloads_and_checksums(conn: Connection) -> None:
    bucket = _bucket(conn)
    small = bucket.blob("models/small.bin")  # type: ignore[attr-defined]
    small.upload_from_string(b"weights")
    assert bucket.blob("models/small.bin").download_as_bytes() == b"weights"  # type: ignore[attr-defined]
    data = os.urandom(9 * 1024 * 1024)  # above 8 MiB: resumable, crc32c checked by the client
    big = bucket.blob("models/big.bin")  # type: ignore[attr-defined]
    big.upload_from_string(data)
    fetched = bucket.get_blob("models/big.bin")  # type: ignore[attr-defined]
    assert fetched.size == len(data)
    assert fetched.download_as_bytes(start=10, end=19) == data[10:20]
    names = [b.name for b in conn.storage().list_blobs("demo-project-models", prefix="models/")]
    assert names == ["models/big.bin", "models/small.bin"]


def test_deleting_a_non_empty_bucket_conflicts(conn: Connection) -> None:
    bucket = _bucket(conn)
    bucket.blob("x").upload_from_string(b"1")  # type: ignore[attr-defined]
    with pytest.raises(gexc.Conflict, match="not empty"):
        bucket.delete()  # type: ignore[attr-defined]


def test_create_only_uploads_race_and_exactly_one_wins(conn: Connection) -> None:
    _bucket(conn)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def upload(who: str) -> None:
        blob = conn.storage().bucket("demo-project-models").blob("state/default.lock")
        barrier.wait()
        try:
            blob.upload_from_string(who.encode(), if_generation_match=0)
            results.append("won")
        except gexc.PreconditionFailed:
            results.append("lost")

    threads = [threading.Thread(target=upload, args=(w,)) for w in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "won"]


def test_stranger_cannot_read_objects(emulator: Emulator, conn: Connection) -> None:
    bucket = _bucket(conn)
    bucket.blob("secret").upload_from_string(b"s")  # type: ignore[attr-defined]
    stranger = emulator.clients(emulator.credentials_for("user:stranger@example.com")).storage()
    with pytest.raises(gexc.Forbidden, match=r"does not have storage\.objects\.get access"):
        stranger.bucket("demo-project-models").blob("secret").download_as_bytes()
