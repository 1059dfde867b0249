"""Cloud Storage JSON API routes: parse the request, call the model, serialize the answer."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.calls import Handler, Request, Response, Route, route
from gkeplan_emulator.errors import ApiError
from gkeplan_emulator.mappings import Serve, discovered, routes_for
from gkeplan_emulator.services.resourcemanager import decode_etag
from gkeplan_emulator.services.storage import bodies, unsupported
from gkeplan_emulator.services.storage.batch import run_batch
from gkeplan_emulator.services.storage.errors import condition_not_met, invalid, storage_error
from gkeplan_emulator.services.storage.etags import check_etag
from gkeplan_emulator.services.storage.models import StorageModel
from gkeplan_emulator.services.storage.reads import max_results, media, page_objects, token, untoken
from gkeplan_emulator.services.storage.records import (
    StoredBucket,
    StoredObject,
    bucket_resource,
    check_bucket_preconditions,
    check_object_preconditions,
    checksums,
    query_int,
    verify_hashes,
)
from gkeplan_emulator.services.storage.serialize import (
    bucket_json,
    object_etag,
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
    from werkzeug.routing import MapAdapter

    from gkeplan_emulator.backend import Backend

_B = "/storage/v1/b/<part:bucket>"
_O = _B + "/o/<part:object>"  # the client percent-encodes "/" in object names
_TO = "/<any(copyTo, rewriteTo):verb>/b/<part:dest_bucket>/o/<part:dest_object>"
# Every JSON API method the discovery document lists but this emulator does not serve answers
# 501 naming it (see unsupported.py), never a 404 that looks like a missing bucket.
_ANY = "/storage/v1/<path:rest>"


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
        self.batch_routes: list[Route] = []  # what a batch part may call
        self.batch_adapter: MapAdapter | None = None

    def bucket_out(self, req: Request, bucket: StoredBucket) -> Response:
        return Response(body=bucket_json(bucket, _base(req)))

    def object_out(self, req: Request, bucket: StoredBucket, obj: StoredObject) -> Response:
        return Response(body=object_json(bucket, obj, _base(req)))

    def insert_bucket(self, req: Request) -> Response:
        body = bodies.check(req.json(), "Bucket")
        unsupported.refuse_fields("storage.buckets.insert", body, "Bucket")
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
        resp = self.bucket_out(req, bucket)
        check_etag(req, str(resp.body["etag"]) if isinstance(resp.body, dict) else "")
        return resp

    def update_bucket(self, replace: bool) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            name = "storage.buckets.update" if replace else "storage.buckets.patch"
            body = bodies.check(req.json(), "Bucket")
            unsupported.refuse_fields(name, body, "Bucket")
            bucket = self.model.update_bucket(
                _who(req), req.params["bucket"], body, req.query, replace=replace
            )
            return self.bucket_out(req, bucket)

        return handler

    def storage_layout(self, req: Request) -> Response:
        """buckets.getStorageLayout: "The authenticated user must have the storage.objects.list
        IAM permission" and the answer is {kind, bucket, location, locationType,
        hierarchicalNamespace} (https://cloud.google.com/storage/docs/json_api/v1/buckets/
        getStorageLayout); gcloud storage cp -r asks it first. No bucket here has a
        hierarchical namespace (buckets.insert refuses it as not implemented)."""
        bucket = self.model.bucket(_who(req), req.params["bucket"], "storage.objects.list")
        out = bucket_json(bucket, _base(req))
        layout: dict[str, Any] = {
            "kind": "storage#storageLayout",
            "bucket": bucket.name,
            "location": out["location"],
            "locationType": out["locationType"],
            "hierarchicalNamespace": {"enabled": False},
        }
        if "customPlacementConfig" in out:
            layout["customPlacementConfig"] = out["customPlacementConfig"]
        return Response(body=layout)

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
        etag = decode_etag(body.get("etag"))
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
            meta = bodies.check(meta, "Object")
            unsupported.refuse_fields("storage.objects.insert", meta, "Object")
            meta = {k: v for k, v in meta.items() if v is not None}
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
        meta = bodies.check(req.json(), "Object")
        unsupported.refuse_fields("storage.objects.insert", meta, "Object")
        meta = {k: v for k, v in meta.items() if v is not None}
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
        # The hashes the client declared when it started (crc32c/md5Hash in the metadata) and
        # the ones it sends with the last chunk (x-goog-hash) must both match the data.
        meta = dict(session.meta)
        sent = parse_goog_hash(req.headers.get("x-goog-hash", ""))
        try:
            verify_hashes(sent, *checksums(bytes(session.data)))
        except ApiError:
            self.sessions.finish(upload_id)
            raise
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
        check_etag(req, object_etag(obj))
        if req.arg("alt") == "media" or req.path.startswith("/download/"):
            return media(req, obj)
        return self.object_out(req, bucket, obj)

    def update_object(self, replace: bool) -> Callable[[Request], Response]:
        def handler(req: Request) -> Response:
            name = "storage.objects.update" if replace else "storage.objects.patch"
            body = bodies.check(req.json(), "Object")
            unsupported.refuse_fields(name, body, "Object")
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
        # includeFoldersAsPrefixes "will also include folders and managed folders (besides
        # objects) in the returned prefixes" (discovery storage.v1 objects.list): a bucket here
        # has neither (no hierarchical namespace, no managedFolders.insert), so the answer is
        # the same without it. gcloud storage ls and rm send it on every listing.
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
        """copyTo and rewriteTo, done at once (rewrite reports done=true in one call, which
        the API allows: "rewriteToken ... only needed when done is false")."""
        copy = req.params["verb"] == "copyTo"
        name = "storage.objects.copy" if copy else "storage.objects.rewrite"
        meta = bodies.check(req.json(), "Object")
        unsupported.refuse_fields(name, meta, "Object")
        bucket, obj = self.model.copy_object(
            _who(req),
            (req.params["bucket"], req.params["object"]),
            (req.params["dest_bucket"], req.params["dest_object"]),
            {k: v for k, v in meta.items() if v is not None},
            req.query,
        )
        if copy:
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

    def compose(self, req: Request) -> Response:
        body = bodies.check(req.json(), "ComposeRequest")
        destination = body.get("destination") or {}
        unsupported.refuse_fields("storage.objects.compose", destination, "Object")
        bucket, obj = self.model.compose(
            _who(req),
            req.params["bucket"],
            req.params["object"],
            body.get("sourceObjects") or [],
            {k: v for k, v in destination.items() if v is not None},
            bool(body.get("deleteSourceObjects")),
            req.query,
        )
        return self.object_out(req, bucket, obj)

    def move(self, req: Request) -> Response:
        bucket, obj = self.model.move_object(
            _who(req), req.params["bucket"], req.params["object"], req.params["dest"], req.query
        )
        return self.object_out(req, bucket, obj)

    def project_service_account(self, req: Request) -> Response:
        project = req.params["project"]
        self.model.require_project(_who(req), "resourcemanager.projects.get", project)
        number = self.model.project_number(_who(req), project)
        # The Cloud Storage service agent of a project, and the JSON field name (snake case in
        # the discovery document's ServiceAccount schema): "service-PROJECT_NUMBER@gs-project-
        # accounts.iam.gserviceaccount.com"
        # (https://cloud.google.com/storage/docs/projects#service-agents).
        return Response(
            body={
                "kind": "storage#serviceAccount",
                "email_address": f"service-{number}@gs-project-accounts.iam.gserviceaccount.com",
            }
        )

    def batch(self, req: Request) -> Response:
        if self.batch_adapter is None:
            from gkeplan_emulator.server import url_map

            self.batch_adapter = url_map(self.batch_routes).bind("emulator")
        return run_batch(self.backend, self.batch_routes, self.batch_adapter, req)

    def unimplemented(self, req: Request) -> Response:
        raise unsupported.not_implemented(discovery_method(req.method, req.path), "this method")


def discovery_method(method: str, path: str) -> str:
    """The discovery document's id for a JSON API call ("storage.bucketAccessControls.list")."""
    rest = path.removeprefix("/storage/v1/").strip("/")
    for resource in bodies.discovery()["resources"].values():
        for spec in resource.get("methods", {}).values():
            if spec["httpMethod"] != method:
                continue
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(spec["path"]))
            if re.fullmatch(pattern, rest):
                return str(spec["id"])
    return f"{method} /storage/v1/{rest}"


# the discovery document's variables, as the handlers read them
_NAMES = {
    "destinationBucket": "bucket",
    "destinationObject": "object",
    "sourceObject": "object",
    "projectId": "project",
}

# The methods at their discovery paths: (method id, handler of a StorageApi, options).
METHODS: tuple[tuple[str, Callable[[StorageApi], Handler], dict[str, Any]], ...] = (
    ("storage.buckets.insert", lambda api: api.insert_bucket, {}),
    ("storage.buckets.list", lambda api: api.list_buckets, {}),
    ("storage.buckets.get", lambda api: api.get_bucket, {}),
    ("storage.buckets.patch", lambda api: api.update_bucket(False), {}),
    ("storage.buckets.update", lambda api: api.update_bucket(True), {}),
    ("storage.buckets.delete", lambda api: api.delete_bucket, {}),
    ("storage.buckets.getStorageLayout", lambda api: api.storage_layout, {"mutating": False}),
    ("storage.buckets.getIamPolicy", lambda api: api.get_iam, {}),
    ("storage.buckets.setIamPolicy", lambda api: api.set_iam, {}),
    ("storage.buckets.testIamPermissions", lambda api: api.test_iam, {}),
    ("storage.objects.list", lambda api: api.list_objects, {}),
    ("storage.objects.get", lambda api: api.get_object, {}),
    ("storage.objects.patch", lambda api: api.update_object(False), {}),
    ("storage.objects.update", lambda api: api.update_object(True), {}),
    ("storage.objects.delete", lambda api: api.delete_object, {}),
    ("storage.objects.compose", lambda api: api.compose, {}),
    (
        "storage.objects.move",
        lambda api: api.move,
        {"names": {**_NAMES, "destinationObject": "dest"}},
    ),
    ("storage.projects.serviceAccount.get", lambda api: api.project_service_account, {}),
)

# Paths that are no discovery method's own, each for its reason: (HTTP method, URL rule,
# handler of a StorageApi, GCP method name, options).
ROUTES: tuple[tuple[str, str, Callable[[StorageApi], Handler], str, dict[str, Any]], ...] = (
    # objects.insert's media upload (its discovery mediaUpload "simple" and "resumable" paths
    # are one: the uploadType query parameter tells them apart)
    ("POST", "/upload" + _B + "/o", lambda api: api.upload, "storage.objects.insert", {}),
    # a resumable upload's later requests, to the session URI its first one answered
    (
        "PUT",
        "/upload" + _B + "/o",
        lambda api: api.put_resumable,
        "storage.objects.insert",
        {"auth": False},
    ),
    # the media download endpoint google-cloud-storage reads objects from
    ("GET", "/download" + _O, lambda api: api.get_object, "storage.objects.get", {}),
    # objects.copy and objects.rewrite in one rule: one handler, told apart by `verb`
    ("POST", _O + _TO, lambda api: api.copy_object, "storage.objects.rewrite", {}),
    # The batch endpoint runs each part through this table; the parts authenticate themselves.
    ("POST", "/batch/storage/v1", lambda api: api.batch, "storage.batch", {"mutating": False}),
    *(
        (m, _ANY, lambda api: api.unimplemented, "storage.unimplemented", {"mutating": False})
        for m in ("GET", "POST", "PUT", "PATCH", "DELETE")
    ),
)


def routes(backend: Backend) -> list[Route]:
    api = StorageApi(backend)
    rows = [
        Serve(
            m,
            _refusing(handler(api), m),
            m,
            plain="part",
            storage=True,
            **{"names": _NAMES, **opts},
        )
        for m, handler, opts in METHODS
    ]
    table = routes_for(discovered("storage", "v1", (row.rpc for row in rows)), rows) + [
        route(method, rule, _refusing(handler(api), name), name, storage=True, **options)
        for method, rule, handler, name, options in ROUTES
    ]
    api.batch_routes = [
        r
        for r in table
        if r.name != "storage.batch" and not r.rule.startswith(("/upload/", "/download/"))
    ]
    return table


def _refusing(handler: Handler, name: str) -> Handler:
    """Encryption headers and KMS/ACL parameters answer 501 on every method, before it runs."""

    def guarded(req: Request) -> Response:
        unsupported.refuse_request(name, req.query, req.headers)
        return handler(req)

    return guarded
