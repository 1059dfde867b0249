"""Bucket IAM through google-cloud-storage: the default policy, etags, conditions (only with
uniform bucket-level access and policy version 3, as GCS requires), testIamPermissions, and
the denials a principal without a grant sees."""

from __future__ import annotations

import re

import google.cloud.storage as storage
import pytest
from google.api_core import exceptions as gexc

from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock

from .conftest import BUCKET, StorageFactory

STRANGER = "user:stranger@example.com"
DENIED_GET = (
    "stranger@example.com does not have storage.objects.get access to the Google Cloud Storage "
    "object. Permission 'storage.objects.get' denied on resource (or it may not exist)."
)
CONDITION = {"title": "models-only", "expression": 'resource.name.startsWith("models/")'}


def test_a_new_bucket_grants_the_project_by_legacy_roles(bucket: storage.Bucket) -> None:
    policy = bucket.get_iam_policy()
    assert policy.version == 1 and policy.etag
    assert policy.bindings == [
        {
            "role": "roles/storage.legacyBucketOwner",
            "members": {"projectEditor:demo-project", "projectOwner:demo-project"},
        },
        {"role": "roles/storage.legacyBucketReader", "members": {"projectViewer:demo-project"}},
        {
            "role": "roles/storage.legacyObjectOwner",
            "members": {"projectEditor:demo-project", "projectOwner:demo-project"},
        },
        {"role": "roles/storage.legacyObjectReader", "members": {"projectViewer:demo-project"}},
    ]


def test_grants_take_effect_and_stale_etags_are_refused(
    storage_for: StorageFactory, bucket: storage.Bucket
) -> None:
    bucket.blob("models/a.bin").upload_from_string(b"a")
    stranger = storage_for(STRANGER).bucket(BUCKET)
    with pytest.raises(
        gexc.Forbidden,
        match=re.escape(DENIED_GET),
    ):
        stranger.blob("models/a.bin").download_as_bytes()
    first = bucket.get_iam_policy()
    second = bucket.get_iam_policy()
    first.bindings.append({"role": "roles/storage.objectViewer", "members": {STRANGER}})
    updated = bucket.set_iam_policy(first)
    assert updated.etag != first.etag
    assert stranger.blob("models/a.bin").download_as_bytes() == b"a"
    second.bindings.append({"role": "roles/storage.admin", "members": {STRANGER}})
    with pytest.raises(gexc.PreconditionFailed):
        bucket.set_iam_policy(second)  # read before the first write: its etag is stale
    assert bucket.test_iam_permissions(["storage.buckets.delete"]) == ["storage.buckets.delete"]
    assert stranger.test_iam_permissions(
        ["storage.objects.get", "storage.objects.delete", "storage.buckets.setIamPolicy"]
    ) == ["storage.objects.get"]


def test_conditions_need_uniform_access_then_policy_version_3(bucket: storage.Bucket) -> None:
    policy = bucket.get_iam_policy(requested_policy_version=3)
    policy.bindings.append(
        {"role": "roles/storage.objectViewer", "members": {STRANGER}, "condition": CONDITION}
    )
    with pytest.raises(gexc.PreconditionFailed, match="enable uniform bucket-level access"):
        bucket.set_iam_policy(policy)
    bucket.iam_configuration.uniform_bucket_level_access_enabled = True
    bucket.patch()
    with pytest.raises(gexc.BadRequest, match="at least 3"):
        bucket.set_iam_policy(policy)
    policy.version = 3
    returned = bucket.set_iam_policy(policy)
    assert returned.version == 3
    assert returned.bindings == policy.bindings
    assert bucket.get_iam_policy(requested_policy_version=3).bindings == policy.bindings
    with pytest.raises(gexc.BadRequest, match="request policy version 3"):
        bucket.get_iam_policy()


def test_a_principal_with_no_grant_is_denied_in_gcs_words(
    storage_for: StorageFactory, bucket: storage.Bucket
) -> None:
    stranger = storage_for(STRANGER)
    with pytest.raises(
        gexc.Forbidden,
        match=r"does not have storage\.buckets\.get access to the Google Cloud Storage bucket\.",
    ):
        stranger.get_bucket(BUCKET)
    with pytest.raises(
        gexc.Forbidden,
        match=r"does not have storage\.buckets\.create access to the Google Cloud project\.",
    ):
        stranger.create_bucket("strangers-bucket")
    with pytest.raises(
        gexc.Forbidden, match=r"storage\.buckets\.list access to the Google Cloud project"
    ):
        list(stranger.list_buckets())
    with pytest.raises(gexc.Forbidden, match=r"storage\.objects\.create access"):
        stranger.bucket(BUCKET).blob("x").upload_from_string(b"x")
    with pytest.raises(gexc.Forbidden, match=r"storage\.objects\.list access"):
        list(stranger.list_blobs(BUCKET))
    with pytest.raises(gexc.Forbidden, match=r"storage\.buckets\.getIamPolicy access"):
        stranger.bucket(BUCKET).get_iam_policy()
    with pytest.raises(gexc.Forbidden, match=r"storage\.buckets\.delete access"):
        stranger.bucket(BUCKET).delete()


def test_overwriting_needs_delete_as_well_as_create(
    storage_for: StorageFactory, bucket: storage.Bucket
) -> None:
    policy = bucket.get_iam_policy()
    policy.bindings.append({"role": "roles/storage.objectCreator", "members": {STRANGER}})
    bucket.set_iam_policy(policy)
    creator = storage_for(STRANGER).bucket(BUCKET)
    creator.blob("state/lock").upload_from_string(b"mine")
    with pytest.raises(gexc.Forbidden, match=r"does not have storage\.objects\.delete access"):
        creator.blob("state/lock").upload_from_string(b"again")


def test_grants_to_unknown_roles_or_missing_accounts_are_refused(bucket: storage.Bucket) -> None:
    ghost = "serviceAccount:ghost@demo-project.iam.gserviceaccount.com"
    policy = bucket.get_iam_policy()
    policy.bindings.append({"role": "roles/storage.objectViewer", "members": {ghost}})
    with pytest.raises(
        gexc.BadRequest,
        match=re.escape("ghost@demo-project.iam.gserviceaccount.com does not exist"),
    ):
        bucket.set_iam_policy(policy)
    policy = bucket.get_iam_policy()
    policy.bindings.append({"role": "roles/storage.objectPeeker", "members": {STRANGER}})
    with pytest.raises(
        gexc.BadRequest, match=re.escape("roles/storage.objectPeeker is not supported")
    ):
        bucket.set_iam_policy(policy)


def test_a_bucket_grant_takes_effect_after_the_propagation_delay() -> None:
    clock = ManualClock()
    with Emulator(EmulatorConfig(propagation_delay_s=60.0), clock=clock) as emu:
        endpoint = {"api_endpoint": emu.endpoints.http}
        owner = storage.Client("demo-project", emu.applier_credentials(), client_options=endpoint)
        bucket = owner.create_bucket(BUCKET)  # the default policy counts at once
        bucket.blob("m").upload_from_string(b"m")
        policy = bucket.get_iam_policy()
        policy.bindings.append({"role": "roles/storage.objectViewer", "members": {STRANGER}})
        bucket.set_iam_policy(policy)
        creds = emu.credentials_for(STRANGER)
        reader = storage.Client("demo-project", creds, client_options=endpoint).bucket(BUCKET)
        with pytest.raises(gexc.Forbidden):
            reader.blob("m").download_as_bytes()
        clock.advance(61)
        assert reader.blob("m").download_as_bytes() == b"m"
