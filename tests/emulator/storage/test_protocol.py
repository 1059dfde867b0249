"""The wire protocol below the client: media uploads, checksum refusals, the JSON API error
envelope, injected 429s, and the model's dump/load for `--state`."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import google.cloud.storage as storage
import google_crc32c
import pytest
from google.api_core import exceptions as gexc
from google.auth.transport.requests import AuthorizedSession

from gkeplan_emulator import Emulator, EmulatorConfig, FaultRule

from .conftest import BUCKET

WRONG_CRC = "AAAAAA=="


@pytest.fixture
def http(emulator: Emulator) -> Iterator[AuthorizedSession]:
    session = AuthorizedSession(emulator.applier_credentials())  # type: ignore[no-untyped-call]
    yield session
    session.close()  # type: ignore[no-untyped-call]


def _upload_url(emulator: Emulator, kind: str, name: str = "") -> str:
    url = f"{emulator.endpoints.http}/upload/storage/v1/b/{BUCKET}/o?uploadType={kind}"
    return url + (f"&name={name}" if name else "")


def test_simple_media_upload(
    emulator: Emulator, http: AuthorizedSession, bucket: storage.Bucket
) -> None:
    resp = http.post(
        _upload_url(emulator, "media", "raw.txt"),
        data=b"raw",
        headers={"Content-Type": "text/plain"},
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["name"] == "raw.txt" and body["size"] == "3" and body["contentType"] == "text/plain"
    assert isinstance(body["generation"], str) and body["metageneration"] == "1"
    assert bucket.blob("raw.txt").download_as_bytes() == b"raw"


def test_multipart_with_a_wrong_crc32c_is_refused(
    emulator: Emulator, http: AuthorizedSession, bucket: storage.Bucket
) -> None:
    boundary = "==0=="
    meta = json.dumps({"name": "bad.bin", "crc32c": WRONG_CRC})
    body = (
        (
            f"--{boundary}\r\ncontent-type: application/json; charset=UTF-8\r\n\r\n{meta}\r\n"
            f"--{boundary}\r\ncontent-type: application/octet-stream\r\n\r\n"
        ).encode()
        + b"data\r\n\x00\xff"
        + f"\r\n--{boundary}--".encode()
    )
    resp = http.post(
        _upload_url(emulator, "multipart"),
        data=body,
        headers={"Content-Type": f'multipart/related; boundary="{boundary}"'},
    )
    assert resp.status_code == 400
    actual = base64.b64encode(google_crc32c.value(b"data\r\n\x00\xff").to_bytes(4, "big")).decode()
    assert resp.json()["error"]["message"] == (
        f'Provided CRC32C "{WRONG_CRC}" doesn\'t match calculated CRC32C "{actual}".'
    )
    assert bucket.get_blob("bad.bin") is None


def test_resumable_final_chunk_checksum_is_verified(
    emulator: Emulator, http: AuthorizedSession, bucket: storage.Bucket
) -> None:
    start = http.post(_upload_url(emulator, "resumable"), json={"name": "r.bin"})
    session_uri = start.headers["Location"]
    part = http.put(session_uri, data=b"abc", headers={"Content-Range": "bytes 0-2/*"})
    assert (part.status_code, part.headers["Range"]) == (308, "bytes=0-2")
    status = http.put(session_uri, data=b"", headers={"Content-Range": "bytes */*"})
    assert (status.status_code, status.headers["Range"]) == (308, "bytes=0-2")
    last = http.put(
        session_uri,
        data=b"def",
        headers={"Content-Range": "bytes 3-5/6", "x-goog-hash": f"crc32c={WRONG_CRC}"},
    )
    assert last.status_code == 400
    assert "doesn't match calculated CRC32C" in last.json()["error"]["message"]
    assert bucket.get_blob("r.bin") is None


def test_errors_use_the_json_api_envelope(emulator: Emulator, http: AuthorizedSession) -> None:
    resp = http.get(f"{emulator.endpoints.http}/storage/v1/b/no-such-bucket/o/x")
    assert resp.status_code == 404
    error = resp.json()["error"]
    assert error["code"] == 404
    assert error["message"] == "The specified bucket does not exist."
    assert error["errors"] == [
        {
            "message": "The specified bucket does not exist.",
            "domain": "global",
            "reason": "notFound",
        }
    ]


def test_injected_429_raises_too_many_requests(emulator: Emulator, bucket: storage.Bucket) -> None:
    bucket.blob("hot").upload_from_string(b"x")
    emulator.backend.faults.set_rules([FaultRule("storage.objects.get", status=429, count=1)])
    with pytest.raises(gexc.TooManyRequests):
        bucket.blob("hot").download_as_bytes(retry=None)
    assert bucket.blob("hot").download_as_bytes(retry=None) == b"x"


def test_dump_and_load_keep_buckets_objects_and_versions(
    emulator: Emulator, gcs: storage.Client
) -> None:
    b = gcs.bucket("kept-bucket")
    b.versioning_enabled = True
    b.labels = {"k": "v"}
    b = gcs.create_bucket(b, location="europe-west4")
    b.blob("a/b.bin").upload_from_string(b"\x00\x01old")
    b.blob("a/b.bin").upload_from_string(b"\x00\x01new")
    dumped = json.loads(json.dumps(emulator.backend.dump()))  # what --state writes
    with Emulator(EmulatorConfig()) as second:
        second.backend.load(dumped)
        other = storage.Client(
            project="demo-project",
            credentials=second.applier_credentials(),
            client_options={"api_endpoint": second.endpoints.http},
        )
        got = other.get_bucket("kept-bucket")
        before = gcs.get_bucket("kept-bucket")._properties
        assert {k: v for k, v in got._properties.items() if k != "selfLink"} == {
            k: v
            for k, v in before.items()
            if k != "selfLink"  # links name the new port
        }
        versions = list(other.list_blobs("kept-bucket", versions=True))
        assert [v.download_as_bytes() for v in versions] == [b"\x00\x01old", b"\x00\x01new"]
        with pytest.raises(gexc.PreconditionFailed):
            got.blob("a/b.bin").upload_from_string(b"x", if_generation_match=0)
        newer = got.blob("a/b.bin")
        newer.upload_from_string(b"newest")
        assert newer.generation is not None and newer.generation > versions[-1].generation
