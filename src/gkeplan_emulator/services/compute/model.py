"""Compute Engine v1 networking: networks, subnetworks, routers (Cloud NAT inside), firewalls,
and the global and regional operations their writes answer with.

Bodies are read and written in the API's JSON (compute v1 discovery document names), parsed
with google-cloud-compute's own message types so an unknown field is refused as GCP refuses it.
A write takes effect at once; its Operation reports RUNNING until the configured
`operation_s["compute"]` seconds have passed on the emulator's clock, then DONE.
"""

from __future__ import annotations

import ipaddress
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from gkeplan_emulator import facts
from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.calls import Request, Response
from gkeplan_emulator.errors import ApiError

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

BASE = "https://www.googleapis.com/compute/v1/"
_ids = itertools.count(1_000_001)
# "[a-z]([-a-z0-9]*[a-z0-9])?", 1-63 characters (compute v1 discovery document, *.name)
_NAME = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?\Z")

# collection -> (the google-cloud-compute message for its JSON, kind, scope)
COLLECTIONS = {
    "networks": ("Network", "compute#network", "global"),
    "subnetworks": ("Subnetwork", "compute#subnetwork", "regions"),
    "routers": ("Router", "compute#router", "regions"),
    "firewalls": ("Firewall", "compute#firewall", "global"),
}
# What the model holds: those collections and the reserved addresses (compute_addresses.py),
# each with its google-cloud-compute message and JSON kind
MESSAGES = {c: (message, kind) for c, (message, kind, _) in COLLECTIONS.items()} | {
    "addresses": ("Address", "compute#address"),
    "globalAddresses": ("Address", "compute#address"),
}
STORES = tuple(MESSAGES)


# -- GCP's errors ------------------------------------------------------------------------------
# Compute Engine answers in the JSON API's shape: {"error": {code, message, errors: [{domain,
# reason, message}]}}; the Go client prints "Error 409: <message>, alreadyExists".


def not_found(resource: str) -> ApiError:
    # "The resource 'projects/skyplane2-sarah/global/networks/skyplane' was not found"
    # (reason notFound; skyplane-project/skyplane#683)
    return ApiError(
        "NOT_FOUND", f"The resource '{resource}' was not found", legacy_reason="notFound"
    )


def already_exists(resource: str) -> ApiError:
    # "Error 409: The resource 'projects/<P>/global/networks/mymesoscluster-global-net' already
    # exists, alreadyExists" (ContainerSolutions/terraform-mesos#53)
    return ApiError(
        "ALREADY_EXISTS",
        f"The resource '{resource}' already exists",
        legacy_reason="alreadyExists",
    )


def invalid(field_name: str, value: Any, why: str) -> ApiError:
    # "Invalid value for field 'resource.network': '...'. The referenced network resource
    # cannot be found." (btcpayserver/btcpayserver-googlecloud#7; reason invalid)
    return ApiError(
        "INVALID_ARGUMENT",
        f"Invalid value for field '{field_name}': '{value}'. {why}",
        legacy_reason="invalid",
    )


def in_use(resource: str, user: str) -> ApiError:
    # "The network resource 'projects/c/global/networks/N' is already being used by
    # 'projects/c/global/firewalls/F'" / "Error 400: ..., resourceInUseByAnotherResource"
    # (genevieve/leftovers#6, terraform-google-modules/terraform-google-network#87)
    collection = resource.split("/")[-2]
    what = collection[:-2] if collection.endswith("sses") else collection.rstrip("s")
    return ApiError(
        "FAILED_PRECONDITION",
        f"The {what} resource '{resource}' is already being used by '{user}'",
        http=400,
        legacy_reason="resourceInUseByAnotherResource",
    )


def forbidden(permission: str, resource: str) -> ApiError:
    # "Error 403: Required 'compute.networks.create' permission for
    # 'projects/example/global/networks/vpcnetwork', forbidden"
    # (hashicorp/terraform-provider-google#4825)
    return ApiError(
        "PERMISSION_DENIED",
        f"Required '{permission}' permission for '{resource}'",
        legacy_reason="forbidden",
    )


def _stamp(t: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + f".{int(t % 1 * 1000):03d}-00:00"


def _last(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Operation:
    name: str
    kind: str  # insert, patch, delete, update, setPrivateIpGoogleAccess
    target: str  # full resource name
    region: str | None
    started: float
    done_at: float
    user: str
    error: str | None = None

    def body(self, project: str, now: float) -> dict[str, Any]:
        done = now >= self.done_at
        scope = f"regions/{self.region}" if self.region else "global"
        out: dict[str, Any] = {
            "kind": "compute#operation",
            "id": str(abs(hash(self.name)) % 10**18),
            "name": self.name,
            "operationType": self.kind,
            "targetLink": BASE + self.target,
            "targetId": str(abs(hash(self.target)) % 10**18),
            "status": "DONE" if done else "RUNNING",
            "user": self.user.split(":", 1)[-1],
            "progress": 100 if done else 50,
            "insertTime": _stamp(self.started),
            "startTime": _stamp(self.started),
            "selfLink": f"{BASE}projects/{project}/{scope}/operations/{self.name}",
        }
        if self.region:
            out["region"] = f"{BASE}projects/{project}/regions/{self.region}"
        if done:
            out["endTime"] = _stamp(self.done_at)
            if self.error:
                out["error"] = {"errors": [{"code": "RESOURCE_ERROR", "message": self.error}]}
                out["httpErrorStatusCode"] = 400
                out["httpErrorMessage"] = "BAD REQUEST"
        return out


@dataclass
class ComputeModel:
    """The project's networks, subnetworks, routers and firewalls, as Compute Engine's JSON."""

    backend: Backend
    items: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {c: {} for c in STORES}
    )
    operations: dict[str, Operation] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def project(self) -> str:
        return self.backend.config.project

    # -- what other services ask -------------------------------------------------------------
    def network(self, ref: str) -> dict[str, Any] | None:
        """A network by name or URL, if the emulator holds it."""
        with self.lock:
            return self.items["networks"].get(
                f"projects/{self.project}/global/networks/{_last(ref)}"
            )

    def subnetwork(self, region: str, ref: str) -> dict[str, Any] | None:
        with self.lock:
            return self.items["subnetworks"].get(
                f"projects/{self.project}/regions/{region}/subnetworks/{_last(ref)}"
            )

    # -- checks --------------------------------------------------------------------------------
    def require(self, req: Request, permission: str, resource: str) -> None:
        assert req.principal
        project = req.params["project"]
        if project != self.project or not self.backend.authz.allowed(
            req.principal, permission, project_resource(project), project
        ):
            raise forbidden(permission, resource)

    def check_region(self, req: Request) -> str:
        region = req.params["region"]
        if not facts.is_region(region):
            raise not_found(f"projects/{req.params['project']}/regions/{region}")
        return region

    # -- operations ------------------------------------------------------------------------------
    def start(self, req: Request, kind: str, target: str, region: str | None) -> Response:
        now = self.backend.clock.now()
        seconds = self.backend.config.operation_s.get("compute", 0.0)
        name = f"operation-{int(now * 1000)}-{next(_ids):x}"
        op = Operation(name, kind, target, region, now, now + seconds, req.principal or "")
        op.error = getattr(self.backend.request_faults, "operation_error", None)
        self.operations[name] = op
        return Response(body=op.body(self.project, now))

    def operation(self, name: str, region: str | None) -> Operation:
        op = self.operations.get(name)
        if op is None or op.region != region:
            scope = f"regions/{region}" if region else "global"
            raise not_found(f"projects/{self.project}/{scope}/operations/{name}")
        return op

    # -- persistence -----------------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {"items": json.loads(json.dumps(self.items))}

    def load(self, data: dict[str, Any]) -> None:
        with self.lock:
            loaded = data.get("items") or {}
            self.items = {c: dict(loaded.get(c) or {}) for c in STORES}
            self.operations = {}


def parse(collection: str, req: Request) -> dict[str, Any]:
    """The request body, checked against google-cloud-compute's message for it."""
    from google.cloud.compute_v1 import types

    message = getattr(types, MESSAGES[collection][0])
    body = req.json()
    try:
        message.from_json(json.dumps(body), ignore_unknown_fields=False)
    except Exception as exc:  # the proto parser names the unknown field or bad value
        raise ApiError(
            "INVALID_ARGUMENT", f"Invalid JSON payload received. {exc}", legacy_reason="invalid"
        ) from None
    return body


def check_name(body: dict[str, Any]) -> str:
    name = body.get("name")
    if not name:
        # "Required field 'resource.secondaryIpRanges[0].rangeName' not specified, required"
        # (kubernetes-sigs/cluster-api-provider-gcp#1058): the same words for a missing name
        raise ApiError(
            "INVALID_ARGUMENT",
            "Required field 'resource.name' not specified",
            legacy_reason="required",
        )
    if not _NAME.match(str(name)):
        raise invalid(
            "resource.name",
            name,
            "Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'",
        )
    return str(name)


def cidr(field_name: str, value: Any) -> ipaddress.IPv4Network:
    try:
        return ipaddress.IPv4Network(str(value), strict=True)
    except ValueError:
        raise invalid(field_name, value, "Invalid IPCidrRange.") from None
