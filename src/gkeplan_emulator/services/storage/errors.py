"""Cloud Storage's errors, worded as the JSON API words them.

The JSON API answers `{"error": {"code", "message", "errors": [{"message", "domain", "reason"}]}}`;
the client picks its exception from the HTTP status alone (404 NotFound, 409 Conflict, 412
PreconditionFailed ...), and users read the message, so both follow GCS.
"""

from __future__ import annotations

from gkeplan_emulator.calls import ANONYMOUS
from gkeplan_emulator.errors import ApiError

_STATUS = {
    304: "OK",
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    412: "FAILED_PRECONDITION",
    416: "OUT_OF_RANGE",
    429: "RESOURCE_EXHAUSTED",
    501: "UNIMPLEMENTED",
}

PRECONDITION_MESSAGE = "At least one of the pre-conditions you specified did not hold."


def storage_error(http: int, message: str, reason: str) -> ApiError:
    return ApiError(
        status=_STATUS.get(http, "INTERNAL"),
        message=message,
        http=http,
        reason=reason,
        domain="global",
    )


def invalid(message: str) -> ApiError:
    return storage_error(400, message, "invalid")


def bucket_not_found() -> ApiError:
    return storage_error(404, "The specified bucket does not exist.", "notFound")


def object_not_found(bucket: str, name: str) -> ApiError:
    return storage_error(404, f"No such object: {bucket}/{name}", "notFound")


def condition_not_met() -> ApiError:
    return storage_error(412, PRECONDITION_MESSAGE, "conditionNotMet")


def not_modified() -> ApiError:
    # Reads whose ifGenerationNotMatch/ifMetagenerationNotMatch fails answer 304, as GCS does.
    return storage_error(304, "Not Modified", "notModified")


def denied(principal: str, permission: str, what: str) -> ApiError:
    """`what` is "bucket", "object" or "project", as in GCS's own message."""
    target = "Google Cloud project" if what == "project" else f"Google Cloud Storage {what}"
    if principal == ANONYMOUS:
        # A request without credentials is 401, worded as GCS words it ("Anonymous caller does
        # not have storage.objects.get access to the Google Cloud Storage object. Permission
        # 'storage.objects.get' denied on resource (or it may not exist)., 401":
        # https://github.com/fsspec/gcsfs/issues/546), reason "required"
        # (https://github.com/gkatzioura/CloudStorageMaven/issues/53).
        return storage_error(
            401,
            f"Anonymous caller does not have {permission} access to the {target}. "
            f"Permission '{permission}' denied on resource (or it may not exist).",
            "required",
        )
    who = principal.split(":", 1)[-1]
    return storage_error(
        403,
        f"{who} does not have {permission} access to the {target}. "
        f"Permission '{permission}' denied on resource (or it may not exist).",
        "forbidden",
    )
