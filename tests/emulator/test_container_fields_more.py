"""Kubernetes Engine's fields of issue 24 through ClusterManagerClient: the emulator keeps the
older and the newer places of a setting in step as GKE returns them, takes a maintenance
policy with a new resourceVersion, and refuses what GKE refuses."""

from __future__ import annotations

import re

import pytest
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan_emulator.clientfactory import ClientFactory

from .test_container_fields import C1, ZONE
from .test_container_fields import clients as clients  # the same emulator, operations at once


def _pool(**fields: object) -> gke.NodePool:
    return gke.NodePool(
        name="pool", initial_node_count=1, config=gke.NodeConfig(machine_type="e2-medium"), **fields
    )


def test_global_access_is_read_where_gke_keeps_it_now_and_changes_in_both_places(
    clients: ClientFactory,
) -> None:
    client = clients.container()
    private = gke.PrivateClusterConfig(
        enable_private_nodes=True,
        master_ipv4_cidr_block="172.16.0.0/28",
        master_global_access_config=gke.PrivateClusterMasterGlobalAccessConfig(enabled=True),
    )
    cluster = gke.Cluster(name="c1", private_cluster_config=private, node_pools=[_pool()])
    client.create_cluster(parent=ZONE, cluster=cluster)
    ip = client.get_cluster(name=C1).control_plane_endpoints_config.ip_endpoints_config
    assert ip.global_access and ip.enabled and ip.enable_public_endpoint
    off = gke.ControlPlaneEndpointsConfig(
        ip_endpoints_config=gke.ControlPlaneEndpointsConfig.IPEndpointsConfig(global_access=False)
    )
    client.update_cluster(
        name=C1, update=gke.ClusterUpdate(desired_control_plane_endpoints_config=off)
    )
    got = client.get_cluster(name=C1)
    assert not got.control_plane_endpoints_config.ip_endpoints_config.global_access
    assert got.control_plane_endpoints_config.ip_endpoints_config.enable_public_endpoint
    assert not got.private_cluster_config.master_global_access_config.enabled


def test_a_maintenance_policy_gets_a_new_resource_version_each_time(
    clients: ClientFactory,
) -> None:
    client = clients.container()
    client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()]))
    daily = gke.MaintenanceWindow(
        daily_maintenance_window=gke.DailyMaintenanceWindow(start_time="03:00")
    )
    op = client.set_maintenance_policy(
        name=C1, maintenance_policy=gke.MaintenancePolicy(window=daily)
    )
    assert op.operation_type == gke.Operation.Type.SET_MAINTENANCE_POLICY
    first = client.get_cluster(name=C1).maintenance_policy
    assert first.window.daily_maintenance_window.start_time == "03:00"
    assert first.resource_version
    later = gke.MaintenanceWindow(
        daily_maintenance_window=gke.DailyMaintenanceWindow(start_time="05:00")
    )
    policy = gke.MaintenancePolicy(window=later, resource_version=first.resource_version)
    client.set_maintenance_policy(name=C1, maintenance_policy=policy)
    second = client.get_cluster(name=C1).maintenance_policy
    assert second.window.daily_maintenance_window.start_time == "05:00"
    assert second.resource_version != first.resource_version


def test_queued_provisioning_with_a_reservation_is_refused_as_gke_refuses_it(
    clients: ClientFactory,
) -> None:
    client = clients.container()
    client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()]))
    queued = _pool(queued_provisioning=gke.NodePool.QueuedProvisioning(enabled=True))
    queued.name = "dws"
    with pytest.raises(
        gexc.BadRequest,
        match=re.escape("Queued_provisioning requires reservation affinity to be set to none"),
    ):
        client.create_node_pool(parent=C1, node_pool=queued)
    none = gke.ReservationAffinity(consume_reservation_type="NO_RESERVATION")
    queued.config.reservation_affinity = none
    client.create_node_pool(parent=C1, node_pool=queued)
    got = client.get_node_pool(name=f"{C1}/nodePools/dws")
    assert got.queued_provisioning.enabled
