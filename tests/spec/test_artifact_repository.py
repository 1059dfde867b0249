# ruff: noqa: E501  (a table of exact messages: one message per line reads best)
"""artifactRepositories: what validate accepts, refuses and warns about, at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkeplan.errors import Severity

from .helpers import BASE, diagnostics, rendered

GRANT = "    roles: [roles/container.defaultNodeServiceAccount]\n"


def repos(body: str) -> str:
    return BASE + "artifactRepositories:\n" + body


CASES: dict[str, tuple[str, list[str]]] = {
    "lowercase-format-and-reader": (
        repos("  serving: {format: docker, readers: [serviceAccount:gke-node]}\n"),
        [],
    ),
    "grant-on-a-repository": (
        repos("  serving: {format: DOCKER}\n").replace(
            GRANT,
            GRANT
            + "  - {member: 'user:a@example.com', role: roles/artifactregistry.reader, on: 'artifactRepository:serving'}\n",
        ),
        [],
    ),
    "underscore-in-id": (
        repos("  my_repo: {format: DOCKER}\n"),
        [
            "21:12: artifactRepositories.my_repo: 'my_repo' is not a repository id: '/' and '_' are not allowed in it"
        ],
    ),
    "unknown-format": (
        repos("  serving: {format: HELM}\n"),
        [
            "21:21: artifactRepositories.serving.format: 'HELM' is not allowed: input should be 'DOCKER', 'MAVEN', 'NPM', 'PYTHON', 'APT', 'YUM', 'GO', 'KFP', 'GENERIC', 'RUBY', 'docker', 'maven', 'npm', 'python', 'apt', 'yum', 'go', 'kfp', 'generic' or 'ruby'"
        ],
    ),
    "same-id-twice-in-one-location": (
        repos("  serving: {format: DOCKER}\n  other: {format: NPM, name: serving}\n"),
        [
            "22:30: artifactRepositories.other.name: repository 'us-central1/serving' is also used by 'serving'"
        ],
    ),
    "same-id-in-two-locations": (
        repos(
            "  serving: {format: DOCKER}\n  eu: {format: DOCKER, name: serving, location: europe}\n"
        ),
        [],
    ),
    "bad-location": (
        repos("  serving: {format: DOCKER, location: mars}\n"),
        ["21:39: artifactRepositories.serving.location: 'mars' is not a repository location"],
    ),
    "reader-not-a-member": (
        repos("  serving: {format: DOCKER, readers: [gke-node]}\n"),
        ["21:39: artifactRepositories.serving.readers[0]: 'gke-node' is not an IAM member"],
    ),
    "remote-without-upstream": (
        repos("  hub: {format: DOCKER, mode: REMOTE_REPOSITORY}\n"),
        [
            "21:8: artifactRepositories.hub: a REMOTE_REPOSITORY needs remoteRepositoryConfig naming its upstream"
        ],
    ),
    "remote-upstream-of-another-format": (
        repos(
            "  hub:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n"
            "    remoteRepositoryConfig: {pythonRepository: {publicRepository: PYPI}}\n"
        ),
        [
            "24:48: artifactRepositories.hub.remoteRepositoryConfig.pythonRepository: pythonRepository is the upstream of PYTHON repositories, not DOCKER"
        ],
    ),
    "remote-two-upstreams": (
        repos(
            "  hub:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n    remoteRepositoryConfig:\n"
            "      dockerRepository: {publicRepository: DOCKER_HUB}\n"
            "      commonRepository: {uri: 'https://mirror.example.com'}\n"
        ),
        [
            "25:7: artifactRepositories.hub.remoteRepositoryConfig: a remote repository has exactly one upstream: dockerRepository, commonRepository"
        ],
    ),
    "remote-public-and-custom": (
        repos(
            "  hub:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n"
            "    remoteRepositoryConfig: {dockerRepository: {publicRepository: DOCKER_HUB, customRepository: {uri: 'https://x.example.com'}}}\n"
        ),
        [
            "24:48: artifactRepositories.hub.remoteRepositoryConfig.dockerRepository: name either publicRepository or customRepository, exactly one"
        ],
    ),
    "remote-unknown-public-upstream": (
        repos(
            "  hub:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n"
            "    remoteRepositoryConfig: {dockerRepository: {publicRepository: QUAY}}\n"
        ),
        [
            "24:67: artifactRepositories.hub.remoteRepositoryConfig.dockerRepository.publicRepository: 'QUAY' is not allowed: input should be 'DOCKER_HUB'"
        ],
    ),
    "remote-password-instead-of-secret-version": (
        repos(
            "  hub:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n    remoteRepositoryConfig:\n"
            "      dockerRepository: {publicRepository: DOCKER_HUB}\n"
            "      upstreamCredentials: {usernamePasswordCredentials: {username: bot, passwordSecretVersion: hunter2}}\n"
        ),
        [
            "26:97: artifactRepositories.hub.remoteRepositoryConfig.upstreamCredentials.usernamePasswordCredentials.passwordSecretVersion: passwordSecretVersion is a Secret Manager secret version's name, not a password"
        ],
    ),
    "remote-password-in-a-spec-secret-the-agent-cannot-read": (
        repos(
            "  hub:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n    remoteRepositoryConfig:\n"
            "      dockerRepository: {publicRepository: DOCKER_HUB}\n"
            "      upstreamCredentials: {usernamePasswordCredentials: {username: bot, passwordSecretVersion: projects/demo-project/secrets/hub-token/versions/1}}\n"
        )
        + "secrets:\n  hub-token: {}\n",
        [
            "26:97: artifactRepositories.hub.remoteRepositoryConfig.upstreamCredentials.usernamePasswordCredentials.passwordSecretVersion: the Artifact Registry service agent is not granted roles/secretmanager.secretAccessor on secret 'hub-token': pulls through this repository cannot read the password"
        ],
    ),
    "remote-password-in-a-spec-secret-the-agent-reads": (
        repos(
            "  hub:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n    remoteRepositoryConfig:\n"
            "      dockerRepository: {publicRepository: DOCKER_HUB}\n"
            "      upstreamCredentials: {usernamePasswordCredentials: {username: bot, passwordSecretVersion: projects/demo-project/secrets/hub-token/versions/1}}\n"
        )
        + "secrets:\n  hub-token: {accessors: ['serviceAccount:service-123@gcp-sa-artifactregistry.iam.gserviceaccount.com']}\n",
        [],
    ),
    "remote-config-on-a-standard-repository": (
        repos(
            "  hub:\n    format: DOCKER\n"
            "    remoteRepositoryConfig: {dockerRepository: {publicRepository: DOCKER_HUB}}\n"
        ),
        [
            "23:29: artifactRepositories.hub.remoteRepositoryConfig: remoteRepositoryConfig applies to REMOTE_REPOSITORY repositories, not STANDARD_REPOSITORY"
        ],
    ),
    "virtual-of-remote-and-standard": (
        repos(
            "  hub:\n    format: DOCKER\n    mode: REMOTE_REPOSITORY\n"
            "    remoteRepositoryConfig: {dockerRepository: {publicRepository: DOCKER_HUB}}\n"
            "  own: {format: DOCKER}\n"
            "  all:\n    format: DOCKER\n    mode: VIRTUAL_REPOSITORY\n"
            "    virtualRepositoryConfig:\n      upstreamPolicies:\n"
            "        - {repository: 'artifactRepository:own', priority: 100}\n"
            "        - {repository: 'artifactRepository:hub', priority: 10}\n"
            "        - {repository: 'projects/other/locations/us-central1/repositories/base'}\n"
        ),
        [],
    ),
    "virtual-upstream-wrong-format-virtual-unknown-elsewhere": (
        repos(
            "  py: {format: PYTHON}\n"
            "  eu: {format: DOCKER, location: europe}\n"
            "  all:\n    format: DOCKER\n    mode: VIRTUAL_REPOSITORY\n"
            "    virtualRepositoryConfig:\n      upstreamPolicies:\n"
            "        - {repository: 'artifactRepository:py'}\n"
            "        - {repository: 'artifactRepository:all'}\n"
            "        - {repository: 'artifactRepository:owm'}\n"
            "        - {repository: 'artifactRepository:eu'}\n"
            "        - {repository: 'repo1'}\n"
        ),
        [
            "28:24: artifactRepositories.all.virtualRepositoryConfig.upstreamPolicies[0].repository: upstream 'py' is a PYTHON repository; this one is DOCKER",
            "29:24: artifactRepositories.all.virtualRepositoryConfig.upstreamPolicies[1].repository: upstream 'all' is a virtual repository; upstreams are standard or remote ones",
            "30:24: artifactRepositories.all.virtualRepositoryConfig.upstreamPolicies[2].repository: upstream repository 'owm' is not an artifactRepository of this spec",
            "31:24: artifactRepositories.all.virtualRepositoryConfig.upstreamPolicies[3].repository: upstream 'eu' is in europe, this repository in us-central1",
            "32:24: artifactRepositories.all.virtualRepositoryConfig.upstreamPolicies[4].repository: 'repo1' is not a repository",
        ],
    ),
    "grant-on-unknown-repository": (
        repos("  serving: {format: DOCKER}\n").replace(
            GRANT,
            GRANT
            + "  - {member: 'user:a@example.com', role: roles/artifactregistry.reader, on: 'artifactRepository:servng'}\n",
        ),
        ["10:77: iam[1].on: target repository 'servng' is not an artifactRepository of this spec"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_reports_exactly_these(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert rendered(tmp_path, text) == expected


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "  Serving: {format: DOCKER}\n",
            "repository id 'Serving' may be refused by Artifact Registry",
        ),
        (
            "  pkgs: {format: NPM, dockerConfig: {immutableTags: true}}\n",
            "dockerConfig applies to DOCKER repositories, not NPM; it has no effect here",
        ),
    ],
)
def test_unsourced_rules_warn_and_never_refuse(tmp_path: Path, body: str, message: str) -> None:
    (got,) = diagnostics(tmp_path, repos(body))
    assert got.message == message
    assert got.severity is Severity.WARNING


def test_ruby_is_a_format(tmp_path: Path) -> None:
    """RUBY is in the installed client's artifactregistry_v1.Repository.Format (issue 27)."""
    assert rendered(tmp_path, repos("  gems: {format: RUBY}\n")) == []
