"""What this emulator does not do, refused out loud.

A setting the emulator would store but never enforce (a retention policy that deletes nothing
early, a hold that blocks no delete, a KMS key that encrypts nothing) would let a user's test
pass here and fail on GCS, so every such request answers 501 naming the API method, never a
silent success. Values that mean "off" (false, empty, zero) are accepted: they change nothing.

The status is GCS's own for an operation it does not implement: 501 Not Implemented, reason
"notImplemented", in the JSON API's error envelope
(https://cloud.google.com/storage/docs/json_api/v1/status-codes).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gkeplan_emulator.errors import ApiError
from gkeplan_emulator.services.storage.errors import storage_error

# Bucket fields whose feature is out of scope, and what the feature is called.
_BUCKET = {
    "acl": "bucket ACLs",
    "defaultObjectAcl": "default object ACLs",
    "autoclass": "Autoclass",
    "defaultEventBasedHold": "event-based holds",
    "encryption": "Cloud KMS keys and encryption enforcement",
    "hierarchicalNamespace": "hierarchical namespace",
    "ipFilter": "bucket IP filtering",
    "objectRetention": "object retention",
    "retentionPolicy": "retention policies",
    "rpo": "turbo replication (RPO)",
    "softDeletePolicy": "soft delete",
}
_OBJECT = {
    "acl": "object ACLs",
    "contexts": "object contexts",
    "customerEncryption": "customer-supplied encryption keys",
    "eventBasedHold": "event-based holds",
    "kmsKeyName": "Cloud KMS keys",
    "retention": "object retention",
    "temporaryHold": "temporary holds",
}
_QUERY = {
    "kmsKeyName": "Cloud KMS keys",
    "destinationKmsKeyName": "Cloud KMS keys",
    "predefinedAcl": "predefined ACLs",
    "predefinedDefaultObjectAcl": "predefined ACLs",
    "destinationPredefinedAcl": "predefined ACLs",
    "enableObjectRetention": "object retention",
}
_HEADERS = ("x-goog-encryption-", "x-goog-copy-source-encryption-")


def not_implemented(method: str, what: str) -> ApiError:
    return storage_error(
        501,
        f"{method}: {what} is not implemented by the gkeplan emulator.",
        "notImplemented",
    )


def _off(value: Any) -> bool:
    """A value that asks for nothing: null, false, "", 0, an empty list, or an object of those."""
    if value is None or value is False or value == "" or value == [] or value == "0":
        return True
    if isinstance(value, int) and not isinstance(value, bool):
        return value == 0
    if isinstance(value, dict):
        return all(_off(v) for v in value.values())
    return False


def refuse_fields(method: str, body: Mapping[str, Any], resource: str) -> None:
    table = _BUCKET if resource == "Bucket" else _OBJECT
    for key, what in table.items():
        if not _off(body.get(key)):
            raise not_implemented(method, what)


def refuse_request(method: str, query: Mapping[str, list[str]], headers: Mapping[str, str]) -> None:
    for key, what in _QUERY.items():
        if any(v and v.lower() != "false" for v in query.get(key) or []):
            raise not_implemented(method, what)
    for header in headers:
        if header.startswith(_HEADERS):
            raise not_implemented(method, "customer-supplied encryption keys")
