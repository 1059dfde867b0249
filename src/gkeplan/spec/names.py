"""GCP's naming rules, each returning what is wrong (or None) in words a user can act on."""

from __future__ import annotations

import ipaddress
import re

_SA = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]\Z")
_GKE = re.compile(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?\Z")
_BUCKET_PART = re.compile(r"[a-z0-9]([a-z0-9_-]*[a-z0-9])?\Z")
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}\Z")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}\Z")
_PROJECT = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]\Z")


def service_account_id(value: str) -> str | None:
    if _SA.match(value):
        return None
    return (
        f"'{value}' is not a valid service account id: 6-30 characters, lowercase letters, "
        "digits and hyphens, starting with a letter and not ending with a hyphen"
    )


def gke_name(value: str, what: str) -> str | None:
    if _GKE.match(value):
        return None
    return (
        f"'{value}' is not a valid {what} name: 1-40 characters, lowercase letters, digits and "
        "hyphens, starting with a letter and ending with a letter or digit"
    )


def project_id(value: str) -> str | None:
    if _PROJECT.match(value):
        return None
    return (
        f"'{value}' is not a valid project id: 6-30 characters, lowercase letters, digits and "
        "hyphens, starting with a letter and not ending with a hyphen"
    )


def bucket_name(value: str) -> str | None:
    why = _bucket_problem(value)
    return f"'{value}' is not a valid bucket name: {why}" if why else None


def _bucket_problem(value: str) -> str | None:
    if not 3 <= len(value) <= 222:
        return "it must be 3-63 characters (up to 222 with dots)"
    if "." not in value and len(value) > 63:
        return "it must be 3-63 characters (up to 222 with dots)"
    parts = value.split(".")
    for part in parts:
        if not part or len(part) > 63 or not _BUCKET_PART.match(part):
            return (
                "use lowercase letters, digits, '-', '_' and '.', start and end with a letter or "
                "digit, and keep each dot-separated part to 63 characters"
            )
    if value.startswith("goog") or "google" in value or "g00gle" in value:
        return "names may not start with 'goog' or contain 'google'"
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return None
    return "names may not look like an IP address"


def label(key: str, value: str) -> str | None:
    if not _LABEL_KEY.match(key):
        return (
            f"label key '{key}' must start with a lowercase letter and use up to 63 lowercase "
            "letters, digits, '_' and '-'"
        )
    if not _LABEL_VALUE.match(value):
        return f"label value '{value}' may use up to 63 lowercase letters, digits, '_' and '-'"
    return None
