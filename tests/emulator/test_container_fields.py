"""Kubernetes Engine's cluster and node-pool fields of issue 13, through ClusterManagerClient:
stored and returned as sent, changed by GKE's own update calls, refused as GKE refuses."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan_emulator import Emulator, EmulatorConfig
from gkeplan_emulator.clientfactory import ClientFactory

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-c"
C1 = f"{ZONE}/clusters/c1"


@pytest.fixture
def clients() -> Iterator[ClientFactory]:
    """Operations that finish at once, so one call may follow another on the same cluster."""
    with Emulator(EmulatorConfig(operation_s={})) as emu:
        yield emu.clients()


def _pool(**config: object) -> gke.NodePool:
    return gke.NodePool(
        name="pool",
        initial_node_count=1,
        config=gke.NodeConfig(machine_type="e2-medium", **config),
    )


def test_version_aliases_resolve_as_gke_and_unknown_ones_are_refused(
    clients: ClientFactory,
) -> None:
    client = clients.container()
    client.create_cluster(
        parent=ZONE,
        cluster=gke.Cluster(name="c1", initial_cluster_version="1.30", node_pools=[_pool()]),
    )
    got = client.get_cluster(name=C1)
    assert got.current_master_version == "1.30.5-gke.1014003"  # "1.X": its highest patch
    assert got.node_pools[0].version == "1.30.5-gke.1014003"  # unset: the master's
    op = client.update_cluster(name=C1, update=gke.ClusterUpdate(desired_master_version="latest"))
    assert op.operation_type == gke.Operation.Type.UPGRADE_MASTER
    # "latest": the newest version GKE served on its list's date (Rapid's default, 2026-09-23)
    assert client.get_cluster(name=C1).current_master_version == "1.36.4-gke.1391000"
    with pytest.raises(
        gexc.BadRequest, match=re.escape('Master version "1.2.3-gke.4" is unsupported.')
    ):
        client.create_cluster(
            parent=ZONE,
            cluster=gke.Cluster(
                name="c2", initial_cluster_version="1.2.3-gke.4", node_pools=[_pool()]
            ),
        )


def test_fields_are_stored_and_returned_as_sent(clients: ClientFactory) -> None:
    client = clients.container()
    cluster = gke.Cluster(
        name="c1",
        node_pools=[
            _pool(
                tags=["gke-node"],
                metadata={"team": "ml"},
                gcfs_config=gke.GcfsConfig(enabled=True),
                local_ssd_count=1,
                ephemeral_storage_local_ssd_config=gke.EphemeralStorageLocalSsdConfig(
                    local_ssd_count=2
                ),
            )
        ],
        addons_config=gke.AddonsConfig(
            gcs_fuse_csi_driver_config=gke.GcsFuseCsiDriverConfig(enabled=True),
            http_load_balancing=gke.HttpLoadBalancing(disabled=True),
        ),
        logging_config=gke.LoggingConfig(
            component_config=gke.LoggingComponentConfig(enable_components=["SYSTEM_COMPONENTS"])
        ),
        binary_authorization=gke.BinaryAuthorization(
            evaluation_mode="PROJECT_SINGLETON_POLICY_ENFORCE"
        ),
        network_config=gke.NetworkConfig(
            enable_intra_node_visibility=True, datapath_provider="ADVANCED_DATAPATH"
        ),
        authenticator_groups_config=gke.AuthenticatorGroupsConfig(
            enabled=True, security_group="gke-security-groups@example.com"
        ),
        autoscaling=gke.ClusterAutoscaling(
            enable_node_autoprovisioning=True,
            resource_limits=[
                gke.ResourceLimit(resource_type="cpu", maximum=8),
                gke.ResourceLimit(resource_type="memory", maximum=32),
            ],
        ),
    )
    client.create_cluster(parent=ZONE, cluster=cluster)
    got = client.get_cluster(name=C1)
    assert got.addons_config.gcs_fuse_csi_driver_config.enabled
    assert got.addons_config.http_load_balancing.disabled
    assert got.binary_authorization.evaluation_mode.name == "PROJECT_SINGLETON_POLICY_ENFORCE"
    assert got.network_config.datapath_provider.name == "ADVANCED_DATAPATH"
    assert got.autoscaling.resource_limits[0].maximum == 8
    config = got.node_pools[0].config
    assert list(config.tags) == ["gke-node"]
    # GKE adds disable-legacy-endpoints (Google provider docs, terraform-provider-google#3725)
    assert dict(config.metadata) == {"team": "ml", "disable-legacy-endpoints": "true"}
    assert config.gcfs_config.enabled and config.local_ssd_count == 1
    assert config.ephemeral_storage_local_ssd_config.local_ssd_count == 2


def test_set_addons_changes_only_the_add_ons_it_names(clients: ClientFactory) -> None:
    client = clients.container()
    client.create_cluster(
        parent=ZONE,
        cluster=gke.Cluster(
            name="c1",
            node_pools=[_pool()],
            addons_config=gke.AddonsConfig(
                gce_persistent_disk_csi_driver_config=gke.GcePersistentDiskCsiDriverConfig(
                    enabled=True
                )
            ),
        ),
    )
    op = client.set_addons_config(
        name=C1,
        addons_config=gke.AddonsConfig(
            gcs_fuse_csi_driver_config=gke.GcsFuseCsiDriverConfig(enabled=True)
        ),
    )
    assert op.operation_type == gke.Operation.Type.UPDATE_CLUSTER
    addons = client.get_cluster(name=C1).addons_config
    assert addons.gcs_fuse_csi_driver_config.enabled
    assert addons.gce_persistent_disk_csi_driver_config.enabled


def test_set_addons_over_grpc(clients: ClientFactory) -> None:
    grpc_client = clients.container_grpc()
    clients.container().create_cluster(
        parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()])
    )
    grpc_client.set_addons_config(
        name=C1,
        addons_config=gke.AddonsConfig(
            gcp_filestore_csi_driver_config=gke.GcpFilestoreCsiDriverConfig(enabled=True)
        ),
    )
    assert grpc_client.get_cluster(name=C1).addons_config.gcp_filestore_csi_driver_config.enabled


def test_pool_updates_apply_tags_image_streaming_and_version(clients: ClientFactory) -> None:
    client = clients.container()
    client.create_cluster(
        parent=ZONE,
        cluster=gke.Cluster(name="c1", initial_cluster_version="1.30", node_pools=[_pool()]),
    )
    op = client.update_node_pool(
        request={
            "name": f"{C1}/nodePools/pool",
            "node_version": "1.30.5",
            "image_type": "COS_CONTAINERD",
            "tags": gke.NetworkTags(tags=["a", "b"]),
            "gcfs_config": gke.GcfsConfig(enabled=True),
        }
    )
    assert op.operation_type == gke.Operation.Type.UPGRADE_NODES
    pool = client.get_node_pool(name=f"{C1}/nodePools/pool")
    assert list(pool.config.tags) == ["a", "b"] and pool.config.gcfs_config.enabled
    assert pool.version == "1.30.5-gke.1014003"


def test_autopilot_has_no_pools_of_its_own(clients: ClientFactory) -> None:
    client = clients.container()
    region = f"projects/{P}/locations/us-central1"
    autopilot = gke.Autopilot(enabled=True)
    with pytest.raises(gexc.BadRequest, match="Autopilot node pools cannot be accessed"):
        client.create_cluster(
            parent=region, cluster=gke.Cluster(name="ap", autopilot=autopilot, node_pools=[_pool()])
        )
    with pytest.raises(gexc.BadRequest, match="Autopilot clusters must be regional clusters"):
        client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="ap", autopilot=autopilot))
    client.create_cluster(parent=region, cluster=gke.Cluster(name="ap", autopilot=autopilot))
    got = client.get_cluster(name=f"{region}/clusters/ap")
    assert got.autopilot.enabled and list(got.node_pools) == []  # no default pool either
    with pytest.raises(gexc.BadRequest, match="Autopilot node pools cannot be accessed"):
        client.list_node_pools(parent=f"{region}/clusters/ap")
    with pytest.raises(gexc.BadRequest, match="Autopilot node pools cannot be accessed"):
        client.create_node_pool(parent=f"{region}/clusters/ap", node_pool=_pool())


def test_reserved_metadata_keys_are_refused(clients: ClientFactory) -> None:
    with pytest.raises(gexc.BadRequest, match='"kube-env" is reserved'):
        clients.container().create_cluster(
            parent=ZONE,
            cluster=gke.Cluster(name="c1", node_pools=[_pool(metadata={"kube-env": "x"})]),
        )


def test_node_auto_provisioning_needs_cpu_and_memory_limits(clients: ClientFactory) -> None:
    client = clients.container()
    cpu_only = gke.ClusterAutoscaling(
        enable_node_autoprovisioning=True,
        resource_limits=[gke.ResourceLimit(resource_type="cpu", maximum=8)],
    )
    with pytest.raises(gexc.BadRequest, match="Resource limits for cpu, memory must be specified"):
        client.create_cluster(
            parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()], autoscaling=cpu_only)
        )
    client.create_cluster(parent=ZONE, cluster=gke.Cluster(name="c1", node_pools=[_pool()]))
    limits_only = gke.ClusterAutoscaling(resource_limits=cpu_only.resource_limits)
    with pytest.raises(gexc.BadRequest, match="supported only with node autoprovisioning"):
        client.update_cluster(
            name=C1, update=gke.ClusterUpdate(desired_cluster_autoscaling=limits_only)
        )
