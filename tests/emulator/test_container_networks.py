"""GKE's checks of the network and subnetwork a new cluster names, through
ClusterManagerClient(transport="rest") and the Compute Engine clients."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke
from google.cloud.compute_v1.types import Network, Subnetwork, SubnetworkSecondaryRange

from gkeplan.gcp.connection import Connection
from gkeplan.gcp.sandbox import connection_for
from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-c"


def _network(conn: Connection) -> None:
    conn.compute("networks").insert(
        project=P, network_resource=Network(name="ml-net", auto_create_subnetworks=False)
    )
    conn.compute("subnetworks").insert(
        project=P,
        region="us-central1",
        subnetwork_resource=Subnetwork(
            name="ml-subnet",
            network=f"projects/{P}/global/networks/ml-net",
            ip_cidr_range="10.10.0.0/20",
            secondary_ip_ranges=[
                SubnetworkSecondaryRange(range_name="pods", ip_cidr_range="10.20.0.0/14")
            ],
        ),
    )


def _cluster(subnetwork: str, pods: str = "pods") -> gke.Cluster:
    return gke.Cluster(
        name="c1",
        network="ml-net",
        subnetwork=subnetwork,
        ip_allocation_policy=gke.IPAllocationPolicy(
            use_ip_aliases=True, cluster_secondary_range_name=pods
        ),
        node_pools=[gke.NodePool(name="p", initial_node_count=1)],
    )


def test_a_cluster_uses_an_existing_subnetwork_and_its_ranges(conn: Connection) -> None:
    _network(conn)
    conn.container().create_cluster(parent=ZONE, cluster=_cluster("ml-subnet"))
    got = conn.container().get_cluster(name=f"{ZONE}/clusters/c1")
    assert got.ip_allocation_policy.cluster_secondary_range_name == "pods"


def test_a_subnetwork_the_network_lacks_is_refused(conn: Connection) -> None:
    _network(conn)
    with pytest.raises(gexc.BadRequest, match=r'Subnetwork ".*/subnetworks/nope" is not valid'):
        conn.container().create_cluster(parent=ZONE, cluster=_cluster("nope"))


def test_a_secondary_range_the_subnetwork_lacks_is_refused(conn: Connection) -> None:
    _network(conn)
    with pytest.raises(gexc.BadRequest, match='Pod secondary range "pods2" not found'):
        conn.container().create_cluster(parent=ZONE, cluster=_cluster("ml-subnet", "pods2"))


def test_a_custom_mode_network_needs_a_subnetwork(conn: Connection) -> None:
    _network(conn)
    cluster = _cluster("")
    with pytest.raises(gexc.BadRequest, match="uses manual subnet mode"):
        conn.container().create_cluster(parent=ZONE, cluster=cluster)


def test_a_subnetwork_holding_a_clusters_nodes_is_not_deleted() -> None:
    clock = ManualClock()  # each operation is done once the clock moves past it
    with Emulator(EmulatorConfig(), clock=clock) as emu:
        conn = connection_for(emu)
        _network(conn)
        conn.container().create_cluster(parent=ZONE, cluster=_cluster("ml-subnet"))
        clock.advance(1)
        subnetworks = conn.compute("subnetworks")
        with pytest.raises(gexc.BadRequest, match="instanceGroupManagers/gke-c1-p-grp"):
            subnetworks.delete(project=P, region="us-central1", subnetwork="ml-subnet")
        conn.container().delete_cluster(name=f"{ZONE}/clusters/c1")
        clock.advance(1)
        subnetworks.delete(project=P, region="us-central1", subnetwork="ml-subnet")
