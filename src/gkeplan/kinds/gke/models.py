"""The spec models of GKE: clusters and the node pools nested in them."""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal, cast

from pydantic import Field, field_validator

from gkeplan import catalog
from gkeplan.spec.base import Document, Labels, Model, Name, Resource
from gkeplan.spec.limits import INT64_MAX, MAX_NODES_PER_POOL_ZONE, NodesPerZone, NonNegInt32
from gkeplan.spec.strings import OAuthScopes


class Autoscaling(Model):
    # per zone, at most GKE's 1,000 nodes per node pool zone (see limits.py)
    min_node_count: NodesPerZone = 0
    max_node_count: Annotated[int, Field(ge=1, le=MAX_NODES_PER_POOL_ZONE)] = 1
    location_policy: Literal["BALANCED", "ANY"] | None = None


class Accelerator(Model):
    type: Name = Field(description="e.g. nvidia-tesla-t4")
    count: Annotated[int, Field(ge=1, le=INT64_MAX)] = 1  # acceleratorCount is an int64


class Taint(Model):
    key: Name
    value: str = ""
    effect: Literal["NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"]


class UpgradeSettings(Model):
    max_surge: NonNegInt32 = 1  # int32 in GKE's UpgradeSettings
    max_unavailable: NonNegInt32 = 0
    strategy: Literal["SURGE", "BLUE_GREEN"] = "SURGE"


class Management(Model):
    auto_repair: bool = True
    auto_upgrade: bool = True


class ShieldedInstance(Model):
    enable_secure_boot: bool = True
    enable_integrity_monitoring: bool = True


class NodePool(Resource):
    name: str | None = Field(None, description="GKE node pool name; defaults to the key.")
    machine_type: Name = "e2-medium"
    initial_node_count: NodesPerZone = 1
    autoscaling: Autoscaling | None = None
    node_locations: list[str] | None = None
    spot: bool = False
    preemptible: bool = False
    # GKE NodeConfig.diskSizeGb: "The smallest allowed disk size is 10GB"
    # (https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/NodeConfig); 65,536 GB
    # (64 TiB) is the largest persistent disk Compute Engine makes.
    disk_size_gb: Annotated[int, Field(ge=10, le=65536)] = 100
    disk_type: Literal["pd-standard", "pd-balanced", "pd-ssd", "hyperdisk-balanced"] | None = Field(
        None,
        description="Boot disk type; default hyperdisk-balanced on Hyperdisk-only series "
        "(C4, C4A, C4D, N4, N4A, N4D), pd-balanced on the others.",
    )
    image_type: Literal[
        "COS_CONTAINERD", "UBUNTU_CONTAINERD", "WINDOWS_LTSC_CONTAINERD", "WINDOWS_SAC_CONTAINERD"
    ] = "COS_CONTAINERD"
    accelerators: list[Accelerator] = Field(default_factory=list)
    labels: Labels = Field(default_factory=dict)
    taints: list[Taint] = Field(default_factory=list)
    service_account: str | None = Field(
        None, description="Spec account name or email; default: the Compute Engine default SA."
    )
    oauth_scopes: OAuthScopes = Field(
        default_factory=lambda: ["https://www.googleapis.com/auth/cloud-platform"]
    )
    upgrade_settings: UpgradeSettings = Field(default_factory=UpgradeSettings)
    management: Management = Field(default_factory=Management)
    shielded_instance_config: ShieldedInstance = Field(default_factory=ShieldedInstance)
    workload_metadata: Literal["GKE_METADATA", "GCE_METADATA"] | None = Field(
        None,
        description="Default GKE_METADATA when the cluster has workloadIdentity, else "
        "GCE_METADATA (GKE refuses the GKE metadata server without Workload Identity).",
    )
    max_pods_per_node: Annotated[int, Field(ge=8, le=256)] | None = None


class AuthorizedNetwork(Model):
    cidr_block: str = Field(description="An IPv4 CIDR block, e.g. 203.0.113.0/24.")
    display_name: str | None = None

    @field_validator("cidr_block")
    @classmethod
    def _cidr(cls, value: str) -> str:
        try:
            ipaddress.IPv4Network(value, strict=True)
        except ValueError:
            msg = f"'{value}' is not an IPv4 CIDR block such as 203.0.113.0/24"
            raise ValueError(msg) from None
        if "/" not in value:
            raise ValueError(f"'{value}' has no prefix length; write it as {value}/32")
        return value


class PrivateCluster(Model):
    enable_private_nodes: bool = True
    enable_private_endpoint: bool = False
    master_ipv4_cidr_block: str | None = None


class Cluster(Resource):
    name: str | None = Field(None, description="GKE cluster name; defaults to the key.")
    location: Name = Field(description="A zone (zonal cluster) or a region (regional cluster).")
    node_locations: list[str] | None = None
    description: str | None = None
    create_as: str | None = Field(
        None, description="Service account (spec name or email) whose credentials create it."
    )
    remove_default_node_pool: bool = True
    release_channel: Literal["RAPID", "REGULAR", "STABLE", "EXTENDED", "UNSPECIFIED"] = "REGULAR"
    workload_identity: bool = True
    private_cluster: PrivateCluster | None = Field(default_factory=PrivateCluster)
    master_authorized_networks: list[AuthorizedNetwork] | None = None
    network_policy: bool = False
    shielded_nodes: bool = True
    enable_legacy_abac: bool = False
    issue_client_certificate: bool = False
    network: str = "default"
    subnetwork: str | None = None
    labels: Labels = Field(default_factory=dict)
    node_pools: dict[str, NodePool] = Field(default_factory=dict)
    # As the Google provider's google_container_cluster (resource_container_cluster.go,
    # `deletion_protection`, default true since provider 5.0.0: "You must explicitly set
    # deletion_protection=false in order to destroy a cluster",
    # https://github.com/jenkins-x/terraform-google-jx/issues/233): a guard kept by the tool,
    # not a field GKE's Cluster has, so it is checked in the plan and never sent.
    deletion_protection: bool = Field(
        True, description="Refuse any plan that deletes or replaces this cluster."
    )


def clusters(spec: Document) -> dict[str, Cluster]:
    return cast(dict[str, Cluster], spec.section("clusters"))


def boot_disk_type(pool: NodePool) -> str:
    """The boot disk GKE gets: what the spec says, else the Google provider's default rule
    ("Defaults to hyperdisk-balanced if hyperdisk-balanced is supported and pd-balanced is not
    supported for the machine type; otherwise defaults to pd-balanced", TF google provider
    container node_config.boot_disk.disk_type)."""
    if pool.disk_type is not None:
        return pool.disk_type
    family = pool.machine_type.split("-")[0]
    return "hyperdisk-balanced" if catalog.hyperdisk_only(family) else "pd-balanced"


def metadata_mode(cluster: Cluster, pool: NodePool) -> str:
    if pool.workload_metadata is not None:
        return pool.workload_metadata
    return "GKE_METADATA" if cluster.workload_identity else "GCE_METADATA"


def public_nodes(cluster: Cluster) -> bool:
    """Nodes without private IPs only: each takes an external IP (IN_USE_ADDRESSES)."""
    private = cluster.private_cluster
    return not (private and private.enable_private_nodes)
