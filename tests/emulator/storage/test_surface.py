"""The storage surface Google's own samples use, through the unmodified google-cloud-storage:
compose, move, rewrite/copy preconditions, batches, globs, ETags, transcoding, dual-regions, the
project service agent, proto3 JSON numbers and nulls, 501 for what the emulator does not do, and
the STORAGE_EMULATOR_HOST convention."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator

import google.api_core.exceptions as gexc
import google.cloud.storage as storage
import pytest
import requests

from gkeplan_emulator import Emulator, EmulatorConfig

from .conftest import BUCKET


def _names(blobs: Iterator[storage.Blob]) -> list[str]:
    return [b.name for b in blobs]


def test_compose_concatenates_with_source_preconditions(bucket: storage.Bucket) -> None:
    a, b = bucket.blob("a"), bucket.blob("b")
    a.upload_from_string(b"hello ")
    b.upload_from_string(b"world")
    dest = bucket.blob("ab")
    dest.compose([a, b], if_source_generation_match=[a.generation, b.generation])
    assert dest.download_as_bytes() == b"hello world"
    assert dest.component_count == 2
    assert dest.md5_hash is None and dest.crc32c  # composite objects have no MD5
    with pytest.raises(gexc.PreconditionFailed):
        dest.compose([a, b], if_source_generation_match=[a.generation, 1])
    with pytest.raises(gexc.PreconditionFailed):
        bucket.blob("ab").compose([a, b], if_generation_match=0)  # it exists now


def test_compose_refuses_more_than_32_sources(bucket: storage.Bucket) -> None:
    part = bucket.blob("p")
    part.upload_from_string(b"x")
    with pytest.raises(gexc.BadRequest, match="exceeds the maximum"):
        bucket.blob("many").compose([part] * 33)


def test_move_renames_atomically_with_preconditions(bucket: storage.Bucket) -> None:
    src = bucket.blob("dir/src.txt")
    src.upload_from_string(b"payload")
    with pytest.raises(gexc.PreconditionFailed):
        bucket.move_blob(src, "dir/dst.txt", if_source_generation_match=src.generation + 1)
    assert bucket.get_blob("dir/src.txt") is not None  # nothing moved
    moved = bucket.move_blob(
        src,
        "dir/dst.txt",
        if_source_generation_match=src.generation,
        if_source_metageneration_match=src.metageneration,
    )
    assert moved.name == "dir/dst.txt" and moved.generation != src.generation
    assert moved.download_as_bytes() == b"payload"
    assert bucket.get_blob("dir/src.txt") is None


def test_rewrite_and_copy_honour_source_and_destination_preconditions(
    bucket: storage.Bucket,
) -> None:
    src = bucket.blob("src")
    src.upload_from_string(b"v1")
    dest = bucket.blob("dest")
    token, done, total = dest.rewrite(src, if_generation_match=0)
    assert token is None and done == total == 2
    with pytest.raises(gexc.PreconditionFailed):
        dest.rewrite(src, if_generation_match=0)
    with pytest.raises(gexc.PreconditionFailed):
        bucket.copy_blob(src, bucket, "copy", if_source_generation_match=src.generation + 1)
    copy = bucket.copy_blob(src, bucket, "copy", if_source_generation_match=src.generation)
    assert copy.download_as_bytes() == b"v1"


def test_batch_runs_each_call_and_reports_each_failure(bucket: storage.Bucket) -> None:
    gcs = bucket.client
    for name in ("x", "y"):
        bucket.blob(name).upload_from_string(b"data")
    with gcs.batch():
        for name in ("x", "y"):
            blob = bucket.blob(name)
            blob.metadata = {"batched": "yes"}
            blob.patch()
    assert bucket.get_blob("x").metadata == {"batched": "yes"}
    assert bucket.get_blob("y").metadata == {"batched": "yes"}
    with pytest.raises(gexc.NotFound), gcs.batch():
        bucket.delete_blob("x")
        bucket.delete_blob("missing")
    assert bucket.get_blob("x") is None


def test_list_match_glob_and_trailing_delimiter(bucket: storage.Bucket) -> None:
    for name in ("foo/bar", "foo/baz", "foo/foobar", "foobar", "dir/"):
        bucket.blob(name).upload_from_string(b"")
    assert _names(bucket.list_blobs(match_glob="foo*bar")) == ["foobar"]
    assert _names(bucket.list_blobs(match_glob="**/foobar")) == ["foo/foobar", "foobar"]
    assert _names(bucket.list_blobs(match_glob="*/ba[!a-y]")) == ["foo/baz"]
    assert _names(bucket.list_blobs(match_glob="foo/{foo*,*baz}")) == ["foo/baz", "foo/foobar"]
    listed = bucket.list_blobs(delimiter="/", include_trailing_delimiter=True)
    assert _names(listed) == ["dir/", "foobar"]
    assert set(listed.prefixes) == {"dir/", "foo/"}
    plain = bucket.list_blobs(delimiter="/")
    assert _names(plain) == ["foobar"]


def test_etag_if_none_match_and_if_match_on_reads(bucket: storage.Bucket) -> None:
    blob = bucket.blob("tagged")
    blob.upload_from_string(b"data")
    blob.reload()
    with pytest.raises(gexc.NotModified):
        blob.reload(if_etag_not_match=blob.etag)
    with pytest.raises(gexc.PreconditionFailed):
        blob.reload(if_etag_match="CAE=")
    blob.reload(if_etag_match=blob.etag)
    with pytest.raises(gexc.NotModified):
        bucket.reload(if_etag_not_match=bucket.etag)


def test_gzip_objects_are_served_decompressed_unless_gzip_is_accepted(
    emulator: Emulator, bucket: storage.Bucket
) -> None:
    body = b"model weights " * 100
    blob = bucket.blob("w.txt")
    blob.content_encoding = "gzip"
    blob.upload_from_string(gzip.compress(body), content_type="text/plain")
    assert blob.download_as_bytes() == gzip.compress(body) or blob.download_as_bytes() == body
    url = f"{emulator.endpoints.http}/storage/v1/b/{BUCKET}/o/w.txt?alt=media"
    plain = requests.get(url, headers={"Accept-Encoding": "identity"}, timeout=5)
    assert plain.content == body
    assert plain.headers["x-goog-stored-content-encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers and "Content-Length" not in plain.headers
    raw = requests.get(url, headers={"Accept-Encoding": "gzip"}, timeout=5, stream=True)
    assert raw.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(raw.raw.read()) == body


def test_dual_region_bucket_keeps_its_data_locations(gcs: storage.Client) -> None:
    bucket = gcs.create_bucket("dual", location="US", data_locations=["us-east1", "US-WEST1"])
    assert bucket.location == "US" and bucket.location_type == "dual-region"
    assert bucket.data_locations == ["US-EAST1", "US-WEST1"]
    with pytest.raises(gexc.BadRequest, match="exactly two"):
        gcs.create_bucket("dual-bad", location="US", data_locations=["US-EAST1"])


def test_project_service_agent(gcs: storage.Client, emulator: Emulator) -> None:
    email = gcs.get_service_account_email()
    assert email == (
        f"service-{emulator.config.project_number}@gs-project-accounts.iam.gserviceaccount.com"
    )


def test_int64_as_json_numbers_and_nulls_are_accepted(emulator: Emulator) -> None:
    url = f"{emulator.endpoints.http}/storage/v1/b?project={emulator.config.project}"
    headers = {"Authorization": f"Bearer {emulator.backend.identity.applier_token()}"}
    created = requests.post(
        url, json={"name": "nums", "labels": None, "lifecycle": None}, headers=headers, timeout=5
    )
    assert created.status_code == 200, created.text
    assert "labels" not in created.json()
    src = {"name": "a", "generation": 1}  # int64 as a JSON number, as proto3 JSON allows
    compose = requests.post(
        f"{emulator.endpoints.http}/storage/v1/b/nums/o/c/compose",
        json={"sourceObjects": [src], "destination": {"contentType": None}},
        headers=headers,
        timeout=5,
    )
    assert compose.status_code == 404  # parsed, then the source is missing: not a 400


@pytest.mark.parametrize(
    ("change", "method"),
    [
        ({"retention_period": 60}, "storage.buckets.patch"),
        ({"default_event_based_hold": True}, "storage.buckets.patch"),
        ({"default_kms_key_name": "projects/p/locations/us/keyRings/r/cryptoKeys/k"}, "patch"),
    ],
)
def test_unimplemented_bucket_settings_refuse_with_501(
    bucket: storage.Bucket, change: dict[str, object], method: str
) -> None:
    for key, value in change.items():
        setattr(bucket, key, value)
    with pytest.raises(gexc.MethodNotImplemented, match=method):
        bucket.patch()


def test_unimplemented_object_features_refuse_with_501(bucket: storage.Bucket) -> None:
    blob = bucket.blob("held")
    blob.upload_from_string(b"x")
    blob.temporary_hold = True
    with pytest.raises(gexc.MethodNotImplemented, match="temporary holds"):
        blob.patch()
    secret = bucket.blob("csek", encryption_key=b"k" * 32)
    with pytest.raises(gexc.MethodNotImplemented, match="customer-supplied encryption keys"):
        secret.upload_from_string(b"x")
    with pytest.raises(gexc.MethodNotImplemented, match=r"storage\.bucketAccessControls\.list"):
        list(bucket.acl.reload())


@pytest.fixture
def host_env(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", emulator.endpoints.http)
    return emulator


def test_storage_emulator_host_clients_act_as_the_project_owner(host_env: Emulator) -> None:
    gcs = storage.Client(project=host_env.config.project)  # no credentials at all
    bucket = gcs.create_bucket("anon-owned")
    bucket.blob("x").upload_from_string(b"ok")
    assert bucket.blob("x").download_as_bytes() == b"ok"


def test_require_auth_makes_anonymous_calls_401() -> None:
    with Emulator(EmulatorConfig(require_auth=True)) as emu:
        owner = storage.Client(
            project=emu.config.project,
            credentials=emu.applier_credentials(),
            client_options={"api_endpoint": emu.endpoints.http},
        )
        owner.create_bucket("private")
        # What google-cloud-storage sends with STORAGE_EMULATOR_HOST set: no Authorization.
        resp = requests.get(f"{emu.endpoints.http}/storage/v1/b/private", timeout=5)
        assert resp.status_code == 401
        error = json.loads(resp.text)["error"]
        assert error["errors"][0]["reason"] == "required"
        assert error["message"].startswith(
            "Anonymous caller does not have storage.buckets.get access to the Google Cloud "
            "Storage bucket."
        )
