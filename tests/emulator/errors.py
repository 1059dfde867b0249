"""Reading what a Google error carries, the same on every google-api-core the ranges allow."""

from __future__ import annotations

from typing import Any

from google.api_core import exceptions as gexc

ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"


def error_info(exc: gexc.GoogleAPICallError) -> dict[str, Any]:
    """The one ErrorInfo detail of a REST error, as its JSON body sent it. (`exc.reason`,
    `.domain` and `.metadata` read it only from google-api-core 2.44 on: before, they fail on
    the dict that a REST error holds.)"""
    (info,) = [d for d in exc.details if isinstance(d, dict) and d.get("@type") == ERROR_INFO]
    return info
