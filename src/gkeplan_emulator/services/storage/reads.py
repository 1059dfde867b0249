"""Reading objects back: objects.list's prefixes, delimiters, offsets and pages, and media
downloads with HTTP ranges."""

from __future__ import annotations

import base64
import gzip
import re
import zlib

from gkeplan_emulator.calls import Request, Response
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
    glob = glob_regex(req.arg("matchGlob") or "")
    trailing = (req.arg("includeTrailingDelimiter") or "").lower() == "true"
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
        if glob is not None and glob.fullmatch(obj.name) is None:
            continue
        if after and key <= after:
            continue
        rest = obj.name[len(prefix) :]
        cut = rest.find(delimiter) if delimiter else -1
        if cut >= 0 and trailing and cut + len(delimiter) == len(rest):
            # includeTrailingDelimiter: an object whose name ends in exactly one delimiter is
            # listed in items as well as in prefixes (the discovery document's description).
            if len(items) + len(prefixes) == limit:
                return items, prefixes, token(last)
            items.append(obj)
            if not prefixes or prefixes[-1] != obj.name:
                prefixes.append(obj.name)
            last = obj.name + "\U0010ffff"
            continue
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


def glob_regex(glob: str) -> re.Pattern[str] | None:
    """objects.list's matchGlob as a regex: `*` is any run of characters but "/", `**` any run
    at all (`**/` also none), `?` one character but "/", `[...]`/`[!...]` a class and `{a,b}`
    alternatives (https://cloud.google.com/storage/docs/json_api/v1/objects/list#list-object-glob).
    """
    if not glob:
        return None
    try:
        return re.compile(_glob(glob), re.DOTALL)
    except re.error:
        raise invalid(f"Invalid matchGlob: {glob!r}") from None


def _glob(glob: str) -> str:
    out, i = [], 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and (close := glob.find("]", i + 2)) > 0:
            body = glob[i + 1 : close]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            out.append("[" + ("^" if negate else "") + body.replace("\\", "\\\\") + "]")
            i = close + 1
        elif c == "{" and (close := glob.find("}", i)) > 0:
            out.append("(?:" + "|".join(_glob(a) for a in glob[i + 1 : close].split(",")) + ")")
            i = close + 1
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out)


def _transcoded(req: Request, obj: StoredObject) -> bytes | None:
    """The decompressed data when GCS would transcode: stored with Content-Encoding gzip, the
    request does not accept gzip, and Cache-Control is not no-transform
    (https://cloud.google.com/storage/docs/transcoding)."""
    if str(obj.fields.get("contentEncoding") or "").lower() != "gzip":
        return None
    if "gzip" in req.headers.get("accept-encoding", "").lower():
        return None
    if "no-transform" in str(obj.fields.get("cacheControl") or "").lower():
        return None
    try:
        return gzip.decompress(obj.data)
    except (OSError, EOFError, zlib.error):
        return None  # not really gzip: served as stored


def media(req: Request, obj: StoredObject) -> Response:
    headers = media_headers(obj)
    ctype = str(obj.fields.get("contentType") or "application/octet-stream")
    plain = _transcoded(req, obj)
    if plain is not None:
        # Served decompressed, "without a Content-Encoding or Content-Length header" (the
        # transcoding page): chunked. The x-goog-stored-* headers and x-goog-hash still
        # describe the stored (compressed) bytes, which is how the client recognises
        # transcoding and skips its checksum. A Range is ignored and the whole object sent, as
        # fake-gcs-server does (https://github.com/fsouza/fake-gcs-server/pull/851); no Google
        # page says so, an unsourced choice.
        return Response(200, plain, headers, ctype, chunked=True)
    if str(obj.fields.get("contentEncoding") or "").lower() == "gzip":
        headers["Content-Encoding"] = "gzip"
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
