"""One classifier of Google's errors: what a failed call means, and so what to do about it.

Every retry decision in gkeplan (transient retries, etag re-reads, IAM propagation, refusals
that waiting cannot fix) reads `classify`. The messages matched are GCP's own, quoted from
real responses with their sources.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

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


# how a JSON error names an ErrorInfo among its details (https://cloud.google.com/apis/design/errors)
ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", None) or _rest_error_info(exc).get("reason") or "")


def _rest_error_info(exc: BaseException) -> dict[str, Any]:
    """The ErrorInfo of a REST error, from its `details` (the response's error.details, as
    JSON). google-api-core before 2.44 keeps it as that dict but reads `.reason` and `.metadata`
    from it as attributes, which fails (google/api_core/exceptions.py 2.43.2:
    `self._error_info.metadata`), so its properties give nothing for a REST error there."""
    details = getattr(exc, "details", None) if isinstance(exc, gexc.GoogleAPICallError) else None
    for detail in details or ():
        if isinstance(detail, dict) and detail.get("@type") == ERROR_INFO_TYPE:
            return detail
    return {}


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


# Google's error model: a status (`403 PERMISSION_DENIED`), a message, and details, among
# them a google.rpc.ErrorInfo with a `reason`, a `domain` and `metadata`
# (https://cloud.google.com/apis/design/errors, "Error details"). A permission refusal names
# the permission and the resource in that metadata: reason IAM_PERMISSION_DENIED, domain
# iam.googleapis.com, metadata {permission, resource}, and the message "Permission
# 'resourcemanager.projects.get' denied on resource '//cloudresourcemanager.googleapis.com/
# projects/123456789' (or it may not exist)." (the message quoted in
# CrowdStrike/falcon-integration-gateway#98; IAM's "Troubleshoot permission error messages",
# https://cloud.google.com/iam/docs/permission-error-messages: the caller lacks the
# permission, a deny policy blocks it, or the resource does not exist). A quota refusal of
# Service Infrastructure is reason RATE_LIMIT_EXCEEDED with metadata quota_metric and
# quota_limit, a disabled API SERVICE_DISABLED / API_DISABLED with metadata service
# (googleapis google/api/error_reason.proto). google-api-core exposes the ErrorInfo as the
# exception's `.reason`, `.domain` and `.metadata` (google/api_core/exceptions.py).
_PERMISSION_KEYS = ("permission", "permissions")
_QUOTA_KEYS = ("quota_metric", "quota_limit", "quota_location")

# Marked by `gcp.retry.through_propagation` on an error it gave up on: the call follows a
# grant or an account gkeplan made, so "not propagated yet" is one explanation of it.
AFTER_GRANT = "_gkeplan_after_grant"


def _metadata(exc: BaseException) -> dict[str, str]:
    meta = getattr(exc, "metadata", None) if isinstance(exc, gexc.GoogleAPICallError) else None
    meta = meta or _rest_error_info(exc).get("metadata")
    try:
        return {str(k): str(v) for k, v in dict(meta or {}).items()}
    except (TypeError, ValueError):
        return {}


def _status(exc: gexc.GoogleAPICallError) -> str:
    """`403 PERMISSION_DENIED`: the HTTP code and Google's status name (over REST, the body's
    `error.status`: https://cloud.google.com/apis/design/errors#http_mapping)."""
    name = exc.grpc_status_code.name if exc.grpc_status_code is not None else ""
    if not name:
        response = exc.response
        try:
            body = response.json() if hasattr(response, "json") else None
            name = str(body["error"]["status"]) if isinstance(body, dict) else ""
        except (ValueError, KeyError, TypeError, AttributeError):
            name = ""
    return f"{exc.code} {name}".strip()


def _words(camel: str) -> str:
    """`serviceAccounts` -> `service accounts`."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", camel).lower()


def _singular(words: str) -> str:
    return words[:-1] if words.endswith("s") and not words.endswith("ss") else words


def _resource_words(resource: str) -> tuple[str, str]:
    """(`project`, `demo-project-2`) for `projects/demo-project-2`; the last pair of a
    resource name (https://cloud.google.com/apis/design/resource_names), full-name prefix off."""
    name = re.sub(r"^//[^/]+/", "", resource)
    parts = [p for p in name.split("/") if p]
    if len(parts) >= 2:
        return _singular(_words(parts[-2])), parts[-1]
    return "", name


def call_in_words(exc: BaseException) -> str | None:
    """`list service accounts in project demo-project-2`, from the permission and resource
    Google names in the ErrorInfo; None when it names neither."""
    meta = _metadata(exc)
    permission = meta.get("permission", "")
    service, _, rest = permission.partition(".")
    collection, _, verb = rest.rpartition(".")
    if not (service and collection and verb):
        return None
    kind, name = _resource_words(meta.get("resource", ""))
    noun = _words(collection)
    verbs = {"getIamPolicy": "read the IAM policy of", "setIamPolicy": "change the IAM policy of"}
    doing = verbs.get(verb, _words(verb))
    if not name:
        return f"{doing} {noun}"
    if kind and kind == _singular(noun) and verb != "list":
        return f"{doing} {kind} {name}"
    return f"{doing} {noun} in {kind} {name}".replace("  ", " ")


def _google_text(exc: gexc.GoogleAPICallError) -> tuple[str, str]:
    """(Google's message, the request line): REST errors arrive as "METHOD URL: message"
    (google.api_core.exceptions.from_http_response), and the URL stays out of the message."""
    text = str(exc.message or "")
    request = ""
    head = re.match(r"(GET|POST|PUT|PATCH|DELETE) (\S+): ", text)
    if head:
        request = f"{head.group(1)} {head.group(2)}"
        text = text[head.end() :]
    first = text.strip().splitlines()
    return (first[0] if first else type(exc).__name__), request


def _named(exc: BaseException) -> str:
    """`reason IAM_PERMISSION_DENIED, permission iam.serviceAccounts.list`: what ErrorInfo
    names, in words, never its protobuf text."""
    parts = []
    reason = _reason(exc)
    if reason:
        parts.append(f"reason {reason}")
    meta = _metadata(exc)
    for key in _PERMISSION_KEYS:
        if meta.get(key):
            parts.append(f"permission {meta[key]}")
    quota = [f"{k.removeprefix('quota_')} {meta[k]}" for k in _QUOTA_KEYS if meta.get(k)]
    if quota:
        parts.append("quota " + ", ".join(quota))
    if meta.get("service") and reason in (*_DISABLED_REASONS, "API_DISABLED"):
        parts.append(f"service {meta['service']}")
    return ", ".join(parts)


def _message(exc: BaseException) -> str:
    """GCP's own words: the status and message, then what ErrorInfo names; no URL."""
    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        return _message(exc.cause)
    if isinstance(exc, gexc.GoogleAPICallError):
        text, _ = _google_text(exc)
        named = _named(exc)
        return f"{_status(exc)}: {text}" + (f" ({named})" if named else "")
    if isinstance(exc, RefreshError):
        parts = [str(a) for a in exc.args]
        return "could not get credentials: " + "; ".join(parts)
    return str(exc)


def message(exc: BaseException) -> str:
    """GCP's status and message on one line, for a retry's progress line."""
    lines = _message(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def next_step(exc: BaseException) -> str:
    """What to do about it, from the classification and what ErrorInfo names."""
    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        return next_step(exc.cause)
    failure = classify(exc)
    meta = _metadata(exc)
    if failure is Failure.PROPAGATING and isinstance(exc, gexc.Forbidden | gexc.PermissionDenied):
        permission = meta.get("permission")
        kind, name = _resource_words(meta.get("resource", ""))
        on = f"{kind} {name}".strip() or "the resource"
        needs = permission or "the permission it needs"
        text = (
            f"check that {on} exists and that the caller has {needs} on it "
            "(a role that grants it, or --impersonate-service-account an account that has one)"
        )
        if getattr(exc, AFTER_GRANT, False):
            text += "; or the grant gkeplan just made has not propagated yet: apply again"
        return text
    if failure is Failure.PROPAGATING and not getattr(exc, AFTER_GRANT, False):
        return "fix what GCP names above, then apply again"
    if failure is Failure.API_DISABLED and meta.get("service"):
        return f"enable it (gcloud services enable {meta['service']}), then apply again"
    return _NEXT[failure]


def render(exc: BaseException, *, call: str | None = None, debug: bool = False) -> str:
    """One line for a Google error: the call in words, the status and Google's message, what
    ErrorInfo names, and the next step. The request URL (with its query string) and the
    details' protobuf text are for --debug only."""
    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        return render(exc.cause, call=call, debug=debug)
    doing = call or call_in_words(exc)
    line = f"{doing}: " if doing else ""
    line += f"{_message(exc)}; {next_step(exc)}"
    if debug and isinstance(exc, gexc.GoogleAPICallError):
        _, request = _google_text(exc)
        if request:
            line += f"\n  request: {request}"
        for detail in exc.details:
            text = str(detail).strip().replace("\n", "\n    ")
            line += f"\n  detail: {text}"
    return line


_NEXT = {
    Failure.TRANSIENT: "GCP kept failing for the whole retry budget; run apply again",
    Failure.CONFLICT: "someone else changed it at the same moment; run apply again",
    Failure.EXISTS: "it exists outside gkeplan; import it or pick another name",
    Failure.NOT_FOUND: "something it needs does not exist; check the spec, then apply again",
    Failure.PROPAGATING: (
        "the caller or a createAs account lacks a permission, or the grant gkeplan just made "
        "has not propagated yet; check the grants, then apply again"
    ),
    Failure.QUOTA: "raise the quota (or shrink the node pools), then apply again",
    Failure.API_DISABLED: "enable the API named above (gcloud services enable), then apply again",
    Failure.IN_PROGRESS: "another operation kept the cluster busy past the deadline; apply again",
    Failure.FATAL: "fix what GCP names above, then apply again",
}


def explain(exc: BaseException) -> str:
    """One line for a failed change: GCP's status and message, then what to do next (the
    caller says what the call was)."""
    if isinstance(exc, gexc.RetryError) and exc.cause is not None:
        return explain(exc.cause)
    if not isinstance(exc, gexc.GoogleAPICallError | RefreshError | TransportError):
        return str(exc)
    return f"{_message(exc)}; {next_step(exc)}"
