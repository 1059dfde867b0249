"""Reading objects back: objects.list's prefixes, delimiters, offsets and pages, and media
downloads with HTTP ranges."""

from __future__ import annotations

import base64

from gkeplan_emulator.http import Request, Response
from gkeplan_emulator.services.storage.errors import invalid, storage_error
from gkeplan_emulator.services.storage.records import StoredObject
from gkeplan_emulator.services.storage.serialize import media_headers

PAGE = 1000


def token(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode()).decode()


def untoken(token: str) -> str:
    try:
        return base64.urlsafe_b64decode(token.encode()).decode()
    except ValueError:
        raise invalid("Invalid page token.") from None


def max_results(req: Request) -> int:
    raw = req.arg("maxResults")
    try:
        return max(1, min(PAGE, int(raw))) if raw else PAGE
    except ValueError:
        raise invalid(f"Invalid value for maxResults: {raw!r}") from None


def page_objects(
    objects: list[StoredObject], req: Request, *, versions: bool
) -> tuple[list[StoredObject], list[str], str | None]:
    """Prefix, delimiter, start/end offsets and pages, as objects.list applies them.

    A prefix made by the delimiter counts as one result; the page token is the last key
    returned, and a collapsed prefix resumes after every name beneath it.
    """
    prefix, delimiter = req.arg("prefix") or "", req.arg("delimiter") or ""
    start, end = req.arg("startOffset") or "", req.arg("endOffset") or ""
    after = untoken(req.arg("pageToken") or "") if req.arg("pageToken") else ""
    limit = max_results(req)
    items: list[StoredObject] = []
    prefixes: list[str] = []
    last = ""
    for obj in objects:
        key = f"{obj.name}\x00{obj.generation:020d}" if versions else obj.name
        if not obj.name.startswith(prefix) or obj.name < start or (end and obj.name >= end):
            continue
        if after and key <= after:
            continue
        rest = obj.name[len(prefix) :]
        cut = rest.find(delimiter) if delimiter else -1
        if cut >= 0:
            group = prefix + rest[: cut + len(delimiter)]
            if prefixes and prefixes[-1] == group:
                continue
            if len(items) + len(prefixes) == limit:
                return items, prefixes, token(last)
            prefixes.append(group)
            last = group + "\U0010ffff"  # skip the rest of this group on the next page
            continue
        if len(items) + len(prefixes) == limit:
            return items, prefixes, token(last)
        items.append(obj)
        last = key
    return items, prefixes, None


def media(req: Request, obj: StoredObject) -> Response:
    headers = media_headers(obj)
    ctype = str(obj.fields.get("contentType") or "application/octet-stream")
    rng = req.headers.get("range", "")
    size = len(obj.data)
    if not rng.startswith("bytes="):
        return Response(200, obj.data, headers, ctype)
    first, _, last = rng[6:].partition("-")
    try:
        if first:
            lo, hi = int(first), min(int(last), size - 1) if last else size - 1
        else:  # "bytes=-N": the last N bytes
            lo, hi = max(0, size - int(last)), size - 1
    except ValueError:
        raise invalid(f"Invalid Range header: {rng!r}") from None
    if lo >= size or lo > hi:
        if size == 0 and lo == 0:
            return Response(200, obj.data, headers, ctype)
        headers["Content-Range"] = f"bytes */{size}"
        raise storage_error(
            416, "The requested range cannot be satisfied.", "requestedRangeNotSatisfiable"
        )
    headers["Content-Range"] = f"bytes {lo}-{hi}/{size}"
    return Response(206, obj.data[lo : hi + 1], headers, ctype)
