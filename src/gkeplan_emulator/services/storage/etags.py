"""ETag preconditions on reads: If-None-Match that matches answers 304, If-Match that does not
answers 412.

The JSON API lists If-Match and If-None-Match among its headers
(https://cloud.google.com/storage/docs/json_api/v1/parameters), and google-cloud-storage sends
them on reads only (reload, exists, downloads): "the JSON API does not support ETag
If-Match/If-None-Match headers on modify requests"
(https://github.com/googleapis/python-storage/commit/741d3fda4e4280022cede29ebeb7c2ea09e73b6f).
"""

from __future__ import annotations

from gkeplan_emulator.calls import Request
from gkeplan_emulator.services.storage.errors import condition_not_met, not_modified


def _tags(header: str) -> set[str]:
    return {t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()}


def check_etag(req: Request, etag: str) -> None:
    if req.method != "GET":
        return
    wanted = req.headers.get("if-match")
    if wanted is not None and "*" not in _tags(wanted) and etag not in _tags(wanted):
        raise condition_not_met()
    unwanted = req.headers.get("if-none-match")
    if unwanted is not None and ("*" in _tags(unwanted) or etag in _tags(unwanted)):
        raise not_modified()
