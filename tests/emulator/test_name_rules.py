"""The emulator's name rules at their edges, through Google's clients, as gkeplan's
(tests/spec/test_name_audit.py): the longest name each source allows is created, one character
more is a 400. Sources: the discovery documents' name fields (iam accountId, compute
Network.name, secretmanager secretId, container Cluster.name), GKE's node_pool.name 400
(pulumi/pulumi-gcp#1510) and https://cloud.google.com/storage/docs/buckets#naming."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from google.api_core import exceptions as gexc
from google.cloud import container_v1 as gke
from google.cloud.compute_v1.types import Network

from gkeplan.gcp.connection import Connection

P = "demo-project"
ZONE = f"projects/{P}/locations/us-central1-c"


def _account(conn: Connection, name: str) -> Any:
    return conn.iam().create_service_account(
        request={"name": f"projects/{P}", "account_id": name, "service_account": {}}
    )


def _bucket(conn: Connection, name: str) -> Any:
    return conn.storage().create_bucket(name, location="us-central1")


def _network(conn: Connection, name: str) -> Any:
    net = Network(name=name, auto_create_subnetworks=False)
    networks = conn.compute("networks")
    networks.insert(project=P, network_resource=net).result(timeout=30)
    return networks.get(project=P, network=name)


def _secret(conn: Connection, name: str) -> Any:
    client = conn.rest_client("google.cloud.secretmanager_v1:SecretManagerServiceClient")
    return client.create_secret(
        request={
            "parent": f"projects/{P}",
            "secret_id": name,
            "secret": {"replication": {"automatic": {}}},
        }
    )


def _cluster(conn: Connection, name: str) -> Any:
    pool = gke.NodePool(name="pool", initial_node_count=1)
    return conn.container().create_cluster(
        parent=ZONE, cluster=gke.Cluster(name=name, node_pools=[pool])
    )


def _pool(conn: Connection, name: str) -> Any:
    pool = gke.NodePool(name=name, initial_node_count=1)
    return conn.container().create_cluster(
        parent=ZONE, cluster=gke.Cluster(name="c", node_pools=[pool])
    )


EDGES: dict[str, tuple[Callable[[Connection, str], Any], int]] = {
    "service account": (_account, 30),
    "bucket": (_bucket, 63),
    "network": (_network, 63),
    "secret": (_secret, 255),
    "cluster": (_cluster, 40),
    "node pool": (_pool, 40),
}


@pytest.mark.parametrize("what", sorted(EDGES))
def test_the_longest_name_is_made_and_one_more_character_is_400(
    conn: Connection, what: str
) -> None:
    make, longest = EDGES[what]
    with pytest.raises(gexc.BadRequest):
        make(conn, "a" + "b" * (longest - 1) + "1")
    assert make(conn, "a" + "b" * (longest - 2) + "1") is not None
