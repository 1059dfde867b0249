"""The transport-neutral shapes every API handler sees: a Request, a Response, and route tables
(data: method, URL rule, handler, GCP method name, whether it needs a token, whether it writes).

Nothing here knows the backend or the server: services import this module, the server and the
gRPC side import it too, and nothing imports back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gkeplan_emulator.errors import ApiError

# The principal of a request that carries no credentials (the STORAGE_EMULATOR_HOST convention,
# with --require-auth): IAM's member for "anyone", so public grants still apply to it.
ANONYMOUS = "allUsers"


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    params: dict[str, str] = field(default_factory=dict)
    principal: str | None = None
    operation_error: str | None = None  # set by fault injection for long-running calls
    error: ApiError | None = None  # the error answered, for transports that re-encode it

    def json(self) -> dict[str, Any]:
        if not self.body:
            return {}
        try:
            data = json.loads(self.body)
        except ValueError:
            raise ApiError("INVALID_ARGUMENT", "Invalid JSON payload received.") from None
        if not isinstance(data, dict):
            raise ApiError("INVALID_ARGUMENT", "Invalid JSON payload received.")
        return data

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass
class Response:
    status: int = 200
    body: bytes | dict[str, Any] | list[Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=UTF-8"
    chunked: bool = False  # sent without Content-Length (chunked), as GCS sends transcoded data

    def payload(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


Handler = Callable[[Request], Response]


@dataclass(frozen=True)
class Route:
    """One API method. `rule` is a werkzeug URL rule whose converters are `seg` (one path
    segment up to a ':' custom verb) and `part` (one whole segment); values arrive unquoted."""

    method: str
    rule: str
    handler: Handler
    name: str  # GCP's method name, e.g. "storage.buckets.insert"
    auth: bool = True
    mutating: bool = True
    storage_errors: bool = False  # errors in the JSON API's shape (with `errors`)
    api: str = ""  # the API it belongs to (container.googleapis.com): refused while that is off


def route(
    method: str,
    rule: str,
    handler: Handler,
    name: str,
    *,
    auth: bool = True,
    mutating: bool | None = None,
    storage: bool = False,
) -> Route:
    """A Route; `mutating` defaults to "not a GET"."""
    return Route(
        method,
        rule,
        handler,
        name,
        auth,
        method != "GET" if mutating is None else mutating,
        storage,
    )


class Router:
    """The route table of one emulator: every service's routes, in registration order."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def extend(self, routes: Iterable[Route]) -> None:
        self.routes.extend(routes)

    def names(self) -> frozenset[str]:
        return frozenset(r.name for r in self.routes)
