"""Remote and virtual Artifact Registry repositories in the sandbox: applied through the CLI
then "No changes."; the virtual one made after its upstreams; drift made through Google's
client in the upstream policies and credentials put back in place; a change of the remote
upstream is a replacement (Terraform's remote_repository_config is ForceNew)."""

from __future__ import annotations

from typing import Any

from google.cloud.artifactregistry_v1 import types as ar

from gkeplan.plan.model import Action

from .cli_sandbox import User, server, user
from .conftest import Harness

__all__ = ["server", "user"]

PARENT = "projects/demo-project/locations/us-central1"
HUB = f"{PARENT}/repositories/hub"
OWN = f"{PARENT}/repositories/own"
ALL = f"{PARENT}/repositories/all"
SECRET = "projects/demo-project/secrets/hub-token/versions/1"
SPEC = f"""\
version: 1
project: ${{PROJECT_ID}}
region: us-central1
variables:
  PROJECT_ID: {{description: the project}}
policy: {{packs: []}}
secrets:
  hub-token:
    # the Artifact Registry service agent reads the upstream password
    accessors: [serviceAccount:service-123456789012@gcp-sa-artifactregistry.iam.gserviceaccount.com]
artifactRepositories:
  hub:
    format: DOCKER
    mode: REMOTE_REPOSITORY
    remoteRepositoryConfig:
      description: Docker Hub
      dockerRepository: {{publicRepository: DOCKER_HUB}}
      upstreamCredentials:
        usernamePasswordCredentials: {{username: bot, passwordSecretVersion: {SECRET}}}
  pypi:
    format: python
    mode: REMOTE_REPOSITORY
    remoteRepositoryConfig:
      pythonRepository: {{customRepository: {{uri: "https://pypi.example.com/simple"}}}}
  own: {{format: DOCKER}}
  all:
    format: DOCKER
    mode: VIRTUAL_REPOSITORY
    virtualRepositoryConfig:
      upstreamPolicies:
        - {{repository: "artifactRepository:own", priority: 100}}
        - {{id: docker-hub, repository: "{HUB}", priority: 10}}
"""


def _actions(plan: Any) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes if c.action is not Action.NOOP}


def test_remote_and_virtual_repositories_apply_then_no_changes(user: User) -> None:
    user.write(SPEC)
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    client = user.sandbox.conn().artifact_registry()
    hub = client.get_repository(name=HUB)
    assert hub.mode == ar.Repository.Mode.REMOTE_REPOSITORY
    remote = hub.remote_repository_config
    assert remote.description == "Docker Hub"
    assert remote.docker_repository.public_repository.name == "DOCKER_HUB"
    creds = remote.upstream_credentials.username_password_credentials
    assert (creds.username, creds.password_secret_version) == ("bot", SECRET)
    pypi = client.get_repository(name=f"{PARENT}/repositories/pypi")
    uri = pypi.remote_repository_config.python_repository.custom_repository.uri
    assert uri == "https://pypi.example.com/simple"
    virtual = client.get_repository(name=ALL)
    assert [
        (p.id, p.repository, p.priority)
        for p in virtual.virtual_repository_config.upstream_policies
    ] == [("docker-hub", HUB, 10), ("own", OWN, 100)]  # by id: their order means nothing
    again = user.plan()
    assert again.exit_code == 0 and "No changes." in again.output, again.output


def test_the_virtual_repository_is_created_after_its_upstreams(user: User) -> None:
    user.write(SPEC)
    graph = user.run(
        "graph", str(user.spec), "--var", "PROJECT_ID=demo-project", state=False, endpoint=False
    )
    assert graph.exit_code == 0, graph.output
    for upstream in ("hub", "own"):
        edge = f'"artifactRepository.{upstream}" -> "artifactRepository.all"'
        assert f'{edge} [label="upstream repository"]' in graph.output
    assert '"artifactRepository.pypi" -> "artifactRepository.all"' not in graph.output
    # the secret whose version holds the upstream password comes first
    assert '"secret.hub-token" -> "artifactRepository.hub"' in graph.output
    assert user.apply().exit_code == 0
    client = user.sandbox.conn().artifact_registry()
    made = {
        r: client.get_repository(name=f"{PARENT}/repositories/{r}").create_time
        for r in ("hub", "own", "all")
    }
    assert made["all"] > made["hub"] and made["all"] > made["own"], made


def test_drift_in_upstream_policies_and_credentials_is_updated_in_place(
    harness: Harness,
) -> None:
    spec = harness.spec(SPEC)
    assert harness.apply(spec).ok
    client = harness.emu.clients().artifact_registry()
    client.update_repository(
        request={
            "repository": {
                "name": ALL,
                "virtual_repository_config": {
                    "upstream_policies": [{"id": "own", "repository": OWN, "priority": 1}]
                },
            },
            "update_mask": {"paths": ["virtual_repository_config"]},
        }
    )
    client.update_repository(
        request={
            "repository": {
                "name": HUB,
                "remote_repository_config": {
                    "upstream_credentials": {"username_password_credentials": {"username": "x"}}
                },
            },
            "update_mask": {
                "paths": [
                    "remote_repository_config.upstream_credentials."
                    "username_password_credentials.username"
                ]
            },
        }
    )
    plan = harness.plan(spec)
    assert _actions(plan) == {
        "artifactRepository.all": "update",
        "artifactRepository.hub": "update",
    }
    assert harness.apply(spec).ok
    policies = client.get_repository(name=ALL).virtual_repository_config.upstream_policies
    assert [(p.id, p.priority) for p in policies] == [("docker-hub", 10), ("own", 100)]
    creds = client.get_repository(
        name=HUB
    ).remote_repository_config.upstream_credentials.username_password_credentials
    assert (creds.username, creds.password_secret_version) == ("bot", SECRET)
    assert not harness.plan(spec).has_changes


def test_a_new_remote_upstream_replaces_the_repository(harness: Harness) -> None:
    assert harness.apply(harness.spec(SPEC)).ok
    spec = harness.spec(SPEC.replace("description: Docker Hub", "description: the hub"))
    change = next(c for c in harness.plan(spec).changes if c.address == "artifactRepository.hub")
    assert change.action is Action.REPLACE
    assert change.reason == "remoteRepositoryConfig cannot be changed in place"


def test_import_generate_writes_remote_and_virtual_repositories_as_they_are(user: User) -> None:
    """Made with Google's client, outside gkeplan: the generated spec says what they are, so
    adopting them plans no change."""
    client = user.sandbox.conn().artifact_registry()
    for rid, repo in (
        ("own", {"format_": "DOCKER"}),
        (
            "hub",
            {
                "format_": "DOCKER",
                "mode": "REMOTE_REPOSITORY",
                "remote_repository_config": {
                    "docker_repository": {"public_repository": "DOCKER_HUB"},
                    "upstream_credentials": {
                        "username_password_credentials": {
                            "username": "bot",
                            "password_secret_version": SECRET,
                        }
                    },
                },
            },
        ),
        (
            "all",
            {
                "format_": "DOCKER",
                "mode": "VIRTUAL_REPOSITORY",
                "virtual_repository_config": {
                    "upstream_policies": [
                        {"id": "own", "repository": OWN, "priority": 100},
                        {"id": "hub", "repository": HUB, "priority": 10},
                    ]
                },
            },
        ),
    ):
        client.create_repository(
            request={"parent": PARENT, "repository_id": rid, "repository": repo}
        ).result(timeout=30)
    spec, state = user.tmp / "all.yaml", str(user.tmp / "all.json")
    made = user.run(
        *("import", "--generate", "--project", "demo-project", "--include", "artifactRepository"),
        *("--out", str(spec), "--write", "--state", state),
        state=False,
    )
    assert made.exit_code == 0, made.output
    text = spec.read_text()
    assert "dockerRepository:\n        publicRepository: DOCKER_HUB\n" in text, text
    assert f"passwordSecretVersion: {SECRET}" in text
    assert f"repository: {HUB}" in text
    graph = user.run("graph", str(spec), state=False, endpoint=False)
    assert '"artifactRepository.hub" -> "artifactRepository.all"' in graph.output, graph.output
    planned = user.run("plan", str(spec), "--state", state, "--detailed-exitcode", state=False)
    assert planned.exit_code == 0 and "No changes." in planned.output, planned.output


def test_upstream_policies_in_another_order_are_no_change(harness: Harness) -> None:
    """Their order means nothing (priority orders the pulls; Terraform's
    upstreamPoliciesDiffSuppress compares them as a set)."""
    spec = harness.spec(SPEC)
    assert harness.apply(spec).ok
    client = harness.emu.clients().artifact_registry()
    policies = list(client.get_repository(name=ALL).virtual_repository_config.upstream_policies)
    client.update_repository(
        request={
            "repository": {
                "name": ALL,
                "virtual_repository_config": {"upstream_policies": policies[::-1]},
            },
            "update_mask": {"paths": ["virtual_repository_config"]},
        }
    )
    stored = client.get_repository(name=ALL).virtual_repository_config.upstream_policies
    assert [p.id for p in stored] == ["own", "docker-hub"]
    assert not harness.plan(spec).has_changes


def test_a_new_mode_replaces_the_repository(harness: Harness) -> None:
    """mode is ForceNew in Terraform's google_artifact_registry_repository."""
    assert harness.apply(harness.spec(SPEC)).ok
    remote = (
        "  own:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n"
        "    remoteRepositoryConfig: {dockerRepository: {publicRepository: DOCKER_HUB}}\n"
    )
    spec = harness.spec(SPEC.replace("  own: {format: DOCKER}\n", remote))
    change = next(c for c in harness.plan(spec).changes if c.address == "artifactRepository.own")
    assert change.action is Action.REPLACE
    assert change.reason is not None and change.reason.startswith("mode")
