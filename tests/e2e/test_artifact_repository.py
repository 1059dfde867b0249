"""An Artifact Registry repository with reader and writer grants, applied in the sandbox."""

from __future__ import annotations

from typing import Any

from gkeplan.plan import protection
from gkeplan.plan.model import Action
from gkeplan.state.local import LocalStateStore

from .conftest import Harness

REPO = "projects/demo-project/locations/us-central1/repositories/serving"
SPEC = """\
version: 1
project: ${PROJECT_ID}
region: us-central1
variables:
  PROJECT_ID: {description: the project}
serviceAccounts:
  gke-node: {displayName: Nodes}
artifactRepositories:
  serving:
    format: docker
    description: serving images
    labels: {team: ml}
    dockerConfig: {immutableTags: true}
    readers: [serviceAccount:gke-node]
iam:
  - member: user:ci@example.com
    role: roles/artifactregistry.writer
    on: artifactRepository:serving
"""
READER = (
    "iamMember.artifactRepository.serving/roles/artifactregistry.reader/serviceAccount:gke-node"
)
WRITER = "iamMember.artifactRepository.serving/roles/artifactregistry.writer/user:ci@example.com"


def _actions(plan: Any) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes if c.action is not Action.NOOP}


def _bindings(harness: Harness) -> dict[str, list[str]]:
    policy = harness.emu.clients().artifact_registry().get_iam_policy(request={"resource": REPO})
    return {b.role: sorted(b.members) for b in policy.bindings}


def test_repository_and_grants_apply_then_plan_shows_no_changes(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    plan = harness.plan(spec)
    assert _actions(plan) == {
        "serviceAccount.gke-node": "create",
        "artifactRepository.serving": "create",
        READER: "create",
        WRITER: "create",
    }
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    repo = harness.emu.clients().artifact_registry().get_repository(name=REPO)
    assert repo.format_.name == "DOCKER"
    assert repo.description == "serving images" and dict(repo.labels) == {"team": "ml"}
    assert repo.docker_config.immutable_tags is True
    assert _bindings(harness) == {
        "roles/artifactregistry.reader": [
            "serviceAccount:gke-node@demo-project.iam.gserviceaccount.com"
        ],
        "roles/artifactregistry.writer": ["user:ci@example.com"],
    }
    again = harness.plan(spec)
    assert not again.has_changes, _actions(again)
    # service account list, one repository list for us-central1, the repository's policy
    assert again.refresh_calls == 3
    state = LocalStateStore(harness.state).read()
    assert state is not None and state.resources["artifactRepository.serving"].status == "ok"


def test_drift_in_description_and_labels_is_put_back_in_place(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    assert harness.apply(spec).ok
    client = harness.emu.clients().artifact_registry()
    client.update_repository(
        request={
            "repository": {"name": REPO, "description": "changed by hand", "labels": {"a": "b"}},
            "update_mask": {"paths": ["description", "labels"]},
        }
    )
    plan = harness.plan(spec)
    assert _actions(plan) == {"artifactRepository.serving": "update"}
    change = next(c for c in plan.changes if c.address == "artifactRepository.serving")
    assert {f.name: (f.before, f.after) for f in change.fields} == {
        "description": ("changed by hand", "serving images"),
        "labels": ({"a": "b"}, {"team": "ml"}),
    }
    assert harness.apply(spec).ok
    repo = client.get_repository(name=REPO)
    assert repo.description == "serving images" and dict(repo.labels) == {"team": "ml"}
    assert not harness.plan(spec).has_changes


def test_format_change_is_a_replacement_that_needs_consent(harness: Harness) -> None:
    assert harness.apply(harness.spec(SPEC)).ok
    spec = harness.spec(
        SPEC.replace("format: docker", "format: python").replace(
            "    dockerConfig: {immutableTags: true}\n", ""
        )
    )
    plan = harness.plan(spec)
    change = next(c for c in plan.changes if c.address == "artifactRepository.serving")
    assert change.action is Action.REPLACE
    assert change.reason == "format cannot be changed in place"
    # replacing deletes every image in it: only `--allow-replace artifactRepository.serving`
    assert protection.needs_consent(plan.changes) == [change]


def test_an_existing_repository_not_in_state_is_refused_until_adopted(harness: Harness) -> None:
    client = harness.emu.clients().artifact_registry()
    client.create_repository(
        request={
            "parent": REPO.rsplit("/repositories/", 1)[0],
            "repository_id": "serving",
            "repository": {"format_": "DOCKER", "description": "someone else's"},
        }
    ).result(timeout=30)
    spec = harness.spec(SPEC)
    plan = harness.plan(spec)
    change = next(c for c in plan.changes if c.address == "artifactRepository.serving")
    assert change.refused is not None
    assert "gkeplan import artifactRepository.serving" in change.refused
    adopted = harness.spec(
        SPEC.replace("    format: docker\n", "    format: docker\n    adopt: true\n")
    )
    result = harness.apply(adopted)
    assert result.ok, result.walk.errors
    assert client.get_repository(name=REPO).description == "serving images"
    assert not harness.plan(adopted).has_changes


def test_destroy_removes_the_repository_and_its_grants(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    assert harness.apply(spec).ok
    result = harness.apply(spec, destroy=True)
    assert result.ok, result.walk.errors
    client = harness.emu.clients().artifact_registry()
    assert list(client.list_repositories(parent=REPO.rsplit("/repositories/", 1)[0])) == []
