"""Objects through google-cloud-storage: the three upload protocols with their checksums,
downloads with ranges, listing, generations and preconditions, versioning, copy and rewrite."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import threading

import google.cloud.storage as storage
import google_crc32c
import pytest
from google.api_core import exceptions as gexc

from gkeplan_emulator import Emulator

from .conftest import BUCKET

MIB = 1024 * 1024


def _hashes(data: bytes) -> tuple[str, str]:
    crc = base64.b64encode(google_crc32c.value(data).to_bytes(4, "big")).decode()
    return crc, base64.b64encode(hashlib.md5(data).digest()).decode()


def test_small_upload_is_multipart_and_reports_gcs_hashes(bucket: storage.Bucket) -> None:
    blob = bucket.blob("models/config.json")
    blob.upload_from_string(b'{"layers": 12}', content_type="application/json")
    got = bucket.get_blob("models/config.json")
    assert got is not None
    assert (got.crc32c, got.md5_hash) == _hashes(b'{"layers": 12}')
    assert got.size == 14 and got.content_type == "application/json"
    assert got.generation == blob.generation and got.metageneration == 1
    assert got.id == f"{BUCKET}/models/config.json/{got.generation}"
    assert got.storage_class == "STANDARD"
    assert got.download_as_bytes(checksum="md5") == b'{"layers": 12}'
    assert got.download_as_bytes(checksum="crc32c") == b'{"layers": 12}'


def test_large_upload_is_resumable_and_ranges_download(
    emulator: Emulator, bucket: storage.Bucket
) -> None:
    data = os.urandom(9 * MIB)  # above 8 MiB the client uploads resumably
    blob = bucket.blob("models/weights.bin")
    before = len(emulator.requests)
    blob.upload_from_file(io.BytesIO(data), size=len(data))
    assert len(emulator.requests) - before == 2  # the session, then all bytes in one PUT
    got = bucket.get_blob("models/weights.bin")
    assert got is not None and got.size == len(data)
    assert (got.crc32c, got.md5_hash) == _hashes(data)
    assert got.download_as_bytes() == data  # the client checks crc32c of the whole object
    assert got.download_as_bytes(start=10, end=19) == data[10:20]
    assert got.download_as_bytes(start=len(data) - 5) == data[-5:]


def test_chunked_resumable_upload_answers_308_until_the_last_chunk(
    emulator: Emulator, bucket: storage.Bucket
) -> None:
    data = os.urandom(3 * MIB + 17)
    blob = bucket.blob("chunked.bin", chunk_size=MIB)  # four chunks, three 308s
    before = len(emulator.requests)
    blob.upload_from_file(io.BytesIO(data))  # size unknown: resumable, chunk by chunk
    statuses = [e.status for e in emulator.requests[before:]]
    assert statuses == [200, 308, 308, 308, 200]  # start the session, then four chunks
    assert bucket.blob("chunked.bin").download_as_bytes() == data
    assert (blob.crc32c, blob.md5_hash) == _hashes(data)


def test_list_with_prefix_delimiter_and_pages(gcs: storage.Client, bucket: storage.Bucket) -> None:
    for name in ("a/1", "a/2", "a/b/3", "a/c/4", "z"):
        bucket.blob(name).upload_from_string(name.encode())
    listing = gcs.list_blobs(BUCKET, prefix="a/", delimiter="/")
    assert [b.name for b in listing] == ["a/1", "a/2"]
    assert listing.prefixes == {"a/b/", "a/c/"}
    pages = gcs.list_blobs(BUCKET, page_size=2).pages
    assert [[b.name for b in p] for p in pages] == [["a/1", "a/2"], ["a/b/3", "a/c/4"], ["z"]]
    grouped = gcs.list_blobs(BUCKET, delimiter="/", page_size=1)
    names = [[b.name for b in p] + sorted(p.prefixes) for p in grouped.pages]
    assert names == [["a/"], ["z"]]
    assert [b.name for b in gcs.list_blobs(BUCKET, start_offset="a/b", end_offset="z")] == [
        "a/b/3",
        "a/c/4",
    ]


def test_generation_preconditions(bucket: storage.Bucket) -> None:
    blob = bucket.blob("state/default.tfstate")
    blob.upload_from_string(b"v1", if_generation_match=0)
    first = blob.generation
    with pytest.raises(
        gexc.PreconditionFailed,
        match=re.escape("At least one of the pre-conditions you specified did not hold."),
    ):
        bucket.blob("state/default.tfstate").upload_from_string(b"v2", if_generation_match=0)
    with pytest.raises(gexc.PreconditionFailed):
        bucket.blob("state/default.tfstate").upload_from_string(b"v2", if_generation_match=1)
    with pytest.raises(gexc.PreconditionFailed):
        bucket.blob("state/default.tfstate").upload_from_string(
            b"v2", if_generation_not_match=first
        )
    blob.upload_from_string(b"v2", if_generation_match=first)
    assert blob.generation is not None and first is not None and blob.generation > first
    with pytest.raises(gexc.PreconditionFailed):
        bucket.blob("state/default.tfstate").download_as_bytes(if_generation_match=first)
    with pytest.raises(gexc.PreconditionFailed):
        bucket.blob("state/default.tfstate").delete(if_generation_match=first)
    blob.metadata = {"owner": "run-1"}
    with pytest.raises(gexc.PreconditionFailed):
        blob.patch(if_metageneration_match=2)
    blob.patch(if_metageneration_match=1)
    assert blob.metageneration == 2 and blob.metadata == {"owner": "run-1"}
    with pytest.raises(gexc.NotFound, match=f"No such object: {BUCKET}/state/missing"):
        bucket.blob("state/missing").download_as_bytes()
    bucket.blob("state/default.tfstate").delete(if_generation_match=blob.generation)
    assert bucket.get_blob("state/default.tfstate") is None


def test_two_create_only_uploads_race_and_exactly_one_wins(
    gcs: storage.Client, bucket: storage.Bucket
) -> None:
    rounds, results = 20, []
    lock = threading.Lock()
    barrier = threading.Barrier(2)

    def contend(who: str, name: str) -> None:
        blob = gcs.bucket(BUCKET).blob(name)
        barrier.wait()
        try:
            blob.upload_from_string(who.encode(), if_generation_match=0)
            outcome = ("won", who)
        except gexc.PreconditionFailed:
            outcome = ("lost", who)
        with lock:
            results.append((name, *outcome))

    for i in range(rounds):
        name = f"locks/{i}.lock"
        threads = [threading.Thread(target=contend, args=(w, name)) for w in ("a", "b")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outcomes = sorted(r[1] for r in results if r[0] == name)
        assert outcomes == ["lost", "won"], name
        winner = next(r[2] for r in results if r[0] == name and r[1] == "won")
        assert bucket.blob(name).download_as_bytes() == winner.encode()


def test_resumable_create_only_uploads_race_too(
    gcs: storage.Client, bucket: storage.Bucket
) -> None:
    results: list[str] = []
    barrier = threading.Barrier(2)

    def contend(payload: bytes) -> None:
        blob = gcs.bucket(BUCKET).blob("big.lock", chunk_size=256 * 1024)
        barrier.wait()
        try:
            blob.upload_from_file(io.BytesIO(payload), if_generation_match=0)  # resumable
            results.append("won")
        except gexc.PreconditionFailed:
            results.append("lost")

    payloads = [os.urandom(600 * 1024), os.urandom(600 * 1024)]
    threads = [threading.Thread(target=contend, args=(p,)) for p in payloads]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "won"]
    assert bucket.blob("big.lock").download_as_bytes() in payloads


def test_versioned_bucket_keeps_noncurrent_versions(gcs: storage.Client) -> None:
    b = gcs.bucket("versioned-bucket")
    b.versioning_enabled = True
    b = gcs.create_bucket(b)
    b.blob("model.bin").upload_from_string(b"v1")
    b.blob("model.bin").upload_from_string(b"v2")
    versions = list(gcs.list_blobs(b, versions=True))
    assert [v.name for v in versions] == ["model.bin", "model.bin"]
    old, new = versions
    assert old.generation < new.generation
    assert old.time_deleted is not None and new.time_deleted is None
    assert b.blob("model.bin", generation=old.generation).download_as_bytes() == b"v1"
    assert [v.generation for v in gcs.list_blobs(b)] == [new.generation]
    b.blob("model.bin").delete()
    assert b.get_blob("model.bin") is None
    assert len(list(gcs.list_blobs(b, versions=True))) == 2


def test_unversioned_overwrite_replaces(gcs: storage.Client, bucket: storage.Bucket) -> None:
    bucket.blob("x").upload_from_string(b"1")
    bucket.blob("x").upload_from_string(b"2")
    assert [b.name for b in gcs.list_blobs(BUCKET, versions=True)] == ["x"]


def test_copy_and_rewrite(gcs: storage.Client, bucket: storage.Bucket) -> None:
    src = bucket.blob("src.bin")
    src.upload_from_string(b"payload", content_type="application/x-model")
    copied = bucket.copy_blob(src, bucket, "copy.bin", if_generation_match=0)
    assert copied.download_as_bytes() == b"payload"
    assert copied.content_type == "application/x-model" and copied.crc32c == src.crc32c
    dest = gcs.create_bucket("other-bucket").blob("rewritten.bin")
    token, written, total = dest.rewrite(src)
    assert (token, written, total) == (None, 7, 7)
    assert dest.download_as_bytes() == b"payload"
    with pytest.raises(gexc.PreconditionFailed):
        bucket.copy_blob(src, bucket, "copy.bin", if_generation_match=0)


def test_read_preconditions_and_ranges_past_the_end(bucket: storage.Bucket) -> None:
    blob = bucket.blob("ten.bin")
    blob.upload_from_string(b"0123456789")
    with pytest.raises(gexc.NotModified):  # GCS answers 304 to a read whose NotMatch fails
        bucket.blob("ten.bin").download_as_bytes(if_generation_not_match=blob.generation)
    with pytest.raises(gexc.RequestRangeNotSatisfiable):
        bucket.blob("ten.bin").download_as_bytes(start=10)
    assert bucket.blob("ten.bin").download_as_bytes(start=8, end=100) == b"89"


def test_an_empty_object_through_a_resumable_session(
    emulator: Emulator, bucket: storage.Bucket
) -> None:
    before = len(emulator.requests)
    bucket.blob("empty").upload_from_file(io.BytesIO(b""))  # size unknown: resumable
    assert len(emulator.requests) - before == 2
    got = bucket.get_blob("empty")
    assert got is not None and got.size == 0 and (got.crc32c, got.md5_hash) == _hashes(b"")
    assert got.download_as_bytes() == b""


def test_metadata_patch_merges_and_update_replaces(bucket: storage.Bucket) -> None:
    blob = bucket.blob("meta.bin")
    blob.upload_from_string(b"x", content_type="application/x-model")
    blob.metadata = {"a": "1", "b": "2"}
    blob.cache_control = "no-store"
    blob.patch()
    assert (blob.metageneration, blob.metadata) == (2, {"a": "1", "b": "2"})
    fresh = bucket.get_blob("meta.bin")
    assert fresh is not None and fresh.cache_control == "no-store"
    fresh.cache_control = None
    fresh.update(if_metageneration_match=2)  # PUT: what is not sent is gone
    got = bucket.get_blob("meta.bin")
    assert got is not None and got.metageneration == 3 and got.cache_control is None
    assert got.metadata == {"a": "1", "b": "2"} and got.content_type == "application/x-model"
