"""artifactRepository.KEY: an Artifact Registry repository (the serving image's home).

Readers and writers on it are shorthand for IAM members of roles/artifactregistry.reader and
roles/artifactregistry.writer on the repository; the iamMember kind expands them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal, cast

from pydantic import Field

from gkeplan.errors import Path, Severity
from gkeplan.kinds import base, secret
from gkeplan.kinds.artifact_repository.modes import (
    REF_PREFIX,
    Mode,
    RemoteRepositoryConfig,
    RepoFacts,
    VirtualRepositoryConfig,
    check_remote,
    check_virtual,
    credentials_body,
    password_secret_version,
    remote_body,
    virtual_body,
)
from gkeplan.kinds.iam_member import grants as iam_grants
from gkeplan.spec.base import Document, Labels, Model, Resource
from gkeplan.spec.checks import REGION, Checker
from gkeplan.spec.refs import TargetRef

# Repository.format: the installed client's enum (google-cloud-artifact-registry,
# artifactregistry_v1.Repository.Format: DOCKER, MAVEN, NPM, APT, YUM, PYTHON, KFP, GO, GENERIC,
# RUBY), through which the driver sends it; in the API's spelling and lowercase as Terraform
# accepts it (google_artifact_registry_repository's format has DiffSuppressFunc
# CaseDiffSuppress: terraform-provider-google,
# google/services/artifactregistry/resource_artifact_registry_repository.go).
FORMATS = ("DOCKER", "MAVEN", "NPM", "PYTHON", "APT", "YUM", "GO", "KFP", "GENERIC", "RUBY")
Format = Literal[
    "DOCKER",
    "MAVEN",
    "NPM",
    "PYTHON",
    "APT",
    "YUM",
    "GO",
    "KFP",
    "GENERIC",
    "RUBY",
    "docker",
    "maven",
    "npm",
    "python",
    "apt",
    "yum",
    "go",
    "kfp",
    "generic",
    "ruby",
]

# Multi-region locations: "In addition to specific regions, special values for multi-region
# locations are 'asia', 'europe', and 'us'" (Terraform's google_artifact_registry_repository,
# location; same file as above).
MULTI_REGIONS = ("asia", "europe", "us")

READER = "roles/artifactregistry.reader"
WRITER = "roles/artifactregistry.writer"

# Not found in Google's pages by the search tool: the id grammar below is the common GCP one
# (a letter first, lowercase letters, digits and hyphens, at most 63). Unsourced, so a
# mismatch warns and never refuses. What is sourced refuses: the id is the last segment of
# the repository's name "projects/p1/locations/us-central1/repositories/repo1" (Repository.name,
# artifactregistry v1 discovery document), so it holds no '/'; and underscores "aren't
# supported in artifact repo names" (GoogleCloudPlatform/cluster-toolkit#6303).
_ID = re.compile(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?\Z")


class DockerConfig(Model):
    immutable_tags: bool = Field(
        False,
        description="Tags cannot be moved or deleted once pushed (new tags can still be made).",
    )


class ArtifactRepository(Resource):
    name: str | None = Field(None, description="Repository id; defaults to the key.")
    location: str | None = Field(
        None, description="A region or a multi-region (asia, europe, us); defaults to the spec's."
    )
    format: Format = Field(description="Repository.format: DOCKER for images (lowercase too).")
    mode: Mode = Field(
        "STANDARD_REPOSITORY",
        description="STANDARD_REPOSITORY (pushed to), REMOTE_REPOSITORY (a cache of an "
        "upstream) or VIRTUAL_REPOSITORY (one address for several repositories); create-only.",
    )
    remote_repository_config: RemoteRepositoryConfig | None = Field(
        None, description="A REMOTE_REPOSITORY's upstream; all but its credentials create-only."
    )
    virtual_repository_config: VirtualRepositoryConfig | None = Field(
        None, description="A VIRTUAL_REPOSITORY's upstream repositories, updated in place."
    )
    description: str | None = None
    labels: Labels = Field(default_factory=dict)
    docker_config: DockerConfig | None = None
    cleanup_policy_dry_run: bool = Field(
        False, description="Keep cleanup policies from deleting versions (dry run)."
    )
    kms_key_name: str | None = Field(
        None,
        description="Cloud KMS key that encrypts the repository's contents (CMEK); create-only.",
    )
    readers: list[str] = Field(
        default_factory=list,
        description="Members granted roles/artifactregistry.reader on this repository.",
    )
    writers: list[str] = Field(
        default_factory=list,
        description="Members granted roles/artifactregistry.writer on this repository.",
    )


def repositories(spec: Document) -> dict[str, ArtifactRepository]:
    return cast(dict[str, ArtifactRepository], spec.section("artifact_repositories"))


def repository_id(spec: Document, key: str) -> str:
    repo = repositories(spec).get(key)
    return (repo.name if repo else None) or key


def location_of(spec: Document, key: str) -> str:
    repo = repositories(spec).get(key)
    return ((repo.location if repo else None) or spec.region).lower()


def resource_name(spec: Document, key: str) -> str:
    """projects/P/locations/L/repositories/ID: the repository's name in the API."""
    return (
        f"projects/{spec.project}/locations/{location_of(spec, key)}/repositories/"
        f"{repository_id(spec, key)}"
    )


def _expand(spec: Document) -> Iterable[base.Node]:
    return base.section_nodes("artifactRepository", "artifactRepositories", repositories(spec))


def _upstream_name(spec: Document, ref: str) -> str:
    """An upstream policy's repository as the API names it."""
    if ref.startswith(REF_PREFIX):
        return resource_name(spec, ref[len(REF_PREFIX) :])
    return ref


def _link(spec: Document, node: base.Node, nodes: Mapping[str, base.Node]) -> Iterable[base.Dep]:
    """A virtual repository comes after the repositories it draws from (and goes before them):
    named by key or by the full name of a repository of the spec. A remote one comes after the
    spec's secret whose version holds its upstream password."""
    r: ArtifactRepository = node.model
    cfg = r.virtual_repository_config
    by_name = {resource_name(spec, k): k for k in repositories(spec)}
    for i, policy in enumerate(cfg.upstream_policies if cfg else []):
        key = by_name.get(_upstream_name(spec, policy.repository))
        address = f"artifactRepository.{key}"
        if key is not None and address in nodes and address != node.address:
            path: Path = (*node.path, "virtualRepositoryConfig", "upstreamPolicies", i)
            yield base.Dep(address, "upstream repository", (*path, "repository"))
    version = password_secret_version(r.remote_repository_config)
    if version is not None:
        secret_name = version.split("/versions/", 1)[0]
        for key in secret.secrets(spec):
            if secret.resource_name(spec, key) == secret_name and f"secret.{key}" in nodes:
                where = ("remoteRepositoryConfig", "upstreamCredentials")
                yield base.Dep(f"secret.{key}", "upstream password", (*node.path, *where))


# Permissions of the repositories methods (Artifact Registry "Access control with IAM":
# roles/artifactregistry.admin holds exactly these repository permissions in the role data of
# shared/reference/gcp-iam-roles, and roles/artifactregistry.reader only get, list and
# downloadArtifacts).
_NEEDS = {
    "read": ("artifactregistry.repositories.get",),
    "create": ("artifactregistry.repositories.create",),
    "update": ("artifactregistry.repositories.update",),
    "delete": ("artifactregistry.repositories.delete",),
}


_needs = base.resource_permissions(_NEEDS)


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    key = node.address.split(".", 1)[1]
    r: ArtifactRepository = node.model
    fmt = r.format.upper()
    return base.DesiredState(
        resource_name(spec, key),
        {
            "repositoryId": repository_id(spec, key),
            "location": location_of(spec, key),
            "format": fmt,
            "mode": r.mode,
            "description": r.description or "",
            "labels": dict(r.labels),
            # the API reports dockerConfig only on DOCKER repositories
            "dockerConfig": {
                "immutableTags": bool(r.docker_config and r.docker_config.immutable_tags)
            }
            if fmt == "DOCKER"
            else None,
            "cleanupPolicyDryRun": r.cleanup_policy_dry_run,
            "kmsKeyName": r.kms_key_name or "",
            "remoteRepositoryConfig": remote_body(r.remote_repository_config),
            "upstreamCredentials": credentials_body(r.remote_repository_config),
            "virtualRepositoryConfig": virtual_body(
                r.virtual_repository_config, lambda ref: _upstream_name(spec, ref)
            ),
        },
        {"project": spec.project},
    )


def _check(spec: Document, c: Checker) -> None:
    seen: dict[str, str] = {}
    known = {
        k: RepoFacts(r.format.upper(), r.mode, (r.location or spec.region).lower())
        for k, r in repositories(spec).items()
    }
    for key, repo in repositories(spec).items():
        path: Path = ("artifactRepositories", key)
        ident = repo.name or key
        id_path = (*path, "name") if repo.name else path
        location = (repo.location or spec.region).lower()
        if "/" in ident or "_" in ident:
            c.error(
                id_path,
                f"'{ident}' is not a repository id: '/' and '_' are not allowed in it",
                "use lowercase letters, digits and hyphens",
            )
        elif not _ID.match(ident):
            c.error(
                id_path,
                f"repository id '{ident}' may be refused by Artifact Registry",
                "start with a lowercase letter; use lowercase letters, digits and hyphens; "
                "at most 63 characters",
                severity=Severity.WARNING,
            )
        # ids are unique per location of a project (Repository.name, discovery document)
        c.named(id_path, f"{location}/{ident}", None, seen, key, "repository")
        if location not in MULTI_REGIONS and not REGION.match(location):
            c.error(
                (*path, "location"),
                f"'{location}' is not a repository location",
                "use a region such as us-central1, or a multi-region: asia, europe, us",
            )
        if repo.docker_config is not None and repo.format.upper() != "DOCKER":
            # "configuration for the repositories of docker type" (DockerRepositoryConfig,
            # discovery document); whether GCP refuses it elsewhere is not documented: a warning
            c.error(
                (*path, "dockerConfig"),
                f"dockerConfig applies to DOCKER repositories, not {repo.format.upper()}; "
                "it has no effect here",
                severity=Severity.WARNING,
            )
        fmt = repo.format.upper()
        check_remote(c, path, fmt, repo.mode, repo.remote_repository_config)
        _check_agent_reads_password(spec, c, path, repo)
        check_virtual(c, path, fmt, repo.mode, location, repo.virtual_repository_config, known)
        c.labels((*path, "labels"), repo.labels)
        c.depends_on(path, repo)


# "To allow the service agent to use secrets stored in Secret Manager, you must grant the
# service agent permission to view your secret version. The service agent identifier is:
# service-PROJECT-NUMBER@gcp-sa-artifactregistry.iam.gserviceaccount.com ... grant the Artifact
# Registry service agent the Secret Manager Secret Accessor role"
# (https://cloud.google.com/artifact-registry/docs/repositories/configure-remote-authentication)
AGENT_DOMAIN = "@gcp-sa-artifactregistry.iam.gserviceaccount.com"


def _check_agent_reads_password(
    spec: Document, c: Checker, path: Path, repo: ArtifactRepository
) -> None:
    """A remote repository's password in a secret of the spec: the service agent needs
    roles/secretmanager.secretAccessor on it (or on the project), or pulls through it fail.
    Only the spec's own secrets are looked at: the grants of one outside it are unknown."""
    version = password_secret_version(repo.remote_repository_config)
    if repo.mode != "REMOTE_REPOSITORY" or version is None:
        return
    name = version.split("/versions/", 1)[0]
    key = next((k for k in secret.secrets(spec) if secret.resource_name(spec, k) == name), None)
    if key is None:
        return
    members = list(secret.secrets(spec)[key].accessors)
    for g in iam_grants(spec):
        roles = g.roles or ([g.role] if g.role else [])
        if secret.ACCESSOR in roles and g.on in ("project", f"secret:{key}"):
            members += g.members or ([g.member] if g.member else [])
    if not any(m.endswith(AGENT_DOMAIN) for m in members):
        where = ("remoteRepositoryConfig", "upstreamCredentials", "usernamePasswordCredentials")
        c.error(
            (*path, *where, "passwordSecretVersion"),
            f"the Artifact Registry service agent is not granted {secret.ACCESSOR} on secret "
            f"'{key}': pulls through this repository cannot read the password",
            f"add to secrets.{key}.accessors: serviceAccount:service-PROJECT_NUMBER{AGENT_DOMAIN}",
            severity=Severity.WARNING,
        )


ARTIFACT_REGISTRY_API = "artifactregistry.googleapis.com"  # the service its driver's client calls


def _check_target(c: Checker, path: Path, ref: TargetRef) -> None:
    if ref.name not in repositories(c.spec):
        c.error(
            path,
            f"target repository '{ref.name}' is not an artifactRepository of this spec",
            c.hint(ref.name, repositories(c.spec)),
        )


def _readers_and_writers(spec: Document) -> Iterable[base.Shorthand]:
    for key, repo in repositories(spec).items():
        for field, role, texts in (
            ("readers", READER, repo.readers),
            ("writers", WRITER, repo.writers),
        ):
            for j, text in enumerate(texts):
                where: Path = ("artifactRepositories", key, field, j)
                yield base.Shorthand(key, role, text, where, ("artifactRepositories", key))


GRANTS = base.GrantTarget(
    api=ARTIFACT_REGISTRY_API,
    # artifactregistry.repositories.getIamPolicy / setIamPolicy (roles/artifactregistry.admin
    # in shared/reference/gcp-iam-roles)
    permissions="artifactregistry.repositories",
    pattern=r"projects/[^/]+/locations/[^/]+/repositories/[^/]+\Z",
    policies="gkeplan.kinds.artifact_repository.iam_policy:POLICIES",
    resource_name=lambda spec, ref: resource_name(spec, ref.name),
    check=_check_target,
    syntax="artifactRepository:KEY",
    shorthands=_readers_and_writers,
    public_members_rule="SB022",
    listed=lambda project, name: name,
    written_on=base.written_by_key("artifactRepository"),
)


KIND = base.Kind(
    "artifactRepository",
    base.Section(
        "artifact_repositories",
        dict[str, ArtifactRepository],
        dict,
        "Artifact Registry repositories, by key (the repository id unless name is set).",
    ),
    _expand,
    _needs,
    _desired,
    apis=base.uses(ARTIFACT_REGISTRY_API),
    driver="gkeplan.kinds.artifact_repository.driver:ArtifactRepositoryDriver",
    generate="gkeplan.kinds.artifact_repository.generate:GENERATOR",
    link=_link,
    check=_check,
    # format, mode, location, repository id, kmsKeyName and remote_repository_config (all of
    # it but upstream_credentials) are ForceNew in Terraform's
    # google_artifact_registry_repository (resource_artifact_registry_repository.go);
    # description, labels, dockerConfig, cleanupPolicyDryRun, virtual_repository_config and the
    # upstream credentials are updated in place (its update mask: "virtualRepositoryConfig",
    # "remoteRepositoryConfig.upstreamCredentials.usernamePasswordCredentials.username", ...).
    immutable=frozenset(
        {"repositoryId", "location", "format", "mode", "kmsKeyName", "remoteRepositoryConfig"}
    ),
    expected_seconds=5.0,  # a scheduling guess, not a GCP figure: a create is a short operation
    replace_loses_data=True,  # every image in it
    rules="gkeplan.kinds.artifact_repository.rules:RULES",
    cost="gkeplan.kinds.artifact_repository.cost:PRICED",
    grant_target=GRANTS,
)
