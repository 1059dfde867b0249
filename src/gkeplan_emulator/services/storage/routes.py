"""Cloud Storage JSON API routes: parse the request, call the model, serialize the answer."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.errors import ApiError
from gkeplan_emulator.http import Handler, Request, Response, Route, route
from gkeplan_emulator.services.storage import bodies
from gkeplan_emulator.services.storage.errors import condition_not_met, invalid, storage_error
from gkeplan_emulator.services.storage.models import StorageModel
from gkeplan_emulator.services.storage.reads import max_results, media, page_objects, token, untoken
from gkeplan_emulator.services.storage.records import (
    StoredBucket,
    StoredObject,
    bucket_resource,
    check_bucket_preconditions,
    check_object_preconditions,
    query_int,
)
from gkeplan_emulator.services.storage.serialize import (
    bucket_json,
    object_json,
)
from gkeplan_emulator.services.storage.uploads import (
    Session,
    Sessions,
    parse_goog_hash,
    parse_multipart,
    put_chunk,
)

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

_B = "/storage/v1/b/<part:bucket>"
_O = _B + "/o/<part:object>"  # the client percent-encodes "/" in object names
_TO = "/<any(copyTo, rewriteTo):verb>/b/<part:dest_bucket>/o/<part:dest_object>"


def _base(req: Request) -> str:
    return f"http://{req.headers.get('host', '127.0.0.1')}"


def _who(req: Request) -> str:
    if req.principal is None:  # the router refuses unauthenticated calls before this
        raise storage_error(401, "Anonymous caller.", "required")
    return req.principal


class StorageApi:
    """The JSON API's handlers, one method per row of ROUTES (closing over one backend)."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.models = self.backend.services
        self.model: StorageModel = self.models["storage"]
        self.sessions = Sessions()

    def bucket_out(self, req: Request, bucket: StoredBucket) -> Response:
        return Response(body=bucket_json(bucket, _base(req)))

    def object_out(self, req: Request, bucket: StoredBucket, obj: StoredObject) -> Response:
        return Response(body=object_json(bucket, obj, _base(req)))

    def insert_bucket(self, req: Request) -> Response:
        body = req.json()
        bodies.check(body, "Bucket")
        return self.bucket_out(
            req, self.model.create_bucket(_who(req), req.arg("project") or "", body)
        )

    def list_buckets(self, req: Request) -> Response:
        found = self.model.list_buckets(
            _who(req), req.arg("project") or "", req.arg("prefix") or ""
        )
        after = untoken(req.arg("pageToken") or "") if req.arg("pageToken") else ""
        found = [b for b in found if b.name > after]
        limit = max_results(req)
        out: dict[str, Any] = {"kind": "storage#buckets"}
        if found:
            out["items"] = [bucket_json(b, _base(req)) for b in found[:limit]]
        if len(found) > limit:
            out["nextPageToken"] = token(found[limit - 1].name)
        return Response(body=out)

    def get_bucket(self, req: Request) -> Response:
        bucket = self.model.bucket(_who(req), req.params["bucket"], "storage.buckets.get")
        check_bucket_preconditions(req.query, bucket)
        return self.bucket_out(req, bucket)

    def update_bucket(self, replace: bool) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            body = req.json()
            bodies.check(body, "Bucket")
            bucket = self.model.update_bucket(
                _who(req), req.params["bucket"], body, req.query, replace=replace
            )
            return self.bucket_out(req, bucket)

        return handler

    def delete_bucket(self, req: Request) -> Response:
        self.model.delete_bucket(_who(req), req.params["bucket"], req.query)
        return Response(204, b"")

    def policy_out(self, name: str, policy: dict[str, Any]) -> Response:
        return Response(
            body={"kind": "storage#policy", "resourceId": f"projects/_/buckets/{name}", **policy}
        )

    def get_iam(self, req: Request) -> Response:
        name = req.params["bucket"]
        self.model.bucket(_who(req), name, "storage.buckets.getIamPolicy")
        policy = self.backend.policies.get(bucket_resource(name)).to_json()
        requested = query_int(req.query, "optionsRequestedPolicyVersion") or 1
        if requested < 3 and any(b.get("condition") for b in policy.get("bindings", [])):
            raise invalid(
                "The requested policy version is lower than the version of the policy, which "
                "has conditions: request policy version 3."
            )
        return self.policy_out(name, policy)

    def set_iam(self, req: Request) -> Response:
        name = req.params["bucket"]
        bucket = self.model.bucket(_who(req), name, "storage.buckets.setIamPolicy")
        body = req.json()
        bodies.check(body, "Policy")
        if any(b.get("condition") for b in body.get("bindings") or []):
            # GCS checks uniform access first (412), then the policy version (400).
            if not bucket.ubla["enabled"]:
                raise storage_error(
                    412,
                    "IAM conditions can only be used after you enable uniform bucket-level "
                    "access on the bucket.",
                    "conditionNotMet",
                )
            if int(body.get("version") or 1) < 3:
                raise invalid("IAM policies with conditions must have a version of at least 3.")
        iam = self.models.get("iam")
        if iam is not None:  # unknown roles, and accounts that do not exist (yet), as IAM does
            iam.check_members(body)
        etag = base64.b64decode(body["etag"]) if body.get("etag") else None
        try:
            stored = self.backend.policies.set(bucket_resource(name), body, etag)
        except ApiError as err:
            if err.http != 409:
                raise
            raise condition_not_met() from None  # a stale etag: GCS answers 412
        return self.policy_out(name, stored.to_json())

    def test_iam(self, req: Request) -> Response:
        name = req.params["bucket"]
        bucket = self.model.lookup(name)  # what the caller may do is the answer, never a 403
        granted = [
            p for p in req.query.get("permissions", []) if self.model.allows(_who(req), p, bucket)
        ]
        out: dict[str, Any] = {"kind": "storage#testIamPermissionsResponse"}
        if granted:
            out["permissions"] = granted
        return Response(body=out)

    def upload(self, req: Request) -> Response:
        bucket = req.params["bucket"]
        kind = req.arg("uploadType") or "media"
        if kind == "multipart":
            meta, data, media_type = parse_multipart(req.headers.get("content-type", ""), req.body)
            bodies.check(meta, "Object")
            meta.setdefault("contentType", media_type)
            name = str(meta.get("name") or req.arg("name") or "")
            return self.object_out(
                req, *self.model.insert_object(_who(req), bucket, name, data, meta, req.query)
            )
        if kind == "media":
            meta = {"contentType": req.headers.get("content-type") or None}
            name = req.arg("name") or ""
            return self.object_out(
                req, *self.model.insert_object(_who(req), bucket, name, req.body, meta, req.query)
            )
        if kind == "resumable":
            return self.start_resumable(req, bucket)
        raise invalid(f"Invalid value for uploadType: '{kind}'")

    def start_resumable(self, req: Request, bucket_name: str) -> Response:
        meta = req.json()
        bodies.check(meta, "Object")
        meta["name"] = str(meta.get("name") or req.arg("name") or "")
        if not meta["name"]:
            raise invalid("Required object name is missing.")
        if req.headers.get("x-upload-content-type"):
            meta.setdefault("contentType", req.headers["x-upload-content-type"])
        bucket = self.model.bucket(_who(req), bucket_name, "storage.objects.create", "object")
        with self.model.lock:  # fail early, as GCS does; the last chunk checks again
            check_object_preconditions(req.query, bucket.live(meta["name"]), read=False)
        upload_id = self.sessions.start(Session(_who(req), bucket_name, meta, req.query))
        location = (
            f"{_base(req)}/upload/storage/v1/b/{bucket_name}/o?uploadType=resumable"
            f"&upload_id={upload_id}"
        )
        return Response(200, b"", {"Location": location, "X-GUploader-UploadID": upload_id})

    def put_resumable(self, req: Request) -> Response:
        upload_id = req.arg("upload_id")
        if not upload_id:
            raise invalid("Missing upload_id.")
        session = self.sessions.get(upload_id)
        progress = put_chunk(session, req.headers.get("content-range", ""), req.body)
        if not progress.complete:
            headers = {"Range": f"bytes=0-{progress.received - 1}"} if progress.received else {}
            return Response(308, b"", headers)
        meta = {**session.meta, **parse_goog_hash(req.headers.get("x-goog-hash", ""))}
        try:
            bucket, obj = self.model.insert_object(
                session.principal,
                session.bucket,
                meta["name"],
                bytes(session.data),
                meta,
                session.query,
            )
        finally:
            self.sessions.finish(upload_id)
        return self.object_out(req, bucket, obj)

    def get_object(self, req: Request) -> Response:
        bucket, obj = self.model.get_object(
            _who(req), req.params["bucket"], req.params["object"], req.query
        )
        if req.arg("alt") == "media" or req.path.startswith("/download/"):
            return media(req, obj)
        return self.object_out(req, bucket, obj)

    def update_object(self, replace: bool) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            body = req.json()
            bodies.check(body, "Object")
            bucket, obj = self.model.update_object(
                _who(req),
                req.params["bucket"],
                req.params["object"],
                body,
                req.query,
                replace=replace,
            )
            return self.object_out(req, bucket, obj)

        return handler

    def delete_object(self, req: Request) -> Response:
        self.model.delete_object(_who(req), req.params["bucket"], req.params["object"], req.query)
        return Response(204, b"")

    def list_objects(self, req: Request) -> Response:
        versions = (req.arg("versions") or "").lower() == "true"
        bucket, objects = self.model.list_objects(
            _who(req), req.params["bucket"], versions=versions
        )
        items, prefixes, next_token = page_objects(objects, req, versions=versions)
        out: dict[str, Any] = {"kind": "storage#objects"}
        if items:
            out["items"] = [object_json(bucket, o, _base(req)) for o in items]
        if prefixes:
            out["prefixes"] = prefixes
        if next_token:
            out["nextPageToken"] = next_token
        return Response(body=out)

    def copy_object(self, req: Request) -> Response:
        """copyTo and rewriteTo, done at once (rewrite reports done=true in one call)."""
        source_query = {
            k.replace("Source", "").replace("source", ""): v
            for k, v in req.query.items()
            if k.startswith(("ifSource", "sourceGeneration"))
        }
        source_query = {(k[0].lower() + k[1:]): v for k, v in source_query.items()}
        _, src = self.model.get_object(
            _who(req), req.params["bucket"], req.params["object"], source_query
        )
        meta = req.json()
        bodies.check(meta, "Object")
        meta = {**src.fields, **{k: v for k, v in meta.items() if v is not None}}
        dest_query = {
            k: v for k, v in req.query.items() if k.startswith("if") and "Source" not in k
        }
        bucket, obj = self.model.insert_object(
            _who(req),
            req.params["dest_bucket"],
            req.params["dest_object"],
            src.data,
            meta,
            dest_query,
        )
        if req.params["verb"] == "copyTo":
            return self.object_out(req, bucket, obj)
        size = str(len(obj.data))
        return Response(
            body={
                "kind": "storage#rewriteResponse",
                "totalBytesRewritten": size,
                "objectSize": size,
                "done": True,
                "resource": object_json(bucket, obj, _base(req)),
            }
        )


# The route table: (HTTP method, URL rule, handler of a StorageApi, GCP method name, options).
ROUTES: tuple[tuple[str, str, Callable[[StorageApi], Handler], str, dict[str, Any]], ...] = (
    ("POST", "/storage/v1/b", lambda api: api.insert_bucket, "storage.buckets.insert", {}),
    ("GET", "/storage/v1/b", lambda api: api.list_buckets, "storage.buckets.list", {}),
    ("GET", _B, lambda api: api.get_bucket, "storage.buckets.get", {}),
    ("PATCH", _B, lambda api: api.update_bucket(False), "storage.buckets.patch", {}),
    ("PUT", _B, lambda api: api.update_bucket(True), "storage.buckets.update", {}),
    ("DELETE", _B, lambda api: api.delete_bucket, "storage.buckets.delete", {}),
    ("GET", _B + "/iam", lambda api: api.get_iam, "storage.buckets.getIamPolicy", {}),
    ("PUT", _B + "/iam", lambda api: api.set_iam, "storage.buckets.setIamPolicy", {}),
    (
        "GET",
        _B + "/iam/testPermissions",
        lambda api: api.test_iam,
        "storage.buckets.testIamPermissions",
        {},
    ),
    ("POST", "/upload" + _B + "/o", lambda api: api.upload, "storage.objects.insert", {}),
    (
        "PUT",
        "/upload" + _B + "/o",
        lambda api: api.put_resumable,
        "storage.objects.insert",
        {"auth": False},
    ),
    ("GET", _B + "/o", lambda api: api.list_objects, "storage.objects.list", {}),
    ("GET", _O, lambda api: api.get_object, "storage.objects.get", {}),
    ("GET", "/download" + _O, lambda api: api.get_object, "storage.objects.get", {}),
    ("PATCH", _O, lambda api: api.update_object(False), "storage.objects.patch", {}),
    ("PUT", _O, lambda api: api.update_object(True), "storage.objects.update", {}),
    ("DELETE", _O, lambda api: api.delete_object, "storage.objects.delete", {}),
    ("POST", _O + _TO, lambda api: api.copy_object, "storage.objects.rewrite", {}),
)


def routes(backend: Backend) -> list[Route]:
    api = StorageApi(backend)
    return [
        route(method, rule, handler(api), name, storage=True, **options)
        for method, rule, handler, name, options in ROUTES
    ]
