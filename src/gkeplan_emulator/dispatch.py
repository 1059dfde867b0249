"""One call through the emulator, whatever the transport: authenticate, inject faults, run the
handler, persist, log. Every failure becomes GCP's error envelope, never a dropped call."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from gkeplan_emulator.calls import ANONYMOUS, Request, Response, Route
from gkeplan_emulator.errors import ApiError, from_http_status, service_disabled, unauthenticated
from gkeplan_emulator.faults import Decision

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

log = logging.getLogger("gkeplan_emulator")

STORAGE_PREFIXES = ("/storage/", "/upload/storage/", "/download/storage/")


def internal_error() -> ApiError:
    # What Google APIs answer for a server-side failure (HTTP 500, status INTERNAL).
    return ApiError("INTERNAL", "Internal error encountered.", 500)


def dispatch(backend: Backend, route: Route, req: Request) -> Response:
    started = time.monotonic()
    storage = route.storage_errors
    req.principal = backend.identity.principal_from_header(
        req.headers.get("authorization"), backend.clock.now()
    )
    if req.principal is None and route.storage_errors and "authorization" not in req.headers:
        req.principal = ANONYMOUS if backend.config.require_auth else backend.config.applier
    if route.auth and req.principal is None:
        return error(backend, req, route.name, unauthenticated(), storage)
    if route.api and route.api in backend.models["serviceusage"].disabled:
        return error(backend, req, route.name, _disabled(backend, route.api), storage)
    decision = backend.faults.decide(route.name) if route.auth else Decision()
    delay = decision.latency_s + backend.config.call_latency_s
    if delay:
        time.sleep(delay)  # latency is what this knob simulates
    req.operation_error = decision.operation_error
    backend.request_faults.operation_error = decision.operation_error
    if decision.fail_before:
        return error(backend, req, route.name, from_http_status(decision.fail_before), storage)
    try:
        resp = route.handler(req)
    except ApiError as err:
        return error(backend, req, route.name, err, storage)
    except Exception:
        log.exception("%s failed", route.name)
        return error(backend, req, route.name, internal_error(), storage)
    if route.mutating:
        backend.persist()
    if decision.fail_after:
        return error(backend, req, route.name, from_http_status(decision.fail_after), storage)
    backend.record(route.name, resp.status, req.principal, time.monotonic() - started)
    return resp


def _disabled(backend: Backend, api: str) -> ApiError:
    # the project by number, as GCP's message names it ("Service Usage API has not been used in
    # project 1021909506549 before or it is disabled.", GoogleCloudPlatform/community#884)
    title = backend.models["serviceusage"].service(api)["config"].get("title", api)
    return service_disabled(api, title, backend.config.project_number)


def error(backend: Backend, req: Request, name: str, err: ApiError, storage: bool) -> Response:
    req.error = err
    backend.record(name, err.http, req.principal, 0.0)
    return Response(err.http, err.body(storage=storage))
