"""What GKE fills in on a cluster it answers (output-only fields), and its server config.

gcloud reads these where Google's Python clients mostly do not: `clusters list` prints
currentNodeCount as NUM_NODES, `describe` shows the CIDRs, `get-credentials --internal-ip` and
`--dns-endpoint` (and `create` of a private cluster, which writes the kubeconfig) read the
private and DNS endpoints, `get-server-config` lists the versions.
"""

from __future__ import annotations

import hashlib
import ipaddress
from typing import TYPE_CHECKING

from google.cloud import container_v1 as gke

from gkeplan_emulator import facts
from gkeplan_emulator.services.container.model import (
    CHANNEL_DEFAULTS,
    VERSION,
    VERSIONS,
    _key,
)

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

# "As of GKE version 1.29 and Autopilot 1.27, the service ip range is given a default of
# 34.118.224.0/20 per cluster" (terraform-google-modules/terraform-google-kubernetes-engine#1949)
DEFAULT_SERVICES_CIDR = "34.118.224.0/20"
# GKE picks a pod range "with the default size" when none is given (IPAllocationPolicy
# cluster_ipv4_cidr_block, container v1), a /14 ("we are creating clusters with default to
# /14 allocation", gitlab-org/gitlab#30795); which /14 of 10.0.0.0/8 is the emulator's choice.
DEFAULT_POD_PREFIX = 14
# GKE's image types a node pool may name (NodeConfig.imageType, "Node images" in the GKE
# docs: https://cloud.google.com/kubernetes-engine/docs/concepts/node-images); COS with
# containerd is the default.
IMAGE_TYPES = ("COS_CONTAINERD", "UBUNTU_CONTAINERD", "WINDOWS_LTSC_CONTAINERD")
# Versions "now available in the Stable channel" on 2026-07-10 (container.py's sources).
STABLE_AVAILABLE = ("1.34.8-gke.1278000", "1.33.12-gke.1165000")


def _secondary(backend: Backend, cluster: gke.Cluster, range_name: str) -> str | None:
    compute = backend.models.get("compute")
    if compute is None or not range_name or not cluster.subnetwork:
        return None
    sub = compute.subnetwork(facts.region_of(cluster.location), cluster.subnetwork)
    for item in (sub or {}).get("secondaryIpRanges", []):
        if item.get("rangeName") == range_name:
            return str(item.get("ipCidrRange"))
    return None


def _asked(block: str) -> str | None:
    """A CIDR the request named ("/14" alone asks GKE to choose one of that size)."""
    return block if block and not block.startswith("/") else None


def fill_outputs(backend: Backend, cluster: gke.Cluster, full: str, index: int) -> None:
    """The output-only fields of a new cluster: id, pod and service ranges, endpoints."""
    # Cluster.id "Output only. Unique id for the cluster." (container v1): opaque, a digest
    cluster.id = hashlib.sha256(f"{full}@{cluster.create_time}".encode()).hexdigest()
    policy = cluster.ip_allocation_policy
    pods = (
        _asked(policy.cluster_ipv4_cidr_block)
        or _secondary(backend, cluster, policy.cluster_secondary_range_name)
        or _asked(cluster.cluster_ipv4_cidr)
        or f"10.{index % 64 * 4}.0.0/{DEFAULT_POD_PREFIX}"
    )
    services = (
        _asked(policy.services_ipv4_cidr_block)
        or _secondary(backend, cluster, policy.services_secondary_range_name)
        or DEFAULT_SERVICES_CIDR
    )
    cluster.cluster_ipv4_cidr = pods
    cluster.services_ipv4_cidr = services
    if policy.use_ip_aliases:
        policy.cluster_ipv4_cidr_block = policy.cluster_ipv4_cidr = pods
        policy.services_ipv4_cidr_block = policy.services_ipv4_cidr = services
        cluster.ip_allocation_policy = policy
    _endpoints(backend, cluster)


def _endpoints(backend: Backend, cluster: gke.Cluster) -> None:
    """ControlPlaneEndpointsConfig, which GKE answers for every cluster: the DNS endpoint
    ("Output only. The cluster's DNS endpoint configuration. A DNS format address.") and the
    IP endpoints (enabled "Controls whether to allow direct IP access.", publicEndpoint,
    privateEndpoint) (container v1 DNSEndpointConfig, IPEndpointsConfig); a private
    cluster's PrivateClusterConfig carries the same two addresses (deprecated mirrors)."""
    private = cluster.private_cluster_config
    config = cluster.control_plane_endpoints_config
    # the name's shape (gke-<id>-<project number>.<location>.gke.goog) is the emulator's
    config.dns_endpoint_config.endpoint = (
        f"gke-{cluster.id[:32]}-{backend.config.project_number}.{cluster.location}.gke.goog"
    )
    ip = config.ip_endpoints_config
    if "enabled" not in ip:  # optional fields: `in` asks whether the request set them
        ip.enabled = True
    if "enable_public_endpoint" not in ip:
        ip.enable_public_endpoint = not private.enable_private_endpoint
    ip.public_endpoint = cluster.endpoint
    if private.enable_private_nodes:
        block = private.master_ipv4_cidr_block or "172.16.0.0/28"
        ip.private_endpoint = str(ipaddress.ip_network(block, strict=False)[2])
        private.private_endpoint = ip.private_endpoint
        private.public_endpoint = cluster.endpoint
        cluster.private_cluster_config = private
    config.ip_endpoints_config = ip
    cluster.control_plane_endpoints_config = config


def cluster_view(cluster: gke.Cluster) -> gke.Cluster:
    """The cluster as GKE answers it: with the fields it derives from the node pools.

    nodeConfig: "For responses, this field will be populated with the node configuration of
    the first node pool."; currentNodeCount: "Output only. The number of nodes currently in the
    cluster." (container v1 Cluster); a pool's nodes are its count in each of its zones."""
    out: gke.Cluster = gke.Cluster.deserialize(gke.Cluster.serialize(cluster))
    if out.node_pools:
        out.node_config = out.node_pools[0].config
    out.current_node_count = sum(
        p.initial_node_count * max(len(p.locations), 1) for p in out.node_pools
    )
    return out


def server_config() -> gke.ServerConfig:
    """projects.locations.getServerConfig (container v1 ServerConfig): the versions GKE offers
    as of container.VERSIONS_DATE, "in descending order", and each channel's default."""
    newest_first = sorted(set(VERSIONS), key=_key, reverse=True)
    channels = []
    for channel, default in CHANNEL_DEFAULTS.items():
        valid = [default, *(STABLE_AVAILABLE if channel == "STABLE" else ())]
        channels.append(
            gke.ServerConfig.ReleaseChannelConfig(
                channel=getattr(gke.ReleaseChannel.Channel, channel),
                default_version=default,
                valid_versions=sorted(valid, key=_key, reverse=True),
            )
        )
    return gke.ServerConfig(
        default_cluster_version=VERSION,
        valid_master_versions=newest_first,
        valid_node_versions=newest_first,
        default_image_type=IMAGE_TYPES[0],
        valid_image_types=list(IMAGE_TYPES),
        channels=channels,
    )
