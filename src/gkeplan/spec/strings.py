"""GCP's rules for strings a spec sends to GCP: members, OAuth scopes, object names, plain text.

Every check returns what is wrong (or None) in words a user can act on, and never echoes a
character that could mislead a terminal: control characters, bidirectional overrides and the
lone surrogates that invalid UTF-8 on a command line becomes are shown as \\uXXXX escapes.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# C0 controls except tab and newline (descriptions may span lines), DEL and C1 controls,
# bidirectional embeddings/overrides (U+202A-U+202E) and isolates (U+2066-U+2069), and lone
# surrogates (U+D800-U+DFFF: what Python's surrogateescape makes of bytes that are not UTF-8).
_BAD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def show(value: str, limit: int = 60) -> str:
    """`value` quoted for a message, with every unsafe character escaped, cut at `limit`."""
    text = _BAD.sub(lambda m: f"\\u{ord(m.group()):04x}", value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return f"'{text}'"


def text_problem(value: str) -> str | None:
    """Why `value` may not appear in a spec at all, or None."""
    m = _BAD.search(value)
    if m is None:
        return None
    code = ord(m.group())
    if 0xD800 <= code <= 0xDFFF:
        what = "bytes that are not UTF-8"
    elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        what = f"a bidirectional-override character (U+{code:04X})"
    else:
        what = f"a control character (U+{code:04X})"
    return f"{show(value)} contains {what} at position {m.start()}"


def has_unsafe_text(text: str) -> bool:
    return _BAD.search(text) is not None


# --- IAM members ------------------------------------------------------------------------------
# Member grammar from the IAM policy reference (https://cloud.google.com/iam/docs/reference/rest/
# v1/Policy#Binding, field `members`): allUsers, allAuthenticatedUsers, user:EMAIL,
# serviceAccount:EMAIL, group:EMAIL, domain:DOMAIN, principal://..., principalSet://...,
# deleted:{user|group|serviceAccount}:EMAIL?uid=ID.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,61}"
_EMAIL = re.compile(rf"{_LOCAL}@{_DOMAIN}\Z")
_DOMAIN_RE = re.compile(rf"{_DOMAIN}\Z")
_PRINCIPAL = re.compile(r"//[!-~]+\Z")
_DELETED = re.compile(rf"(user|group|serviceAccount):({_LOCAL}@{_DOMAIN})\?uid=[0-9]+\Z")
MAX_EMAIL = 254  # RFC 5321's limit on an address (a path of 256 octets less the brackets)


def email_problem(value: str) -> str | None:
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        return f"{show(value)} is not an email address"
    return None


def member_problem(kind: str, value: str) -> str | None:
    """Why VALUE is not valid after `kind:`, or None; spec account names are checked elsewhere."""
    if kind in ("user", "group"):
        return email_problem(value)
    if kind == "serviceAccount":
        return email_problem(value) if "@" in value else None
    if kind == "domain":
        if len(value) > 253 or not _DOMAIN_RE.match(value):
            return f"{show(value)} is not a domain name"
        return None
    if kind in ("principal", "principalSet"):
        if not _PRINCIPAL.match(value):
            return f"{show(value)} is not a {kind}:// identifier"
        return None
    if kind == "deleted" and not _DELETED.match(value):
        return f"{show(value)} is not KIND:EMAIL?uid=NUMBER"
    return None


# --- OAuth scopes -----------------------------------------------------------------------------
AUTH = "https://www.googleapis.com/auth/"
# gcloud's scope aliases, as `gcloud container clusters create --scopes` and
# `gcloud compute instances create --scopes` accept them: the SCOPES table of the Cloud SDK's
# googlecloudsdk/api_lib/compute/constants.py (shown by `gcloud compute instances create --help`).
_GKE_DEFAULT = (
    "devstorage.read_only",
    "logging.write",
    "monitoring",
    "service.management.readonly",
    "servicecontrol",
    "trace.append",
)
_DEFAULT = (
    "devstorage.read_only",
    "logging.write",
    "monitoring.write",
    "pubsub",
    "service.management.readonly",
    "servicecontrol",
    "trace.append",
)
SCOPE_ALIASES: dict[str, tuple[str, ...]] = {
    "bigquery": ("bigquery",),
    "cloud-platform": ("cloud-platform",),
    "cloud-source-repos": ("source.full_control",),
    "cloud-source-repos-ro": ("source.read_only",),
    "compute-ro": ("compute.readonly",),
    "compute-rw": ("compute",),
    "datastore": ("datastore",),
    "default": _DEFAULT,
    "gke-default": _GKE_DEFAULT,
    "logging-write": ("logging.write",),
    "monitoring": ("monitoring",),
    "monitoring-read": ("monitoring.read",),
    "monitoring-write": ("monitoring.write",),
    "pubsub": ("pubsub",),
    "service-control": ("servicecontrol",),
    "service-management": ("service.management.readonly",),
    "sql": ("sqlservice",),
    "sql-admin": ("sqlservice.admin",),
    "storage-full": ("devstorage.full_control",),
    "storage-ro": ("devstorage.read_only",),
    "storage-rw": ("devstorage.read_write",),
    "taskqueue": ("taskqueue",),
    "trace": ("trace.append",),
    "userinfo-email": ("userinfo.email",),
}
_SCOPE_URL = re.compile(re.escape(AUTH) + r"[a-z0-9][a-z0-9._-]{0,99}\Z")


def expand_scopes(scopes: list[str]) -> list[str]:
    """Aliases replaced by their URLs, in order, without repeats; ValueError on anything else."""
    out: dict[str, None] = {}
    for scope in scopes:
        if scope in SCOPE_ALIASES:
            out.update((AUTH + s, None) for s in SCOPE_ALIASES[scope])
        elif _SCOPE_URL.match(scope):
            out[scope] = None
        else:
            from gkeplan.catalog import closest

            near = closest(scope, list(SCOPE_ALIASES))
            hint = f"; did you mean '{near[0]}'?" if near else ""
            raise ValueError(
                f"{show(scope)} is not an OAuth scope: use a gcloud alias such as cloud-platform "
                f"or a URL {AUTH}...{hint}"
            )
    return list(out)


OAuthScopes = Annotated[list[str], AfterValidator(expand_scopes)]


# --- GCS object names (state prefixes) --------------------------------------------------------
# Cloud Storage object names (https://cloud.google.com/storage/docs/objects#naming): 1-1024 bytes
# of UTF-8, no carriage return or line feed, not . or .., not starting with
# .well-known/acme-challenge/; Google advises against control characters, '#', '[', ']', '*'
# and '?'. A prefix also must not climb (`..`) or start at '/': it names a folder of the bucket.
MAX_OBJECT_NAME = 1024
_STATE_LEAF = "/default.gkstate.lock"  # the longest object name gkeplan puts under the prefix


def state_prefix_problem(prefix: str) -> str | None:
    if prefix.startswith("/"):
        return f"state prefix {show(prefix)} must not start with '/'"
    segments = prefix.rstrip("/").split("/") if prefix.strip("/") else []
    if any(s in (".", "..") for s in segments):
        return f"state prefix {show(prefix)} must not contain '.' or '..' segments"
    if any(not s for s in segments):
        return f"state prefix {show(prefix)} must not contain an empty segment ('//')"
    bad = _BAD.search(prefix) or re.search(r"[#\[\]*?\r\n]", prefix)
    if bad:
        return (
            f"state prefix {show(prefix)} contains {show(bad.group())}: Cloud Storage object "
            "names should avoid control characters, '#', '[', ']', '*' and '?'"
        )
    if prefix.startswith(".well-known/acme-challenge"):
        return "Cloud Storage object names may not start with .well-known/acme-challenge/"
    size = len(prefix.rstrip("/").encode("utf-8", "surrogatepass")) + len(_STATE_LEAF)
    if size > MAX_OBJECT_NAME:
        return (
            f"state prefix is too long: object names under it would be {size} bytes; "
            f"Cloud Storage allows {MAX_OBJECT_NAME}"
        )
    return None


def _state_prefix(value: str) -> str:
    problem = state_prefix_problem(value)
    if problem:
        raise ValueError(problem)
    return value


StatePrefix = Annotated[str, AfterValidator(_state_prefix)]


def _bucket(value: str) -> str:
    from gkeplan.spec.names import bucket_name

    problem = bucket_name(value)
    if problem:
        raise ValueError(problem)
    return value


BucketName = Annotated[str, AfterValidator(_bucket)]
