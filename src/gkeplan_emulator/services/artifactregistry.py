"""Artifact Registry API v1: projects.locations.repositories create, get, list, patch, delete,
getIamPolicy, setIamPolicy, testIamPermissions, and projects.locations.operations.get.

Field names, paths and verbs follow the artifactregistry v1 discovery document shipped in
google-api-python-client (Repository, DockerRepositoryConfig, Operation; getIamPolicy is a GET
with `options.requestedPolicyVersion`). Create and delete answer a google.longrunning
Operation that is done once its time (EmulatorConfig.operation_s) has passed.
"""

from __future__ import annotations

import dataclasses
import threading
import uuid
from typing import TYPE_CHECKING, Any

from gkeplan_emulator import facts
from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.errors import (
    already_exists,
    invalid_argument,
    not_found,
    permission_denied,
)
from gkeplan_emulator.mappings import Serve, discovered, gapic, routes_for
from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.services.resourcemanager import decode_etag

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

_TYPE = "type.googleapis.com/google.devtools.artifactregistry.v1."
# Repository.format and Repository.mode enums (discovery document), less the UNSPECIFIED values
FORMATS = frozenset(
    {"DOCKER", "MAVEN", "NPM", "APT", "YUM", "GOOGET", "PYTHON", "KFP", "GO", "GENERIC", "RUBY"}
    | {"CONDA"}
)
MODES = frozenset({"STANDARD_REPOSITORY", "VIRTUAL_REPOSITORY", "REMOTE_REPOSITORY"})
# What patch may change: description, labels, dockerConfig and cleanupPolicyDryRun are updated
# in place by Terraform's google_artifact_registry_repository; format, mode, kmsKeyName and the
# name are ForceNew there (resource_artifact_registry_repository.go, terraform-provider-google).
MUTABLE = {
    "description": "description",
    "labels": "labels",
    "dockerConfig": "dockerConfig",
    "docker_config": "dockerConfig",
    "dockerConfig.immutableTags": "dockerConfig",
    "docker_config.immutable_tags": "dockerConfig",
    "cleanupPolicyDryRun": "cleanupPolicyDryRun",
    "cleanup_policy_dry_run": "cleanupPolicyDryRun",
    # a virtual repository's upstream policies are updated in place, and of a remote one its
    # upstream credentials, field by field (Terraform's update mask: "virtualRepositoryConfig",
    # "remoteRepositoryConfig.upstreamCredentials.usernamePasswordCredentials.username", ...)
    "virtualRepositoryConfig": "virtualRepositoryConfig",
    "virtual_repository_config": "virtualRepositoryConfig",
    "virtualRepositoryConfig.upstreamPolicies": "virtualRepositoryConfig",
    "virtual_repository_config.upstream_policies": "virtualRepositoryConfig",
}
# remoteRepositoryConfig.upstreamCredentials[.usernamePasswordCredentials[.FIELD]], in either
# spelling: the part of a remote repository's settings that is not ForceNew in Terraform
CREDENTIALS = ("remoteRepositoryConfig", "upstreamCredentials")
IMMUTABLE = {
    "name",
    "format",
    "mode",
    "kmsKeyName",
    "kms_key_name",
    "createTime",
    "updateTime",
    "remoteRepositoryConfig",
    "remote_repository_config",
}
# Each format's remote upstream (RemoteRepositoryConfig's oneof remote_source, discovery
# document: "Specific settings for a Docker remote repository" and so on); commonRepository
# serves any format.
UPSTREAM_FORMAT = {
    "dockerRepository": "DOCKER",
    "mavenRepository": "MAVEN",
    "npmRepository": "NPM",
    "pythonRepository": "PYTHON",
    "aptRepository": "APT",
    "yumRepository": "YUM",
}
# Multi-regions besides regions: 'asia', 'europe', 'us' (Terraform's location description).
MULTI_REGIONS = frozenset({"asia", "europe", "us"})
OUTPUT_ONLY = ("createTime", "updateTime", "registryUri", "sizeBytes", "satisfiesPzs")


def repo_resource(name: str) -> str:
    return f"//artifactregistry.googleapis.com/{name}"


def _stamp(now: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(now, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class RepositoriesModel:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.repositories: dict[str, dict[str, Any]] = {}
        # operation name -> {"name", "done_at", "metadata", "verb", "target", "repository"?,
        # "error"?, "done"?}: plain data, so an operation pending at a save finishes after a load
        self.operations: dict[str, dict[str, Any]] = {}
        self.lock = threading.RLock()

    @property
    def project(self) -> str:
        return str(self.backend.config.project)

    # -- checks ------------------------------------------------------------------------------
    def parent(self, principal: str, project: str, location: str, permission: str) -> str:
        if project not in (self.project, self.backend.config.project_number) or not (
            self.backend.authz.allowed(
                principal, permission, project_resource(self.project), self.project
            )
        ):
            raise permission_denied(permission, f"projects/{project}")
        if location not in MULTI_REGIONS and not facts.is_region(location):
            raise invalid_argument(f"Location {location} is not a valid location.")
        return f"projects/{self.project}/locations/{location}"

    def require(self, principal: str, permission: str, name: str) -> None:
        if not self.backend.authz.allowed(principal, permission, repo_resource(name), self.project):
            raise permission_denied(permission, name)

    def get(self, principal: str, name: str, permission: str) -> dict[str, Any]:
        self.require(principal, permission, name)
        with self.lock:
            self.settle()
            repo = self.repositories.get(name)
        if repo is None:
            # 404 NOT_FOUND is the status; the wording is the emulator's (no public AR error
            # text was found to copy)
            raise not_found(f'Requested entity was not found: repository "{name}".')
        return repo

    # -- operations --------------------------------------------------------------------------
    def settle(self) -> None:
        now = self.backend.clock.now()
        with self.lock:
            for op in self.operations.values():
                if not op.get("done") and op["done_at"] <= now:
                    op["done"] = True
                    if "error" not in op:
                        self._finish(op)

    def _finish(self, op: dict[str, Any]) -> None:
        name = op["target"]
        if op["verb"] == "create":
            self.repositories[name] = op["repository"]
        else:
            self.repositories.pop(name, None)
            self.backend.policies.delete(repo_resource(name))

    def start(
        self, parent: str, key: str, verb: str, target: str, repo: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        now = self.backend.clock.now()
        seconds = float(self.backend.config.operation_s.get(key, 0.0))
        # A UUID: GKE serves the same path (v1/projects/*/locations/*/operations/*) from its own
        # host; on the emulator's one host the id's shape tells the two apart.
        name = f"{parent}/operations/{uuid.uuid4()}"
        op: dict[str, Any] = {
            "name": name,
            "done_at": now + seconds,
            "metadata": {"@type": _TYPE + "OperationMetadata"},
            "target": target,
            "verb": verb,
        }
        if repo is not None:
            op["repository"] = repo
        error = getattr(self.backend.request_faults, "operation_error", None)
        if error:  # google.rpc.Status code 13: INTERNAL
            op["error"] = {"code": 13, "message": error}
        with self.lock:
            self.operations[name] = op
            if seconds <= 0:
                self.settle()
        return self.view(op)

    def view(self, op: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {"name": op["name"], "metadata": op["metadata"]}
        if op.get("done"):
            out["done"] = True
            if "error" in op:
                out["error"] = op["error"]
            elif op["verb"] == "create":
                out["response"] = {"@type": _TYPE + "Repository", **op["repository"]}
            else:
                out["response"] = {"@type": "type.googleapis.com/google.protobuf.Empty"}
        return out

    def dump(self) -> dict[str, Any]:
        with self.lock:
            return {"repositories": self.repositories, "operations": self.operations}

    def load(self, data: dict[str, Any]) -> None:
        with self.lock:
            self.repositories = dict(data.get("repositories") or {})
            self.operations = dict(data.get("operations") or {})


def _body(req: Request) -> dict[str, Any]:
    """The request's Repository in canonical JSON: clients send enums as numbers
    (`$alt=json;enum-encoding=int`) or names; a field the API does not have is a 400."""
    import json

    from google.cloud.artifactregistry_v1 import types as ar

    raw = req.json()
    try:
        msg = ar.Repository.from_json(json.dumps(raw), ignore_unknown_fields=False)
    except Exception as exc:  # json_format.ParseError: an unknown field or a wrong type
        raise invalid_argument(f"Invalid JSON payload received. {exc}") from None
    data: dict[str, Any] = json.loads(
        ar.Repository.to_json(
            msg, use_integers_for_enums=False, always_print_fields_with_no_presence=False
        )
    )
    return data


def _normalise(body: dict[str, Any], name: str, fmt: str, now: float) -> dict[str, Any]:
    repo: dict[str, Any] = {
        "name": name,
        "format": fmt,
        "mode": body.get("mode") or "STANDARD_REPOSITORY",
        "createTime": _stamp(now),
        "updateTime": _stamp(now),
    }
    for field in (
        "description",
        "labels",
        "kmsKeyName",
        "cleanupPolicyDryRun",
        "remoteRepositoryConfig",
        "virtualRepositoryConfig",
    ):
        if body.get(field) not in (None, "", {}, False):
            repo[field] = body[field]
    if fmt == "DOCKER":
        # the repository endpoint, e.g. us-docker.pkg.dev/my-proj/my-repo (Repository.registryUri)
        _, project, _, location, _, rid = name.split("/")
        repo["registryUri"] = f"{location}-docker.pkg.dev/{project}/{rid}"
        docker = body.get("dockerConfig") or {}
        if docker.get("immutableTags"):
            repo["dockerConfig"] = {"immutableTags": True}
    return repo


def _set_path(into: dict[str, Any], path: list[str], body: dict[str, Any]) -> dict[str, Any]:
    """`into` (remoteRepositoryConfig) with the value at `path` taken from the request's
    remoteRepositoryConfig (absent there: removed)."""
    out = dict(into)
    source: Any = body.get("remoteRepositoryConfig") or {}
    node = out
    for part in path[:-1]:
        source = (source or {}).get(part)
        node[part] = dict(node.get(part) or {})
        node = node[part]
    value = (source or {}).get(path[-1])
    if value in (None, "", {}):
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    return _pruned(out)


def _pruned(data: dict[str, Any]) -> dict[str, Any]:
    """Without the messages left empty: the API prints no empty sub-message."""
    out = {}
    for k, v in data.items():
        if isinstance(v, dict):
            v = _pruned(v)
        if v not in ({}, None):
            out[k] = v
    return out


def _camel_path(path: str) -> list[str]:
    return [p.split("_")[0] + "".join(w.title() for w in p.split("_")[1:]) for p in path.split(".")]


def _check_modes(
    body: dict[str, Any], fmt: str, mode: str, repos: dict[str, dict[str, Any]]
) -> None:
    """The mode's own settings, and only those. The wording is the emulator's: no public text
    of Artifact Registry's answers to these was found to copy; the status, 400
    INVALID_ARGUMENT, is what a malformed request gets (google.rpc.Code)."""
    remote = body.get("remoteRepositoryConfig")
    virtual = body.get("virtualRepositoryConfig")
    if remote and mode != "REMOTE_REPOSITORY":
        raise invalid_argument("remote_repository_config is only allowed in remote repositories.")
    if virtual and mode != "VIRTUAL_REPOSITORY":
        raise invalid_argument("virtual_repository_config is only allowed in virtual repositories.")
    if mode == "REMOTE_REPOSITORY":
        sources = [k for k in (*UPSTREAM_FORMAT, "commonRepository") if k in (remote or {})]
        if len(sources) != 1:
            raise invalid_argument("A remote repository needs exactly one remote source.")
        served = UPSTREAM_FORMAT.get(sources[0])
        if served is not None and served != fmt:
            raise invalid_argument(
                f"Remote source {sources[0]} does not match repository format {fmt}."
            )
    if mode == "VIRTUAL_REPOSITORY":
        for policy in (virtual or {}).get("upstreamPolicies") or []:
            _check_upstream(str(policy.get("repository") or ""), fmt, repos)


def _check_upstream(name: str, fmt: str, repos: dict[str, dict[str, Any]]) -> None:
    # "artifacts in the same format from one or more upstream repositories. An upstream
    # repository can be a Artifact Registry standard or remote repository."
    # (https://cloud.google.com/artifact-registry/docs/repositories/virtual-repo)
    upstream = repos.get(name)
    if upstream is None:
        raise invalid_argument(f"Upstream repository {name} does not exist.")
    if upstream.get("mode") == "VIRTUAL_REPOSITORY":
        raise invalid_argument(f"Upstream repository {name} is a virtual repository.")
    if upstream.get("format") != fmt:
        raise invalid_argument(
            f"Upstream repository {name} has format {upstream.get('format')}, not {fmt}."
        )


def routes(backend: Backend) -> list[Route]:
    model: RepositoriesModel = backend.models["artifactregistry"]

    def name_of(req: Request) -> str:
        p = req.params
        return f"projects/{model.project}/locations/{p['location']}/repositories/{p['repo']}"

    def create(req: Request) -> Response:
        assert req.principal
        p = req.params
        parent = model.parent(
            req.principal, p["project"], p["location"], "artifactregistry.repositories.create"
        )
        # The JSON clients send repositoryId; Terraform sends the proto name repository_id
        # ("POST .../repositories?alt=json&repository_id=my-repo", pulumi/templates#593)
        rid = req.arg("repositoryId") or req.arg("repository_id")
        if not rid:
            raise invalid_argument("repository_id is required.")
        if "/" in rid or "_" in rid:
            # the id is the last segment of Repository.name (discovery document), and
            # underscores "aren't supported in artifact repo names"
            # (GoogleCloudPlatform/cluster-toolkit#6303); the wording is the emulator's
            raise invalid_argument(f"Invalid repository id: {rid}.")
        body = _body(req)
        fmt = str(body.get("format") or "")
        if fmt not in FORMATS:
            raise invalid_argument(f"Invalid repository format: {fmt or 'FORMAT_UNSPECIFIED'}.")
        mode = body.get("mode") or "STANDARD_REPOSITORY"
        if mode not in MODES:
            raise invalid_argument(f"Invalid repository mode: {mode}.")
        name = f"{parent}/repositories/{rid}"
        with model.lock:
            model.settle()
            # Artifact Registry answers a second create of the same repository with HTTP 409
            # ALREADY_EXISTS on the POST itself (hexclave/hexclave#2025 review thread).
            if name in model.repositories or any(
                o["target"] == name and not o.get("done") for o in model.operations.values()
            ):
                raise already_exists(f"the repository already exists: {name}")  # wording ours
            _check_modes(body, fmt, mode, model.repositories)
            repo = _normalise(body, name, fmt, backend.clock.now())
            op = model.start(parent, "createRepository", "create", name, repo)
        return Response(body=op)

    def get(req: Request) -> Response:
        assert req.principal
        return Response(
            body=model.get(req.principal, name_of(req), "artifactregistry.repositories.get")
        )

    def list_(req: Request) -> Response:
        assert req.principal
        p = req.params
        parent = model.parent(
            req.principal, p["project"], p["location"], "artifactregistry.repositories.list"
        )
        with model.lock:
            model.settle()
            repos = sorted(
                (r for n, r in model.repositories.items() if n.startswith(parent + "/")),
                key=lambda r: str(r["name"]),
            )
        size = int(req.arg("pageSize") or 0) or 1000
        start = int(req.arg("pageToken") or 0)
        page = repos[start : start + size]
        out: dict[str, Any] = {"repositories": page} if page else {}
        if start + size < len(repos):
            out["nextPageToken"] = str(start + size)
        return Response(body=out)

    def list_locations(req: Request) -> Response:
        """projects.locations.list: "Lists information about the supported locations for this
        service" (artifactregistry v1 and v1beta2 discovery documents), as Location {name,
        locationId}; the emulator's are the multi-regions and the regions of its machine-type
        data. `gcloud artifacts repositories list` with no --location asks v1beta2 for them,
        then lists each location's repositories."""
        assert req.principal
        project = req.params["project"]
        permission = "artifactregistry.locations.list"
        if project not in (model.project, backend.config.project_number) or not (
            backend.authz.allowed(
                req.principal, permission, project_resource(model.project), model.project
            )
        ):
            raise permission_denied(permission, f"projects/{project}")
        ids = sorted(MULTI_REGIONS | facts.regions())
        return Response(
            body={
                "locations": [
                    {"name": f"projects/{model.project}/locations/{i}", "locationId": i}
                    for i in ids
                ]
            }
        )

    def patch(req: Request) -> Response:
        assert req.principal
        name = name_of(req)
        body = _body(req)
        mask = [m for m in (req.arg("updateMask") or "").split(",") if m]
        fields = mask or [k for k in body if k not in OUTPUT_ONLY and k != "name"]
        credentials = [f for f in fields if tuple(_camel_path(f)[:2]) == CREDENTIALS]
        fields = [f for f in fields if f not in credentials]
        with model.lock:
            repo = model.get(req.principal, name, "artifactregistry.repositories.update")
            if not mask:
                # "If the update mask is not provided, all populated fields are updated"
                # (AIP-134): a create-only field sent as it is changes nothing, as gcloud's
                # `repositories update --upstream-policy-file` sends the format with no mask
                fields = [f for f in fields if not (f in IMMUTABLE and body[f] == repo.get(f))]
            for f in fields:
                if f in IMMUTABLE:
                    raise invalid_argument(f"Field {f} cannot be updated.")
                if f not in MUTABLE:
                    raise invalid_argument(f"Invalid update_mask path: {f}.")
            updated = dict(repo)
            if credentials and repo.get("mode") != "REMOTE_REPOSITORY":
                raise invalid_argument("Upstream credentials are only for remote repositories.")
            for f in credentials:
                updated["remoteRepositoryConfig"] = _set_path(
                    updated.get("remoteRepositoryConfig") or {}, _camel_path(f)[1:], body
                )
            for f in {MUTABLE[f] for f in fields}:
                value = body.get(f)
                if f == "dockerConfig" and repo["format"] != "DOCKER":
                    continue  # configuration "for the repositories of docker type" only
                if f == "virtualRepositoryConfig":
                    _check_modes({f: value}, repo["format"], repo["mode"], model.repositories)
                if value in (None, "", {}, False):
                    updated.pop(f, None)
                else:
                    updated[f] = value
            updated["updateTime"] = _stamp(backend.clock.now())
            model.repositories[name] = updated
        return Response(body=updated)

    def delete(req: Request) -> Response:
        assert req.principal
        name = name_of(req)
        with model.lock:
            model.get(req.principal, name, "artifactregistry.repositories.delete")
            parent = name.rsplit("/repositories/", 1)[0]
            op = model.start(parent, "deleteRepository", "delete", name)
        return Response(body=op)

    def get_policy(req: Request) -> Response:
        assert req.principal
        name = name_of(req)
        model.get(req.principal, name, "artifactregistry.repositories.getIamPolicy")
        return Response(body=backend.policies.get(repo_resource(name)).to_json())

    def set_policy(req: Request) -> Response:
        assert req.principal
        name = name_of(req)
        model.get(req.principal, name, "artifactregistry.repositories.setIamPolicy")
        policy = req.json().get("policy") or {}
        backend.models["iam"].check_members(policy)
        stored = backend.policies.set(repo_resource(name), policy, decode_etag(policy.get("etag")))
        return Response(body=stored.to_json())

    def test_permissions(req: Request) -> Response:
        assert req.principal
        name = name_of(req)
        with model.lock:
            model.settle()
            if name not in model.repositories:
                raise not_found(f'Requested entity was not found: repository "{name}".')
        asked = [str(p) for p in req.json().get("permissions") or []]
        held = [
            p
            for p in asked
            if backend.authz.allowed(req.principal, p, repo_resource(name), model.project)
        ]
        return Response(body={"permissions": held} if held else {})

    def get_operation(req: Request) -> Response:
        assert req.principal
        p = req.params
        name = f"projects/{model.project}/locations/{p['location']}/operations/{p['op']!s}"
        if p["project"] not in (model.project, backend.config.project_number):
            raise permission_denied("artifactregistry.repositories.get", f"projects/{p['project']}")
        with model.lock:
            model.settle()
            op = model.operations.get(name)
            if op is None:
                raise not_found(f"Operation {name} not found.")
            return Response(body=model.view(op))

    r = "artifactregistry.projects.locations.repositories."
    # GKE's operations live at the same path; an Artifact Registry operation id is a UUID
    names = {"repository": "repo", "operation": "uuid:op"}
    v1 = [
        Serve("ListLocations", list_locations, "artifactregistry.v1.projects.locations.list"),
        Serve("CreateRepository", create, r + "create"),
        Serve("ListRepositories", list_, r + "list"),
        Serve("GetRepository", get, r + "get"),
        Serve("UpdateRepository", patch, r + "patch"),
        Serve("DeleteRepository", delete, r + "delete"),
        Serve("GetIamPolicy", get_policy, r + "getIamPolicy"),
        Serve("SetIamPolicy", set_policy, r + "setIamPolicy"),
        Serve("TestIamPermissions", test_permissions, r + "testIamPermissions", mutating=False),
        Serve(
            "GetOperation",
            get_operation,
            "artifactregistry.projects.locations.operations.get",
            mutating=True,  # reading an operation may finish it
        ),
    ]
    methods = gapic(
        "google.cloud.artifactregistry_v1.services.artifact_registry.transports.rest:"
        "ArtifactRegistryRestTransport"
    )
    # `gcloud artifacts repositories list` with no --location asks v1beta2 for the locations
    beta = Serve(
        "artifactregistry.projects.locations.list",
        list_locations,
        "artifactregistry.v1beta2.projects.locations.list",
        names={"projectsId": "project"},
        mutating=False,
    )
    return routes_for(methods, (dataclasses.replace(row, names=names) for row in v1)) + routes_for(
        discovered("artifactregistry", "v1beta2", [beta.rpc]), [beta]
    )


SERVICE = ServiceSpec(
    "artifactregistry",
    RepositoriesModel,
    routes,
    api="artifactregistry.googleapis.com",
    needs=("iam",),  # a policy's members are checked against IAM's accounts,
    # gcloud https://artifactregistry.googleapis.com/; Terraform ArtifactRegistryBasePathKey
    # "https://artifactregistry.googleapis.com/v1/"
    endpoint=ClientEndpoint(
        "artifactregistry",
        "artifactregistry",
        "/",
        (("artifact_registry_custom_endpoint", "/v1/"),),
    ),
)
