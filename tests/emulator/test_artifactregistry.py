"""Artifact Registry v1 over REST through artifactregistry_v1.ArtifactRegistryClient."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from google.api_core import exceptions as gexc
from google.cloud import artifactregistry_v1 as ar
from google.iam.v1 import policy_pb2

from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock
from gkeplan_emulator.clientfactory import ClientFactory

from .errors import error_info

P = "demo-project"
PARENT = f"projects/{P}/locations/us-central1"
NAME = f"{PARENT}/repositories/serving"


def _create(client: ar.ArtifactRegistryClient, rid: str = "serving", **fields: object) -> object:
    repo = {"format_": "DOCKER", "description": "images", "labels": {"team": "ml"}, **fields}
    op = client.create_repository(
        request={"parent": PARENT, "repository_id": rid, "repository": repo}
    )
    return op.result(timeout=30)  # type: ignore[no-untyped-call]


def test_create_is_an_operation_whose_result_is_the_repository(clients: ClientFactory) -> None:
    client = clients.artifact_registry()
    repo = _create(client, docker_config={"immutable_tags": True})
    assert isinstance(repo, ar.Repository)
    assert repo.name == NAME
    assert repo.format_ == ar.Repository.Format.DOCKER
    assert repo.mode == ar.Repository.Mode.STANDARD_REPOSITORY
    assert repo.docker_config.immutable_tags is True
    assert repo.registry_uri == f"us-central1-docker.pkg.dev/{P}/serving"
    got = client.get_repository(name=NAME)
    assert got.description == "images" and dict(got.labels) == {"team": "ml"}
    listed = list(client.list_repositories(parent=PARENT))
    assert [r.name for r in listed] == [NAME]


def test_a_slow_create_is_polled_through_operations_get() -> None:
    config = dataclasses.replace(EmulatorConfig(), operation_s={"createRepository": 0.3})
    with Emulator(config) as emu:
        client = emu.clients().artifact_registry()
        op = client.create_repository(
            request={"parent": PARENT, "repository_id": "slow", "repository": {"format_": "NPM"}}
        )
        assert not op.done()
        with pytest.raises(gexc.NotFound):
            client.get_repository(name=f"{PARENT}/repositories/slow")
        repo = op.result(timeout=30)
        assert repo.format_ == ar.Repository.Format.NPM
        methods = [e.method for e in emu.backend.log]
        assert "artifactregistry.projects.locations.operations.get" in methods


def test_second_create_is_409_already_exists(clients: ClientFactory) -> None:
    client = clients.artifact_registry()
    _create(client)
    with pytest.raises(gexc.Conflict) as info:  # REST maps HTTP 409 to Conflict
        _create(client)
    assert info.value.response.json()["error"]["status"] == "ALREADY_EXISTS"


def test_missing_repository_is_404(clients: ClientFactory) -> None:
    with pytest.raises(gexc.NotFound):
        clients.artifact_registry().get_repository(name=f"{PARENT}/repositories/nope")


def test_patch_changes_only_the_masked_fields(clients: ClientFactory) -> None:
    client = clients.artifact_registry()
    _create(client)
    updated = client.update_repository(
        request={
            "repository": {"name": NAME, "description": "new", "labels": {"x": "y"}},
            "update_mask": {"paths": ["description"]},
        }
    )
    assert updated.description == "new"
    assert dict(updated.labels) == {"team": "ml"}  # not in the mask: untouched
    updated = client.update_repository(
        request={
            "repository": {"name": NAME, "docker_config": {"immutable_tags": True}},
            "update_mask": {"paths": ["docker_config"]},
        }
    )
    assert updated.docker_config.immutable_tags is True


@pytest.mark.parametrize("path", ["format", "kms_key_name", "mode", "no_such_field"])
def test_patch_of_immutable_or_unknown_field_is_400(clients: ClientFactory, path: str) -> None:
    client = clients.artifact_registry()
    _create(client)
    with pytest.raises(gexc.BadRequest):
        client.update_repository(
            request={
                "repository": {"name": NAME, "format_": "MAVEN"},
                "update_mask": {"paths": [path]},
            }
        )
    assert client.get_repository(name=NAME).format_ == ar.Repository.Format.DOCKER


def test_delete_is_an_operation_and_drops_the_policy(clients: ClientFactory) -> None:
    client = clients.artifact_registry()
    _create(client)
    policy = client.get_iam_policy(request={"resource": NAME})
    policy.bindings.add(role="roles/artifactregistry.reader", members=["user:a@example.com"])
    client.set_iam_policy(request={"resource": NAME, "policy": policy})
    client.delete_repository(name=NAME).result(timeout=30)
    with pytest.raises(gexc.NotFound):
        client.get_repository(name=NAME)
    _create(client)
    assert list(client.get_iam_policy(request={"resource": NAME}).bindings) == []


def test_policy_etag_guards_concurrent_writes(clients: ClientFactory) -> None:
    client = clients.artifact_registry()
    _create(client)
    first = client.get_iam_policy(
        request={"resource": NAME, "options": {"requested_policy_version": 3}}
    )
    first.bindings.add(role="roles/artifactregistry.reader", members=["user:a@example.com"])
    written = client.set_iam_policy(request={"resource": NAME, "policy": first})
    assert written.etag != first.etag
    stale = policy_pb2.Policy(etag=first.etag)
    stale.bindings.add(role="roles/artifactregistry.writer", members=["user:b@example.com"])
    with pytest.raises(gexc.Conflict) as info:  # 409 ABORTED over REST
        client.set_iam_policy(request={"resource": NAME, "policy": stale})
    assert info.value.response.json()["error"]["status"] == "ABORTED"
    got = client.get_iam_policy(request={"resource": NAME})
    assert [(b.role, list(b.members)) for b in got.bindings] == [
        ("roles/artifactregistry.reader", ["user:a@example.com"])
    ]


def test_stranger_is_denied_and_a_repo_reader_can_read_only(emulator: Emulator) -> None:
    owner = emulator.clients().artifact_registry()
    _create(owner)
    stranger = emulator.clients(emulator.credentials_for("user:s@example.com")).artifact_registry()
    with pytest.raises(gexc.Forbidden) as info:
        stranger.get_repository(name=NAME)
    assert error_info(info.value)["reason"] == "IAM_PERMISSION_DENIED"
    assert error_info(info.value)["metadata"]["permission"] == "artifactregistry.repositories.get"
    with pytest.raises(gexc.Forbidden):
        _create(stranger, "other")
    policy = owner.get_iam_policy(request={"resource": NAME})
    policy.bindings.add(role="roles/artifactregistry.reader", members=["user:s@example.com"])
    owner.set_iam_policy(request={"resource": NAME, "policy": policy})
    assert stranger.get_repository(name=NAME).name == NAME
    held = stranger.test_iam_permissions(
        request={
            "resource": NAME,
            "permissions": [
                "artifactregistry.repositories.get",
                "artifactregistry.repositories.delete",
            ],
        }
    )
    assert list(held.permissions) == ["artifactregistry.repositories.get"]
    with pytest.raises(gexc.Forbidden):
        stranger.delete_repository(name=NAME)


def test_an_operation_pending_at_a_save_finishes_after_a_restart(tmp_path: Path) -> None:
    state = tmp_path / "emulator.json"
    clock = ManualClock()
    config = dataclasses.replace(EmulatorConfig(), operation_s={"createRepository": 30.0})
    with Emulator(config, clock=clock, state_file=state) as emu:
        op = (
            emu.clients()
            .artifact_registry()
            .create_repository(
                request={"parent": PARENT, "repository_id": "kept", "repository": {"format_": "GO"}}
            )
        )
        assert not op.done()
    with Emulator(config, clock=clock, state_file=state) as emu:
        client = emu.clients().artifact_registry()
        with pytest.raises(gexc.NotFound):
            client.get_repository(name=f"{PARENT}/repositories/kept")
        clock.advance(31)
        assert client.get_operation(request={"name": op.operation.name}).done is True
        assert client.get_repository(name=f"{PARENT}/repositories/kept").format_.name == "GO"


def test_locations_list_names_the_regions_and_multi_regions_repositories_can_live_in(
    clients: ClientFactory,
) -> None:
    """projects.locations.list (the client's LocationsMixin): Location {name, locationId}, and
    a list of repositories in each location it names answers."""
    client = clients.artifact_registry()
    answer = client.list_locations(request={"name": f"projects/{P}"})
    ids = [loc.location_id for loc in answer.locations]
    assert {"us-central1", "europe-west4", "us", "europe", "asia"} <= set(ids)
    assert all(loc.name == f"projects/{P}/locations/{loc.location_id}" for loc in answer.locations)
    _create(client)
    found = [
        r.name for i in ids for r in client.list_repositories(parent=f"projects/{P}/locations/{i}")
    ]
    assert found == [NAME]
    with pytest.raises(gexc.Forbidden):  # 403 over REST, as for the project's other calls
        client.list_locations(request={"name": "projects/someone-elses"})


HUB = {"docker_repository": {"public_repository": "DOCKER_HUB"}}


def test_remote_and_virtual_repositories_are_served_with_their_settings(
    clients: ClientFactory,
) -> None:
    client = clients.artifact_registry()
    _create(client, "hub", mode="REMOTE_REPOSITORY", remote_repository_config=HUB)
    _create(client, "own")
    policies = [
        {"id": "own", "repository": f"{PARENT}/repositories/own", "priority": 100},
        {"id": "hub", "repository": f"{PARENT}/repositories/hub", "priority": 10},
    ]
    _create(
        client,
        "all",
        mode="VIRTUAL_REPOSITORY",
        virtual_repository_config={"upstream_policies": policies},
    )
    hub = client.get_repository(name=f"{PARENT}/repositories/hub")
    assert hub.remote_repository_config.docker_repository.public_repository.name == "DOCKER_HUB"
    listed = {r.name.rsplit("/", 1)[-1]: r for r in client.list_repositories(parent=PARENT)}
    got = listed["all"].virtual_repository_config.upstream_policies
    assert [(p.id, p.priority) for p in got] == [("own", 100), ("hub", 10)]
    # upstream policies are updated in place (Terraform's update mask names
    # virtualRepositoryConfig); the remote source is not (remote_repository_config: ForceNew)
    patched = client.update_repository(
        request={
            "repository": {
                "name": f"{PARENT}/repositories/all",
                "virtual_repository_config": {"upstream_policies": policies[:1]},
            },
            "update_mask": {"paths": ["virtual_repository_config"]},
        }
    )
    assert [p.id for p in patched.virtual_repository_config.upstream_policies] == ["own"]
    with pytest.raises(gexc.BadRequest):
        client.update_repository(
            request={
                "repository": {
                    "name": f"{PARENT}/repositories/hub",
                    "remote_repository_config": {"description": "x"},
                },
                "update_mask": {"paths": ["remote_repository_config"]},
            }
        )


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"mode": "REMOTE_REPOSITORY"}, "exactly one remote source"),
        (
            {
                "mode": "REMOTE_REPOSITORY",
                "remote_repository_config": {"python_repository": {"public_repository": "PYPI"}},
            },
            "does not match repository format DOCKER",
        ),
        ({"remote_repository_config": HUB}, "only allowed in remote repositories"),
        (
            {
                "mode": "VIRTUAL_REPOSITORY",
                "virtual_repository_config": {
                    "upstream_policies": [{"id": "x", "repository": f"{PARENT}/repositories/x"}]
                },
            },
            "does not exist",
        ),
    ],
)
def test_a_mode_without_its_settings_or_with_others_is_400(
    clients: ClientFactory, fields: dict[str, object], says: str
) -> None:
    with pytest.raises(gexc.BadRequest, match=says):
        _create(clients.artifact_registry(), "bad", **fields)


def test_a_repository_id_with_an_underscore_is_400(clients: ClientFactory) -> None:
    # underscores "aren't supported in artifact repo names" (cluster-toolkit#6303)
    with pytest.raises(gexc.BadRequest, match="Invalid repository id"):
        _create(clients.artifact_registry(), "my_repo")
