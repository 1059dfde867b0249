"""Every REST route the emulator serves is one of Google's own HTTP bindings: the paths of the
methods in the discovery documents google-api-python-client ships (each method's path and flat
path, its media upload paths, the API's batch path), or, for the services whose tables are read
from a GAPIC client's REST transport, that transport's `google.api.http` rules themselves."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import googleapiclient

from gkeplan_emulator import EmulatorConfig
from gkeplan_emulator.backend import Backend
from gkeplan_emulator.mappings import Binding, discovery, gapic
from gkeplan_emulator.services import all_routes, model_factories

DOCS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"
APIS = (
    "artifactregistry.v1",
    "artifactregistry.v1beta2",
    "cloudresourcemanager.v1",
    "cloudresourcemanager.v3",
    "compute.v1",
    "container.v1",
    "iam.v1",
    "iamcredentials.v1",
    "secretmanager.v1",
    "serviceusage.v1",
    "storage.v1",
)

# Served although no discovery method has the path, each for its reason.
NOT_METHODS = {
    # the resumable upload's later requests go to the session URI the first one answered
    # (cloud.google.com/storage/docs/performing-resumable-uploads), not to a method of its own
    ("PUT", "/upload/storage/v1/b/{}/o"),
    # the media download endpoint google-cloud-storage reads objects from
    # (cloud.google.com/storage/docs/json_api/v1/objects/get: "alt=media")
    ("GET", "/download/storage/v1/b/{}/o/{}"),
    # objects.copy and objects.rewrite in one rule (`<any(copyTo, rewriteTo):verb>`)
    ("POST", "/storage/v1/b/{}/o/{}/{}/b/{}/o/{}"),
}
# Catch-alls that answer GCP's 501 for a method the emulator does not serve.
UNIMPLEMENTED = "storage.unimplemented"


def _methods(resources: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for resource in resources.values():
        yield from (resource.get("methods") or {}).values()
        yield from _methods(resource.get("resources") or {})


def _shape(path: str) -> str:
    return re.sub(r"\{\+?[^}]+\}", "{}", path)


def _googles() -> set[tuple[str, str]]:
    paths = set()
    for api in APIS:
        doc = json.loads((DOCS / f"{api}.json").read_text())
        if doc.get("batchPath"):
            paths.add(("POST", "/" + doc["batchPath"]))
        for m in _methods(doc["resources"]):
            for path in {m["path"], m.get("flatPath") or m["path"]}:
                paths.add((m["httpMethod"], _shape("/" + doc["servicePath"] + path)))
            for proto in (m.get("mediaUpload") or {}).get("protocols", {}).values():
                paths.add((m["httpMethod"], _shape(proto["path"])))
    return paths


def _routes() -> list[tuple[str, str, str]]:
    backend = Backend(EmulatorConfig(), None, None, model_factories())
    out = []
    for r in all_routes(backend):
        shape = re.sub(r"<[a-z]+(\([^)]*\))?:[^>]+>", "{}", r.rule)
        out.append((r.name, r.method, shape))
    return out


def _segment(ours: str, googles: str) -> bool:
    # a variable (with its custom verb, `{}:generateAccessToken`) matches a literal there
    return ours == googles or (googles.startswith("{}") and ours.endswith(googles[2:]))


def _matches(shape: str, googles: set[str]) -> bool:
    """A literal segment where Google's path has a variable is still that path: clients send
    `projects/-/serviceAccounts/...` to the IAM Credentials methods, as their reference says."""
    parts = shape.split("/")
    return shape in googles or any(
        len(g.split("/")) == len(parts)
        and all(_segment(a, b) for a, b in zip(parts, g.split("/"), strict=True))
        for g in googles
    )


def test_every_route_is_one_of_googles_bindings() -> None:
    googles = _googles()
    by_verb: dict[str, set[str]] = {}
    for verb, path in googles:
        by_verb.setdefault(verb, set()).add(path)
    strays = [
        (name, verb, shape)
        for name, verb, shape in _routes()
        if name != UNIMPLEMENTED
        and (verb, shape) not in NOT_METHODS
        and not _matches(shape, by_verb.get(verb, set()))
    ]
    assert strays == []


def test_a_gapic_binding_becomes_the_rule_and_the_grpc_path() -> None:
    methods = gapic(
        "google.cloud.container_v1.services.cluster_manager.transports.rest:"
        "ClusterManagerRestTransport"
    )
    first, zonal = methods["GetNodePool"].bindings
    assert (first.verb, first.template) == (
        "GET",
        "/v1/{name=projects/*/locations/*/clusters/*/nodePools/*}",
    )
    assert first.rule() == (
        "/v1/projects/<seg:project>/locations/<seg:location>/clusters/<seg:cluster>"
        "/nodePools/<seg:nodePool>"
    )
    assert first.path == "/v1/{name}"
    assert zonal.rule({"zone": "location"}).startswith(
        "/v1/projects/<seg:project_id>/zones/<seg:location>/"
    )
    assert methods["GetNodePool"].response.__name__ == "NodePool"


def test_a_discovery_method_is_read_at_its_flat_path() -> None:
    binding = discovery("iam", "v1", "iam.projects.serviceAccounts.get")
    assert binding == Binding(
        "GET", "/v1/projects/{projectsId}/serviceAccounts/{serviceAccountsId}", ""
    )


def test_no_two_methods_share_a_rule() -> None:
    # werkzeug answers a path with the first rule that matches: two methods at one rule would
    # leave the second unreachable (GKE's and Artifact Registry's operations share a path,
    # told apart by the id's shape)
    backend = Backend(EmulatorConfig(), None, None, model_factories())
    seen: dict[tuple[str, str], str] = {}
    clashes = []
    for r in all_routes(backend):
        key = (r.method, re.sub(r"<([a-z]+)(\([^)]*\))?:[^>]+>", r"<\1>", r.rule))
        if key in seen and seen[key] != r.name:
            clashes.append((seen[key], r.name, key))
        seen.setdefault(key, r.name)
    assert clashes == []
