"""GCP's naming rules, each returning what is wrong (or None) in words a user can act on."""

from __future__ import annotations

import ipaddress
import re
import unicodedata

# CreateServiceAccountRequest.accountId: "must be 6-30 characters long, and match the regular
# expression `[a-z]([-a-z0-9]*[a-z0-9])` to comply with RFC1035" (iam v1 discovery document).
_SA = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]\Z")
# Cluster.name: "up to 40 characters ... Lowercase letters, numbers, and hyphens only. Must start
# with a letter. Must end with a number or a letter." (container v1 discovery document); a node
# pool's: GKE's 400 'Invalid value for field "node_pool.name" ... Must be a match of regex
# '(?:[a-z](?:[-a-z0-9]{0,38}[a-z0-9])?)' ... no longer than 40 characters' (pulumi/pulumi-gcp
# #1510).
_GKE = re.compile(r"[a-z]([-a-z0-9]{0,38}[a-z0-9])?\Z")
# Bucket names (https://cloud.google.com/storage/docs/buckets#naming): lowercase letters,
# digits, '-', '_' and '.'; start and end with a letter or digit; 3-63 characters, up to 222
# with dots, each dot-separated part at most 63; not an IP address; no "goog" prefix and no
# "google" or close misspellings such as "g00gle".
_BUCKET_PART = re.compile(r"[a-z0-9]([a-z0-9_-]*[a-z0-9])?\Z")
# Labels (https://cloud.google.com/resource-manager/docs/labels-overview#requirements): keys
# 1-63 and values 0-63 characters of lowercase letters, digits, '_' and '-', international
# characters allowed; keys start with a lowercase letter or an international character; at most
# 64 labels on a resource. "International" is read as a letter without case (category Lo).
MAX_LABELS = 64
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}\Z")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}\Z")
# Project ids: "The ID must be 6 to 30 lowercase letters, digits, or hyphens. It must start
# with a letter. Trailing hyphens are prohibited." (Google's resource manager client,
# ProjectInfo.Builder.setProjectId: https://googleapis.dev/java/google-cloud-clients/
# 0.105.0-alpha/com/google/cloud/resourcemanager/Project.Builder.html)
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


def _label_chars(text: str) -> bool:
    """Lowercase letters (any script), letters without case, digits, '_' and '-'."""
    return all(c in "_-" or c.isdigit() or unicodedata.category(c) in ("Ll", "Lo") for c in text)


def label(key: str, value: str) -> str | None:
    if key.isascii() and value.isascii():
        return _ascii_label(key, value)
    if not (
        1 <= len(key) <= 63 and _label_chars(key) and unicodedata.category(key[0]) in ("Ll", "Lo")
    ):
        return (
            f"label key '{key}' must start with a lowercase letter and use up to 63 lowercase "
            "letters, digits, '_' and '-'"
        )
    if not (len(value) <= 63 and _label_chars(value)):
        return f"label value '{value}' may use up to 63 lowercase letters, digits, '_' and '-'"
    return None


def _ascii_label(key: str, value: str) -> str | None:
    if not _LABEL_KEY.match(key):
        return (
            f"label key '{key}' must start with a lowercase letter and use up to 63 lowercase "
            "letters, digits, '_' and '-'"
        )
    if not _LABEL_VALUE.match(value):
        return f"label value '{value}' may use up to 63 lowercase letters, digits, '_' and '-'"
    return None


# Kubernetes labels (NodeConfig.labels: "The map of Kubernetes labels (key/value pairs) to be
# applied to each node ... see https://kubernetes.io/docs/concepts/overview/working-with-objects/
# labels/", container v1): "an optional prefix and name, separated by a slash (/). The name
# segment is required and must be 63 characters or less, beginning and ending with an
# alphanumeric character ([a-z0-9A-Z]) with dashes (-), underscores (_), dots (.), and
# alphanumerics between. The prefix is optional. If specified, the prefix must be a DNS
# subdomain ... not longer than 253 characters in total"; values "must be 63 characters or less
# (can be empty)" with the same characters. "The kubernetes.io/ and k8s.io/ prefixes are reserved
# by Kubernetes Core components and cannot be specified" (Google provider, node_config.labels).
_K8S_NAME = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?\Z")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")
K8S_RESERVED = ("kubernetes.io", "k8s.io")


def kubernetes_label(key: str, value: str) -> str | None:
    prefix, _, name = key.rpartition("/")
    if not name or not _K8S_NAME.match(name):
        return (
            f"node label key '{key}': its name (after any prefix/) must be 1-63 characters, "
            "letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
        )
    if prefix:
        if len(prefix) > 253 or not all(_DNS_LABEL.match(p) for p in prefix.split(".")):
            return (
                f"node label key '{key}': its prefix must be a DNS subdomain (lowercase "
                "letters, digits, '-' and '.', at most 253 characters)"
            )
        if any(prefix == r or prefix.endswith("." + r) for r in K8S_RESERVED):
            return f"node label key '{key}': the kubernetes.io/ and k8s.io/ prefixes are reserved"
    if not _K8S_NAME.match(value):
        return (
            f"node label value '{value}' of {key} must be at most 63 characters, letters, "
            "digits, '-', '_' and '.', starting and ending with a letter or digit"
        )
    return None
