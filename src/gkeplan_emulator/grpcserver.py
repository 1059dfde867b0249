"""The gRPC side: a loopback server with local credentials (so callers' bearer tokens arrive as
they would at GCP), and errors as google.rpc.Status with its details. Its methods are REST
routes transcoded (transcode.py), so they share the HTTP pipeline."""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from typing import TYPE_CHECKING, Any

import grpc
from google.protobuf import any_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from gkeplan_emulator.calls import Response
from gkeplan_emulator.errors import ApiError

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

_CODES = {code.name: code for code in grpc.StatusCode}


def make_grpc_server(
    backend: Backend, host: str, port: int, register: Callable[[grpc.Server, Backend], None]
) -> tuple[grpc.Server, int]:
    """A started-later gRPC server bound to host:port (0: any free), with what `register`
    adds to it."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    register(server, backend)
    creds = grpc.local_server_credentials(grpc.LocalConnectionType.LOCAL_TCP)
    bound = server.add_secure_port(f"{host}:{port}", creds)
    return server, bound


def status_of(err: ApiError) -> status_pb2.Status:
    details = []
    if err.reason:
        info = any_pb2.Any()
        info.Pack(
            error_details_pb2.ErrorInfo(reason=err.reason, domain=err.domain, metadata=err.metadata)
        )
        details.append(info)
    for extra in err.details:
        if extra.get("@type", "").endswith("google.rpc.QuotaFailure"):
            failure = error_details_pb2.QuotaFailure(
                violations=[
                    error_details_pb2.QuotaFailure.Violation(
                        subject=v.get("subject", ""), description=v.get("description", "")
                    )
                    for v in extra.get("violations", [])
                ]
            )
            packed = any_pb2.Any()
            packed.Pack(failure)
            details.append(packed)
    code = _CODES.get(err.status, grpc.StatusCode.UNKNOWN)
    return status_pb2.Status(code=code.value[0], message=err.message, details=details)


def abort(context: grpc.ServicerContext, err: ApiError) -> None:
    context.abort_with_status(rpc_status.to_status(status_of(err)))


def error_from(resp: Response) -> ApiError:
    body = resp.body if isinstance(resp.body, dict) else {}
    e = body.get("error", {})
    return ApiError(e.get("status", "INTERNAL"), e.get("message", ""), resp.status)


def serialize(msg: Any) -> bytes:
    if hasattr(type(msg), "serialize"):  # proto-plus
        return bytes(type(msg).serialize(msg))
    return bytes(msg.SerializeToString())
