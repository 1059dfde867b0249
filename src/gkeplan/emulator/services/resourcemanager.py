"""Resource Manager v3: projects.get, getIamPolicy, setIamPolicy (version 3, etags)."""

from __future__ import annotations

import base64
import binascii
import threading
from typing import TYPE_CHECKING, Any

from gkeplan.emulator.authz import project_resource
from gkeplan.emulator.errors import ApiError, invalid_argument
from gkeplan.emulator.http import Request, Response, Router
from gkeplan.emulator.services import ServiceSpec

if TYPE_CHECKING:
    from gkeplan.emulator.backend import Backend

_P = r"/v3/projects/(?P<project>[^/:]+)"


class ProjectsModel:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.projects: dict[str, dict[str, Any]] = {}
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

    def get(self, project: str, principal: str) -> dict[str, Any]:
        # GCP answers 403, not 404, for a project you cannot see: it does not say which.
        if project not in self.projects:
            raise ApiError(
                "PERMISSION_DENIED",
                f"Permission 'resourcemanager.projects.get' "
                f"denied on resource '//cloudresourcemanager.googleapis.com/projects/"
                f"{project}' (or it may not exist).",
                reason="IAM_PERMISSION_DENIED",
                domain="cloudresourcemanager.googleapis.com",
            )
        self.backend.authz.require(
            principal, "resourcemanager.projects.get", project_resource(project), project=project
        )
        return dict(self.projects[project])

    def number(self, project: str) -> str:
        return str(self.projects[project]["name"]).split("/", 1)[1]

    def dump(self) -> dict[str, Any]:
        return {"projects": self.projects}

    def load(self, data: dict[str, Any]) -> None:
        self.projects = dict(data.get("projects") or {})


def decode_etag(text: str | None) -> bytes | None:
    if not text:
        return None
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_argument("Invalid etag.") from None


def register(router: Router, backend: Backend) -> None:
    model: ProjectsModel = backend.models["projects"]

    def get(req: Request) -> Response:
        assert req.principal
        return Response(body=model.get(req.params["project"], req.principal))

    def get_policy(req: Request) -> Response:
        assert req.principal
        project = req.params["project"]
        model.get(project, req.principal)
        backend.authz.require(
            req.principal,
            "resourcemanager.projects.getIamPolicy",
            project_resource(project),
            project=project,
        )
        return Response(body=backend.policies.get(project_resource(project)).to_json())

    def set_policy(req: Request) -> Response:
        assert req.principal
        project = req.params["project"]
        model.get(project, req.principal)
        backend.authz.require(
            req.principal,
            "resourcemanager.projects.setIamPolicy",
            project_resource(project),
            project=project,
        )
        policy = req.json().get("policy") or {}
        backend.models["iam"].check_members(policy)
        stored = backend.policies.set(
            project_resource(project),
            policy,
            backend.clock.now(),
            backend.config.propagation_delay_s,
            decode_etag(policy.get("etag")),
        )
        return Response(body=stored.to_json())

    router.add("GET", _P, get, "resourcemanager.projects.get")
    router.add(
        "POST",
        _P + ":getIamPolicy",
        get_policy,
        "resourcemanager.projects.getIamPolicy",
        mutating=False,
    )
    router.add("POST", _P + ":setIamPolicy", set_policy, "resourcemanager.projects.setIamPolicy")


SERVICE = ServiceSpec("projects", ProjectsModel, register)
