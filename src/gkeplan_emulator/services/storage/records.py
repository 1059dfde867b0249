"""Stored buckets and objects, and the rules that need no state beyond them: checksums,
generation and metageneration preconditions, and bucket settings normalized as GCS keeps them.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import google_crc32c

from gkeplan_emulator.services.storage import bodies
from gkeplan_emulator.services.storage.errors import (
    condition_not_met,
    invalid,
    not_modified,
)

if TYPE_CHECKING:
    pass

Query = dict[str, list[str]]

UBLA_LOCK_S = 90 * 86400  # GCS lets you turn uniform access off again for 90 days
BUCKET_FIELDS = frozenset(
    {
        "storageClass",
        "iamConfiguration",
        "versioning",
        "labels",
        "lifecycle",
        "logging",
        "cors",
        "website",
        "retentionPolicy",
        "encryption",
        "billing",
        "autoclass",
        "softDeletePolicy",
        "hierarchicalNamespace",
        "defaultEventBasedHold",
        "rpo",
        "customPlacementConfig",
    }
)
OBJECT_FIELDS = frozenset(
    {
        "contentType",
        "contentEncoding",
        "contentDisposition",
        "contentLanguage",
        "cacheControl",
        "metadata",
        "customTime",
        "temporaryHold",
        "eventBasedHold",
    }
)
# The policy GCS gives a new bucket: the project's owners, editors and viewers, by role.
DEFAULT_BUCKET_POLICY = (
    ("roles/storage.legacyBucketOwner", ("projectEditor", "projectOwner")),
    ("roles/storage.legacyBucketReader", ("projectViewer",)),
    ("roles/storage.legacyObjectOwner", ("projectEditor", "projectOwner")),
    ("roles/storage.legacyObjectReader", ("projectViewer",)),
)


def bucket_resource(bucket: str) -> str:
    return f"//storage.googleapis.com/projects/_/buckets/{bucket}"


def project_resource(project: str) -> str:
    return f"//cloudresourcemanager.googleapis.com/projects/{project}"


def checksums(data: bytes) -> tuple[str, str]:
    """(crc32c, md5) base64-encoded, big-endian crc as the JSON API shows them."""
    crc = google_crc32c.value(data).to_bytes(4, "big")
    return base64.b64encode(crc).decode(), base64.b64encode(hashlib.md5(data).digest()).decode()


@dataclass
class StoredObject:
    name: str
    data: bytes
    generation: int
    metageneration: int
    created: float
    updated: float
    crc32c: str
    md5: str
    storage_class: str
    fields: dict[str, Any] = field(default_factory=dict)  # writable metadata (OBJECT_FIELDS)
    deleted: float | None = None  # when it became noncurrent
    component_count: int = 0  # a composite object's components; 0 for any other object

    def dump(self) -> dict[str, Any]:
        return {**self.__dict__, "data": base64.b64encode(self.data).decode()}

    @classmethod
    def load(cls, raw: dict[str, Any]) -> StoredObject:
        return cls(**{**raw, "data": base64.b64decode(raw["data"])})


@dataclass
class StoredBucket:
    name: str
    project: str
    project_number: str
    location: str
    created: float
    updated: float
    metageneration: int = 1
    settings: dict[str, Any] = field(default_factory=dict)  # BUCKET_FIELDS, normalized
    objects: dict[str, list[StoredObject]] = field(default_factory=dict)  # by generation

    @property
    def ubla(self) -> dict[str, Any]:
        ubla: dict[str, Any] = self.settings["iamConfiguration"]["uniformBucketLevelAccess"]
        return ubla

    @property
    def versioned(self) -> bool:
        return bool((self.settings.get("versioning") or {}).get("enabled"))

    def live(self, name: str) -> StoredObject | None:
        versions = self.objects.get(name) or []
        return versions[-1] if versions and versions[-1].deleted is None else None

    def version(self, name: str, generation: int) -> StoredObject | None:
        return next((v for v in self.objects.get(name, []) if v.generation == generation), None)

    def dump(self) -> dict[str, Any]:
        out = {k: v for k, v in self.__dict__.items() if k != "objects"}
        out["objects"] = {n: [o.dump() for o in vs] for n, vs in self.objects.items()}
        return out

    @classmethod
    def load(cls, raw: dict[str, Any]) -> StoredBucket:
        objects = {n: [StoredObject.load(o) for o in vs] for n, vs in raw["objects"].items()}
        return cls(**{**raw, "objects": objects})


def query_int(query: Query, name: str) -> int | None:
    values = query.get(name)
    if not values or values[0] == "":
        return None
    try:
        return int(values[0])
    except ValueError:
        raise invalid(f"Invalid argument: {name}={values[0]!r} is not an integer.") from None


# "A compose request takes between 1 and 32 objects"
# (https://cloud.google.com/storage/docs/composing-objects).
MAX_COMPOSE_SOURCES = 32


def source_query(query: Query) -> Query:
    """The source half of a copy/rewrite/move query, renamed to the plain parameter names:
    `sourceGeneration` -> `generation`, `ifSourceGenerationMatch` -> `ifGenerationMatch`."""
    out: Query = {}
    for key, value in query.items():
        if key == "sourceGeneration":
            out["generation"] = value
        elif key.startswith("ifSource"):
            out["if" + key.removeprefix("ifSource")] = value
    return out


def dest_query(query: Query) -> Query:
    return {k: v for k, v in query.items() if k.startswith("if") and not k.startswith("ifSource")}


def check_object_preconditions(query: Query, current: StoredObject | None, *, read: bool) -> None:
    """ifGenerationMatch=0 means "no live object"; a failed NotMatch is 304 for reads."""
    gen = current.generation if current else 0
    meta = current.metageneration if current else None
    want_gen, want_meta = (
        query_int(query, "ifGenerationMatch"),
        query_int(query, "ifMetagenerationMatch"),
    )
    if want_gen is not None and want_gen != gen:
        raise condition_not_met()
    if want_meta is not None and want_meta != meta:
        raise condition_not_met()
    not_gen, not_meta = (
        query_int(query, "ifGenerationNotMatch"),
        query_int(query, "ifMetagenerationNotMatch"),
    )
    if (not_gen is not None and not_gen == gen) or (not_meta is not None and not_meta == meta):
        raise not_modified() if read else condition_not_met()


def check_bucket_preconditions(query: Query, bucket: StoredBucket) -> None:
    want, unwanted = (
        query_int(query, "ifMetagenerationMatch"),
        query_int(query, "ifMetagenerationNotMatch"),
    )
    if want is not None and want != bucket.metageneration:
        raise condition_not_met()
    if unwanted is not None and unwanted == bucket.metageneration:
        raise condition_not_met()


def merge(dst: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """JSON merge patch: nested objects merge, null removes, anything else replaces."""
    out = dict(dst)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def normalize_settings(
    current: dict[str, Any], wanted: dict[str, Any], now: float
) -> dict[str, Any]:
    """Validate and normalize bucket settings; `current` is what the bucket had."""
    settings = dict(wanted)
    storage_class = str(settings.get("storageClass") or "STANDARD").upper()
    bodies.check_storage_class(storage_class)
    settings["storageClass"] = storage_class
    bodies.check_lifecycle(settings.get("lifecycle"))
    iam = dict(settings.get("iamConfiguration") or {})
    ubla_in = iam.get("uniformBucketLevelAccess") or iam.get("bucketPolicyOnly") or {}
    old_ubla = (current.get("iamConfiguration") or {}).get("uniformBucketLevelAccess") or {}
    enabled = bool(ubla_in.get("enabled", old_ubla.get("enabled", False)))
    ubla: dict[str, Any] = {"enabled": enabled}
    if enabled:
        ubla["lockedTime"] = old_ubla.get("lockedTime") or now + UBLA_LOCK_S
    elif old_ubla.get("enabled") and now > float(old_ubla["lockedTime"]):
        raise invalid("Uniform bucket-level access cannot be disabled after it is locked.")
    pap = str(iam.get("publicAccessPrevention") or "inherited")
    if pap == "unspecified":
        pap = "inherited"
    if pap not in ("inherited", "enforced"):
        raise invalid(f"Invalid value for publicAccessPrevention: '{pap}'")
    settings["iamConfiguration"] = {
        "uniformBucketLevelAccess": ubla,
        "publicAccessPrevention": pap,
    }
    # GCS shows no empty labels or lifecycle: clearing them removes the field.
    if not settings.get("labels"):
        settings.pop("labels", None)
    if not (settings.get("lifecycle") or {}).get("rule"):
        settings.pop("lifecycle", None)
    return settings


def verify_hashes(meta: dict[str, Any], crc: str, md5: str) -> None:
    """The client sends the hashes it computed; GCS refuses data that does not match them."""
    if meta.get("crc32c") and meta["crc32c"] != crc:
        raise invalid(
            f'Provided CRC32C "{meta["crc32c"]}" doesn\'t match calculated CRC32C "{crc}".'
        )
    if meta.get("md5Hash") and meta["md5Hash"] != md5:
        raise invalid(
            f'Provided MD5 hash "{meta["md5Hash"]}" doesn\'t match calculated MD5 hash "{md5}".'
        )
