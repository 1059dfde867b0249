"""Kubernetes Engine through ClusterManagerClient(transport="rest")."""

from __future__ import annotations

import re

import pytest
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan.gcp.connection import Connection
from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-c"


def _pool(
    name: str = "pool", machine: str = "n2-standard-4", count: int = 1, sa: str = ""
) -> gke.NodePool:
    return gke.NodePool(
        name=name,
        initial_node_count=count,
        config=gke.NodeConfig(machine_type=machine, service_account=sa),
    )


def test_create_moves_from_provisioning_to_running_with_the_clock() -> None:
    clock = ManualClock()
    config = EmulatorConfig(operation_s={"createCluster": 300.0, "deleteCluster": 60.0})
    with Emulator(config, clock=clock) as emu:
        client = emu.clients().container()
        op = client.create_cluster(
            parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()])
        )
        assert op.status == gke.Operation.Status.RUNNING
        assert (
            client.get_cluster(name=f"{ZONE}/clusters/c1").status == gke.Cluster.Status.PROVISIONING
        )
        clock.advance(301)
        done = client.get_operation(name=f"{ZONE}/operations/{op.name}")
        assert done.status == gke.Operation.Status.DONE
        cluster = client.get_cluster(name=f"{ZONE}/clusters/c1")
        assert cluster.status == gke.Cluster.Status.RUNNING
        assert [p.name for p in cluster.node_pools] == ["pool"]
        client.delete_cluster(name=f"{ZONE}/clusters/c1")
        assert client.get_cluster(name=f"{ZONE}/clusters/c1").status == gke.Cluster.Status.STOPPING
        clock.advance(61)
        with pytest.raises(gexc.NotFound):
            client.get_cluster(name=f"{ZONE}/clusters/c1")


def test_list_across_locations_and_duplicate_create(conn: Connection) -> None:
    client = conn.container()
    client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()]))
    with pytest.raises(gexc.Conflict, match="Already exists"):
        client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()]))
    names = [c.name for c in client.list_clusters(parent=f"projects/{P}/locations/-").clusters]
    assert names == ["c1"]


def test_regional_cluster_over_n2_quota_is_refused_with_gkes_words(conn: Connection) -> None:
    client = conn.container()
    region = f"projects/{P}/locations/us-central1"
    with pytest.raises(gexc.Forbidden) as info:
        client.create_cluster(
            parent=region,
            cluster=gke.Cluster(
                name="big",
                node_pools=[_pool(count=2)],
                # private nodes: no external IPs, so N2_CPUS is the only quota exceeded
                private_cluster_config=gke.PrivateClusterConfig(enable_private_nodes=True),
            ),
        )
    assert (
        'Insufficient regional quota to satisfy request: resource "N2_CPUS": request requires '
        "'24.0' and is short '16.0'. project has a quota of '8.0' with '8.0' available. View "
        "and manage quotas at https://console.cloud.google.com/iam-admin/quotas?usage=USED&"
        f"project={P}"
    ) in str(info.value)
    assert info.value.code == 403
    body = info.value.response.json()["error"]
    assert body["status"] == "PERMISSION_DENIED"
    assert "QUOTA_EXCEEDED" not in str(body)  # GKE sends no such reason


def test_quota_over_all_regions_is_refused_as_project_quota(conn: Connection) -> None:
    """kubeflow/website#1065: 'Insufficient project quota ... resource "CPUS_ALL_REGIONS"'."""
    client = conn.container()
    client.create_cluster(
        parent=ZONE, cluster=gke.Cluster(name="one", node_pools=[_pool(machine="e2-standard-8")])
    )
    with pytest.raises(gexc.Forbidden) as info:
        client.create_cluster(
            parent=f"projects/{P}/locations/europe-west1-b",
            cluster=gke.Cluster(name="two", node_pools=[_pool(machine="e2-standard-8")]),
        )
    assert str(info.value).endswith(
        'Insufficient project quota to satisfy request: resource "CPUS_ALL_REGIONS": request '
        "requires '8.0' and is short '4.0'. project has a quota of '12.0' with '4.0' available. "
        "View and manage quotas at https://console.cloud.google.com/iam-admin/quotas?"
        f"usage=USED&project={P}"
    )


def test_quota_counts_initial_nodes_in_every_zone_not_the_autoscaling_maximum(
    conn: Connection,
) -> None:
    client = conn.container()
    pool = _pool(machine="e2-standard-2")
    pool.config.disk_size_gb = 20
    pool.autoscaling = gke.NodePoolAutoscaling(enabled=True, min_node_count=1, max_node_count=50)
    region = f"projects/{P}/locations/us-central1"
    client.create_cluster(parent=region, cluster=gke.Cluster(name="r1", node_pools=[pool]))
    # 1 node x 3 zones x 2 vCPUs = 6 of the 8 regional CPUS: a second such pool is 6 more
    second = _pool("p2", "e2-standard-2")
    second.config.disk_size_gb = 20
    short = re.escape("\"CPUS\": request requires '6.0' and is short '4.0'")
    with pytest.raises(gexc.Forbidden, match=short):
        client.create_cluster(parent=region, cluster=gke.Cluster(name="r2", node_pools=[second]))


def test_nodes_running_as_an_account_need_act_as(emulator: Emulator, conn: Connection) -> None:
    sa = conn.iam().create_service_account(
        request={"name": f"projects/{P}", "account_id": "gke-node"}
    )
    pol = conn.projects().get_iam_policy(request={"resource": f"projects/{P}"})
    pol.bindings.add(role="roles/container.clusterAdmin", members=["user:admin@example.com"])
    conn.projects().set_iam_policy(request={"resource": f"projects/{P}", "policy": pol})
    admin = emulator.clients(emulator.credentials_for("user:admin@example.com")).container()
    with pytest.raises(gexc.BadRequest) as info:
        admin.create_cluster(
            parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool(sa=sa.email)])
        )
    # GKE's words and status (rancher/rancher#10553: "Error 400: The user does not have access
    # to service account ..., badRequest")
    assert info.value.code == 400
    assert str(info.value).endswith(
        f'The user does not have access to service account "{sa.email}". Ask a project owner '
        "to grant you the iam.serviceAccountUser role on the service account"
    )
    body = info.value.response.json()["error"]
    assert body["status"] == "INVALID_ARGUMENT"
    assert body["errors"][0]["reason"] == "badRequest"


def test_node_pool_lifecycle(conn: Connection) -> None:
    from gkeplan.gcp import operations
    from gkeplan.run.target import sandbox_timeouts

    client = conn.container()

    def wait(op: gke.Operation) -> None:
        operations.wait(client, P, "us-central1-c", op, sandbox_timeouts(), "test")

    wait(client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()])))
    cluster = f"{ZONE}/clusters/c1"
    op = client.create_node_pool(parent=cluster, node_pool=_pool("extra", "e2-medium"))
    with pytest.raises(gexc.BadRequest, match="Cluster is running incompatible operation"):
        client.create_node_pool(parent=cluster, node_pool=_pool("more", "e2-medium"))
    wait(op)
    pools = client.list_node_pools(parent=cluster).node_pools
    assert sorted(p.name for p in pools) == ["extra", "pool"]
    wait(
        client.set_node_pool_autoscaling(
            request={
                "name": f"{cluster}/nodePools/extra",
                "autoscaling": {"enabled": True, "min_node_count": 1, "max_node_count": 3},
            }
        )
    )
    assert client.get_node_pool(name=f"{cluster}/nodePools/extra").autoscaling.max_node_count == 3
    wait(client.delete_node_pool(name=f"{cluster}/nodePools/extra"))
    assert [p.name for p in client.list_node_pools(parent=cluster).node_pools] == ["pool"]


def test_unknown_fields_are_rejected_like_google(emulator: Emulator) -> None:
    import requests

    token = emulator.issue_token(emulator.config.applier)
    resp = requests.post(
        f"{emulator.endpoints.http}/v1/{ZONE}/clusters",
        json={"cluster": {"name": "c1", "nodePoolz": []}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert resp.status_code == 400
    assert resp.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_network_policy_enforcement_needs_its_add_on_first() -> None:
    clock = ManualClock()  # each operation is done once the clock moves past it
    with Emulator(EmulatorConfig(), clock=clock) as emu:
        client = emu.clients().container()
        client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="np", node_pools=[_pool()]))
        clock.advance(1)
        name = f"{ZONE}/clusters/np"
        policy = gke.NetworkPolicy(enabled=True, provider=gke.NetworkPolicy.Provider.CALICO)
        with pytest.raises(gexc.BadRequest, match="network policy addon must be enabled"):
            client.set_network_policy(request={"name": name, "network_policy": policy})
        addon = gke.AddonsConfig(network_policy_config=gke.NetworkPolicyConfig(disabled=False))
        client.update_cluster(
            request={"name": name, "update": gke.ClusterUpdate(desired_addons_config=addon)}
        )
        clock.advance(1)
        assert not client.get_cluster(name=name).network_policy.enabled  # the add-on alone
        client.set_network_policy(request={"name": name, "network_policy": policy})
        clock.advance(1)
        assert client.get_cluster(name=name).network_policy.enabled


def test_a_node_pool_name_over_40_characters_is_refused_in_gkes_words(conn: Connection) -> None:
    # 'Invalid value for field "node_pool.name": ... no longer than 40 characters).'
    # (GKE's 400, quoted in pulumi/pulumi-gcp#1510)
    client = conn.container()
    with pytest.raises(gexc.BadRequest, match=r'Invalid value for field "node_pool\.name"'):
        client.create_cluster(
            parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool("p" * 41)])
        )
    op = client.create_cluster(
        parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool("p" * 40)])
    )
    assert op.name
