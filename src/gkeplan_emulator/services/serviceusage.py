"""Service Usage v1: which APIs are enabled in the project (services.batchGet, services.list,
services.get), and services.enable / services.disable, which gcloud's `services enable` (the
command gkeplan's API check prints) and `services list --enabled` call.

Everything is ENABLED except what EmulatorConfig.disabled_services names and what
services.disable turned off since; services.list lists the APIs the emulator serves and any
other enabled by a call (a new project's default set is not modelled). Shapes from discovery
serviceusage.v1: Service {name "projects/NUMBER/services/NAME", parent, config {name, title},
state ENABLED | DISABLED}; enable and disable answer a finished Operation whose response is
EnableServiceResponse / DisableServiceResponse {service}.
"""

from __future__ import annotations

import itertools
import threading
from typing import TYPE_CHECKING, Any

from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.errors import invalid_argument, permission_denied
from gkeplan_emulator.mappings import Serve, gapic, routes_for
from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.services.resourcemanager import stored_operation

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

# services.batchGet (Service Usage API v1 reference): "A single request can get a maximum of
# 30 services at a time."
MAX_NAMES = 30
MAX_BATCH_ENABLE = 20
# The APIs the emulator serves, by their service names and the titles Google gives them
# (each API's own reference pages: "Kubernetes Engine API", "Cloud Storage API", ...).
SERVED = {
    "artifactregistry.googleapis.com": "Artifact Registry API",
    "cloudresourcemanager.googleapis.com": "Cloud Resource Manager API",
    "compute.googleapis.com": "Compute Engine API",
    "container.googleapis.com": "Kubernetes Engine API",
    "iam.googleapis.com": "Identity and Access Management (IAM) API",
    "iamcredentials.googleapis.com": "IAM Service Account Credentials API",
    # "Secret Manager API has not been used in project 698910892233 before or it is disabled"
    # (googleapis/nodejs-secret-manager#58)
    "secretmanager.googleapis.com": "Secret Manager API",
    "serviceusage.googleapis.com": "Service Usage API",
    "storage.googleapis.com": "Cloud Storage API",
}
_TYPE = "type.googleapis.com/google.api.serviceusage.v1."


class ServiceUsageModel:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.disabled: set[str] = set(backend.config.disabled_services)
        self.enabled: set[str] = set()  # enabled by a call, beyond SERVED
        self.operations: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def check(self, req: Request, permission: str) -> None:
        assert req.principal
        config = self.backend.config
        project = req.params["project"]
        if project not in (config.project, config.project_number) or not (
            self.backend.authz.allowed(
                req.principal, permission, project_resource(config.project), config.project
            )
        ):
            raise permission_denied(permission, f"projects/{project}")

    def service(self, name: str) -> dict[str, Any]:
        number = self.backend.config.project_number
        config: dict[str, Any] = {"name": name}
        if name in SERVED:
            config["title"] = SERVED[name]
        return {
            "name": f"projects/{number}/services/{name}",
            "parent": f"projects/{number}",
            "config": config,
            "state": "DISABLED" if name in self.disabled else "ENABLED",
        }

    def known(self) -> list[str]:
        with self._lock:
            return sorted(set(SERVED) | self.enabled | self.disabled)

    def switch(self, name: str, on: bool) -> dict[str, Any]:
        with self._lock:
            if on:
                self.disabled.discard(name)
                self.enabled.add(name)
            else:
                self.disabled.add(name)
                self.enabled.discard(name)
            op_name = f"operations/noop.DONE_OPERATION.{next(self._ids)}"
        kind = "EnableServiceResponse" if on else "DisableServiceResponse"
        op = {
            "name": op_name,
            "done": True,
            "metadata": {"@type": _TYPE + "OperationMetadata"},
            "response": {"@type": _TYPE + kind, "service": self.service(name)},
        }
        with self._lock:
            self.operations[op_name] = op
        return op

    def switch_all(self, names: list[str]) -> dict[str, Any]:
        """batchEnable: every name on, in one finished operation whose response is
        BatchEnableServicesResponse {services}."""
        with self._lock:
            for name in names:
                self.disabled.discard(name)
                self.enabled.add(name)
            op_name = f"operations/noop.DONE_OPERATION.{next(self._ids)}"
        op = {
            "name": op_name,
            "done": True,
            "metadata": {"@type": _TYPE + "OperationMetadata"},
            "response": {
                "@type": _TYPE + "BatchEnableServicesResponse",
                "services": [self.service(n) for n in names],
            },
        }
        with self._lock:
            self.operations[op_name] = op
        return op

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {"disabled": sorted(self.disabled), "enabled": sorted(self.enabled)}

    def load(self, data: dict[str, Any]) -> None:
        with self._lock:
            self.disabled = set(data.get("disabled", self.backend.config.disabled_services))
            self.enabled = set(data.get("enabled", ()))


def _name(req: Request) -> str:
    name = req.params["service"]
    if "." not in name:
        raise invalid_argument(f"Invalid service name: {name}.")
    return name


# `{parent=*/*}`: projects/NUMBER (or folders/, organizations/); the emulator has one project
_PARENT = {"parent": "collection", "parent_1": "project", "name": "collection", "name_1": "project"}


def routes(backend: Backend) -> list[Route]:
    model: ServiceUsageModel = backend.models["serviceusage"]

    def batch_get(req: Request) -> Response:
        model.check(req, "serviceusage.services.get")
        names = req.query.get("names", [])
        if len(names) > MAX_NAMES:
            raise invalid_argument(f"Maximum of {MAX_NAMES} services can be requested.")
        return Response(body={"services": [model.service(n.rsplit("/", 1)[-1]) for n in names]})

    def list_services(req: Request) -> Response:
        model.check(req, "serviceusage.services.list")
        wanted = req.arg("filter") or ""
        # "The allowed filter strings are `state:ENABLED` and `state:DISABLED`." (list.filter)
        if wanted not in ("", "state:ENABLED", "state:DISABLED"):
            raise invalid_argument(f"Invalid filter: {wanted}.")
        found = [model.service(n) for n in model.known()]
        if wanted:
            found = [s for s in found if s["state"] == wanted.split(":", 1)[1]]
        return Response(body={"services": found} if found else {})

    def get(req: Request) -> Response:
        model.check(req, "serviceusage.services.get")
        return Response(body=model.service(_name(req)))

    def enable(req: Request) -> Response:
        model.check(req, "serviceusage.services.enable")
        return Response(body=model.switch(_name(req), True))

    def disable(req: Request) -> Response:
        model.check(req, "serviceusage.services.disable")
        return Response(body=model.switch(_name(req), False))

    def batch_enable(req: Request) -> Response:
        model.check(req, "serviceusage.services.enable")
        ids = [str(i) for i in req.json().get("serviceIds") or []]
        # BatchEnableServicesRequest.service_ids: "A single request can enable a maximum of
        # 20 services at a time. If more than 20 services are specified, the request will
        # fail, and no state changes will occur." (google-cloud-service-usage reference)
        if len(ids) > MAX_BATCH_ENABLE:
            raise invalid_argument(f"Maximum of {MAX_BATCH_ENABLE} services can be enabled.")
        for name in ids:
            if "." not in name:
                raise invalid_argument(f"Invalid service name: {name}.")
        return Response(body=model.switch_all(ids))

    def get_operation(req: Request) -> Response:
        return stored_operation(model.operations, req)

    methods = gapic(
        "google.cloud.service_usage_v1.services.service_usage.transports.rest:"
        "ServiceUsageRestTransport"
    )
    return routes_for(
        methods,
        (
            Serve("BatchGetServices", batch_get, "serviceusage.services.batchGet", names=_PARENT),
            Serve("ListServices", list_services, "serviceusage.services.list", names=_PARENT),
            Serve("GetService", get, "serviceusage.services.get", names=_PARENT),
            Serve("EnableService", enable, "serviceusage.services.enable", names=_PARENT),
            Serve("DisableService", disable, "serviceusage.services.disable", names=_PARENT),
            Serve(
                "BatchEnableServices",
                batch_enable,
                "serviceusage.services.batchEnable",
                names=_PARENT,
            ),
            Serve("GetOperation", get_operation, "serviceusage.operations.get"),
        ),
    )


SERVICE = ServiceSpec(
    "serviceusage",
    ServiceUsageModel,
    routes,
    # gcloud https://serviceusage.googleapis.com/; Terraform ServiceUsageBasePathKey
    # ".../v1/"
    endpoint=ClientEndpoint(
        "serviceusage", "serviceusage", "/", (("service_usage_custom_endpoint", "/v1/"),)
    ),
)
