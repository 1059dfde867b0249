"""Cloud Storage state and rules: buckets in one global namespace, objects with generations,
metagenerations and noncurrent versions, and the permission each call needs.

Routes parse and serialize; everything a GCS user could observe as a rule lives here.
"""

from __future__ import annotations

import base64
import hashlib
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import google_crc32c

from gkeplan.emulator.errors import ApiError
from gkeplan.emulator.services.storage import bodies
from gkeplan.emulator.services.storage.errors import (
    bucket_not_found,
    condition_not_met,
    denied,
    invalid,
    not_modified,
    object_not_found,
    storage_error,
)

if TYPE_CHECKING:
    from gkeplan.emulator.backend import Backend

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


def _int(query: Query, name: str) -> int | None:
    values = query.get(name)
    if not values or values[0] == "":
        return None
    try:
        return int(values[0])
    except ValueError:
        raise invalid(f"Invalid argument: {name}={values[0]!r} is not an integer.") from None


def check_object_preconditions(query: Query, current: StoredObject | None, *, read: bool) -> None:
    """ifGenerationMatch=0 means "no live object"; a failed NotMatch is 304 for reads."""
    gen = current.generation if current else 0
    meta = current.metageneration if current else None
    want_gen, want_meta = _int(query, "ifGenerationMatch"), _int(query, "ifMetagenerationMatch")
    if want_gen is not None and want_gen != gen:
        raise condition_not_met()
    if want_meta is not None and want_meta != meta:
        raise condition_not_met()
    not_gen, not_meta = _int(query, "ifGenerationNotMatch"), _int(query, "ifMetagenerationNotMatch")
    if (not_gen is not None and not_gen == gen) or (not_meta is not None and not_meta == meta):
        raise not_modified() if read else condition_not_met()


def check_bucket_preconditions(query: Query, bucket: StoredBucket) -> None:
    want, unwanted = _int(query, "ifMetagenerationMatch"), _int(query, "ifMetagenerationNotMatch")
    if want is not None and want != bucket.metageneration:
        raise condition_not_met()
    if unwanted is not None and unwanted == bucket.metageneration:
        raise condition_not_met()


def _merge(dst: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """JSON merge patch: nested objects merge, null removes, anything else replaces."""
    out = dict(dst)
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


class StorageModel:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.lock = threading.RLock()
        self.buckets: dict[str, StoredBucket] = {}
        self._last_generation = 0

    # -- permissions ---------------------------------------------------------------------------
    def require(self, principal: str, permission: str, bucket: StoredBucket, what: str) -> None:
        try:
            self.backend.authz.require(
                principal, permission, bucket_resource(bucket.name), project=bucket.project
            )
        except ApiError as err:
            if err.http != 403:
                raise
            raise denied(principal, permission, what) from None

    def require_project(self, principal: str, permission: str, project: str) -> None:
        try:
            self.backend.authz.require(
                principal, permission, project_resource(project), project=project
            )
        except ApiError as err:
            if err.http != 403:
                raise
            raise denied(principal, permission, "project") from None

    def bucket(
        self, principal: str, name: str, permission: str, what: str = "bucket"
    ) -> StoredBucket:
        # Bucket names are one global namespace and whether one exists is no secret: GCS
        # answers 404 before it looks at permissions, which live on the bucket itself.
        with self.lock:
            b = self.buckets.get(name)
        if b is None:
            raise bucket_not_found()
        self.require(principal, permission, b, what)
        return b

    def next_generation(self) -> int:
        """Microseconds since the epoch, like GCS, and strictly increasing."""
        now = int(self.backend.clock.now() * 1_000_000)
        self._last_generation = max(now, self._last_generation + 1)
        return self._last_generation

    # -- buckets -------------------------------------------------------------------------------
    def create_bucket(self, principal: str, project: str, body: dict[str, Any]) -> StoredBucket:
        if not project:
            raise invalid("Required parameter: project")
        self.require_project(principal, "storage.buckets.create", project)
        name = str(body.get("name") or "")
        if not name:
            raise invalid("Required field: name")
        bodies.check_bucket_name(name)
        location = str(body.get("location") or "US").upper()
        bodies.location_type(location)
        now = self.backend.clock.now()
        settings = self._settings({}, {k: v for k, v in body.items() if k in BUCKET_FIELDS}, now)
        with self.lock:
            existing = self.buckets.get(name)
            if existing is not None:
                if existing.project == project:
                    raise storage_error(
                        409,
                        "Your previous request to create the named bucket succeeded and you "
                        "already own it.",
                        "conflict",
                    )
                raise storage_error(
                    409,
                    "The requested bucket name is not available. The bucket namespace is shared "
                    "by all users of the system. Please select a different name and try again.",
                    "conflict",
                )
            bucket = StoredBucket(
                name, project, self._project_number(project), location, now, now, 1, settings
            )
            self.buckets[name] = bucket
        for role, members in DEFAULT_BUCKET_POLICY:
            for member in members:
                self.backend.policies.grant(bucket_resource(name), role, f"{member}:{project}", now)
        return bucket

    def _project_number(self, project: str) -> str:
        projects = getattr(self.backend, "models", getattr(self.backend, "services", {}))
        model = projects.get("projects") if isinstance(projects, dict) else None
        if model is not None and hasattr(model, "number"):
            return str(model.number(project))
        return str(self.backend.config.project_number)

    def _settings(
        self, current: dict[str, Any], wanted: dict[str, Any], now: float
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
        if not settings.get("labels"):
            settings.pop("labels", None)
        return settings

    def list_buckets(self, principal: str, project: str, prefix: str) -> list[StoredBucket]:
        if not project:
            raise invalid("Required parameter: project")
        self.require_project(principal, "storage.buckets.list", project)
        with self.lock:
            return [
                b
                for n, b in sorted(self.buckets.items())
                if b.project == project and n.startswith(prefix)
            ]

    def update_bucket(
        self, principal: str, name: str, body: dict[str, Any], query: Query, *, replace: bool
    ) -> StoredBucket:
        """PATCH merges `body` into the settings; PUT (update) replaces them."""
        bucket = self.bucket(principal, name, "storage.buckets.update")
        with self.lock:
            check_bucket_preconditions(query, bucket)
            wanted = {k: v for k, v in body.items() if k in BUCKET_FIELDS}
            now = self.backend.clock.now()
            base = {} if replace else bucket.settings
            merged = _merge(base, wanted)
            if replace and "iamConfiguration" not in wanted:
                merged["iamConfiguration"] = {}
            bucket.settings = self._settings(bucket.settings, merged, now)
            bucket.metageneration += 1
            bucket.updated = now
            return bucket

    def delete_bucket(self, principal: str, name: str, query: Query) -> None:
        bucket = self.bucket(principal, name, "storage.buckets.delete")
        with self.lock:
            check_bucket_preconditions(query, bucket)
            if any(bucket.objects.values()):  # noncurrent versions count too
                raise storage_error(409, "The bucket you tried to delete is not empty.", "conflict")
            del self.buckets[name]
        self.backend.policies.delete(bucket_resource(name))

    # -- objects -------------------------------------------------------------------------------
    def insert_object(
        self,
        principal: str,
        bucket_name: str,
        name: str,
        data: bytes,
        meta: dict[str, Any],
        query: Query,
    ) -> tuple[StoredBucket, StoredObject]:
        """Store `data` as the new live generation of `name`, checking the client's hashes."""
        if not name:
            raise invalid("Required object name is missing.")
        bucket = self.bucket(principal, bucket_name, "storage.objects.create", "object")
        crc, md5 = checksums(data)
        _verify_hashes(meta, crc, md5)
        with self.lock:
            current = bucket.live(name)
            if current is not None:  # overwriting needs delete too, as in GCS
                self.require(principal, "storage.objects.delete", bucket, "object")
            check_object_preconditions(query, current, read=False)
            now = self.backend.clock.now()
            fields = {k: v for k, v in meta.items() if k in OBJECT_FIELDS and v is not None}
            fields.setdefault("contentType", "application/octet-stream")
            obj = StoredObject(
                name,
                data,
                self.next_generation(),
                1,
                now,
                now,
                crc,
                md5,
                str(meta.get("storageClass") or bucket.settings["storageClass"]),
                fields,
            )
            versions = bucket.objects.setdefault(name, [])
            if bucket.versioned:
                if current is not None:
                    current.deleted = now
                versions.append(obj)
            else:  # the live generation is replaced; noncurrent ones stay
                versions[:] = [v for v in versions if v is not current] + [obj]
            return bucket, obj

    def get_object(
        self, principal: str, bucket_name: str, name: str, query: Query
    ) -> tuple[StoredBucket, StoredObject]:
        bucket = self.bucket(principal, bucket_name, "storage.objects.get", "object")
        with self.lock:
            obj = self._find(bucket, name, query)
            check_object_preconditions(query, obj, read=True)
            return bucket, obj

    def _find(self, bucket: StoredBucket, name: str, query: Query) -> StoredObject:
        generation = _int(query, "generation")
        obj = bucket.version(name, generation) if generation else bucket.live(name)
        if obj is None:
            raise object_not_found(bucket.name, name)
        return obj

    def patch_object(
        self, principal: str, bucket_name: str, name: str, body: dict[str, Any], query: Query
    ) -> tuple[StoredBucket, StoredObject]:
        bucket = self.bucket(principal, bucket_name, "storage.objects.update", "object")
        with self.lock:
            obj = self._find(bucket, name, query)
            check_object_preconditions(query, obj, read=False)
            wanted = {k: v for k, v in body.items() if k in OBJECT_FIELDS}
            obj.fields = _merge(obj.fields, wanted)
            obj.metageneration += 1
            obj.updated = self.backend.clock.now()
            return bucket, obj

    def delete_object(self, principal: str, bucket_name: str, name: str, query: Query) -> None:
        bucket = self.bucket(principal, bucket_name, "storage.objects.delete", "object")
        with self.lock:
            obj = self._find(bucket, name, query)
            check_object_preconditions(query, obj, read=False)
            versions = bucket.objects[name]
            if _int(query, "generation") is None and bucket.versioned:
                obj.deleted = self.backend.clock.now()  # kept as a noncurrent version
            else:
                versions.remove(obj)
            if not versions:
                del bucket.objects[name]

    def list_objects(
        self, principal: str, bucket_name: str, *, versions: bool
    ) -> tuple[StoredBucket, list[StoredObject]]:
        """Every listed object in name then generation order; routes page and group them."""
        bucket = self.bucket(principal, bucket_name, "storage.objects.list", "object")
        with self.lock:
            out = []
            for name in sorted(bucket.objects):
                if versions:
                    out.extend(bucket.objects[name])
                elif (live := bucket.live(name)) is not None:
                    out.append(live)
            return bucket, out

    # -- persistence ---------------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {
                "lastGeneration": self._last_generation,
                "buckets": {n: b.dump() for n, b in self.buckets.items()},
            }

    def load(self, data: dict[str, Any]) -> None:
        with self.lock:
            self._last_generation = int(data.get("lastGeneration") or 0)
            self.buckets = {n: StoredBucket.load(b) for n, b in (data.get("buckets") or {}).items()}


def _verify_hashes(meta: dict[str, Any], crc: str, md5: str) -> None:
    """The client sends the hashes it computed; GCS refuses data that does not match them."""
    if meta.get("crc32c") and meta["crc32c"] != crc:
        raise invalid(
            f'Provided CRC32C "{meta["crc32c"]}" doesn\'t match calculated CRC32C "{crc}".'
        )
    if meta.get("md5Hash") and meta["md5Hash"] != md5:
        raise invalid(
            f'Provided MD5 hash "{meta["md5Hash"]}" doesn\'t match calculated MD5 hash "{md5}".'
        )
