"""Buckets through google-cloud-storage: create-time settings, names, patch/update with
metageneration preconditions, list, delete, and the GCS messages a user would read."""

from __future__ import annotations

import datetime
import re

import google.cloud.storage as storage
import pytest
from google.api_core import exceptions as gexc

from gkeplan_emulator import Emulator

from .conftest import BUCKET, StorageFactory


def _every_setting(gcs: storage.Client) -> storage.Bucket:
    b = gcs.bucket(BUCKET)
    b.storage_class = "NEARLINE"
    b.iam_configuration.uniform_bucket_level_access_enabled = True
    b.iam_configuration.public_access_prevention = "enforced"
    b.versioning_enabled = True
    b.labels = {"team": "ml", "env": "dev"}
    b.add_lifecycle_delete_rule(age=30)
    b.add_lifecycle_set_storage_class_rule("COLDLINE", age=90, matches_prefix=["logs/"])
    return gcs.create_bucket(b, location="us-central1")


def test_every_create_time_setting_comes_back_from_get(gcs: storage.Client) -> None:
    created = _every_setting(gcs)
    got = gcs.get_bucket(BUCKET)
    assert got.location == "US-CENTRAL1"
    assert got.location_type == "region"
    assert got.storage_class == "NEARLINE"
    assert got.iam_configuration.uniform_bucket_level_access_enabled is True
    locked = got.iam_configuration.uniform_bucket_level_access_locked_time
    assert isinstance(locked, datetime.datetime)
    assert got.time_created is not None
    assert locked - got.time_created == datetime.timedelta(days=90)
    assert got.iam_configuration.public_access_prevention == "enforced"
    assert got.versioning_enabled is True
    assert got.labels == {"team": "ml", "env": "dev"}
    assert [dict(r) for r in got.lifecycle_rules] == [
        {"action": {"type": "Delete"}, "condition": {"age": 30}},
        {
            "action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
            "condition": {"age": 90, "matchesPrefix": ["logs/"]},
        },
    ]
    assert got.metageneration == 1 and got.etag == "CAE="
    assert got.project_number == 123456789012
    assert got.id == BUCKET and got._properties["kind"] == "storage#bucket"
    assert created._properties == got._properties


def test_defaults_are_gcs_defaults(gcs: storage.Client) -> None:
    got = gcs.create_bucket("plain-bucket")
    assert (got.location, got.location_type, got.storage_class) == (
        "US",
        "multi-region",
        "STANDARD",
    )
    assert got.iam_configuration.uniform_bucket_level_access_enabled is False
    assert got.iam_configuration.public_access_prevention == "inherited"
    assert got.versioning_enabled is False
    assert got.labels == {}


def test_a_name_you_own_and_a_name_someone_else_owns_conflict_differently(
    emulator: Emulator, storage_for: StorageFactory, gcs: storage.Client
) -> None:
    gcs.create_bucket(BUCKET)
    with pytest.raises(gexc.Conflict, match="you already own it"):
        gcs.create_bucket(BUCKET)
    stranger = "user:other-team@example.com"
    emulator.backend.models["projects"].ensure("other-project", "210987654321")
    emulator.backend.policies.grant(
        "//cloudresourcemanager.googleapis.com/projects/other-project",
        "roles/owner",
        stranger,
        emulator.backend.clock.now(),
    )
    other = storage_for(stranger, project="other-project")
    with pytest.raises(gexc.Conflict, match="The bucket namespace is shared by all users"):
        other.create_bucket(BUCKET)
    other.create_bucket("other-project-data")
    assert [b.name for b in other.list_buckets()] == ["other-project-data"]
    assert [b.name for b in gcs.list_buckets()] == [BUCKET]


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "Upper-Case",
        "goog-bucket",
        "my-google-bucket",
        "192.168.5.4",
        "a" * 64,
        "has space",
        "dots..together",
    ],
)
def test_bucket_names_follow_gcs_rules(gcs: storage.Client, name: str) -> None:
    with pytest.raises(gexc.BadRequest, match=f"Invalid bucket name: '{name}'"):
        gcs.create_bucket(name)


def test_dotted_names_may_be_longer(gcs: storage.Client) -> None:
    name = ".".join(["a" * 60] * 3)
    assert gcs.create_bucket(name).name == name


def test_unknown_and_mistyped_fields_are_refused_like_the_json_api(gcs: storage.Client) -> None:
    b = gcs.bucket("typo-bucket")
    b._patch_property("storageKlass", "STANDARD")  # as a newer client might send
    with pytest.raises(gexc.BadRequest, match='Unknown name "storageKlass": Cannot find field'):
        b.create()
    b = gcs.bucket("typo-bucket")
    b._patch_property("iamConfiguration", {"uniformBucketLevelAccess": {"enable": True}})
    with pytest.raises(
        gexc.BadRequest,
        match=re.escape(
            "Unknown name \"enable\" at 'iam_configuration.uniform_bucket_level_access'"
        ),
    ):
        b.create()
    b = gcs.bucket("typo-bucket")
    b._patch_property("versioning", {"enabled": "yes"})
    with pytest.raises(
        gexc.BadRequest, match=r"Invalid value at 'versioning.enabled' \(TYPE_BOOL\)"
    ):
        b.create()


def test_invalid_settings_are_refused(gcs: storage.Client) -> None:
    with pytest.raises(gexc.BadRequest, match="Invalid storage class: 'FAST'"):
        b = gcs.bucket("settings-bucket")
        b.storage_class = "FAST"
        b.create()
    with pytest.raises(gexc.BadRequest, match="Invalid location: 'moon'"):
        gcs.create_bucket("settings-bucket", location="moon")
    b = gcs.bucket("settings-bucket")
    b.iam_configuration.public_access_prevention = "sometimes"
    with pytest.raises(gexc.BadRequest, match="publicAccessPrevention"):
        b.create()


def test_patch_and_update_honour_metageneration_preconditions(
    gcs: storage.Client, bucket: storage.Bucket
) -> None:
    bucket.labels = {"a": "1"}
    bucket.patch(if_metageneration_match=1)
    assert bucket.metageneration == 2 and bucket.labels == {"a": "1"}
    bucket.labels = {"b": "2"}  # the client sends {"a": null, "b": "2"}: a merge patch
    with pytest.raises(gexc.PreconditionFailed, match="pre-conditions you specified did not hold"):
        bucket.patch(if_metageneration_match=1)
    bucket.patch(if_metageneration_match=2)
    assert gcs.get_bucket(BUCKET).labels == {"b": "2"}
    fresh = gcs.get_bucket(BUCKET)
    fresh.versioning_enabled = True
    fresh.iam_configuration.uniform_bucket_level_access_enabled = True
    fresh.update(if_metageneration_match=3)
    got = gcs.get_bucket(BUCKET)
    assert got.metageneration == 4 and got.versioning_enabled is True
    assert got.iam_configuration.uniform_bucket_level_access_enabled is True
    assert got.location == "US-CENTRAL1"  # location cannot change
    with pytest.raises(gexc.PreconditionFailed):
        gcs.get_bucket(BUCKET, if_metageneration_match=3)
    with pytest.raises(gexc.PreconditionFailed):
        got.delete(if_metageneration_match=3)


def test_list_by_project_with_prefix_and_pages(gcs: storage.Client) -> None:
    for name in ("team-a-1", "team-a-2", "team-b-1"):
        gcs.create_bucket(name)
    assert [b.name for b in gcs.list_buckets(prefix="team-a")] == ["team-a-1", "team-a-2"]
    pages = gcs.list_buckets(page_size=2).pages
    assert [[b.name for b in page] for page in pages] == [["team-a-1", "team-a-2"], ["team-b-1"]]


def test_a_bucket_with_objects_or_old_versions_cannot_be_deleted(
    gcs: storage.Client,
) -> None:
    b = gcs.bucket(BUCKET)
    b.versioning_enabled = True
    b = gcs.create_bucket(b)
    blob = b.blob("model.bin")
    blob.upload_from_string(b"v1")
    with pytest.raises(
        gexc.Conflict, match=re.escape("The bucket you tried to delete is not empty.")
    ):
        b.delete()
    b.blob("model.bin").delete()  # no generation, versioned: it stays, noncurrent
    with pytest.raises(gexc.Conflict, match="not empty"):
        b.delete()
    (old,) = b.list_blobs(versions=True)
    b.blob("model.bin", generation=old.generation).delete()
    b.delete()
    with pytest.raises(gexc.NotFound, match=re.escape("The specified bucket does not exist.")):
        gcs.get_bucket(BUCKET)
    assert gcs.lookup_bucket(BUCKET) is None


def test_clearing_labels_and_lifecycle_removes_them(bucket: storage.Bucket) -> None:
    bucket.labels = {"a": "1"}
    bucket.add_lifecycle_delete_rule(age=1)
    bucket.patch()
    bucket.labels = {}
    bucket.clear_lifecycle_rules()
    bucket.patch()
    assert "labels" not in bucket._properties and "lifecycle" not in bucket._properties
