"""Kubernetes Engine and Resource Manager over gRPC: ClusterManagerClient and ProjectsClient on
their gRPC transports, served by the same handlers as REST (same state, faults and log)."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan_emulator import Emulator, FaultRule
from gkeplan_emulator.clientfactory import ClientFactory

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-c"


def _pool(count: int = 1, machine: str = "e2-standard-2") -> gke.NodePool:
    return gke.NodePool(
        name="pool",
        initial_node_count=count,
        config=gke.NodeConfig(machine_type=machine, disk_size_gb=20),
    )


def test_cluster_manager_over_grpc_shares_state_with_rest(
    emulator: Emulator, clients: ClientFactory
) -> None:
    grpc_client = clients.container_grpc()
    op = grpc_client.create_cluster(
        parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()])
    )
    assert op.operation_type == gke.Operation.Type.CREATE_CLUSTER
    assert grpc_client.get_operation(name=f"{ZONE}/operations/{op.name}").name == op.name
    over_rest = clients.container().get_cluster(name=f"{ZONE}/clusters/c1")
    over_grpc = grpc_client.get_cluster(name=f"{ZONE}/clusters/c1")
    assert over_grpc.self_link == over_rest.self_link
    assert [
        p.name for p in grpc_client.list_node_pools(parent=f"{ZONE}/clusters/c1").node_pools
    ] == ["pool"]
    with pytest.raises(gexc.AlreadyExists):
        grpc_client.create_cluster(
            parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()])
        )
    with pytest.raises(gexc.NotFound):
        grpc_client.get_cluster(name=f"{ZONE}/clusters/missing")
    names = [e.method for e in emulator.requests]
    assert "container.createCluster" in names and "container.getCluster" in names


def test_gke_refusals_over_grpc_keep_their_codes(clients: ClientFactory) -> None:
    with pytest.raises(gexc.PermissionDenied, match="Insufficient regional quota"):
        clients.container_grpc().create_cluster(
            parent=f"projects/{P}/locations/us-central1",
            cluster=gke.Cluster(name="big", node_pools=[_pool(4, "n2-standard-8")]),
        )


def test_faults_name_the_same_method_on_both_transports(
    emulator: Emulator, clients: ClientFactory
) -> None:
    emulator.backend.faults.set_rules([FaultRule("container.listClusters", status=403, count=1)])
    with pytest.raises(gexc.PermissionDenied):
        clients.container_grpc().list_clusters(parent=f"projects/{P}/locations/-")
    assert (
        list(clients.container_grpc().list_clusters(parent=f"projects/{P}/locations/-").clusters)
        == []
    )


def test_projects_over_grpc(clients: ClientFactory) -> None:
    projects = clients.projects_grpc()
    assert projects.get_project(name=f"projects/{P}").project_id == P
    policy = projects.get_iam_policy(request={"resource": f"projects/{P}"})
    policy.bindings.add(role="roles/viewer", members=["user:dev@example.com"])
    projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
    over_rest = clients.projects().get_iam_policy(request={"resource": f"projects/{P}"})
    assert any(b.role == "roles/viewer" for b in over_rest.bindings)
    held = projects.test_iam_permissions(
        request={"resource": f"projects/{P}", "permissions": ["resourcemanager.projects.get"]}
    )
    assert list(held.permissions) == ["resourcemanager.projects.get"]
