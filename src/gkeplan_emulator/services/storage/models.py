"""Cloud Storage state and rules: buckets in one global namespace, objects with generations,
metagenerations and noncurrent versions, and the permission each call needs.

Routes parse and serialize; everything a GCS user could observe as a rule lives here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.errors import ApiError
from gkeplan_emulator.services.storage import bodies
from gkeplan_emulator.services.storage.errors import (
    bucket_not_found,
    denied,
    invalid,
    object_not_found,
    storage_error,
)
from gkeplan_emulator.services.storage.records import (
    BUCKET_FIELDS,
    DEFAULT_BUCKET_POLICY,
    MAX_COMPOSE_SOURCES,
    OBJECT_FIELDS,
    Query,
    StoredBucket,
    StoredObject,
    bucket_resource,
    check_bucket_preconditions,
    check_object_preconditions,
    checksums,
    dest_query,
    merge,
    normalize_settings,
    project_resource,
    query_int,
    source_query,
    verify_hashes,
)

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend


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

    def allows(self, principal: str, permission: str, bucket: StoredBucket) -> bool:
        try:
            self.require(principal, permission, bucket, "bucket")
        except ApiError as err:
            if err.http != 403:
                raise
            return False
        return True

    def require_project(self, principal: str, permission: str, project: str) -> None:
        try:
            self.backend.authz.require(
                principal, permission, project_resource(project), project=project
            )
        except ApiError as err:
            if err.http != 403:
                raise
            raise denied(principal, permission, "project") from None

    def lookup(self, name: str) -> StoredBucket:
        with self.lock:
            bucket = self.buckets.get(name)
        if bucket is None:
            raise bucket_not_found()
        return bucket

    def bucket(
        self, principal: str, name: str, permission: str, what: str = "bucket"
    ) -> StoredBucket:
        # Bucket names are one global namespace and whether one exists is no secret: GCS
        # answers 404 before it looks at permissions, which live on the bucket itself.
        bucket = self.lookup(name)
        self.require(principal, permission, bucket, what)
        return bucket

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
        settings = normalize_settings(
            {}, {k: v for k, v in body.items() if k in BUCKET_FIELDS and v is not None}, now
        )
        placement = bodies.check_placement(location, settings.pop("customPlacementConfig", None))
        if placement is not None:
            settings["customPlacementConfig"] = placement
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
                name,
                project,
                self.project_number(principal, project),
                location,
                now,
                now,
                1,
                settings,
            )
            self.buckets[name] = bucket
        for role, members in DEFAULT_BUCKET_POLICY:
            for member in members:
                self.backend.policies.grant(bucket_resource(name), role, f"{member}:{project}", now)
        return bucket

    def project_number(self, principal: str, project: str) -> str:
        projects = self.backend.services.get("projects")
        if projects is None:
            return str(self.backend.config.project_number)
        try:
            return str(projects.number(project))
        except KeyError:  # a project that does not exist grants nothing, as on GCP
            raise denied(principal, "storage.buckets.create", "project") from None

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
            placement = wanted.pop("customPlacementConfig", None)
            if placement and placement != bucket.settings.get("customPlacementConfig"):
                # Fixed at creation: Terraform recreates the bucket when it changes
                # ("If any of the dataLocations changes, it will recreate the bucket":
                # https://pub.dev/documentation/pulumi_gcp/latest/storage/BucketCustomPlacementConfig-class.html).
                raise invalid(
                    "customPlacementConfig cannot be changed after the bucket is created."
                )
            now = self.backend.clock.now()
            base = {} if replace else bucket.settings
            merged = merge(base, wanted)
            if replace and "iamConfiguration" not in wanted:
                merged["iamConfiguration"] = {}
            if "customPlacementConfig" in bucket.settings:
                merged["customPlacementConfig"] = bucket.settings["customPlacementConfig"]
            bucket.settings = normalize_settings(bucket.settings, merged, now)
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
        *,
        component_count: int = 0,
        before_commit: Callable[[], None] | None = None,
        default_type: bool = True,
    ) -> tuple[StoredBucket, StoredObject]:
        """Store `data` as the new live generation of `name`, checking the client's hashes.

        `before_commit` runs under the lock once every check passed (a move deletes its source
        there, so both happen or neither does)."""
        if not name:
            raise invalid("Required object name is missing.")
        bucket = self.bucket(principal, bucket_name, "storage.objects.create", "object")
        crc, md5 = checksums(data)
        verify_hashes(meta, crc, md5)
        if component_count:
            # Composite objects have a CRC32C but no MD5 hash
            # (https://cloud.google.com/storage/docs/composite-objects#metadata).
            md5 = ""
        with self.lock:
            if self.buckets.get(bucket_name) is not bucket:  # deleted since we looked it up
                raise bucket_not_found()
            current = bucket.live(name)
            if current is not None:  # overwriting needs delete too, as in GCS
                self.require(principal, "storage.objects.delete", bucket, "object")
            check_object_preconditions(query, current, read=False)
            now = self.backend.clock.now()
            fields = {k: v for k, v in meta.items() if k in OBJECT_FIELDS and v is not None}
            if default_type:
                fields.setdefault("contentType", "application/octet-stream")
            if before_commit is not None:
                before_commit()
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
                component_count=component_count,
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
        generation = query_int(query, "generation")
        obj = bucket.version(name, generation) if generation else bucket.live(name)
        if obj is None:
            raise object_not_found(bucket.name, name)
        return obj

    def update_object(
        self,
        principal: str,
        bucket_name: str,
        name: str,
        body: dict[str, Any],
        query: Query,
        *,
        replace: bool,
    ) -> tuple[StoredBucket, StoredObject]:
        """PATCH merges the writable metadata; PUT (update) replaces it."""
        bucket = self.bucket(principal, bucket_name, "storage.objects.update", "object")
        with self.lock:
            obj = self._find(bucket, name, query)
            check_object_preconditions(query, obj, read=False)
            wanted = {k: v for k, v in body.items() if k in OBJECT_FIELDS}
            fields = merge({} if replace else obj.fields, wanted)
            fields.setdefault("contentType", "application/octet-stream")
            obj.fields = fields
            obj.metageneration += 1
            obj.updated = self.backend.clock.now()
            return bucket, obj

    def delete_object(self, principal: str, bucket_name: str, name: str, query: Query) -> None:
        bucket = self.bucket(principal, bucket_name, "storage.objects.delete", "object")
        with self.lock:
            obj = self._find(bucket, name, query)
            check_object_preconditions(query, obj, read=False)
            self._remove(bucket, obj, noncurrent=query_int(query, "generation") is None)

    def _remove(self, bucket: StoredBucket, obj: StoredObject, *, noncurrent: bool) -> None:
        versions = bucket.objects[obj.name]
        if noncurrent and bucket.versioned:
            obj.deleted = self.backend.clock.now()  # kept as a noncurrent version
        else:
            versions.remove(obj)
        if not versions:
            del bucket.objects[obj.name]

    # -- copy, rewrite, compose, move ------------------------------------------------------------
    def copy_object(
        self,
        principal: str,
        source: tuple[str, str],
        dest: tuple[str, str],
        meta: dict[str, Any],
        query: Query,
    ) -> tuple[StoredBucket, StoredObject]:
        """objects.copy / objects.rewrite: `sourceGeneration` and `ifSource*` apply to the
        source, `if*` to the destination; metadata given replaces the source's."""
        _, src = self.get_object(principal, *source, source_query(query))
        fields = meta if meta else dict(src.fields)
        return self.insert_object(
            principal,
            *dest,
            src.data,
            fields,
            dest_query(query),
            component_count=src.component_count,
        )

    def compose(
        self,
        principal: str,
        bucket_name: str,
        name: str,
        sources: list[dict[str, Any]],
        destination: dict[str, Any],
        delete_sources: bool,
        query: Query,
    ) -> tuple[StoredBucket, StoredObject]:
        """Concatenate up to 32 objects of one bucket into `name`
        (https://cloud.google.com/storage/docs/composing-objects: "between 1 and 32")."""
        if not sources:
            raise invalid("You must provide at least one source component.")
        if len(sources) > MAX_COMPOSE_SOURCES:
            raise invalid(
                f"The number of source components provided ({len(sources)}) exceeds the "
                f"maximum ({MAX_COMPOSE_SOURCES})."
            )
        bucket = self.bucket(principal, bucket_name, "storage.objects.get", "object")
        parts: list[StoredObject] = []
        with self.lock:
            for spec in sources:
                src_name = str(spec.get("name") or "")
                if not src_name:
                    raise invalid("Required source object name is missing.")
                wanted = {}
                if spec.get("generation"):
                    wanted["generation"] = [str(spec["generation"])]
                match = (spec.get("objectPreconditions") or {}).get("ifGenerationMatch")
                if match is not None:
                    wanted["ifGenerationMatch"] = [str(match)]
                obj = self._find(bucket, src_name, wanted)
                check_object_preconditions(wanted, obj, read=False)
                parts.append(obj)
        count = sum(p.component_count or 1 for p in parts)
        # The destination resource is metadata only: the client sends back what it knows of
        # the object (its old hashes among them), which say nothing of the composed data.
        drop = {"name", "bucket", "crc32c", "md5Hash"}
        fields = {k: v for k, v in destination.items() if k not in drop}
        data = b"".join(p.data for p in parts)
        # A composed object has only the content type its request gives it (python-storage's
        # system test test_blob_compose_new_blob_wo_content_type expects none).
        result = self.insert_object(
            principal,
            bucket_name,
            name,
            data,
            fields,
            query,
            component_count=count,
            default_type=False,
        )
        if delete_sources:
            with self.lock:
                for part in parts:
                    if part.name != name and bucket.version(part.name, part.generation):
                        self._remove(bucket, part, noncurrent=False)
        return result

    def move_object(
        self, principal: str, bucket_name: str, name: str, dest: str, query: Query
    ) -> tuple[StoredBucket, StoredObject]:
        """objects.move: rename within one bucket, atomically: the destination gets a new
        generation and the source's live version is gone
        (https://cloud.google.com/storage/docs/json_api/v1/objects/move)."""
        # A move deletes the source and creates the destination (the objects/move page), so it
        # needs storage.objects.get and .delete here and .create in insert_object. The JSON
        # methods table (https://cloud.google.com/storage/docs/access-control/iam-json) also
        # names storage.objects.move in newer versions, a permission the reference role
        # catalog gives no legacy bucket role (so a project owner could not move): not checked.
        bucket = self.bucket(principal, bucket_name, "storage.objects.get", "object")
        self.require(principal, "storage.objects.delete", bucket, "object")
        with self.lock:
            src = self._find(bucket, name, {})
            check_object_preconditions(source_query(query), src, read=False)
            if dest == name:
                raise invalid("Source and destination object names must be different.")
            return self.insert_object(
                principal,
                bucket_name,
                dest,
                src.data,
                dict(src.fields),
                dest_query(query),
                component_count=src.component_count,
                before_commit=lambda: self._remove(bucket, src, noncurrent=False),
            )

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
