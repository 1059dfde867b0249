"""Google's HTTP mappings of an API's methods, read from the client library that ships them.

Google's generated (GAPIC) clients carry every method's `google.api.http` rule in their REST
transport (`_Base<Rpc>._get_http_options()`: the verb, the URI template with its additional
bindings, and the body field), and its request and response types on the transport's call.
The emulator serves each method at exactly those paths, over REST and, transcoded, over gRPC,
so a route table names a method and its handler and never writes a path by hand.
"""

from __future__ import annotations

import importlib
import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from google.protobuf import empty_pb2

from gkeplan_emulator.calls import Handler, Route, route
from gkeplan_emulator.service import GrpcService, Rpc

# `{parent=projects/*/locations/*}` or `{project_id}`: a path variable, with or without its
# segment pattern (google/api/http.proto's path template syntax)
_VARIABLE = re.compile(r"\{([a-zA-Z0-9_.]+)(?:=([^}]*))?\}")


def _singular(collection: str) -> str:
    if collection.endswith("ies"):
        return collection[:-3] + "y"
    return collection[:-1] if collection.endswith("s") else collection


def _variable(converter: str, name: str) -> str:
    return f"<{name}>" if ":" in name else f"<{converter}:{name}>"


@dataclass(frozen=True)
class Binding:
    """One HTTP rule of a method: `template` as google.api.http writes it."""

    verb: str  # "POST"
    template: str  # "/v1/{parent=projects/*/locations/*}/clusters"
    body: str  # "*": the whole request; a field name: that field; "": none

    @property
    def path(self) -> str:
        """The template with each variable as its request field alone ("/v1/{parent}/clusters"):
        the gRPC side fills it from the request message."""
        return _VARIABLE.sub(lambda m: "{" + m[1] + "}", self.template)

    def rule(self, names: Mapping[str, str] | None = None, plain: str = "seg") -> str:
        """The werkzeug rule that matches the template. Each `*` segment is named after the
        collection before it, in the singular (`projects/*` -> `<seg:project>`), and each plain
        `{field}` after the field; `names` renames either (e.g. {"zone": "location"}). A `**`
        is one whole segment (`part`, which may hold a ':'); `plain` is the converter of a
        plain `{field}` (Cloud Storage's object names may hold ':' too). A new name may bring
        its converter ("uuid:op"), where two APIs share a path and only the id's shape tells
        them apart."""
        rename = dict(names or {})

        def one(m: re.Match[str]) -> str:
            field, pattern = m[1], m[2]
            if pattern is None:
                return _variable(plain, rename.get(field, field))
            parts = pattern.split("/")
            out = []
            unnamed = 0
            for i, part in enumerate(parts):
                if part not in ("*", "**"):
                    out.append(part)
                    continue
                if i and parts[i - 1] not in ("*", "**"):
                    name = _singular(parts[i - 1])
                else:  # `{parent=*/*}`: no collection to name it after
                    name = field if not unnamed else f"{field}_{unnamed}"
                    unnamed += 1
                converter = "seg" if part == "*" else "part"
                out.append(_variable(converter, rename.get(name, name)))
            return "/".join(out)

        return _VARIABLE.sub(one, self.template)


@dataclass(frozen=True)
class Method:
    rpc: str  # "CreateCluster"
    bindings: tuple[Binding, ...]  # the first is the method's own; the rest additional_bindings
    request: Any  # the request message class
    response: Any  # the response message class


@cache
def gapic(transport: str) -> dict[str, Method]:
    """Every method of a GAPIC REST transport ("module:Class", e.g. google.cloud.container_v1.
    services.cluster_manager.transports.rest:ClusterManagerRestTransport), by gRPC name."""
    module, _, name = transport.partition(":")
    cls = getattr(importlib.import_module(module), name)
    out: dict[str, Method] = {}
    for attr in dir(cls):
        if not attr.startswith("_Base"):
            continue
        rpc = attr[len("_Base") :]
        call = getattr(cls, "_" + rpc, None)
        if call is None:
            continue
        hints = typing.get_type_hints(call.__call__)
        options = getattr(cls, attr)._get_http_options()
        bindings = tuple(Binding(o["method"].upper(), o["uri"], o.get("body", "")) for o in options)
        # a method answering google.protobuf.Empty has no return annotation
        out[rpc] = Method(rpc, bindings, hints["request"], hints.get("return", empty_pb2.Empty))
    return out


@cache
def _document(api: str, version: str) -> dict[str, Any]:
    import json

    import googleapiclient

    path = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
    doc: dict[str, Any] = json.loads((path / f"{api}.{version}.json").read_text())
    return doc


@cache
def _index(api: str, version: str) -> dict[str, dict[str, Any]]:
    """Every method of a discovery document by id, walked once per document."""
    return _methods(_document(api, version)["resources"])


def _methods(resources: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for resource in resources.values():
        for method in (resource.get("methods") or {}).values():
            out[method["id"]] = method
        out.update(_methods(resource.get("resources") or {}))
    return out


def discovery(api: str, version: str, method_id: str) -> Binding:
    """A method of an API with no GAPIC REST transport (Cloud Storage's JSON API, IAM admin,
    Resource Manager v1), from its discovery document as google-api-python-client ships it, at
    its flat path (`v1/projects/{projectsId}/serviceAccounts`: one variable per segment)."""
    doc = _document(api, version)
    method = _index(api, version)[method_id]
    path = "/" + doc["servicePath"] + (method.get("flatPath") or method["path"])
    template = re.sub(r"\{\+([^}]+)\}", r"{\1=**}", path)
    return Binding(method["httpMethod"], template, "*" if method.get("request") else "")


def discovered(api: str, version: str, method_ids: Iterable[str]) -> dict[str, Method]:
    """`method_ids` of a discovery document as methods a route table can name (REST only:
    a discovery document has no message types for a gRPC side)."""
    return {i: Method(i, (discovery(api, version, i),), None, None) for i in method_ids}


@dataclass(frozen=True)
class Serve:
    """One row of a route table: a method, the handler that serves it, the name the request
    log and fault rules know it by, and which of its bindings this emulator serves."""

    rpc: str  # the gRPC name ("CreateCluster"), or a discovery method id
    handler: Handler
    name: str  # "container.createCluster"
    bindings: int | None = 1  # how many of the method's bindings, first first; None: all
    skip: int = 0  # leave out this many first (a row for an additional binding of its own)
    names: Mapping[str, str] = field(default_factory=dict)  # path variables renamed
    plain: str = "seg"  # the converter of a plain `{field}` variable
    mutating: bool | None = None
    auth: bool = True
    storage: bool = False


def routes_for(methods: Mapping[str, Method], table: Iterable[Serve]) -> list[Route]:
    out: list[Route] = []
    for row in table:
        method = methods[row.rpc]
        rest = method.bindings[row.skip :]
        bindings = rest if row.bindings is None else rest[: row.bindings]
        out.extend(
            route(
                b.verb,
                b.rule(row.names, row.plain),
                row.handler,
                row.name,
                mutating=row.mutating,
                auth=row.auth,
                storage=row.storage,
            )
            for b in bindings
        )
    return out


def grpc_for(service: str, methods: Mapping[str, Method], rpcs: Iterable[str]) -> GrpcService:
    """The gRPC service `service` serving `rpcs` through their REST routes (transcoded along
    each method's own binding)."""
    served = {}
    for rpc in rpcs:
        method = methods[rpc]
        first = method.bindings[0]
        served[rpc] = Rpc(first.verb, first.path, method.request, method.response, body=first.body)
    return GrpcService(service, served)
