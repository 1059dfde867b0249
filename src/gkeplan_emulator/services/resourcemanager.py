"""Resource Manager v3: projects.get, getIamPolicy, setIamPolicy (version 3, etags); and the
same calls in v1, which gcloud's `projects describe|get-iam-policy|add-iam-policy-binding` use
(discovery cloudresourcemanager.v1: GET v1/projects/{projectId}, POST
v1/projects/{resource}:getIamPolicy|setIamPolicy|testIamPermissions)."""

from __future__ import annotations

import base64
import binascii
import dataclasses
import threading
from typing import TYPE_CHECKING, Any

from google.cloud.resourcemanager_v3 import types as rm
from google.iam.v1 import iam_policy_pb2

from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.errors import invalid_argument, not_found, permission_denied
from gkeplan_emulator.mappings import Method, Serve, discovered, gapic, grpc_for, routes_for
from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.updates import check_known_fields, check_mask, mask_paths

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

_RM_TYPE = "type.googleapis.com/google.cloud.resourcemanager.v3."

# "Only the display_name and labels fields can be change." (UpdateProjectRequest;
# https://cloud.google.com/resource-manager/reference/rest/v3/projects/patch)
PROJECT_UPDATABLE = ("display_name", "labels")
# A Policy's fields a setIamPolicy updateMask may name; without a mask "the following default
# mask is used: paths: "bindings, etag"" (updateMask,
# https://cloud.google.com/resource-manager/reference/rest/Shared.Types/SetIamPolicyRequest)
POLICY_FIELDS = ("version", "bindings", "audit_configs", "etag")
DEFAULT_POLICY_MASK = ["bindings", "etag"]
_JSON_NAME = {"audit_configs": "auditConfigs"}


def masked_policy(
    current: dict[str, Any], sent: dict[str, Any], paths: list[str]
) -> dict[str, Any]:
    """The policy to store: `current`, with the masked fields taken from `sent` (a masked field
    that `sent` leaves out is cleared). `version` always comes with the policy sent: it says how
    to read the bindings, whatever the mask."""
    out = {k: v for k, v in current.items() if k != "etag"}
    for path in paths:
        key = _JSON_NAME.get(path, path)
        if key == "etag":
            continue  # the caller's etag is the precondition, never written
        if key in sent:
            out[key] = sent[key]
        else:
            out.pop(key, None)
    if "version" in sent:
        out["version"] = sent["version"]
    return out


class ProjectsModel:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.projects: dict[str, dict[str, Any]] = {}
        self.operations: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def ensure(self, project: str, number: str) -> None:
        with self._lock:
            self.projects.setdefault(
                project,
                {
                    "name": f"projects/{number}",
                    "projectId": project,
                    "state": "ACTIVE",
                    "displayName": project,
                    "parent": "",
                    "createTime": "2026-01-01T00:00:00Z",
                    "etag": 'W/"1"',
                },
            )

    def project_id(self, name: str) -> str:
        """A project id from an id or a project number (GCP accepts both in names)."""
        if name.isdigit():
            for pid, data in list(self.projects.items()):
                if data["name"] == f"projects/{name}":
                    return pid
        return name

    def get(
        self, project: str, principal: str, permission: str = "resourcemanager.projects.get"
    ) -> dict[str, Any]:
        """The project, if `principal` holds `permission` on it. GCP answers 403, not 404, for
        a project that does not exist: it does not tell strangers which projects exist."""
        project = self.project_id(project)
        if project not in self.projects:
            raise permission_denied(permission, project_resource(project))
        self.backend.authz.require(
            principal, permission, project_resource(project), project=project
        )
        return dict(self.projects[project])

    def update(
        self, project: str, principal: str, sent: dict[str, Any], paths: list[str]
    ) -> dict[str, Any]:
        """projects.patch: with a mask, exactly the masked fields (absent from `sent`: cleared);
        without one, the updatable fields `sent` carries ("Deleting all labels requires an
        update mask for labels field.", projects.patch). Answers the finished Operation."""
        self.get(project, principal, "resourcemanager.projects.update")
        wanted = paths or [f for f in PROJECT_UPDATABLE if sent.get(_camel(f))]
        with self._lock:
            data = self.projects[project]
            for path in wanted:
                key = _camel(path)
                if sent.get(key):
                    data[key] = sent[key]
                else:
                    data.pop(key, None) if key == "labels" else data.update({key: ""})
            updated = dict(data)
            name = f"operations/up.{len(self.operations) + 1:x}"
            op = {
                "name": name,
                "done": True,
                "metadata": {"@type": _RM_TYPE + "UpdateProjectMetadata"},
                "response": {
                    "@type": _RM_TYPE + "Project",
                    **updated,
                },
            }
            self.operations[name] = op
        return op

    def number(self, project: str) -> str:
        return str(self.projects[project]["name"]).split("/", 1)[1]

    def dump(self) -> dict[str, Any]:
        return {"projects": self.projects}

    def load(self, data: dict[str, Any]) -> None:
        self.projects = dict(data.get("projects") or {})


def decode_etag(text: str | None) -> bytes | None:
    """A policy's etag as sent. It is a `bytes` field, whose JSON form "will be the data
    encoded as a string using standard base64 encoding with paddings. Either standard or
    URL-safe base64 encoding with/without paddings are accepted."
    (https://protobuf.dev/programming-guides/json/); gcloud sends the URL-safe form."""
    if not text:
        return None
    standard = text.replace("-", "+").replace("_", "/")
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise invalid_argument("Invalid etag.") from None


def v1_project(project: dict[str, Any]) -> dict[str, Any]:
    """A v3 project in v1's shape (discovery cloudresourcemanager.v1 Project: projectNumber,
    projectId, lifecycleState, name is the display name, parent a ResourceId {type, id})."""
    out: dict[str, Any] = {
        "projectNumber": str(project["name"]).split("/", 1)[1],
        "projectId": project["projectId"],
        "lifecycleState": project["state"],
        "name": project.get("displayName", project["projectId"]),
        "createTime": project["createTime"],
    }
    if project.get("labels"):
        out["labels"] = project["labels"]
    if project.get("parent"):  # "folders/123" -> {"type": "folder", "id": "123"}
        kind, _, ident = str(project["parent"]).partition("/")
        out["parent"] = {"type": kind.removesuffix("s"), "id": ident}
    return out


def stored_operation(operations: dict[str, dict[str, Any]], req: Request) -> Response:
    """operations.get of an API whose operations are done when answered: the one stored."""
    assert req.principal
    op = operations.get("operations/" + req.params["operation"])
    if op is None:
        raise not_found(f"Operation operations/{req.params['operation']} not found.")
    return Response(body=op)


def routes(backend: Backend) -> list[Route]:

    model: ProjectsModel = backend.models["projects"]

    def get(req: Request) -> Response:
        assert req.principal
        return Response(body=model.get(req.params["project"], req.principal))

    def patch(req: Request) -> Response:
        assert req.principal
        project = model.project_id(req.params["project"])
        sent = req.json()
        check_known_fields(sent, rm.Project)
        paths = mask_paths(req.arg("updateMask"))
        check_mask(paths, PROJECT_UPDATABLE, "Project")
        return Response(body=model.update(project, req.principal, sent, paths))

    def get_operation(req: Request) -> Response:
        return stored_operation(model.operations, req)

    def get_policy(req: Request) -> Response:
        assert req.principal
        project = model.project_id(req.params["project"])
        model.get(project, req.principal, "resourcemanager.projects.getIamPolicy")
        return Response(body=backend.policies.get(project_resource(project)).to_json())

    def set_policy(req: Request) -> Response:
        assert req.principal
        project = model.project_id(req.params["project"])
        model.get(project, req.principal, "resourcemanager.projects.setIamPolicy")
        body = req.json()
        check_known_fields(body, iam_policy_pb2.SetIamPolicyRequest)
        paths = mask_paths(body.get("updateMask")) or DEFAULT_POLICY_MASK
        check_mask(paths, POLICY_FIELDS, "Policy")
        policy = body.get("policy") or {}
        backend.models["iam"].check_members(policy)
        current = backend.policies.get(project_resource(project)).to_json()
        stored = backend.policies.set(
            project_resource(project),
            masked_policy(current, policy, paths),
            decode_etag(policy.get("etag")),
        )
        return Response(body=stored.to_json())

    def test_permissions(req: Request) -> Response:
        assert req.principal
        project = model.project_id(req.params["project"])
        if project not in model.projects:  # GCP answers 403 for a project you cannot see
            model.get(project, req.principal)
        asked = [str(p) for p in req.json().get("permissions") or []]
        held = [
            p
            for p in asked
            if backend.authz.allowed(req.principal, p, project_resource(project), project)
        ]
        return Response(body={"permissions": held} if held else {})

    v3 = [
        Serve("GetProject", get, "resourcemanager.projects.get"),
        Serve("UpdateProject", patch, "resourcemanager.projects.patch"),
        Serve("GetOperation", get_operation, "resourcemanager.operations.get", mutating=False),
        Serve(
            "TestIamPermissions",
            test_permissions,
            "resourcemanager.projects.testIamPermissions",
            mutating=False,
        ),
        Serve("GetIamPolicy", get_policy, "resourcemanager.projects.getIamPolicy", mutating=False),
        Serve("SetIamPolicy", set_policy, "resourcemanager.projects.setIamPolicy"),
    ]

    def get_v1(req: Request) -> Response:
        assert req.principal
        return Response(body=v1_project(model.get(req.params["project"], req.principal)))

    v1 = [
        Serve("cloudresourcemanager.projects.get", get_v1, "resourcemanager.v1.projects.get"),
        *(
            Serve(
                f"cloudresourcemanager.projects.{verb}",
                handler,
                f"resourcemanager.v1.projects.{verb}",
                mutating=verb == "setIamPolicy",
            )
            for verb, handler in (
                ("getIamPolicy", get_policy),
                ("setIamPolicy", set_policy),
                ("testIamPermissions", test_permissions),
            )
        ),
    ]
    v1_methods = discovered("cloudresourcemanager", "v1", (row.rpc for row in v1))
    return routes_for(_methods(), v3) + routes_for(
        v1_methods, (dataclasses.replace(row, names=_V1_NAMES) for row in v1)
    )


# Resource Manager v1 (gcloud's) names the project `projectId` or `resource`
_V1_NAMES = {"projectId": "project", "resource": "project"}


def _methods() -> dict[str, Method]:
    return gapic(
        "google.cloud.resourcemanager_v3.services.projects.transports.rest:ProjectsRestTransport"
    )


# The same methods over gRPC, along the same mappings.
GRPC = grpc_for(
    "google.cloud.resourcemanager.v3.Projects",
    _methods(),
    ("GetProject", "UpdateProject", "GetIamPolicy", "SetIamPolicy", "TestIamPermissions"),
)

SERVICE = ServiceSpec(
    "projects",
    ProjectsModel,
    routes,
    transcoded=GRPC,
    api="cloudresourcemanager.googleapis.com",
    needs=("iam",),  # a policy's members are checked against IAM's accounts,
    # gcloud https://cloudresourcemanager.googleapis.com/; Terraform
    # ResourceManagerV3BasePathKey ".../v3/" (the emulator serves v3, and v1's projects.get and
    # IAM policy calls, which gcloud projects uses)
    endpoint=ClientEndpoint(
        "resourcemanager",
        "cloudresourcemanager",
        "/",
        (("resource_manager_v3_custom_endpoint", "/v3/"),),
    ),
)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)
