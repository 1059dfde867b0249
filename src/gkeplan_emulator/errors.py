"""Errors as Google reports them, so the client libraries raise the right exceptions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_HTTP = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "INTERNAL": 500,
    "UNAVAILABLE": 503,
}


@dataclass
class ApiError(Exception):
    status: str
    message: str
    http: int = 0
    reason: str | None = None
    domain: str = "googleapis.com"
    metadata: dict[str, str] = field(default_factory=dict)
    details: list[dict[str, Any]] = field(default_factory=list)
    # The older `errors` list some APIs still send (Go's client prints "Error 400: ..., <reason>").
    legacy_reason: str | None = None

    def __post_init__(self) -> None:
        if not self.http:
            self.http = _HTTP.get(self.status, 500)
        super().__init__(self.message)

    def body(self, *, storage: bool = False) -> dict[str, Any]:
        if storage:
            # Cloud Storage's JSON API answers {"error": {"errors": [{domain, reason, message}],
            # "code", "message"}}: no status, no details
            # (https://cloud.google.com/storage/docs/json_api/v1/status-codes, its examples);
            # gcloud prints a body with `details` as a gRPC error, not as GCS's HTTPError.
            reason = self.legacy_reason or self.reason or "invalid"
            legacy = [{"message": self.message, "domain": "global", "reason": reason}]
            return {"error": {"code": self.http, "message": self.message, "errors": legacy}}
        details = list(self.details)
        if self.reason:
            details.insert(
                0,
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": self.reason,
                    "domain": self.domain,
                    "metadata": self.metadata,
                },
            )
        error: dict[str, Any] = {"code": self.http, "message": self.message, "status": self.status}
        if details:
            error["details"] = details
        if self.legacy_reason:  # the older APIs also list errors the old way
            error["errors"] = [
                {"message": self.message, "domain": "global", "reason": self.legacy_reason}
            ]
        return {"error": error}


def not_found(message: str) -> ApiError:
    return ApiError("NOT_FOUND", message)


def already_exists(message: str) -> ApiError:
    return ApiError("ALREADY_EXISTS", message)


def invalid_argument(message: str) -> ApiError:
    return ApiError("INVALID_ARGUMENT", message)


def failed_precondition(message: str) -> ApiError:
    return ApiError("FAILED_PRECONDITION", message)


def precondition_failed(message: str) -> ApiError:
    return ApiError("FAILED_PRECONDITION", message, http=412, reason="conditionNotMet")


def aborted(message: str) -> ApiError:
    return ApiError("ABORTED", message)


def unauthenticated() -> ApiError:
    return ApiError(
        "UNAUTHENTICATED",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login "
        "cookie or other valid authentication credential.",
        reason="ACCESS_TOKEN_TYPE_UNSUPPORTED",
    )


def permission_denied(permission: str, resource: str) -> ApiError:
    return ApiError(
        "PERMISSION_DENIED",
        f"Permission '{permission}' denied on resource '{resource}' (or it may not exist).",
        reason="IAM_PERMISSION_DENIED",
        domain="iam.googleapis.com",
        metadata={"permission": permission, "resource": resource},
    )


def service_disabled(service: str, title: str, project: str) -> ApiError:
    """A call to an API that is off in the project. The body GCP answers, as quoted in
    google-gemini/gemini-cli#1343: 403 PERMISSION_DENIED, "<Title> has not been used in project
    <P> before or it is disabled. Enable it by visiting <activationUrl> then retry. If you
    enabled this API recently, wait a few minutes for the action to propagate to our systems
    and retry.", ErrorInfo reason SERVICE_DISABLED, domain googleapis.com, metadata service,
    serviceTitle, consumer projects/<P>, containerInfo, activationUrl."""
    url = f"https://console.developers.google.com/apis/api/{service}/overview?project={project}"
    return ApiError(
        "PERMISSION_DENIED",
        f"{title} has not been used in project {project} before or it is disabled. Enable it "
        f"by visiting {url} then retry. If you enabled this API recently, wait a few minutes "
        "for the action to propagate to our systems and retry.",
        403,
        reason="SERVICE_DISABLED",
        metadata={
            "service": service,
            "serviceTitle": title,
            "consumer": f"projects/{project}",
            "containerInfo": project,
            "activationUrl": url,
        },
        legacy_reason="accessNotConfigured",  # Go's client: "Error 403: ..., accessNotConfigured"
    )


def quota_exceeded(message: str) -> ApiError:
    # GKE answers a quota refusal as HTTP 403 with the message only ("Error 403: Insufficient
    # regional quota to satisfy request: ..., forbidden"; kubeflow/pipelines#10907): no
    # ErrorInfo reason of its own.
    return ApiError("PERMISSION_DENIED", message, http=403)


def too_many_requests(message: str = "Quota exceeded for quota metric 'Requests'.") -> ApiError:
    return ApiError("RESOURCE_EXHAUSTED", message, 429, reason="RATE_LIMIT_EXCEEDED")


def unavailable(message: str = "The service is currently unavailable.") -> ApiError:
    return ApiError("UNAVAILABLE", message, 503)


def internal(message: str = "Internal error encountered.") -> ApiError:
    return ApiError("INTERNAL", message, 500)


def from_http_status(status: int) -> ApiError:
    names = {
        400: "INVALID_ARGUMENT",
        404: "NOT_FOUND",
        409: "ABORTED",
        429: "RESOURCE_EXHAUSTED",
        500: "INTERNAL",
        503: "UNAVAILABLE",
        412: "FAILED_PRECONDITION",
        403: "PERMISSION_DENIED",
    }
    if status == 429:
        return too_many_requests()
    if status == 503:
        return unavailable()
    if status == 500:
        return internal()
    name = names.get(status, "INTERNAL")
    return ApiError(name, f"Injected fault: HTTP {status}", http=status)
