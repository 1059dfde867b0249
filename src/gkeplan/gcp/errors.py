"""One classifier of Google's errors: what a failed call means, and so what to do about it.

Every retry decision in gkeplan (transient retries, etag re-reads, IAM propagation, refusals
that waiting cannot fix) reads `classify`. The messages matched are GCP's own, quoted from
real responses with their sources.
"""

from __future__ import annotations

from enum import StrEnum

from google.api_core import exceptions as gexc
from google.auth.exceptions import RefreshError, TransportError


class Failure(StrEnum):
    TRANSIENT = "transient"  # 429, 5xx, a dropped connection: retry the same call
    CONFLICT = "conflict"  # a stale etag or generation: read again, merge, write again
    EXISTS = "exists"  # a create met a resource of that name
    NOT_FOUND = "not-found"
    PROPAGATING = "propagating"  # a fresh grant or account not visible yet: retry, bounded
    QUOTA = "quota"  # a quota refusal: final, waiting does not fix it
    API_DISABLED = "api-disabled"  # the service is not enabled in the project: final
    IN_PROGRESS = "in-progress"  # another operation is running on the cluster: wait for it
    FATAL = "fatal"


_TRANSIENT = (
    gexc.TooManyRequests,
    gexc.InternalServerError,
    gexc.BadGateway,
    gexc.ServiceUnavailable,
    gexc.GatewayTimeout,
)

# GKE, regional and global: `Insufficient regional quota to satisfy request: resource
# "SSD_TOTAL_GB": request requires '300.0' and is short '50.0'...` (kubeflow/pipelines#10907)
# and `Insufficient project quota to satisfy request: resource "CPUS_ALL_REGIONS"...`
# (kubeflow/website#1065). Compute: `Quota 'CPUS' exceeded. Limit: 8.0 in region us-central1`
# (kelseyhightower/kubernetes-the-hard-way#47).
_QUOTA_TEXTS = ("insufficient regional quota", "insufficient project quota", "quota '")
# `Kubernetes Engine API has not been used in project 123 before or it is disabled. Enable it
# by visiting ...` with reason SERVICE_DISABLED / accessNotConfigured (GoogleCloudPlatform/
# k8s-config-connector#492; jenkins-x/terraform-google-jx#115: "API is not enabled").
_DISABLED_TEXTS = ("has not been used in project", "it is disabled", "api is not enabled")
_DISABLED_REASONS = ("SERVICE_DISABLED", "accessNotConfigured")
# GKE's refusal when the caller lacks actAs on the node service account is a 400:
# `Error 400: The user does not have access to service account "default"., badRequest`
# (rancher/rancher#10553; the tf-serving-gke tutorial's modules/iam/main.tf comment quotes
# "code=400, message=The user does not have access to service account"). Right after a grant
# it means the grant has not propagated yet. A grant naming an account IAM has not seen yet
# is refused as "Service account X does not exist." (googleapi: Error 400, quoted in
# GoogleCloudPlatform/cloud-foundation-fabric docs and many setup guides), and a Workload
# Identity grant made right after its cluster as "Identity Pool does not exist (P.svc.id.goog)."
# Any other "does not exist" is final: GKE's 'Accelerator type "nvidia-tesla-k80" does not
# exist in zone us-east1-c.' (GoogleCloudPlatform/k8s-config-connector#1902) never propagates.
_PROPAGATING_400 = ("does not have access to service account", "identity pool does not exist")
_MISSING_ACCOUNT = ("service account", "does not exist")
# `Error 400: Operation operation-1596064640049-1b03e177 is currently upgrading cluster X.
# Please wait and try again once it is done., failedPrecondition`
# (hashicorp/terraform-provider-google#3650; banzaicloud/pipeline#623), and `Error 400:
# Cluster is running incompatible operation operation-1718024305921-fd4f65ea-...,
# failedPrecondition` (rancher/gke-operator#509).
_IN_PROGRESS_TEXTS = ("please wait and try again", "running incompatible operation")
# setIamPolicy with a stale etag: 409, status ABORTED, `There were concurrent policy
# changes. Please retry the whole read-modify-write with exponential backoff. The request's
# ETag '...' did not match the current policy's ETag '...'.` (GoogleCloudPlatform/
# deploymentmanager-samples#332; hashicorp/terraform-provider-google#12512).
_CONFLICT_TEXTS = ("concurrent policy changes", "etag")


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", "") or "")


def classify(exc: BaseException) -> Failure:
    text = str(exc).lower()
    if isinstance(exc, (*_TRANSIENT, TransportError)):
        return Failure.TRANSIENT
    if isinstance(exc, gexc.AlreadyExists):
        return Failure.EXISTS
    if isinstance(exc, gexc.Aborted | gexc.PreconditionFailed):
        return Failure.CONFLICT
    if isinstance(exc, gexc.Conflict):
        if any(t in text for t in _CONFLICT_TEXTS):
            return Failure.CONFLICT
        return Failure.EXISTS
    if isinstance(exc, gexc.Forbidden | gexc.PermissionDenied | gexc.TooManyRequests):
        if any(t in text for t in _QUOTA_TEXTS):
            return Failure.QUOTA
        if _reason(exc) in _DISABLED_REASONS or any(t in text for t in _DISABLED_TEXTS):
            return Failure.API_DISABLED
        return Failure.PROPAGATING
    if isinstance(exc, gexc.NotFound):
        return Failure.NOT_FOUND
    if isinstance(exc, gexc.BadRequest):
        if any(t in text for t in _IN_PROGRESS_TEXTS):
            return Failure.IN_PROGRESS
        if any(t in text for t in _PROPAGATING_400) or all(t in text for t in _MISSING_ACCOUNT):
            return Failure.PROPAGATING
        return Failure.FATAL
    if isinstance(exc, RefreshError):
        # Minting impersonated credentials: denied until the tokenCreator grant propagates,
        # and a 429/5xx from IAM Credentials arrives wrapped in the same error.
        if any(f'"code": {c}' in text for c in (429, 500, 502, 503, 504)):
            return Failure.TRANSIENT
        return Failure.PROPAGATING
    return Failure.FATAL


_NEXT = {
    Failure.TRANSIENT: "GCP kept failing for the whole retry budget; run apply again",
    Failure.CONFLICT: "someone else changed it at the same moment; run apply again",
    Failure.EXISTS: "it exists outside gkeplan; import it or pick another name",
    Failure.NOT_FOUND: "something it needs does not exist; check the spec, then apply again",
    Failure.PROPAGATING: (
        "the caller or a createAs account lacks a permission (or a fresh grant has not "
        "propagated yet); check the grants, then apply again"
    ),
    Failure.QUOTA: "raise the quota (or shrink the node pools), then apply again",
    Failure.API_DISABLED: "enable the API named above (gcloud services enable), then apply again",
    Failure.IN_PROGRESS: "another operation kept the cluster busy past the deadline; apply again",
    Failure.FATAL: "fix what GCP names above, then apply again",
}


def _message(exc: BaseException) -> str:
    """GCP's own words: the status and message, without the library's request prefix."""
    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        return _message(exc.cause)
    if isinstance(exc, gexc.GoogleAPICallError):
        text = str(exc.message or "")
        # REST errors arrive as "METHOD URL: message"
        if text[:7] in ("POST ht", "GET htt", "PUT htt", "PATCH h", "DELETE ") and ": " in text:
            text = text.split(": ", 1)[1]
        status = getattr(exc, "grpc_status_code", None)
        name = status.name if status is not None else ""
        return f"{exc.code} {name}: {text}".replace(" : ", ": ").strip()
    if isinstance(exc, RefreshError):
        parts = [str(a) for a in exc.args]
        return "could not get credentials: " + "; ".join(parts)
    return str(exc)


def message(exc: BaseException) -> str:
    """GCP's status and message on one line, for a retry's progress line."""
    lines = _message(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def explain(exc: BaseException) -> str:
    """One line for a failed change: GCP's status and message, then what to do next."""
    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        return explain(exc.cause)
    if not isinstance(exc, gexc.GoogleAPICallError | RefreshError | TransportError):
        return str(exc)
    return f"{_message(exc)}; {_NEXT[classify(exc)]}"
