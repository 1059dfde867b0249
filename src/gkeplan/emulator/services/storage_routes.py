"""Cloud Storage JSON API routes, including multipart and resumable uploads and downloads."""

from __future__ import annotations

import json
import secrets
import threading
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any

from gkeplan.emulator.authz import bucket_resource
from gkeplan.emulator.errors import invalid_argument
from gkeplan.emulator.http import Request, Response, Router
from gkeplan.emulator.iampolicy import encode_etag
from gkeplan.emulator.services.resourcemanager import decode_etag
from gkeplan.emulator.services.storage import StorageModel, storage_error
from gkeplan.emulator.services.storage_schema import check

if TYPE_CHECKING:
    from gkeplan.emulator.backend import Backend

_B = r"/storage/v1/b/(?P<bucket>[^/]+)"
_O = _B + r"/o/(?P<object>.+)"


def _multipart(req: Request) -> tuple[dict[str, Any], bytes, str]:
    ctype = req.headers.get("content-type", "")
    raw = b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req.body
    message = BytesParser(policy=HTTP).parsebytes(raw)
    parts = list(message.iter_parts())
    if len(parts) != 2:
        raise invalid_argument("Multipart upload needs metadata and media parts.")
    head = parts[0].get_payload(decode=True)
    body = parts[1].get_payload(decode=True)
    meta = json.loads(head if isinstance(head, bytes) else b"{}")
    data = body if isinstance(body, bytes) else b""
    return dict(meta), data, parts[1].get_content_type()


def register(router: Router, backend: Backend) -> None:
    model: StorageModel = backend.models["storage"]
    sessions: dict[str, dict[str, Any]] = {}
    sessions_lock = threading.Lock()

    def who(req: Request) -> str:
        assert req.principal
        return req.principal

    def insert_bucket(req: Request) -> Response:
        project = req.arg("project") or ""
        body = req.json()
        check(body, "Bucket")
        return Response(body=model.create_bucket(who(req), project, body))

    def list_buckets(req: Request) -> Response:
        project = req.arg("project") or ""
        backend.authz.require(
            who(req),
            "storage.buckets.list",
            f"//cloudresourcemanager.googleapis.com/projects/{project}",
            project=project,
        )
        with model.lock:
            items = [dict(b.meta) for n, b in sorted(model.buckets.items()) if b.project == project]
        body: dict[str, Any] = {"kind": "storage#buckets"}
        if items:
            body["items"] = items
        return Response(body=body)

    def get_bucket(req: Request) -> Response:
        return Response(
            body=dict(model.bucket(who(req), req.params["bucket"], "storage.buckets.get").meta)
        )

    def patch_bucket(req: Request) -> Response:
        body = req.json()
        check(body, "Bucket")
        return Response(body=model.patch_bucket(who(req), req.params["bucket"], body, req.query))

    def delete_bucket(req: Request) -> Response:
        model.delete_bucket(who(req), req.params["bucket"])
        return Response(204, None)

    def get_iam(req: Request) -> Response:
        name = req.params["bucket"]
        model.bucket(who(req), name, "storage.buckets.getIamPolicy")
        pol = backend.policies.get(bucket_resource(name)).to_json()
        return Response(
            body={"kind": "storage#policy", "resourceId": f"projects/_/buckets/{name}", **pol}
        )

    def set_iam(req: Request) -> Response:
        name = req.params["bucket"]
        b = model.bucket(who(req), name, "storage.buckets.setIamPolicy")
        body = req.json()
        has_condition = any(x.get("condition") for x in body.get("bindings") or [])
        if has_condition and not b.meta["iamConfiguration"]["uniformBucketLevelAccess"]["enabled"]:
            raise storage_error(
                400,
                "IAM conditions require uniform bucket-level access to be enabled on the bucket.",
                "invalid",
            )
        backend.models["iam"].check_members(body)
        stored = backend.policies.set(
            bucket_resource(name),
            body,
            backend.clock.now(),
            backend.config.propagation_delay_s,
            decode_etag(body.get("etag")),
        )
        return Response(
            body={
                "kind": "storage#policy",
                "resourceId": f"projects/_/buckets/{name}",
                **stored.to_json(),
            }
        )

    def test_iam(req: Request) -> Response:
        name = req.params["bucket"]
        perms = req.query.get("permissions", [])
        granted = [
            p
            for p in perms
            if backend.authz.allowed(who(req), p, bucket_resource(name), backend.config.project)
        ]
        body: dict[str, Any] = {"kind": "storage#testIamPermissionsResponse"}
        if granted:
            body["permissions"] = granted
        return Response(body=body)

    def upload(req: Request) -> Response:
        bucket = req.params["bucket"]
        kind = req.arg("uploadType") or "media"
        if kind == "multipart":
            meta, data, ctype = _multipart(req)
            check(meta, "Object")
            name = meta.get("name") or req.arg("name") or ""
            return Response(
                body=model.put_object(
                    who(req),
                    bucket,
                    name,
                    data,
                    meta.get("contentType") or ctype,
                    req.query,
                    meta.get("metadata"),
                )
            )
        if kind == "media":
            return Response(
                body=model.put_object(
                    who(req),
                    bucket,
                    req.arg("name") or "",
                    req.body,
                    req.headers.get("content-type", ""),
                    req.query,
                )
            )
        if kind == "resumable":
            upload_id = req.arg("upload_id")
            if upload_id is None:
                meta = req.json()
                model.bucket(who(req), bucket, "storage.objects.create")
                upload_id = secrets.token_urlsafe(16)
                with sessions_lock:
                    sessions[upload_id] = {
                        "meta": meta,
                        "data": bytearray(),
                        "query": req.query,
                        "principal": who(req),
                        "bucket": bucket,
                    }
                host = req.headers.get("host", "127.0.0.1")
                location = (
                    f"http://{host}/upload/storage/v1/b/{bucket}/o?uploadType=resumable"
                    f"&upload_id={upload_id}"
                )
                return Response(200, b"", {"Location": location})
            return resumable_chunk(req, upload_id)
        raise invalid_argument(f"Unknown uploadType {kind}.")

    def resumable_chunk(req: Request, upload_id: str) -> Response:
        with sessions_lock:
            session = sessions.get(upload_id)
        if session is None:
            raise storage_error(404, "No such upload session.", "notFound")
        rng = req.headers.get("content-range", "")
        data: bytearray = session["data"]
        if rng.startswith("bytes ") and req.body:
            start = int(rng[6:].split("-", 1)[0])
            if start != len(data):
                raise storage_error(
                    400,
                    "Invalid request. Content-Range start does not match what was received.",
                    "invalid",
                )
            data.extend(req.body)
        total = rng.rsplit("/", 1)[-1] if "/" in rng else "*"
        if total == "*" or int(total) > len(data):
            headers = {"Range": f"bytes=0-{len(data) - 1}"} if data else {}
            return Response(308, b"", headers)
        with sessions_lock:
            sessions.pop(upload_id, None)
        meta = session["meta"]
        obj = model.put_object(
            session["principal"],
            session["bucket"],
            meta.get("name") or "",
            bytes(data),
            meta.get("contentType") or "application/octet-stream",
            session["query"],
            meta.get("metadata"),
        )
        return Response(body=obj)

    def get_object(req: Request) -> Response:
        obj = model.get_object(who(req), req.params["bucket"], req.params["object"], req.query)
        if req.arg("alt") == "media":
            return media(req, obj.data, obj)
        return Response(body=obj.resource(req.params["bucket"]))

    def media(req: Request, data: bytes, obj: Any) -> Response:
        headers = {
            "x-goog-generation": str(obj.generation),
            "x-goog-metageneration": str(obj.metageneration),
            "x-goog-hash": ",".join(
                f"{k}={v}"
                for k, v in (
                    ("crc32c", obj.resource("")["crc32c"]),
                    ("md5", obj.resource("")["md5Hash"]),
                )
            ),
        }
        rng = req.headers.get("range")
        if rng and rng.startswith("bytes="):
            first, _, last = rng[6:].partition("-")
            start = int(first or 0)
            end = int(last) if last else len(data) - 1
            part = data[start : end + 1]
            headers["Content-Range"] = f"bytes {start}-{start + len(part) - 1}/{len(data)}"
            return Response(206, part, headers, obj.content_type)
        return Response(200, data, headers, obj.content_type)

    def download(req: Request) -> Response:
        obj = model.get_object(who(req), req.params["bucket"], req.params["object"], req.query)
        return media(req, obj.data, obj)

    def delete_object(req: Request) -> Response:
        model.delete_object(who(req), req.params["bucket"], req.params["object"], req.query)
        return Response(204, None)

    def list_objects(req: Request) -> Response:
        return Response(body=model.list_objects(who(req), req.params["bucket"], req.query))

    add = router.add
    add("POST", r"/storage/v1/b", insert_bucket, "storage.buckets.insert", storage=True)
    add("GET", r"/storage/v1/b", list_buckets, "storage.buckets.list", storage=True)
    add("GET", _B, get_bucket, "storage.buckets.get", storage=True)
    add("PATCH", _B, patch_bucket, "storage.buckets.patch", storage=True)
    add("PUT", _B, patch_bucket, "storage.buckets.update", storage=True)
    add("DELETE", _B, delete_bucket, "storage.buckets.delete", storage=True)
    add("GET", _B + "/iam", get_iam, "storage.buckets.getIamPolicy", storage=True)
    add("PUT", _B + "/iam", set_iam, "storage.buckets.setIamPolicy", storage=True)
    add(
        "GET",
        _B + "/iam/testPermissions",
        test_iam,
        "storage.buckets.testIamPermissions",
        storage=True,
    )
    add("POST", r"/upload" + _B + "/o", upload, "storage.objects.insert", storage=True)
    add("PUT", r"/upload" + _B + "/o", upload, "storage.objects.insert", storage=True)
    add("GET", _B + "/o", list_objects, "storage.objects.list", storage=True)
    add("GET", _O, get_object, "storage.objects.get", storage=True)
    add("GET", r"/download" + _O, download, "storage.objects.get", storage=True)
    add("DELETE", _O, delete_object, "storage.objects.delete", storage=True)
    _ = encode_etag
