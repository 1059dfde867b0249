"""Remote and virtual Artifact Registry repositories: their spec models, their checks and the
API form of their configuration (Repository.remoteRepositoryConfig and
Repository.virtualRepositoryConfig of the artifactregistry v1 discovery document; field names
as in google-cloud-artifact-registry's artifactregistry_v1.RemoteRepositoryConfig,
VirtualRepositoryConfig and UpstreamPolicy).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from pydantic import Field
from pydantic.alias_generators import to_camel

from gkeplan.errors import Path, Severity
from gkeplan.spec.base import Model
from gkeplan.spec.checks import Checker

Mode = Literal["STANDARD_REPOSITORY", "REMOTE_REPOSITORY", "VIRTUAL_REPOSITORY"]
REMOTE = "REMOTE_REPOSITORY"
VIRTUAL = "VIRTUAL_REPOSITORY"
REF_PREFIX = "artifactRepository:"

# The public upstreams each format's remote settings name
# (RemoteRepositoryConfig.{Docker,Maven,Npm,Python}Repository.PublicRepository and
# {Apt,Yum}Repository.PublicRepository.RepositoryBase of the installed client, less the
# UNSPECIFIED values; the same lists are Terraform's ValidateEnum in
# resource_artifact_registry_repository.go, terraform-provider-google).
DockerHub = Literal["DOCKER_HUB"]
MavenCentral = Literal["MAVEN_CENTRAL"]
Npmjs = Literal["NPMJS"]
Pypi = Literal["PYPI"]
AptBase = Literal["DEBIAN", "UBUNTU", "DEBIAN_SNAPSHOT"]
YumBase = Literal["CENTOS", "CENTOS_DEBUG", "CENTOS_VAULT", "CENTOS_STREAM", "ROCKY", "EPEL"]

# password_secret_version: "The Secret Manager key version that holds the password to access
# the remote repository. Must be in the format of
# 'projects/{project}/secrets/{secret}/versions/{version}'" (Terraform, same file).
SECRET_VERSION = re.compile(r"projects/[^/]+/secrets/[^/]+/versions/[^/]+\Z")
# UpstreamPolicy.repository: "A reference to the repository resource, for example:
# `projects/p1/locations/us-central1/repositories/repo1`" (discovery document).
REPOSITORY_NAME = re.compile(r"projects/[^/]+/locations/[^/]+/repositories/[^/]+\Z")


class CustomRepository(Model):
    uri: str = Field(description="The upstream's URL, e.g. https://registry-1.docker.io.")


class _Upstream(Model):
    custom_repository: CustomRepository | None = None


class DockerUpstream(_Upstream):
    public_repository: DockerHub | None = None


class MavenUpstream(_Upstream):
    public_repository: MavenCentral | None = None


class NpmUpstream(_Upstream):
    public_repository: Npmjs | None = None


class PythonUpstream(_Upstream):
    public_repository: Pypi | None = None


class AptPublic(Model):
    repository_base: AptBase
    repository_path: str


class YumPublic(Model):
    repository_base: YumBase
    repository_path: str


class AptUpstream(_Upstream):
    public_repository: AptPublic | None = None


class YumUpstream(_Upstream):
    public_repository: YumPublic | None = None


class UsernamePasswordCredentials(Model):
    username: str | None = None
    password_secret_version: str | None = Field(
        None,
        description="The Secret Manager secret version holding the password, by name "
        "(projects/P/secrets/S/versions/V); never the password itself.",
    )


class UpstreamCredentials(Model):
    username_password_credentials: UsernamePasswordCredentials | None = None


class RemoteRepositoryConfig(Model):
    description: str | None = Field(None, description="The description of the remote source.")
    docker_repository: DockerUpstream | None = None
    maven_repository: MavenUpstream | None = None
    npm_repository: NpmUpstream | None = None
    python_repository: PythonUpstream | None = None
    apt_repository: AptUpstream | None = None
    yum_repository: YumUpstream | None = None
    common_repository: CustomRepository | None = Field(
        None, description="An upstream by URL for any format (CommonRemoteRepository)."
    )
    upstream_credentials: UpstreamCredentials | None = None


class UpstreamPolicy(Model):
    id: str | None = Field(None, description="The policy's id; defaults to the upstream's key.")
    repository: str = Field(
        description="artifactRepository:KEY of this spec, or projects/P/locations/L/"
        "repositories/ID."
    )
    priority: int = Field(0, description="A greater priority is pulled from first.")


class VirtualRepositoryConfig(Model):
    upstream_policies: list[UpstreamPolicy] = Field(default_factory=list)


# The format each per-format upstream serves: "Specific settings for a Docker remote
# repository", "... an Apt remote repository" and so on (the field descriptions of
# RemoteRepositoryConfig, Terraform's and the discovery document's); commonRepository, "Common
# remote repository settings", serves any format.
UPSTREAM_FORMAT = {
    "docker_repository": "DOCKER",
    "maven_repository": "MAVEN",
    "npm_repository": "NPM",
    "python_repository": "PYTHON",
    "apt_repository": "APT",
    "yum_repository": "YUM",
}
UPSTREAMS = (*UPSTREAM_FORMAT, "common_repository")


def remote_body(cfg: RemoteRepositoryConfig | None) -> dict[str, Any] | None:
    """The remote settings as the API returns them, less the credentials (updated on their own:
    they are the one part Terraform does not replace the repository for)."""
    if cfg is None:
        return None
    return cfg.model_dump(by_alias=True, exclude_none=True, exclude={"upstream_credentials"})


def password_secret_version(cfg: RemoteRepositoryConfig | None) -> str | None:
    creds = cfg.upstream_credentials if cfg else None
    up = creds.username_password_credentials if creds else None
    return up.password_secret_version if up else None


def credentials_body(cfg: RemoteRepositoryConfig | None) -> dict[str, Any] | None:
    creds = cfg.upstream_credentials if cfg else None
    if creds is None or creds.username_password_credentials is None:
        return None
    up = creds.username_password_credentials.model_dump(by_alias=True, exclude_none=True)
    return {"usernamePasswordCredentials": up} if up else None


def virtual_body(
    cfg: VirtualRepositoryConfig | None, resolve: Callable[[str], str]
) -> dict[str, Any] | None:
    if cfg is None:
        return None
    policies = [
        {
            "id": p.id or default_policy_id(p.repository),
            "repository": resolve(p.repository),
            "priority": p.priority,
        }
        for p in cfg.upstream_policies
    ]
    return {"upstreamPolicies": policies_in_order(policies)}


def policies_in_order(policies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Upstream policies by id: their order means nothing (priority orders the pulls), and
    Terraform compares them as a set (upstreamPoliciesDiffSuppress,
    resource_artifact_registry_repository.go), so an API answer in another order is no
    change."""
    return sorted(policies, key=lambda p: (str(p["id"]), str(p["repository"])))


def default_policy_id(repository: str) -> str:
    if repository.startswith(REF_PREFIX):
        return repository[len(REF_PREFIX) :]
    return repository.rsplit("/", 1)[-1]


def check_remote(
    c: Checker, path: Path, fmt: str, mode: str, cfg: RemoteRepositoryConfig | None
) -> None:
    where: Path = (*path, "remoteRepositoryConfig")
    if mode != REMOTE:
        if cfg is not None:
            # ConflictsWith/ForceNew aside, the remote settings are "Configuration specific for
            # a Remote Repository" (Terraform's remote_repository_config)
            c.error(
                where,
                f"remoteRepositoryConfig applies to REMOTE_REPOSITORY repositories, not {mode}",
                "set mode: REMOTE_REPOSITORY, or remove remoteRepositoryConfig",
            )
        return
    if cfg is None:
        c.error(
            path,
            "a REMOTE_REPOSITORY needs remoteRepositoryConfig naming its upstream",
            "add remoteRepositoryConfig: {" + _suggested_upstream(fmt) + "}",
        )
        return
    given = [u for u in UPSTREAMS if getattr(cfg, u) is not None]
    # ExactlyOneOf over apt_repository, common_repository, docker_repository, ... (Terraform's
    # remote_repository_config, resource_artifact_registry_repository.go)
    if len(given) != 1:
        c.error(
            where,
            "a remote repository has exactly one upstream: "
            + ("none is set" if not given else ", ".join(to_camel(g) for g in given)),
            f"keep one of {', '.join(to_camel(u) for u in UPSTREAMS)}",
        )
        return
    upstream = given[0]
    served = UPSTREAM_FORMAT.get(upstream)
    if served is not None and served != fmt:
        c.error(
            (*where, to_camel(upstream)),
            f"{to_camel(upstream)} is the upstream of {served} repositories, not {fmt}",
            f"use {_suggested_upstream(fmt)}",
        )
    settings = getattr(cfg, upstream)
    if isinstance(settings, _Upstream):
        public = getattr(settings, "public_repository", None)
        # public_repository ConflictsWith custom_repository (Terraform, same file)
        if (public is None) == (settings.custom_repository is None):
            c.error(
                (*where, to_camel(upstream)),
                "name either publicRepository or customRepository, exactly one",
                f"e.g. {_suggested_upstream(fmt)}",
            )
    secret = password_secret_version(cfg)
    if secret is not None and not SECRET_VERSION.match(secret):
        c.error(
            (
                *where,
                "upstreamCredentials",
                "usernamePasswordCredentials",
                "passwordSecretVersion",
            ),
            "passwordSecretVersion is a Secret Manager secret version's name, not "
            + ("a password" if "/" not in secret else f"'{secret}'"),
            "write projects/PROJECT/secrets/SECRET/versions/VERSION (the secret holds the "
            "password)",
        )


def _suggested_upstream(fmt: str) -> str:
    public = {
        "DOCKER": "dockerRepository: {publicRepository: DOCKER_HUB}",
        "MAVEN": "mavenRepository: {publicRepository: MAVEN_CENTRAL}",
        "NPM": "npmRepository: {publicRepository: NPMJS}",
        "PYTHON": "pythonRepository: {publicRepository: PYPI}",
        "APT": "aptRepository: {publicRepository: {repositoryBase: DEBIAN, repositoryPath: ...}}",
        "YUM": "yumRepository: {publicRepository: {repositoryBase: ROCKY, repositoryPath: ...}}",
    }
    return public.get(fmt, "commonRepository: {uri: https://...}")


class RepoFacts(NamedTuple):
    """What a virtual repository's check needs of a repository the spec names."""

    format: str
    mode: str
    location: str


def check_virtual(
    c: Checker,
    path: Path,
    fmt: str,
    mode: str,
    location: str,
    cfg: VirtualRepositoryConfig | None,
    known: Mapping[str, RepoFacts],
) -> None:
    where: Path = (*path, "virtualRepositoryConfig")
    if mode != VIRTUAL:
        if cfg is not None:
            # "Upstream policies cannot be set on a standard repository" (Terraform's
            # virtual_repository_config.upstream_policies)
            c.error(
                where,
                f"virtualRepositoryConfig applies to VIRTUAL_REPOSITORY repositories, not {mode}",
                "set mode: VIRTUAL_REPOSITORY, or remove virtualRepositoryConfig",
            )
        return
    if cfg is None or not cfg.upstream_policies:
        # a virtual repository with no upstream serves nothing; whether GCP refuses it is not
        # documented: a warning
        c.error(
            path,
            "this VIRTUAL_REPOSITORY has no upstream policies: it serves nothing",
            "add virtualRepositoryConfig: {upstreamPolicies: [{repository: "
            "artifactRepository:KEY, priority: 100}]}",
            severity=Severity.WARNING,
        )
        return
    ids: dict[str, int] = {}
    for i, policy in enumerate(cfg.upstream_policies):
        at: Path = (*where, "upstreamPolicies", i)
        ref = policy.repository
        pid = policy.id or default_policy_id(ref)
        if pid in ids:
            c.error(
                (*at, "id") if policy.id else (*at, "repository"),
                f"upstream policy id '{pid}' is also policy {ids[pid]}'s",
                "give each upstream policy its own id",
                severity=Severity.WARNING,  # uniqueness is not documented: a warning
            )
        ids.setdefault(pid, i)
        if ref.startswith(REF_PREFIX):
            key = ref[len(REF_PREFIX) :]
            other = known.get(key)
            if other is None:
                c.error(
                    (*at, "repository"),
                    f"upstream repository '{key}' is not an artifactRepository of this spec",
                    c.hint(key, known) or "name a repository of this spec or a full name",
                )
                continue
            _check_upstream(c, (*at, "repository"), key, fmt, location, other)
        elif not REPOSITORY_NAME.match(ref):
            c.error(
                (*at, "repository"),
                f"'{ref}' is not a repository",
                "write artifactRepository:KEY or projects/P/locations/L/repositories/ID",
            )


def _check_upstream(
    c: Checker, at: Path, key: str, fmt: str, location: str, other: RepoFacts
) -> None:
    # "Virtual repositories act as a single access point to download, install, or deploy
    # artifacts in the same format from one or more upstream repositories. An upstream
    # repository can be a Artifact Registry standard or remote repository."
    # (https://cloud.google.com/artifact-registry/docs/repositories/virtual-repo)
    if other.mode == VIRTUAL:
        c.error(
            at,
            f"upstream '{key}' is a virtual repository; upstreams are standard or remote ones",
            "name the repositories it draws from instead",
        )
    if other.format != fmt:
        c.error(
            at,
            f"upstream '{key}' is a {other.format} repository; this one is {fmt}",
            "a virtual repository draws from repositories of its own format",
        )
    if other.location != location:
        # not found in Google's pages: a warning
        c.error(
            at,
            f"upstream '{key}' is in {other.location}, this repository in {location}",
            "keep a virtual repository and its upstreams in one location",
            severity=Severity.WARNING,
        )
