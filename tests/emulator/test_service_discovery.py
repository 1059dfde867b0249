"""The emulated services are found, not listed: a module dropped into the package is served,
models are created in the order `needs` gives, and the operations path Artifact Registry and
Kubernetes Engine share answers each API whatever order the services come in."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from google.cloud import container_v1 as gke

from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock
from gkeplan_emulator import services as services_pkg
from gkeplan_emulator.clientenv import ClientEnv
from gkeplan_emulator.service import ServiceSpec
from gkeplan_emulator.services import ENTRY_POINT_GROUP, ServiceOrderError, ordered

from .test_container import ZONE, _pool

P = "demo-project"
REGION = f"projects/{P}/locations/us-central1"


@pytest.fixture
def fresh_discovery() -> Iterator[None]:
    services_pkg.services.cache_clear()
    yield
    services_pkg.services.cache_clear()


@pytest.mark.parametrize("order", ["as found", "reversed"])
def test_ar_and_gke_operations_get_are_each_served_whatever_the_service_order(
    order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = services_pkg.services()
    names = [s.name for s in found]
    assert names.index("artifactregistry") < names.index("container")  # by name, as found
    chosen = found if order == "as found" else tuple(reversed(found))
    monkeypatch.setattr(services_pkg, "services", lambda: chosen)
    clock = ManualClock()
    config = EmulatorConfig(operation_s={"createCluster": 300.0, "createRepository": 30.0})
    with Emulator(config, clock=clock) as emu:
        ar_client = emu.clients().artifact_registry()
        gke_client = emu.clients().container()
        ar_op = ar_client.create_repository(
            request={"parent": REGION, "repository_id": "r1", "repository": {"format_": "DOCKER"}}
        )
        gke_op = gke_client.create_cluster(
            parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()])
        )
        assert ar_client.get_operation(request={"name": ar_op.operation.name}).done is False
        got = gke_client.get_operation(name=f"{ZONE}/operations/{gke_op.name}")
        assert got.status == gke.Operation.Status.RUNNING
        clock.advance(301)
        assert ar_client.get_operation(request={"name": ar_op.operation.name}).done is True
        got = gke_client.get_operation(name=f"{ZONE}/operations/{gke_op.name}")
        assert got.status == gke.Operation.Status.DONE
        # the gRPC side transcodes to the same URL map, so it matches the same way
        over_grpc = emu.clients().container_grpc()
        got = over_grpc.get_operation(name=f"{ZONE}/operations/{gke_op.name}")
        assert got.status == gke.Operation.Status.DONE
        methods = {e.method for e in emu.backend.log}
        assert "artifactregistry.projects.locations.operations.get" in methods
        assert "container.getOperation" in methods


# A service as a third party would write it: a model that needs Resource Manager's, one route.
PROBE = textwrap.dedent(
    """
    from gkeplan_emulator.calls import Response, route
    from gkeplan_emulator.service import ClientEndpoint, ServiceSpec


    class EchoModel:
        def __init__(self, backend):
            self.projects = backend.models["projects"]  # created first: a need

        def dump(self):
            return {}

        def load(self, data):
            pass


    def routes(backend):
        model = backend.models["echo"]

        def get(req):
            number = model.projects.number(req.params["p"])
            return Response(body={"project": req.params["p"], "number": number})

        return [route("GET", "/v1/projects/<seg:p>/echo", get, "echo.get")]


    SERVICE = ServiceSpec(
        "echo",
        EchoModel,
        routes,
        needs=("projects",),
        endpoint=ClientEndpoint("echo", "echo", "/", (("echo_custom_endpoint", "/v1/"),)),
    )
    """
)


def _served_echo() -> None:
    assert "echo" in [s.name for s in services_pkg.services()]
    with Emulator(EmulatorConfig()) as emu:
        token = emu.backend.identity.applier_token()
        resp = requests.get(
            f"{emu.endpoints.http}/v1/projects/{P}/echo",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert resp.status_code == 200
        assert resp.json() == {"project": P, "number": str(emu.config.project_number)}
        assert emu.serves("echo.get")
        # and `gkeplan sandbox env` tells gcloud, Terraform and Python where it is
        env = ClientEnv(emu.endpoints.http, emu.endpoints.grpc, P)
        assert env.gcloud_properties()["api_endpoint_overrides/echo"] == emu.endpoints.http + "/"
        assert env.terraform_endpoints()["echo_custom_endpoint"] == emu.endpoints.http + "/v1/"
        assert env.client_options()["echo"] == {"rest": {"api_endpoint": emu.endpoints.http}}


def test_a_service_module_dropped_into_the_package_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_discovery: None
) -> None:
    (tmp_path / "echo_probe.py").write_text(PROBE)
    monkeypatch.setattr(services_pkg, "__path__", [*services_pkg.__path__, str(tmp_path)])
    monkeypatch.delitem(sys.modules, "gkeplan_emulator.services.echo_probe", raising=False)
    _served_echo()
    sys.modules.pop("gkeplan_emulator.services.echo_probe", None)


def test_a_plugin_registered_under_the_entry_point_group_is_served(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_discovery: None
) -> None:
    """An installed distribution (its dist-info on sys.path, as pip leaves it) names its
    service under `gkeplan.emulator_services`."""
    (tmp_path / "echo_plugin.py").write_text(PROBE)
    info = tmp_path / "echo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: echo-plugin\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\necho = echo_plugin:SERVICE\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "echo_plugin", raising=False)
    _served_echo()
    sys.modules.pop("echo_plugin", None)


def _spec(name: str, *needs: str) -> ServiceSpec:
    return ServiceSpec(name, needs=needs)


def test_models_are_created_after_the_services_they_need_and_ties_go_by_name() -> None:
    specs = [_spec("zeta", "alpha"), _spec("beta"), _spec("alpha", "beta")]
    assert [s.name for s in ordered(specs)] == ["beta", "alpha", "zeta"]
    assert [s.name for s in ordered(reversed(specs))] == ["beta", "alpha", "zeta"]


def test_a_cycle_of_needs_names_the_services() -> None:
    with pytest.raises(ServiceOrderError, match=r"cycle: .*(a -> b|b -> a)"):
        ordered([_spec("a", "b"), _spec("b", "a"), _spec("c")])


def test_a_need_no_service_provides_is_named() -> None:
    with pytest.raises(ServiceOrderError, match="'a' needs ghost, which no service provides"):
        ordered([_spec("a", "ghost")])
