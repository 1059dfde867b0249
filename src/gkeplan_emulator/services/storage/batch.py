"""`POST /batch/storage/v1`: several JSON API calls in one multipart/mixed request.

Each part is a whole HTTP request (`Content-Type: application/http`), answered in a part of a
multipart/mixed response, in order, with `Content-ID: <response-ID>` for a request part's ID;
the inner requests carry no credentials of their own and run as the outer request's caller
(https://cloud.google.com/storage/docs/batch). Each inner call goes through the same dispatch as
a direct one: its own permission checks, faults, log entry and persistence. Uploads and
downloads are not batchable on GCS either: they are not in the table the parts are matched to.
"""

from __future__ import annotations

import re
import secrets
from http import HTTPStatus
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.dispatch import dispatch
from gkeplan_emulator.services.storage.errors import invalid, storage_error
from gkeplan_emulator.services.storage.uploads import boundary_of

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

_REASONS = {s.value: s.phrase for s in HTTPStatus}


def _split(content_type: str, body: bytes) -> list[bytes]:
    delimiter = boundary_of(content_type)
    if not content_type.startswith("multipart/mixed") or delimiter is None:
        raise invalid("A batch request needs a multipart/mixed body with a boundary.")
    parts = []
    for chunk in body.split(delimiter)[1:]:
        if chunk.startswith(b"--"):
            break
        parts.append(chunk.strip(b"\r\n"))
    return parts


def _head(block: bytes) -> tuple[list[str], bytes]:
    """Header lines and what follows the blank line (CRLF or LF line ends, as clients send)."""
    text_end = re.search(rb"\r?\n\r?\n", block)
    if text_end is None:
        return block.decode("latin-1").splitlines(), b""
    return block[: text_end.start()].decode("latin-1").splitlines(), block[text_end.end() :]


def _headers(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        key, sep, value = line.partition(":")
        if sep:
            out[key.strip().lower()] = value.strip()
    return out


def _parse_part(part: bytes, outer: Request) -> tuple[str, Request]:
    part_lines, inner = _head(part)
    content_id = _headers(part_lines).get("content-id", "")
    lines, body = _head(inner)
    if not lines:
        raise invalid("A batch part holds no HTTP request.")
    method, _, rest = lines[0].partition(" ")
    target = rest.rsplit(" ", 1)[0] if rest.endswith(("HTTP/1.1", "HTTP/1.0")) else rest
    url = urlsplit(target.strip())
    headers = _headers(lines[1:])
    length = headers.get("content-length")
    if length is not None and length.isdigit():
        body = body[: int(length)]
    elif not body.strip():
        body = b""
    if "authorization" in outer.headers:  # the parts run as the outer request's caller
        headers["authorization"] = outer.headers["authorization"]
    headers.setdefault("host", outer.headers.get("host", ""))
    path = url.path if "/o/" in url.path else unquote(url.path)
    return content_id, Request(
        method.upper(), path, parse_qs(url.query, keep_blank_values=True), headers, body
    )


def _answer(
    backend: Backend, adapter: MapAdapter, routes: list[Route], req: Request, storage: bool
) -> Response:
    try:
        index, params = adapter.match(req.path, method=req.method)
    except HTTPException:
        err = storage_error(404, f"The requested URL {req.path} was not found.", "notFound")
        return Response(err.http, err.body(storage=storage))
    req.params = {k: str(v) for k, v in params.items()}
    return dispatch(backend, routes[int(index)], req)


def run_batch(
    backend: Backend,
    routes: list[Route],
    adapter: MapAdapter,
    req: Request,
    *,
    storage_errors: bool = True,
) -> Response:
    """The batch's answer; `storage_errors`: a part no route matches is answered in Cloud
    Storage's error shape (else in Google's common one, for Compute Engine's batch)."""
    parts = _split(req.headers.get("content-type", ""), req.body)
    if not parts:
        raise invalid("A batch request needs at least one part.")
    boundary = "batch_" + secrets.token_hex(12)
    out: list[bytes] = []
    for part in parts:
        content_id, inner = _parse_part(part, req)
        resp = _answer(backend, adapter, routes, inner, storage_errors)
        payload = resp.payload()
        reason = _REASONS.get(resp.status, "")
        inner_head = [f"HTTP/1.1 {resp.status} {reason}"]
        if payload:
            inner_head += [f"Content-Type: {resp.content_type}", f"Content-Length: {len(payload)}"]
        inner_head += [f"{k}: {v}" for k, v in resp.headers.items()]
        rid = content_id.strip("<>")
        head = ["Content-Type: application/http"]
        if rid:
            head.append(f"Content-ID: <response-{rid}>")
        out.append(
            f"--{boundary}\r\n".encode()
            + "\r\n".join(head).encode()
            + b"\r\n\r\n"
            + "\r\n".join(inner_head).encode()
            + b"\r\n\r\n"
            + payload
            + b"\r\n"
        )
    out.append(f"--{boundary}--\r\n".encode())
    return Response(200, b"".join(out), {}, f"multipart/mixed; boundary={boundary}")
