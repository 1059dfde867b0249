"""google_artifact_registry_repository as a gkeplan artifact repository."""

from __future__ import annotations

from typing import Any

from pydantic.alias_generators import to_camel

from gkeplan.convert import api


def _translate(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    repository = res.text("repository_id")
    docker = res.block("docker_config")
    if res.has("cleanup_policies"):
        res.leave(
            "cleanup_policies",
            "gkeplan has no cleanup policies (only their dry run)",
            "keep the policies in Terraform or set them with gcloud",
        )
    body = {
        "name": repository if repository != key else None,
        "location": res.text("location"),
        "format": res.text("format"),
        "mode": res.text("mode"),
        "remoteRepositoryConfig": _remote(res),
        "virtualRepositoryConfig": _virtual(res, out),
        "description": res.text("description"),
        "labels": res.labels("labels"),
        "dockerConfig": {"immutableTags": bool(docker.flag("immutable_tags"))} if docker else None,
        "cleanupPolicyDryRun": res.flag("cleanup_policy_dry_run"),
        "kmsKeyName": res.text("kms_key_name"),
    }
    out.put("artifactRepositories", key, api.compact(body), res)


def _custom(block: api.TfResource | None) -> dict[str, Any] | None:
    return api.compact({"uri": block.text("uri")}) if block else None


def _upstream(block: api.TfResource) -> dict[str, Any]:
    public: Any = None
    if block.has("public_repository"):
        # a text on Docker, Maven, npm and Python; a block {repository_base, repository_path}
        # on Apt and Yum (remote_repository_config of resource_artifact_registry_repository.go)
        nested = (
            block.block("public_repository")
            if not isinstance(block.peek("public_repository"), str)
            else None
        )
        public = (
            api.compact(
                {
                    "repositoryBase": nested.text("repository_base"),
                    "repositoryPath": nested.text("repository_path"),
                }
            )
            if nested
            else block.text("public_repository")
        )
    return api.compact(
        {"publicRepository": public, "customRepository": _custom(block.block("custom_repository"))}
    )


def _remote(res: api.TfResource) -> dict[str, Any] | None:
    remote = res.block("remote_repository_config")
    if remote is None:
        return None
    if remote.has("disable_upstream_validation"):
        remote.leave(
            "disable_upstream_validation",
            "gkeplan always lets Artifact Registry check the upstream",
            "remove it, or keep this repository in Terraform",
        )
    body: dict[str, Any] = {"description": remote.text("description")}
    for field in _UPSTREAMS:
        block = remote.block(field)
        if block is not None:
            body[to_camel(field)] = _upstream(block)
    common = remote.block("common_repository")
    if common is not None:
        body["commonRepository"] = _custom(common)
    creds = remote.block("upstream_credentials")
    userpass = creds.block("username_password_credentials") if creds else None
    if userpass is not None:
        body["upstreamCredentials"] = {
            "usernamePasswordCredentials": api.compact(
                {
                    "username": userpass.text("username"),
                    # a secret version's name (never its value)
                    "passwordSecretVersion": userpass.text("password_secret_version"),
                }
            )
        }
    return api.compact(body)


def _virtual(res: api.TfResource, out: api.Output) -> dict[str, Any] | None:
    virtual = res.block("virtual_repository_config")
    if virtual is None:
        return None
    policies = []
    for policy in virtual.blocks("upstream_policies"):
        key = policy.ref_key("repository", [TYPE])
        if key:
            policy.skip("repository")  # read, as the spec key it names
        policies.append(
            api.compact(
                {
                    "id": policy.text("id"),
                    "repository": f"artifactRepository:{key}" if key else policy.text("repository"),
                    "priority": policy.number("priority"),
                }
            )
        )
    return {"upstreamPolicies": policies}


_UPSTREAMS = (
    "docker_repository",
    "maven_repository",
    "npm_repository",
    "python_repository",
    "apt_repository",
    "yum_repository",
)
TYPE = "google_artifact_registry_repository"
_KEY = api.keyed("repository_id")
_ID = "projects/{project}/locations/{location}/repositories/{repository_id}"

MAPPINGS = (
    api.Mapping(
        TYPE,
        "artifactRepository",
        _translate,
        _KEY,
        api.state_id(_ID),
        order=10,
    ),
)
