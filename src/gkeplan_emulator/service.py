"""What an emulated API is: a model factory (its state and rules, one per Backend), its REST
route table, and the gRPC service its routes are transcoded to. Each module or package under
gkeplan_emulator.services that exports `SERVICE` is served (found, not listed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend
    from gkeplan_emulator.calls import Route


@dataclass(frozen=True)
class Rpc:
    """One gRPC method served by its REST route: Google's HTTP mapping of the method."""

    verb: str  # "POST"
    path: str  # "/v1/{parent}/clusters": fields of the request message in braces
    request: Any  # request message class (proto-plus or protobuf)
    response: Any  # response message class
    # google.api.http `body`: "*" sends the whole request as the body, a field name sends that
    # field, "" none; fields neither in the path nor in the body travel as query parameters.
    body: str = "*"


@dataclass(frozen=True)
class GrpcService:
    name: str  # e.g. "google.container.v1.ClusterManager"
    rpcs: dict[str, Rpc]  # gRPC method name -> its REST mapping


@dataclass(frozen=True)
class ClientEndpoint:
    """How each tool names this API's endpoint, for `gkeplan sandbox env`; whether it is served
    over gRPC too is the service's `transcoded`."""

    python: str  # the client_options key in the json output
    # gcloud property api_endpoint_overrides/<gcloud>, whose value keeps gcloud's default path
    # (`gcloud config get api_endpoint_overrides/<name>` prints the default; see
    # https://cloud.google.com/sdk/gcloud/reference/topic/endpoint-override)
    gcloud: str
    gcloud_path: str
    # Terraform google provider argument and the path of its default base URL
    # (argument names: hashicorp/terraform-provider-google google/fwmodels/provider_model.go;
    # default base paths: google/transport/config.go DefaultBasePaths)
    terraform: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ServiceSpec:
    """One emulated API. `name` is its key in Backend.models; a model needs dump()/load()."""

    name: str
    make_model: Callable[[Backend], Any] | None = None
    routes: Callable[[Backend], list[Route]] | None = None
    transcoded: GrpcService | None = None  # its REST routes, served over gRPC as well
    # The API's service name: while Service Usage has it off, its calls answer 403
    # SERVICE_DISABLED. Empty: always on (Service Usage itself, the emulator's own admin).
    api: str = ""
    # The services (by `name`) this one's model or handlers cannot do without: their models are
    # created first and an emulator without them refuses to start. Reads that tolerate a missing
    # service (models.get) are not needs; Service Usage, which every call consults, is implied.
    needs: tuple[str, ...] = ()
    endpoint: ClientEndpoint | None = None  # None: no client reaches it (the emulator's own)
