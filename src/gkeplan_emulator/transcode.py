"""REST APIs over gRPC too: each gRPC method is transcoded to its REST route (Google's own HTTP
mapping of the method, e.g. CreateCluster -> POST /v1/{parent}/clusters) and runs the same
handler, through the same pipeline (authentication, faults, log, persistence)."""

from __future__ import annotations

import json
import re
import string
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message
from werkzeug.exceptions import HTTPException

from gkeplan_emulator.calls import Request, Route
from gkeplan_emulator.dispatch import dispatch
from gkeplan_emulator.errors import ApiError
from gkeplan_emulator.grpcserver import abort, error_from, serialize
from gkeplan_emulator.server import url_map
from gkeplan_emulator.service import GrpcService, Rpc

if TYPE_CHECKING:
    from werkzeug.routing import MapAdapter

    from gkeplan_emulator.backend import Backend


def to_json(msg: Any) -> str:
    """A request's JSON as Google's REST transports send it: fields left at their default are
    left out (json_format.MessageToJson's default), so a handler that asks whether the caller
    set a field ("desiredMasterVersion" in the update) hears the same on both transports.
    proto-plus would otherwise print every scalar, default or not."""
    if isinstance(msg, Message):
        return str(json_format.MessageToJson(msg))
    pb = type(msg).pb(msg)
    return str(json_format.MessageToJson(pb))


def from_json(cls: Any, payload: bytes) -> Any:
    if isinstance(cls, type) and issubclass(cls, Message):
        return json_format.Parse(payload or b"{}", cls(), ignore_unknown_fields=True)
    return cls.from_json(payload or b"{}", ignore_unknown_fields=True)


def _field(request: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        request = getattr(request, part)
    return request


def _path(rpc: Rpc, request: Any) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: str(_field(request, m[1])), rpc.path)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, list[str]]:
    """Query parameters of the fields left over, as the HTTP mapping names them (a.b=...)."""
    out: dict[str, list[str]] = {}
    for key, value in data.items():
        name = prefix + key
        if isinstance(value, dict):
            out.update(_flatten(value, name + "."))
        elif isinstance(value, list):
            out[name] = [str(v) for v in value]
        elif value not in ("", 0, False, None):  # proto3 defaults are not sent
            out[name] = [str(value).lower() if isinstance(value, bool) else str(value)]
    return out


def _split(rpc: Rpc, request: Any) -> tuple[bytes, dict[str, list[str]]]:
    """The body and the query string of `request` under the method's HTTP mapping."""
    if rpc.body == "*":
        return (to_json(request).encode() if rpc.verb != "GET" else b""), {}
    data: dict[str, Any] = json.loads(to_json(request))
    body = b""
    if rpc.body:  # first: a body field may hold a path field too (PATCH /v3/{project.name})
        body = json.dumps(data.pop(_camel(rpc.body), {})).encode()
    for f in (f for _, f, _, _ in string.Formatter().parse(rpc.path) if f):
        data.pop(_camel(f.split(".")[0]), None)
    return body, _flatten(data)


class _Transcoder:
    def __init__(self, backend: Backend, routes: list[Route], adapter: MapAdapter) -> None:
        self.backend = backend
        self.routes = routes
        self.adapter = adapter

    def call(self, rpc: Rpc, request: Any, context: grpc.ServicerContext) -> Any:
        metadata = dict(context.invocation_metadata())
        path = _path(rpc, request)
        body, query = _split(rpc, request)
        req = Request(
            rpc.verb, path, query, {"authorization": str(metadata.get("authorization", ""))}, body
        )
        try:
            index, params = self.adapter.match(path, method=rpc.verb)
        except HTTPException:
            abort(context, ApiError("NOT_FOUND", f"The requested resource {path} was not found."))
        req.params = {k: str(v) for k, v in params.items()}
        resp = dispatch(self.backend, self.routes[index], req)
        if resp.status >= 400:
            abort(context, req.error or error_from(resp))
        return from_json(rpc.response, resp.payload())

    def handler(self, rpc: Rpc) -> grpc.RpcMethodHandler:
        def run(request: Any, context: grpc.ServicerContext) -> Any:
            return self.call(rpc, request, context)

        deserialize = getattr(rpc.request, "deserialize", None) or rpc.request.FromString
        return grpc.unary_unary_rpc_method_handler(
            run, request_deserializer=deserialize, response_serializer=serialize
        )


def register_transcoded(
    server: grpc.Server, backend: Backend, routes: list[Route], services: list[GrpcService]
) -> None:
    transcoder = _Transcoder(backend, routes, url_map(routes).bind("emulator"))
    for service in services:
        handlers = {name: transcoder.handler(rpc) for name, rpc in service.rpcs.items()}
        server.add_generic_rpc_handlers(
            (grpc.method_handlers_generic_handler(service.name, handlers),)
        )


__all__ = ["register_transcoded"]
