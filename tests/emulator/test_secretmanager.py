"""Secret Manager v1 through secretmanager_v1.SecretManagerServiceClient, over REST and gRPC."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions as gexc
from google.api_core.client_options import ClientOptions
from google.cloud import secretmanager_v1 as sm
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
    SecretManagerServiceGrpcTransport,
)

from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock
from gkeplan_emulator.clientfactory import ClientFactory

from .errors import error_info

P = "demo-project"
NUMBER = "123456789012"  # EmulatorConfig.project_number
NAME = f"projects/{P}/secrets/hf-token"
SHOWN = f"projects/{NUMBER}/secrets/hf-token"  # GCP names secrets by project number


def rest(clients: ClientFactory) -> Any:
    return sm.SecretManagerServiceClient(
        credentials=clients.credentials,
        transport="rest",
        client_options=ClientOptions(api_endpoint=clients.http),
    )


def grpc(clients: ClientFactory) -> Any:
    return sm.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=clients.channel())
    )


# FAILED_PRECONDITION: HTTP 400 (BadRequest) over REST, FailedPrecondition over gRPC
PRECONDITION = (gexc.FailedPrecondition, gexc.BadRequest)

TRANSPORTS: dict[str, Callable[[ClientFactory], Any]] = {"rest": rest, "grpc": grpc}


@pytest.fixture(params=sorted(TRANSPORTS))
def client(request: pytest.FixtureRequest, clients: ClientFactory) -> Any:
    return TRANSPORTS[request.param](clients)


def _create(client: Any, sid: str = "hf-token", project: str = P, **fields: Any) -> Any:
    secret = {"replication": {"automatic": {}}, "labels": {"app": "serving"}, **fields}
    return client.create_secret(
        request={"parent": f"projects/{project}", "secret_id": sid, "secret": secret}
    )


def test_create_answers_the_secret_named_by_project_number(client: Any) -> None:
    secret = _create(client, annotations={"owner": "ml"})
    assert secret.name == SHOWN
    assert dict(secret.labels) == {"app": "serving"}
    assert dict(secret.annotations) == {"owner": "ml"}
    assert secret.etag.startswith('"') and secret.create_time.year >= 2024
    got = client.get_secret(name=NAME)
    assert got == secret
    assert [s.name for s in client.list_secrets(parent=f"projects/{P}")] == [SHOWN]


def test_a_second_create_is_409_with_gcps_message(client: Any) -> None:
    _create(client)
    with pytest.raises((gexc.Conflict, gexc.AlreadyExists)) as info:
        _create(client)
    assert info.value.message.endswith(f"Secret [{SHOWN}] already exists.")


def test_a_missing_secret_is_404(client: Any) -> None:
    with pytest.raises(gexc.NotFound):
        client.get_secret(name=f"projects/{P}/secrets/nope")


@pytest.mark.parametrize(
    "secret",
    [
        {},  # replication is required
        {"replication": {"user_managed": {"replicas": []}}},
        {"replication": {"automatic": {}}, "rotation": {"rotation_period": "3600s"}},
        {"replication": {"automatic": {}}, "topics": [{"name": "t"}]},
    ],
)
def test_an_invalid_secret_is_400(clients: ClientFactory, secret: dict[str, Any]) -> None:
    with pytest.raises(gexc.BadRequest):
        rest(clients).create_secret(
            request={"parent": f"projects/{P}", "secret_id": "s", "secret": secret}
        )


def test_an_invalid_secret_id_is_400(clients: ClientFactory) -> None:
    with pytest.raises(gexc.BadRequest):
        _create(rest(clients), "has.dot")


def test_patch_changes_only_the_masked_fields_and_moves_the_etag(client: Any) -> None:
    first = _create(client, annotations={"a": "b"})
    updated = client.update_secret(
        request={
            "secret": {"name": NAME, "labels": {"x": "y"}, "annotations": {}},
            "update_mask": {"paths": ["labels"]},
        }
    )
    assert dict(updated.labels) == {"x": "y"}
    assert dict(updated.annotations) == {"a": "b"}  # not in the mask: untouched
    assert updated.etag != first.etag


def test_replication_cannot_change_but_its_keys_can(clients: ClientFactory) -> None:
    client = rest(clients)
    key = "projects/p/locations/global/keyRings/r/cryptoKeys/k"
    _create(client)
    keyed = {"automatic": {"customer_managed_encryption": {"kms_key_name": key}}}
    got = client.update_secret(
        request={
            "secret": {"name": NAME, "replication": keyed},
            "update_mask": {"paths": ["replication"]},
        }
    )
    assert got.replication.automatic.customer_managed_encryption.kms_key_name == key
    moved = {"user_managed": {"replicas": [{"location": "us-east1"}]}}
    with pytest.raises(gexc.BadRequest):
        client.update_secret(
            request={
                "secret": {"name": NAME, "replication": moved},
                "update_mask": {"paths": ["replication"]},
            }
        )


def test_a_stale_etag_is_refused_on_patch_and_delete(clients: ClientFactory) -> None:
    client = rest(clients)
    first = _create(client)
    client.update_secret(
        request={"secret": {"name": NAME, "labels": {}}, "update_mask": {"paths": ["labels"]}}
    )
    with pytest.raises(gexc.Conflict) as info:  # ABORTED (AIP-154): 409 over REST
        client.update_secret(
            request={
                "secret": {"name": NAME, "labels": {"a": "b"}, "etag": first.etag},
                "update_mask": {"paths": ["labels"]},
            }
        )
    assert info.value.response.json()["error"]["status"] == "ABORTED"
    with pytest.raises(gexc.Conflict):
        client.delete_secret(request={"name": NAME, "etag": first.etag})
    client.delete_secret(request={"name": NAME, "etag": client.get_secret(name=NAME).etag})
    with pytest.raises(gexc.NotFound):
        client.get_secret(name=NAME)


def test_versions_are_added_accessed_disabled_enabled_and_destroyed(client: Any) -> None:
    _create(client)
    one = client.add_secret_version(request={"parent": NAME, "payload": {"data": b"tok-1"}})
    two = client.add_secret_version(request={"parent": NAME, "payload": {"data": b"tok-2"}})
    assert (one.name, two.name) == (f"{SHOWN}/versions/1", f"{SHOWN}/versions/2")
    assert one.state == sm.SecretVersion.State.ENABLED
    latest = client.access_secret_version(name=f"{NAME}/versions/latest")
    assert latest.payload.data == b"tok-2" and latest.name == two.name
    assert [v.name for v in client.list_secret_versions(parent=NAME)] == [two.name, one.name]
    disabled = client.disable_secret_version(name=f"{NAME}/versions/2")
    assert disabled.state == sm.SecretVersion.State.DISABLED
    with pytest.raises(PRECONDITION) as info:
        client.access_secret_version(name=f"{NAME}/versions/latest")
    assert info.value.message.endswith(f"Secret Version [{two.name}] is in DISABLED state.")
    client.enable_secret_version(name=f"{NAME}/versions/2")
    destroyed = client.destroy_secret_version(name=f"{NAME}/versions/1")
    assert destroyed.state == sm.SecretVersion.State.DESTROYED and destroyed.destroy_time
    with pytest.raises(PRECONDITION):
        client.access_secret_version(name=f"{NAME}/versions/1")
    with pytest.raises(PRECONDITION):  # DESTROYED is final
        client.enable_secret_version(name=f"{NAME}/versions/1")
    assert client.get_secret_version(name=f"{NAME}/versions/2").state.name == "ENABLED"


def test_a_secret_without_versions_has_no_latest(client: Any) -> None:
    _create(client)
    with pytest.raises(gexc.NotFound) as info:
        client.access_secret_version(name=f"{NAME}/versions/latest")
    assert info.value.message.endswith(f"Secret [{SHOWN}] not found or has no versions.")


def test_a_wrong_checksum_is_refused(clients: ClientFactory) -> None:
    client = rest(clients)
    _create(client)
    with pytest.raises(gexc.BadRequest):
        client.add_secret_version(
            request={"parent": NAME, "payload": {"data": b"tok", "data_crc32c": 1}}
        )


def test_policy_etag_guards_concurrent_writes(client: Any) -> None:
    _create(client)
    first = client.get_iam_policy(request={"resource": NAME})
    first.bindings.add(role="roles/secretmanager.secretAccessor", members=["user:a@example.com"])
    written = client.set_iam_policy(request={"resource": NAME, "policy": first})
    assert written.etag != first.etag
    with pytest.raises((gexc.Conflict, gexc.Aborted)):
        client.set_iam_policy(request={"resource": NAME, "policy": first})
    got = client.get_iam_policy(request={"resource": NAME})
    assert [(b.role, list(b.members)) for b in got.bindings] == [
        ("roles/secretmanager.secretAccessor", ["user:a@example.com"])
    ]


def test_an_accessor_reads_values_and_nothing_else(emulator: Emulator) -> None:
    owner = rest(emulator.clients())
    _create(owner)
    owner.add_secret_version(request={"parent": NAME, "payload": {"data": b"tok"}})
    reader = rest(emulator.clients(emulator.credentials_for("user:r@example.com")))
    with pytest.raises(gexc.Forbidden) as info:
        reader.access_secret_version(name=f"{NAME}/versions/latest")
    assert error_info(info.value)["metadata"]["permission"] == "secretmanager.versions.access"
    policy = owner.get_iam_policy(request={"resource": NAME})
    policy.bindings.add(role="roles/secretmanager.secretAccessor", members=["user:r@example.com"])
    owner.set_iam_policy(request={"resource": NAME, "policy": policy})
    assert reader.access_secret_version(name=f"{NAME}/versions/latest").payload.data == b"tok"
    with pytest.raises(gexc.Forbidden):
        reader.get_secret(name=NAME)  # the accessor role holds versions.access only
    held = reader.test_iam_permissions(
        request={
            "resource": NAME,
            "permissions": ["secretmanager.versions.access", "secretmanager.secrets.delete"],
        }
    )
    assert list(held.permissions) == ["secretmanager.versions.access"]


def test_delete_drops_versions_and_policy(client: Any) -> None:
    _create(client)
    client.add_secret_version(request={"parent": NAME, "payload": {"data": b"tok"}})
    policy = client.get_iam_policy(request={"resource": NAME})
    policy.bindings.add(role="roles/secretmanager.secretAccessor", members=["user:a@example.com"])
    client.set_iam_policy(request={"resource": NAME, "policy": policy})
    client.delete_secret(name=NAME)
    _create(client)
    assert list(client.list_secret_versions(parent=NAME)) == []
    assert list(client.get_iam_policy(request={"resource": NAME}).bindings) == []


def test_a_secret_past_its_ttl_is_gone_and_survives_a_restart_until_then(
    tmp_path: Path,
) -> None:
    clock = ManualClock()
    state = tmp_path / "emulator.json"
    with Emulator(EmulatorConfig(), clock=clock, state_file=state) as emu:
        client = rest(emu.clients())
        secret = _create(client, ttl="3600s")
        assert secret.expire_time.timestamp() == pytest.approx(clock.now() + 3600, abs=1)
        client.add_secret_version(request={"parent": NAME, "payload": {"data": b"tok"}})
    with Emulator(EmulatorConfig(), clock=clock, state_file=state) as emu:
        client = rest(emu.clients())
        assert client.access_secret_version(name=f"{NAME}/versions/1").payload.data == b"tok"
        clock.advance(3601)
        with pytest.raises(gexc.NotFound):
            client.get_secret(name=NAME)


def test_each_project_of_a_kept_sandbox_has_its_own_secrets(tmp_path: Path) -> None:
    """The sandbox keeps every project it was given in one state file: a secret of one is not
    another's."""
    state = tmp_path / "emulator.json"
    with Emulator(EmulatorConfig(), state_file=state) as emu:
        _create(rest(emu.clients()))
    other = dataclasses.replace(EmulatorConfig(), project="other-project")
    with Emulator(other, state_file=state) as emu:
        client = rest(emu.clients())
        assert list(client.list_secrets(parent="projects/other-project")) == []
        assert _create(client, project="other-project", labels={"in": "o"}).name.endswith(
            "/secrets/hf-token"
        )
    with Emulator(EmulatorConfig(), state_file=state) as emu:
        got = rest(emu.clients()).get_secret(name=NAME)
        assert dict(got.labels) == {"app": "serving"}


def test_gcloud_makes_a_secret_adds_a_version_and_reads_it_back(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Google's own CLI against the emulator, configured as `gkeplan sandbox env` says."""
    gcloud = shutil.which("gcloud")
    assert gcloud, "gcloud is installed on this machine (the tests use it)"
    token = tmp_path / "token"
    token.write_text(emulator.applier_credentials().token)
    env = {
        "PATH": os.environ["PATH"],
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud"),
        "CLOUDSDK_CORE_PROJECT": P,
        "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE": str(token),
        "CLOUDSDK_API_ENDPOINT_OVERRIDES_SECRETMANAGER": emulator.endpoints.http + "/",
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
    }

    def run(*args: str, stdin: str | None = None) -> str:
        done = subprocess.run(
            [gcloud, "secrets", *args], env=env, input=stdin, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("create", "g-secret", "--replication-policy=automatic", "--labels=app=serving")
    run("versions", "add", "g-secret", "--data-file=-", stdin="v1")
    assert run("versions", "access", "latest", "--secret=g-secret") == "v1"
    got = rest(emulator.clients()).get_secret(name=f"projects/{P}/secrets/g-secret")
    assert dict(got.labels) == {"app": "serving"}


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
def test_while_the_api_is_off_every_call_is_refused_as_gcp_refuses_it(transport: str) -> None:
    config = EmulatorConfig(disabled_services=frozenset({"secretmanager.googleapis.com"}))
    with Emulator(config) as emu:
        client = TRANSPORTS[transport](emu.clients())
        with pytest.raises((gexc.Forbidden, gexc.PermissionDenied)) as err:
            _create(client)
        # "Secret Manager API has not been used in project 698910892233 before or it is
        # disabled" (googleapis/nodejs-secret-manager#58)
        assert f"Secret Manager API has not been used in project {NUMBER}" in str(err.value)


REGIONAL = f"projects/{P}/locations/us-central1/secrets/hf-token"
REGIONAL_SHOWN = f"projects/{NUMBER}/locations/us-central1/secrets/hf-token"


def _create_regional(client: Any, location: str = "us-central1", **fields: Any) -> Any:
    return client.create_secret(
        request={
            "parent": f"projects/{P}/locations/{location}",
            "secret_id": "hf-token",
            "secret": {"labels": {"app": "serving"}, **fields},
        }
    )


def test_regional_secrets_are_kept_apart_by_location_and_from_global_ones(client: Any) -> None:
    _create(client)  # the global hf-token: another secret
    secret = _create_regional(client)
    assert secret.name == REGIONAL_SHOWN
    assert "replication" not in secret
    _create_regional(client, "europe-west4")
    assert client.get_secret(name=REGIONAL) == secret
    listed = [s.name for s in client.list_secrets(parent=f"projects/{P}/locations/us-central1")]
    assert listed == [REGIONAL_SHOWN]
    assert [s.name for s in client.list_secrets(parent=f"projects/{P}")] == [SHOWN]
    with pytest.raises((gexc.Conflict, gexc.AlreadyExists)) as info:
        _create_regional(client)
    assert info.value.message.endswith(f"Secret [{REGIONAL_SHOWN}] already exists.")


def test_a_regional_secret_refuses_replication_and_a_key_of_another_location(
    clients: ClientFactory,
) -> None:
    client = rest(clients)
    with pytest.raises(gexc.BadRequest, match="does not take a replication"):
        _create_regional(client, replication={"automatic": {}})
    key = "projects/kms/locations/europe-west4/keyRings/r/cryptoKeys/k"
    with pytest.raises(gexc.BadRequest, match="must be in the secret's location us-central1"):
        _create_regional(client, customer_managed_encryption={"kms_key_name": key})
    here = "projects/kms/locations/us-central1/keyRings/r/cryptoKeys/k"
    secret = _create_regional(client, customer_managed_encryption={"kms_key_name": here})
    assert secret.customer_managed_encryption.kms_key_name == here


def test_a_regional_secrets_versions_and_policy_are_its_own(client: Any) -> None:
    _create(client)
    _create_regional(client)
    client.add_secret_version(parent=NAME, payload={"data": b"global"})
    v = client.add_secret_version(parent=REGIONAL, payload={"data": b"regional"})
    assert v.name == f"{REGIONAL_SHOWN}/versions/1"
    got = client.access_secret_version(name=f"{REGIONAL}/versions/latest")
    assert got.payload.data == b"regional"
    member = "user:ana@example.com"
    policy = client.get_iam_policy(request={"resource": REGIONAL})
    policy.bindings.add(role="roles/secretmanager.secretAccessor", members=[member])
    client.set_iam_policy(request={"resource": REGIONAL, "policy": policy})
    assert client.get_iam_policy(request={"resource": REGIONAL}).bindings
    assert not client.get_iam_policy(request={"resource": NAME}).bindings
    client.delete_secret(name=REGIONAL)
    with pytest.raises(gexc.NotFound):
        client.get_secret(name=REGIONAL)
    assert client.access_secret_version(name=f"{NAME}/versions/latest").payload.data == b"global"
