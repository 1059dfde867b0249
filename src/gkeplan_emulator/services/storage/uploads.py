"""The three upload protocols of the JSON API: media (bytes only), multipart (metadata and bytes
in one multipart/related body) and resumable (a session URI, then chunks with Content-Range,
each answered 308 with the Range received so far, until the last one creates the object)."""

from __future__ import annotations

import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from gkeplan_emulator.services.storage.errors import invalid, storage_error

# RFC 2046's boundary parameter, bare or in double quotes; gcloud (Python's email package via
# apitools) sends it in single quotes, `boundary='===============86...=='`, which GCS accepts.
_BOUNDARY = re.compile(r"""boundary=(?:"([^"]+)"|'([^']+)'|([^;\s]+))""")
_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_RANGE = re.compile(r"bytes (?:(\d+)-(\d+)|\*)/(\d+|\*)\Z")


def boundary_of(content_type: str) -> bytes | None:
    """The delimiter line's start (`--` and the boundary) of a multipart Content-Type."""
    found = _BOUNDARY.search(content_type)
    if found is None:
        return None
    return b"--" + next(g for g in found.groups() if g).encode()


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], bytes, str]:
    """(metadata, data, media content type) from a multipart/related upload body.

    Split by hand rather than with `email`: the media part is arbitrary bytes.
    """
    delimiter = boundary_of(content_type)
    if not content_type.startswith("multipart/related") or delimiter is None:
        raise invalid("Multipart upload needs a multipart/related body with a boundary.")
    chunks = body.split(delimiter)
    parts = [c for c in chunks[1:] if not c.startswith(b"--")]
    if len(parts) != 2:
        raise invalid("Multipart upload needs exactly a metadata part and a media part.")
    decoded = []
    for part in parts:
        # Lines end in CRLF (RFC 2046) or, as apitools writes them through Python's email
        # generator for gcloud, in LF alone.
        part = part.removeprefix(b"\r\n").removeprefix(b"\n")
        found = _BLANK_LINE.search(part)
        if found is None:
            raise invalid("Malformed multipart body.")
        head, payload = part[: found.start()], part[found.end() :]
        headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.decode("latin-1").partition(":") for line in head.splitlines())
        }
        newline = b"\r\n" if found.group().startswith(b"\r") else b"\n"  # the part's own
        decoded.append((headers, payload.removesuffix(newline)))
    try:
        meta = json.loads(decoded[0][1] or b"{}")
    except ValueError:
        raise invalid("Invalid JSON payload received in the metadata part.") from None
    if not isinstance(meta, dict):
        raise invalid("Invalid JSON payload received in the metadata part.")
    media_type = decoded[1][0].get("content-type", "application/octet-stream")
    return meta, decoded[1][1], media_type


def parse_goog_hash(header: str) -> dict[str, str]:
    """x-goog-hash: "crc32c=...,md5=..." as metadata keys (crc32c, md5Hash)."""
    out = {}
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "crc32c":
            out["crc32c"] = value
        elif key == "md5":
            out["md5Hash"] = value
    return out


@dataclass
class Session:
    principal: str
    bucket: str
    meta: dict[str, Any]
    query: dict[str, list[str]]
    data: bytearray = field(default_factory=bytearray)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True)
class Progress:
    """Where a session stands after a request: complete, or how many bytes are persisted."""

    received: int
    complete: bool


class Sessions:
    """Resumable upload sessions of one emulator, by upload id."""

    def __init__(self) -> None:
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()

    def start(self, session: Session) -> str:
        upload_id = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[upload_id] = session
        return upload_id

    def get(self, upload_id: str) -> Session:
        with self._lock:
            session = self._sessions.get(upload_id)
        if session is None:
            raise storage_error(404, "No such upload session.", "notFound")
        return session

    def finish(self, upload_id: str) -> None:
        with self._lock:
            self._sessions.pop(upload_id, None)

    def clear(self) -> None:
        with self._lock:
            self._sessions.clear()


def put_chunk(session: Session, content_range: str, body: bytes) -> Progress:
    """Append one chunk (or answer a status query, "bytes */N") to the session."""
    m = _RANGE.match(content_range.strip()) if content_range else None
    if content_range and m is None:
        raise invalid(f"Invalid Content-Range header: {content_range!r}")
    with session.lock:
        data = session.data
        total = None if m is None or m.group(3) == "*" else int(m.group(3))
        if m is not None and m.group(1) is not None:
            start, end = int(m.group(1)), int(m.group(2))
            if end - start + 1 != len(body):
                raise invalid("Content-Range does not match the length of the request body.")
            if start > len(data):
                raise invalid(
                    f"Invalid request. The chunk starts at byte {start}, but only "
                    f"{len(data)} bytes were received."
                )
            data.extend(body[len(data) - start :])  # a resent overlap is skipped
        elif m is None:  # no Content-Range: the whole object in one request
            data.extend(body)
            total = len(data)
        if total is not None and len(data) > total:
            raise invalid("Invalid request. More bytes were sent than the declared object size.")
        return Progress(len(data), total is not None and len(data) == total)
