"""Cloud Storage: buckets and objects with generations, metagenerations and versioning."""

from __future__ import annotations

import base64
import hashlib
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import google_crc32c

from gkeplan.emulator.authz import bucket_resource, project_resource
from gkeplan.emulator.errors import ApiError, invalid_argument, precondition_failed

if TYPE_CHECKING:
    from gkeplan.emulator.backend import Backend

_BUCKET = re.compile(r"[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]\Z")
_CLASSES = ("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE")


def rfc3339(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}Z"


def storage_error(http: int, message: str, reason: str) -> ApiError:
    status = {
        400: "INVALID_ARGUMENT",
        403: "PERMISSION_DENIED",
        404: "NOT_FOUND",
        409: "ALREADY_EXISTS",
        412: "FAILED_PRECONDITION",
    }.get(http, "INTERNAL")
    return ApiError(status, message, http, reason=reason, domain="global")


@dataclass
class StoredObject:
    name: str
    data: bytes
    generation: int
    metageneration: int
    content_type: str
    created: float
    metadata: dict[str, str] = field(default_factory=dict)
    live: bool = True

    def resource(self, bucket: str) -> dict[str, Any]:
        crc = google_crc32c.value(self.data).to_bytes(4, "big")
        out: dict[str, Any] = {
            "kind": "storage#object",
            "id": f"{bucket}/{self.name}/{self.generation}",
            "selfLink": f"https://www.googleapis.com/storage/v1/b/{bucket}/o/{self.name}",
            "name": self.name,
            "bucket": bucket,
            "generation": str(self.generation),
            "metageneration": str(self.metageneration),
            "contentType": self.content_type,
            "storageClass": "STANDARD",
            "size": str(len(self.data)),
            "md5Hash": base64.b64encode(hashlib.md5(self.data).digest()).decode(),
            "crc32c": base64.b64encode(crc).decode(),
            "etag": base64.b64encode(f"{self.generation}/{self.metageneration}".encode()).decode(),
            "timeCreated": rfc3339(self.created),
            "updated": rfc3339(self.created),
        }
        if self.metadata:
            out["metadata"] = dict(self.metadata)
        return out


@dataclass
class StoredBucket:
    meta: dict[str, Any]
    project: str
    objects: dict[str, list[StoredObject]] = field(default_factory=dict)  # name -> versions

    def live(self, name: str) -> StoredObject | None:
        versions = self.objects.get(name) or []
        return versions[-1] if versions and versions[-1].live else None


def check_preconditions(query: dict[str, list[str]], current: StoredObject | None) -> None:
    gen = current.generation if current else 0
    meta = current.metageneration if current else 0

    def q(name: str) -> int | None:
        v = query.get(name)
        return int(v[0]) if v else None

    failed = (
        (q("ifGenerationMatch") is not None and q("ifGenerationMatch") != gen)
        or (q("ifGenerationNotMatch") is not None and q("ifGenerationNotMatch") == gen)
        or (q("ifMetagenerationMatch") is not None and q("ifMetagenerationMatch") != meta)
        or (q("ifMetagenerationNotMatch") is not None and q("ifMetagenerationNotMatch") == meta)
    )
    if failed:
        err = precondition_failed("At least one of the pre-conditions you specified did not hold.")
        err.domain = "global"
        raise err


class StorageModel:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.buckets: dict[str, StoredBucket] = {}
        self.lock = threading.RLock()
        self._generation = int(time.time() * 1_000_000)

    def next_generation(self) -> int:
        self._generation += 1
        return self._generation

    def require(self, principal: str, permission: str, bucket: str, what: str = "bucket") -> None:
        project = self.backend.config.project
        if not self.backend.authz.allowed(principal, permission, bucket_resource(bucket), project):
            who = principal.split(":", 1)[-1]
            raise storage_error(
                403,
                f"{who} does not have {permission} access to the Google Cloud Storage "
                f"{what} {bucket}. Permission '{permission}' denied on resource (or it may "
                "not exist).",
                "forbidden",
            )

    def bucket(self, principal: str, name: str, permission: str) -> StoredBucket:
        # Bucket names are one global namespace: whether one exists is no secret, so GCS
        # answers 404 before it looks at permissions (which live on the bucket itself).
        with self.lock:
            b = self.buckets.get(name)
        if b is None:
            raise storage_error(404, "The specified bucket does not exist.", "notFound")
        self.require(principal, permission, name)
        return b

    def create_bucket(self, principal: str, project: str, body: dict[str, Any]) -> dict[str, Any]:
        self.backend.authz.require(
            principal, "storage.buckets.create", project_resource(project), project=project
        )
        name = str(body.get("name") or "")
        if not _BUCKET.match(name) or name.startswith("goog") or "google" in name:
            raise storage_error(400, "Invalid bucket name: '" + name + "'", "invalid")
        storage_class = str(body.get("storageClass") or "STANDARD").upper()
        if storage_class not in _CLASSES:
            raise storage_error(400, f"Invalid argument: storageClass {storage_class}.", "invalid")
        with self.lock:
            existing = self.buckets.get(name)
            if existing is not None:
                if existing.project == project:
                    raise storage_error(
                        409,
                        "Your previous request to create the named bucket "
                        "succeeded and you already own it.",
                        "conflict",
                    )
                raise storage_error(
                    409,
                    "The requested bucket name is not available. The bucket "
                    "namespace is shared by all users of the system. Please "
                    "select a different name and try again.",
                    "conflict",
                )
            now = self.backend.clock.now()
            iam = dict(body.get("iamConfiguration") or {})
            ubla = dict(iam.get("uniformBucketLevelAccess") or {})
            ubla.setdefault("enabled", False)
            if ubla["enabled"]:
                ubla["lockedTime"] = rfc3339(now + 90 * 86400)
            meta: dict[str, Any] = {
                **{
                    k: v
                    for k, v in body.items()
                    if k
                    in (
                        "labels",
                        "lifecycle",
                        "versioning",
                        "logging",
                        "cors",
                        "website",
                        "retentionPolicy",
                        "encryption",
                        "billing",
                        "autoclass",
                        "softDeletePolicy",
                        "hierarchicalNamespace",
                    )
                },
                "kind": "storage#bucket",
                "id": name,
                "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}",
                "projectNumber": self.backend.models["projects"].number(project),
                "name": name,
                "timeCreated": rfc3339(now),
                "updated": rfc3339(now),
                "metageneration": "1",
                "location": str(body.get("location") or "US").upper(),
                "locationType": "region"
                if "-" in str(body.get("location") or "")
                else "multi-region",
                "storageClass": storage_class,
                "etag": "CAE=",
                "iamConfiguration": {
                    "bucketPolicyOnly": dict(ubla),
                    "uniformBucketLevelAccess": ubla,
                    "publicAccessPrevention": iam.get("publicAccessPrevention") or "inherited",
                },
            }
            self.buckets[name] = StoredBucket(meta, project)
        # GCS's default bucket policy: the project's owners, editors and viewers by role.
        for role, members in (
            ("roles/storage.legacyBucketOwner", ("projectEditor", "projectOwner")),
            ("roles/storage.legacyObjectOwner", ("projectEditor", "projectOwner")),
            ("roles/storage.legacyBucketReader", ("projectViewer",)),
            ("roles/storage.legacyObjectReader", ("projectViewer",)),
        ):
            for member in members:
                self.backend.policies.grant(bucket_resource(name), role, f"{member}:{project}", now)
        return meta

    def patch_bucket(
        self, principal: str, name: str, body: dict[str, Any], query: dict[str, list[str]]
    ) -> dict[str, Any]:
        b = self.bucket(principal, name, "storage.buckets.update")
        with self.lock:
            meta = b.meta
            want = query.get("ifMetagenerationMatch")
            if want and int(want[0]) != int(meta["metageneration"]):
                raise storage_error(
                    412,
                    "At least one of the pre-conditions you specified did not hold.",
                    "conditionNotMet",
                )
            for key, value in body.items():
                if key in (
                    "name",
                    "id",
                    "kind",
                    "selfLink",
                    "projectNumber",
                    "timeCreated",
                    "metageneration",
                    "location",
                    "locationType",
                    "etag",
                ):
                    continue
                if key == "iamConfiguration":
                    iam = meta["iamConfiguration"]
                    if "publicAccessPrevention" in value:
                        iam["publicAccessPrevention"] = value["publicAccessPrevention"]
                    ubla = value.get("uniformBucketLevelAccess")
                    if ubla is not None:
                        iam["uniformBucketLevelAccess"] = {"enabled": bool(ubla.get("enabled"))}
                        iam["bucketPolicyOnly"] = dict(iam["uniformBucketLevelAccess"])
                elif value is None:
                    meta.pop(key, None)
                else:
                    meta[key] = value
            meta["metageneration"] = str(int(meta["metageneration"]) + 1)
            meta["updated"] = rfc3339(self.backend.clock.now())
            return dict(meta)

    def delete_bucket(self, principal: str, name: str) -> None:
        b = self.bucket(principal, name, "storage.buckets.delete")
        with self.lock:
            if any(b.objects.values()):
                raise storage_error(409, "The bucket you tried to delete is not empty.", "conflict")
            self.buckets.pop(name, None)
        self.backend.policies.delete(bucket_resource(name))

    def put_object(
        self,
        principal: str,
        bucket: str,
        name: str,
        data: bytes,
        content_type: str,
        query: dict[str, list[str]],
        metadata: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        if not name:
            raise invalid_argument("Required object name is missing.")
        b = self.bucket(principal, bucket, "storage.objects.create")
        with self.lock:
            current = b.live(name)
            if current is not None:  # overwriting needs delete too, as in GCS
                self.require(principal, "storage.objects.delete", bucket, "object")
            check_preconditions(query, current)
            obj = StoredObject(
                name,
                data,
                self.next_generation(),
                1,
                content_type or "application/octet-stream",
                self.backend.clock.now(),
                dict(metadata or {}),
            )
            versions = b.objects.setdefault(name, [])
            versioned = bool((b.meta.get("versioning") or {}).get("enabled"))
            if versioned:
                for v in versions:
                    v.live = False
                versions.append(obj)
            else:
                versions[:] = [obj]
            return obj.resource(bucket)

    def get_object(
        self, principal: str, bucket: str, name: str, query: dict[str, list[str]]
    ) -> StoredObject:
        b = self.bucket(principal, bucket, "storage.objects.get")
        with self.lock:
            gen = query.get("generation")
            if gen:
                obj = next(
                    (v for v in b.objects.get(name, []) if v.generation == int(gen[0])), None
                )
            else:
                obj = b.live(name)
            if obj is None:
                raise storage_error(404, f"No such object: {bucket}/{name}", "notFound")
            check_preconditions(query, obj)
            return obj

    def delete_object(
        self, principal: str, bucket: str, name: str, query: dict[str, list[str]]
    ) -> None:
        b = self.bucket(principal, bucket, "storage.objects.delete")
        with self.lock:
            versions = b.objects.get(name, [])
            gen = query.get("generation")
            if gen:
                keep = [v for v in versions if v.generation != int(gen[0])]
                if len(keep) == len(versions):
                    raise storage_error(404, f"No such object: {bucket}/{name}", "notFound")
                b.objects[name] = keep
            else:
                current = b.live(name)
                if current is None:
                    raise storage_error(404, f"No such object: {bucket}/{name}", "notFound")
                check_preconditions(query, current)
                if (b.meta.get("versioning") or {}).get("enabled"):
                    current.live = False
                else:
                    b.objects[name] = [v for v in versions if v is not current]
            if not b.objects.get(name):
                b.objects.pop(name, None)

    def list_objects(
        self, principal: str, bucket: str, query: dict[str, list[str]]
    ) -> dict[str, Any]:
        b = self.bucket(principal, bucket, "storage.objects.list")
        prefix = (query.get("prefix") or [""])[0]
        delimiter = (query.get("delimiter") or [""])[0]
        versions = (query.get("versions") or ["false"])[0].lower() == "true"
        start = (query.get("pageToken") or [""])[0]
        size = int((query.get("maxResults") or ["1000"])[0])
        items: list[dict[str, Any]] = []
        prefixes: set[str] = set()
        with self.lock:
            for name in sorted(b.objects):
                if not name.startswith(prefix) or (name <= start and start):
                    continue
                if delimiter:
                    rest = name[len(prefix) :]
                    if delimiter in rest:
                        prefixes.add(prefix + rest.split(delimiter, 1)[0] + delimiter)
                        continue
                objs = b.objects[name] if versions else [o for o in b.objects[name] if o.live]
                items.extend(o.resource(bucket) for o in objs)
        out: dict[str, Any] = {"kind": "storage#objects"}
        if len(items) > size:
            out["nextPageToken"] = items[size - 1]["name"]
            items = items[:size]
        if items:
            out["items"] = items
        if prefixes:
            out["prefixes"] = sorted(prefixes)
        return out

    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {
                name: {
                    "meta": b.meta,
                    "project": b.project,
                    "objects": {
                        n: [{**o.__dict__, "data": base64.b64encode(o.data).decode()} for o in vs]
                        for n, vs in b.objects.items()
                    },
                }
                for name, b in self.buckets.items()
            }

    def load(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.buckets = {}
            for name, b in data.items():
                objects = {
                    n: [StoredObject(**{**o, "data": base64.b64decode(o["data"])}) for o in vs]
                    for n, vs in b["objects"].items()
                }
                self.buckets[name] = StoredBucket(b["meta"], b["project"], objects)
