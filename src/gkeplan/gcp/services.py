"""Which of the APIs an apply calls are enabled in the project (Service Usage batchGet)."""

from __future__ import annotations

import shlex
from collections.abc import Iterable

from gkeplan.gcp import retry
from gkeplan.gcp.connection import Connection

# The APIs plan and apply call; a disabled one fails with 403 "... API has not been used in
# project ... before or it is disabled" (k8s-config-connector#492, jenkins-x/terraform-google-jx
# #115), which no retry fixes. A run asks only for those its spec's kinds call (each kind's
# `Kind.apis`, read by run.preflight `apis_for`); this tuple is every one of them, the default
# of `disabled`.
CONTAINER = "container.googleapis.com"
IAM = "iam.googleapis.com"
IAM_CREDENTIALS = "iamcredentials.googleapis.com"
RESOURCE_MANAGER = "cloudresourcemanager.googleapis.com"
STORAGE = "storage.googleapis.com"
REQUIRED = (
    "container.googleapis.com",
    "iam.googleapis.com",
    "iamcredentials.googleapis.com",
    "cloudresourcemanager.googleapis.com",
    "storage.googleapis.com",
)
COMPUTE = "compute.googleapis.com"  # live quotas, and the network kinds' writes
# needed only by specs with artifactRepositories (the artifactregistry v1 discovery document's
# rootUrl is https://artifactregistry.googleapis.com/)
ARTIFACT_REGISTRY = "artifactregistry.googleapis.com"


def disabled(conn: Connection, services: Iterable[str] = REQUIRED) -> list[str]:
    """The services of `services` that are not ENABLED, in the order given."""
    wanted = list(dict.fromkeys(services))
    parent = f"projects/{conn.project}"
    response = retry.call(
        conn.timeouts,
        lambda: conn.service_usage().batch_get_services(
            request={"parent": parent, "names": [f"{parent}/services/{s}" for s in wanted]}
        ),
    )
    enabled = {s.name.rsplit("/", 1)[-1] for s in response.services if s.state.name == "ENABLED"}
    return [s for s in wanted if s not in enabled]


def enable_command(project: str, services: Iterable[str]) -> str:
    return shlex.join(["gcloud", "services", "enable", *services, "--project", project])
