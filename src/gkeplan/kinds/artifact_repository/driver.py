"""Artifact Registry repositories through google-cloud-artifact-registry (REST transport).

Create and delete are long-running operations, waited for with the operation's own
`result()` (google-api-core polls `operations.get`); update is a plain PATCH with an update
mask naming only the fields the plan changes.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.artifactregistry_v1 import types as ar

from gkeplan.errors import ResourceExists
from gkeplan.gcp.retry import call
from gkeplan.kinds.artifact_repository.modes import policies_in_order
from gkeplan.kinds.driver import Attributes, CallContext, Wanted
from gkeplan.plan.model import Change

# The spec's attribute -> the Repository field an update mask names (proto field paths; the
# REST transport sends them in JSON's camelCase).
_MASK = {
    "description": "description",
    "labels": "labels",
    "dockerConfig": "docker_config",
    "cleanupPolicyDryRun": "cleanup_policy_dry_run",
    "virtualRepositoryConfig": "virtual_repository_config",
    # the two credential fields Terraform's update names one by one
    # (resource_artifact_registry_repository.go, terraform-provider-google)
    "upstreamCredentials": (
        "remote_repository_config.upstream_credentials.username_password_credentials.username,"
        "remote_repository_config.upstream_credentials.username_password_credentials."
        "password_secret_version"
    ),
}


def _json_of(message: Any) -> dict[str, Any]:
    """A sub-message as the API's JSON (camelCase, enums by name, unset fields left out)."""
    data: dict[str, Any] = json.loads(
        type(message).to_json(
            message, use_integers_for_enums=False, always_print_fields_with_no_presence=False
        )
    )
    return data


def _remote_attributes(repo: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if "remote_repository_config" not in repo:
        return None, None
    remote = _json_of(repo.remote_repository_config)
    creds = remote.pop("upstreamCredentials", None) or None
    remote.pop("disableUpstreamValidation", None)  # not a spec field: never compared
    return remote, creds


def _virtual_attributes(repo: Any) -> dict[str, Any] | None:
    if "virtual_repository_config" not in repo:
        return None
    policies = [
        {"id": str(p.id), "repository": str(p.repository), "priority": int(p.priority)}
        for p in repo.virtual_repository_config.upstream_policies
    ]
    return {"upstreamPolicies": policies_in_order(policies)}


def _enum_name(value: Any) -> str:
    return str(getattr(value, "name", value) or "")


def repository_attributes(repo: Any) -> Attributes:
    name = str(repo.name)
    parts = name.split("/")  # projects/P/locations/L/repositories/ID
    fmt = _enum_name(repo.format_)
    docker = repo.docker_config if "docker_config" in repo else None
    remote, creds = _remote_attributes(repo)
    return {
        "repositoryId": parts[-1],
        "location": parts[3],
        "format": fmt,
        "mode": _enum_name(repo.mode) or "STANDARD_REPOSITORY",
        "description": str(repo.description or ""),
        "labels": dict(repo.labels),
        "dockerConfig": {"immutableTags": bool(docker.immutable_tags) if docker else False}
        if fmt == "DOCKER"
        else None,
        "cleanupPolicyDryRun": bool(repo.cleanup_policy_dry_run),
        "kmsKeyName": str(repo.kms_key_name or ""),
        "remoteRepositoryConfig": remote,
        "upstreamCredentials": creds,
        "virtualRepositoryConfig": _virtual_attributes(repo),
    }


def _repository(name: str, after: Attributes, fields: set[str] | None) -> dict[str, Any]:
    def want(f: str) -> bool:
        return fields is None or f in fields

    body: dict[str, Any] = {"name": name}
    if fields is None:
        body["format_"] = after["format"]
        body["mode"] = after["mode"]
        if after.get("kmsKeyName"):
            body["kms_key_name"] = after["kmsKeyName"]
    if want("description"):
        body["description"] = after["description"]
    if want("labels"):
        body["labels"] = dict(after["labels"])
    if want("dockerConfig") and after.get("dockerConfig") is not None:
        body["docker_config"] = {"immutable_tags": after["dockerConfig"]["immutableTags"]}
    if want("cleanupPolicyDryRun"):
        body["cleanup_policy_dry_run"] = after["cleanupPolicyDryRun"]
    remote = dict(after.get("remoteRepositoryConfig") or {}) if fields is None else {}
    if want("upstreamCredentials") and after.get("upstreamCredentials"):
        remote["upstreamCredentials"] = after["upstreamCredentials"]
    if remote:
        body["remote_repository_config"] = ar.RemoteRepositoryConfig.from_json(json.dumps(remote))
    if want("virtualRepositoryConfig") and after.get("virtualRepositoryConfig") is not None:
        body["virtual_repository_config"] = ar.VirtualRepositoryConfig.from_json(
            json.dumps(after["virtualRepositoryConfig"])
        )
    return body


def _parent(name: str) -> str:
    return name.rsplit("/repositories/", 1)[0]


class ArtifactRepositoryDriver:
    kind = "artifactRepository"

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        """One list per location the spec (or the state) has repositories in."""
        parents = sorted({_parent(w.id) for w in wanted})
        if not parents:
            return {}
        client = ctx.conn.artifact_registry()
        out: dict[str, Attributes] = {}
        for parent in parents:
            # the pager is lazy: its pages are read inside the retry (a failed page lists again)
            pages = call(
                ctx.conn.timeouts,
                lambda parent=parent: [  # type: ignore[misc]
                    list(p.repositories)
                    for p in client.list_repositories(
                        request={"parent": parent, "page_size": 1000}
                    ).pages
                ],
            )
            ctx.count(max(1, len(pages)))
            for page in pages:
                for repo in page:
                    out[str(repo.name)] = repository_attributes(repo)
        return out

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        after = change.after or {}
        client = ctx.conn.artifact_registry()
        request = {
            "parent": _parent(change.id),
            "repository_id": after["repositoryId"],
            "repository": _repository(change.id, after, None),
        }
        try:
            op = call(ctx.conn.timeouts, lambda: client.create_repository(request=request))
            repo = op.result(timeout=ctx.conn.timeouts.operation_deadline_s)
        except (gexc.AlreadyExists, gexc.Conflict):
            raise ResourceExists(f"repository {change.id} exists already", change.id) from None
        return repository_attributes(repo)

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
        client = ctx.conn.artifact_registry()
        try:
            repo = call(ctx.conn.timeouts, lambda: client.get_repository(name=change.id))
        except gexc.NotFound:
            return None
        return repository_attributes(repo)

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        client = ctx.conn.artifact_registry()
        fields = {f.name.split(".", 1)[0] for f in change.fields} & set(_MASK)
        request = {
            "repository": _repository(change.id, change.after or {}, fields),
            "update_mask": {"paths": sorted(p for f in fields for p in _MASK[f].split(","))},
        }
        repo = call(ctx.conn.timeouts, lambda: client.update_repository(request=request))
        return repository_attributes(repo)

    def delete(self, ctx: CallContext, change: Change) -> None:
        client = ctx.conn.artifact_registry()
        with contextlib.suppress(gexc.NotFound):  # already gone: the goal of a delete
            op = call(ctx.conn.timeouts, lambda: client.delete_repository(name=change.id))
            op.result(timeout=ctx.conn.timeouts.operation_deadline_s)
