"""Q16 in the sandbox: public nodes hold external IPs, and GKE refuses a create that needs
more than the project's IN_USE_ADDRESSES (free trial: 4)."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke

from gkeplan_emulator import Emulator, EmulatorConfig

ZONE = "projects/demo-project/locations/us-central1-c"


def _cluster(private: bool) -> gke.Cluster:
    return gke.Cluster(
        name="c1",
        node_pools=[
            gke.NodePool(
                name="pool",
                initial_node_count=5,
                config=gke.NodeConfig(machine_type="f1-micro", disk_type="pd-standard"),
            )
        ],
        private_cluster_config=gke.PrivateClusterConfig(enable_private_nodes=private),
    )


def test_five_public_nodes_exceed_four_in_use_addresses() -> None:
    with Emulator(EmulatorConfig(project="demo-project")) as emu:
        client = emu.clients().container()
        with pytest.raises(gexc.Forbidden) as info:
            client.create_cluster(parent=ZONE, cluster=_cluster(private=False))
        assert "resource \"IN_USE_ADDRESSES\": request requires '5.0'" in str(info.value)
        client.create_cluster(parent=ZONE, cluster=_cluster(private=True))  # no IPs needed
