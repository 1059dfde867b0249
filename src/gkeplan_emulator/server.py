"""The HTTP side: every REST route in one werkzeug Map, served by werkzeug's threaded server on a
background thread (Nagle off: ~45 ms per call with it, a few ms without)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from werkzeug.exceptions import ClientDisconnected, HTTPException
from werkzeug.routing import BaseConverter, Map, Rule, UUIDConverter
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response as WsgiResponse

from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.dispatch import STORAGE_PREFIXES, dispatch, error, internal_error
from gkeplan_emulator.errors import ApiError

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from gkeplan_emulator.backend import Backend

log = logging.getLogger("gkeplan_emulator")

# How long the idle server loop waits before it notices a shutdown: closing an emulator costs
# at most this (socketserver's default, 0.5 s, made every test's teardown slow).
POLL_INTERVAL_S = 0.01


class _Segment(BaseConverter):
    """One path segment up to a ':' custom verb ("clusters/c1:setSize")."""

    regex = r"[^/:]+"
    part_isolating = True

    def to_python(self, value: str) -> str:
        return unquote(value)


class _Part(BaseConverter):
    """One whole path segment, ':' included (bucket and percent-encoded object names)."""

    regex = r"[^/]+"
    part_isolating = True

    def to_python(self, value: str) -> str:
        return unquote(value)


class _Uuid(UUIDConverter):
    """A UUID segment, tried before a plain one wherever both could match: Artifact Registry and
    Kubernetes Engine both serve v1/projects/*/locations/*/operations/* (on their own hosts at
    Google, on one here) and only the id's shape tells whose it is, whatever the route order.
    werkzeug tries the lower weight first (its numbers weigh 50, everything else 100)."""

    weight = 50


def url_map(routes: Iterable[Route]) -> Map:
    rules = [
        Rule(r.rule, methods=[r.method], endpoint=i, strict_slashes=False)
        for i, r in enumerate(routes)
    ]
    converters = {"seg": _Segment, "part": _Part, "uuid": _Uuid}
    return Map(rules, converters=converters, merge_slashes=False)


class BadBody(Exception):
    pass


def _read_body(request: WsgiRequest) -> bytes:
    """The whole body, chunked or not; a body shorter than its Content-Length is refused."""
    try:
        body = request.get_data(cache=False)
    except ClientDisconnected:
        raise BadBody from None
    if request.content_length is not None and len(body) != request.content_length:
        raise BadBody
    return body


class Application:
    """The WSGI application: match the raw path (object names keep their %2F), then dispatch."""

    def __init__(self, backend: Backend, routes: list[Route]) -> None:
        self.backend = backend
        self.routes = routes
        self.adapter = url_map(routes).bind("emulator")

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = WsgiRequest(environ)
        try:
            resp = self.handle(request, environ)
        except Exception:  # never a dropped connection: GCP's 500 envelope instead
            log.exception("request failed")
            resp = Response(500, internal_error().body())
        headers = [("Content-Type", resp.content_type), *resp.headers.items()]
        body = iter([resp.payload()]) if resp.chunked else resp.payload()
        return WsgiResponse(body, resp.status, headers)(environ, start_response)

    def handle(self, request: WsgiRequest, environ: WSGIEnvironment) -> Response:
        raw = urlsplit(environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.path)
        path = raw.path if "/o/" in raw.path else unquote(raw.path)
        req = Request(
            request.method,
            path,
            parse_qs(raw.query, keep_blank_values=True),
            {k.lower(): v for k, v in request.headers.items()},
            b"",
        )
        storage = path.startswith(STORAGE_PREFIXES)
        try:
            req.body = _read_body(request)
        except BadBody:
            err = ApiError("INVALID_ARGUMENT", "The request body ended before its Content-Length.")
            return error(self.backend, req, "unknown", err, storage)
        try:
            index, params = self.adapter.match(raw.path, method=request.method)
        except HTTPException:
            err = ApiError("NOT_FOUND", f"The requested URL {path} was not found.", 404)
            return error(self.backend, req, "unknown", err, storage)
        req.params = {k: str(v) for k, v in params.items()}
        return dispatch(self.backend, self.routes[index], req)


class _Handler(WSGIRequestHandler):
    disable_nagle_algorithm = True  # ~45 ms per call with Nagle, a few ms without (measured)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        log.debug("%s %s %s", self.command, self.path, code)

    def log(self, type: str, message: str, *args: Any) -> None:
        log.debug(message, *args)


class ServerThread:
    def __init__(self, backend: Backend, routes: list[Route], host: str, port: int) -> None:
        self.server: BaseWSGIServer = make_server(
            host, port, Application(backend, routes), threaded=True, request_handler=_Handler
        )
        self.port: int = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever,
            kwargs={"poll_interval": POLL_INTERVAL_S},
            daemon=True,
            name="gkeplan-emulator-http",
        )

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
