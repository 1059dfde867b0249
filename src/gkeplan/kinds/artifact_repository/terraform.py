"""google_artifact_registry_repository as a gkeplan artifact repository."""

from __future__ import annotations

from gkeplan.convert.api import (
    Mapping,
    Output,
    TfResource,
    compact,
    keyed,
    same_project,
    state_id,
)


def _translate(res: TfResource, out: Output) -> None:
    key = _KEY(res, out)
    same_project(res)
    repository = res.text("repository_id")
    docker = res.block("docker_config")
    mode = res.text("mode")
    if mode not in (None, "STANDARD_REPOSITORY"):
        res.leave(
            "mode",
            f"gkeplan makes standard repositories, not {mode}",
            "keep this repository in Terraform",
        )
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
        "description": res.text("description"),
        "labels": res.labels("labels"),
        "dockerConfig": {"immutableTags": bool(docker.flag("immutable_tags"))} if docker else None,
        "cleanupPolicyDryRun": res.flag("cleanup_policy_dry_run"),
        "kmsKeyName": res.text("kms_key_name"),
    }
    out.put("artifactRepositories", key, compact(body), res)


_KEY = keyed("repository_id")
_ID = "projects/{project}/locations/{location}/repositories/{repository_id}"

MAPPINGS = (
    Mapping(
        "google_artifact_registry_repository",
        "artifactRepository",
        _translate,
        _KEY,
        state_id(_ID),
        order=10,
    ),
)
