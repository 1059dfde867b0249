"""Update calls as GKE and Resource Manager take them, through Google's clients on both
transports: one change per UpdateCluster, unknown fields refused with GCP's 400 body, field
masks honoured."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke
from google.protobuf import field_mask_pb2

from gkeplan_emulator import Emulator
from gkeplan_emulator.clientfactory import ClientFactory

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-c"
CLUSTER = f"{ZONE}/clusters/c1"

TRANSPORTS = ("rest", "grpc")


def _container(clients: ClientFactory, transport: str) -> Any:
    return clients.container() if transport == "rest" else clients.container_grpc()


def _projects(clients: ClientFactory, transport: str) -> Any:
    return clients.projects() if transport == "rest" else clients.projects_grpc()


def _with_cluster(clients: ClientFactory) -> None:
    pool = gke.NodePool(
        name="pool", initial_node_count=1, config=gke.NodeConfig(machine_type="e2-standard-2")
    )
    client = clients.container()
    op = client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[pool]))
    deadline = time.monotonic() + 10
    while op.status != gke.Operation.Status.DONE and time.monotonic() < deadline:
        op = client.get_operation(name=f"{ZONE}/operations/{op.name}")
    assert op.status == gke.Operation.Status.DONE


def _raw(emulator: Emulator, method: str, path: str, body: dict[str, Any]) -> requests.Response:
    token = emulator.issue_token(emulator.config.applier)
    return requests.request(
        method,
        emulator.endpoints.http + path,
        json=body,
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_one_change_per_update_cluster(clients: ClientFactory, transport: str) -> None:
    _with_cluster(clients)
    client = _container(clients, transport)
    two = gke.ClusterUpdate(
        desired_shielded_nodes=gke.ShieldedNodes(enabled=True),
        desired_release_channel=gke.ReleaseChannel(channel=gke.ReleaseChannel.Channel.STABLE),
    )
    with pytest.raises(gexc.BadRequest, match="Exactly one update") as err:
        client.update_cluster(name=CLUSTER, update=two)
    assert "desiredShieldedNodes" in str(err.value)
    assert "desiredReleaseChannel" in str(err.value)
    one = gke.ClusterUpdate(desired_shielded_nodes=gke.ShieldedNodes(enabled=True))
    op = client.update_cluster(name=CLUSTER, update=one)
    assert op.operation_type == gke.Operation.Type.UPDATE_CLUSTER
    assert client.get_cluster(name=CLUSTER).shielded_nodes.enabled


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_an_empty_update_is_refused_with_gkes_words(clients: ClientFactory, transport: str) -> None:
    _with_cluster(clients)
    with pytest.raises(gexc.BadRequest) as err:  # InvalidArgument on gRPC, a subclass
        _container(clients, transport).update_cluster(name=CLUSTER, update=gke.ClusterUpdate())
    # the REST client prefixes the method and URL
    assert err.value.message.endswith(": Must specify a field to update.") or (
        err.value.message == "Must specify a field to update."
    )


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_a_node_pool_change_may_name_its_pool(clients: ClientFactory, transport: str) -> None:
    """desired_node_pool_id qualifies a pool change; it is not a second change."""
    _with_cluster(clients)
    update = gke.ClusterUpdate(
        desired_node_pool_id="pool",
        desired_node_pool_autoscaling=gke.NodePoolAutoscaling(
            enabled=True, min_node_count=1, max_node_count=3
        ),
    )
    _container(clients, transport).update_cluster(name=CLUSTER, update=update)


def test_unknown_update_field_gets_gcps_400_body(
    emulator: Emulator, clients: ClientFactory
) -> None:
    _with_cluster(clients)
    resp = _raw(emulator, "PUT", f"/v1/{CLUSTER}", {"update": {"desiredShieldedNodez": {}}})
    assert resp.status_code == 400
    error = resp.json()["error"]
    message = (
        'Invalid JSON payload received. Unknown name "desiredShieldedNodez" at '
        "'update': Cannot find field."
    )
    assert error["message"] == message
    assert error["status"] == "INVALID_ARGUMENT"
    assert error["details"] == [
        {
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": "update", "description": message}],
        }
    ]


def test_unknown_nested_field_is_named_by_its_path(
    emulator: Emulator, clients: ClientFactory
) -> None:
    _with_cluster(clients)
    body = {"update": {"desiredAddonsConfig": {"networkPolicyConfig": {"disabld": True}}}}
    resp = _raw(emulator, "PUT", f"/v1/{CLUSTER}", body)
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == (
        'Invalid JSON payload received. Unknown name "disabld" at '
        "'update.desired_addons_config.network_policy_config': Cannot find field."
    )


def test_unknown_top_level_field_has_no_path(emulator: Emulator, clients: ClientFactory) -> None:
    _with_cluster(clients)
    resp = _raw(emulator, "PUT", f"/v1/{CLUSTER}", {"updat": {}})
    assert resp.status_code == 400
    message = 'Invalid JSON payload received. Unknown name "updat": Cannot find field.'
    assert resp.json()["error"]["message"] == message
    violations = resp.json()["error"]["details"][0]["fieldViolations"]
    assert violations == [{"description": message}]


# -- Resource Manager -----------------------------------------------------------------------------
def _update_project(clients: ClientFactory, transport: str) -> Callable[..., Any]:
    from google.cloud import resourcemanager_v3 as rm

    client = _projects(clients, transport)

    def update(mask: list[str] | None, **fields: Any) -> Any:
        project = rm.Project(name=f"projects/{P}", **fields)
        request: dict[str, Any] = {"project": project}
        if mask is not None:
            request["update_mask"] = field_mask_pb2.FieldMask(paths=mask)
        return client.update_project(request=request).result(timeout=10)

    return update


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_project_patch_writes_only_the_masked_fields(
    clients: ClientFactory, transport: str
) -> None:
    update = _update_project(clients, transport)
    done = update(["display_name"], display_name="Renamed", labels={"team": "ml"})
    assert done.display_name == "Renamed"
    assert dict(done.labels) == {}  # not in the mask: untouched
    done = update(["labels"], display_name="Ignored", labels={"team": "ml"})
    assert done.display_name == "Renamed"
    assert dict(done.labels) == {"team": "ml"}
    project = _projects(clients, transport).get_project(name=f"projects/{P}")
    assert (project.display_name, dict(project.labels)) == ("Renamed", {"team": "ml"})


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_project_patch_without_a_mask_keeps_labels_it_does_not_name(
    clients: ClientFactory, transport: str
) -> None:
    """ "Deleting all labels requires an update mask for labels field." (projects.patch)"""
    update = _update_project(clients, transport)
    update(["labels"], labels={"team": "ml"})
    done = update(None, display_name="No mask")
    assert done.display_name == "No mask"
    assert dict(done.labels) == {"team": "ml"}
    assert dict(update(["labels"]).labels) == {}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_project_patch_refuses_a_field_it_cannot_change(
    clients: ClientFactory, transport: str
) -> None:
    with pytest.raises(gexc.BadRequest, match=r"update mask path: 'parent'"):
        _update_project(clients, transport)(["parent"], parent="folders/1")


def test_project_patch_refuses_unknown_fields_with_gcps_400(emulator: Emulator) -> None:
    resp = _raw(emulator, "PATCH", f"/v3/projects/{P}", {"displayNme": "x"})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == (
        'Invalid JSON payload received. Unknown name "displayNme": Cannot find field.'
    )


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_set_iam_policy_update_mask_limits_what_is_written(
    clients: ClientFactory, transport: str
) -> None:
    from google.iam.v1 import iam_policy_pb2, policy_pb2

    client = _projects(clients, transport)
    resource = f"projects/{P}"
    current = client.get_iam_policy(request={"resource": resource})
    audit = policy_pb2.AuditConfig(
        service="allServices",
        audit_log_configs=[policy_pb2.AuditLogConfig(log_type=policy_pb2.AuditLogConfig.DATA_READ)],
    )
    # audit_configs outside the mask (the default mask is "bindings,etag"): not written
    wanted = policy_pb2.Policy()
    wanted.CopyFrom(current)
    wanted.audit_configs.append(audit)
    stored = client.set_iam_policy(
        request=iam_policy_pb2.SetIamPolicyRequest(resource=resource, policy=wanted)
    )
    assert list(stored.audit_configs) == []
    assert list(stored.bindings) == list(current.bindings)
    # named in the mask: written, and the bindings left as they were
    wanted.etag = stored.etag
    del wanted.bindings[:]
    stored = client.set_iam_policy(
        request=iam_policy_pb2.SetIamPolicyRequest(
            resource=resource,
            policy=wanted,
            update_mask=field_mask_pb2.FieldMask(paths=["audit_configs"]),
        )
    )
    assert [c.service for c in stored.audit_configs] == ["allServices"]
    assert list(stored.bindings) == list(current.bindings)
