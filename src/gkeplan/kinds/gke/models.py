"""The spec models of GKE: clusters and the node pools nested in them."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal, cast

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from gkeplan import catalog
from gkeplan.kinds.gke.maintenance import MaintenancePolicy
from gkeplan.kinds.network import Cidr
from gkeplan.spec.base import Document, Labels, Model, Name, Resource
from gkeplan.spec.limits import INT64_MAX, MAX_NODES_PER_POOL_ZONE, NodesPerZone, NonNegInt32
from gkeplan.spec.strings import OAuthScopes

TF_PROVIDER = (
    "https://github.com/hashicorp/terraform-provider-google/blob/"
    "e03b7622a26cf4e878f90bdccaca6aa3d03a7999/google/services/container/"
)


def _upper(value: object) -> object:
    """GKE's enum values in any case: the API spells them COS_CONTAINERD, Terraform examples
    cos_containerd, and the Google provider compares image types case-insensitively
    (node_config.go `image_type`: DiffSuppressFunc tpgresource.CaseDiffSuppress, TF_PROVIDER)."""
    return value.upper() if isinstance(value, str) else value


# An enum field: stored (and diffed) in the API's spelling whatever the case written.
Upper = BeforeValidator(_upper)


# ClusterUpdate.desiredMasterVersion and NodePool.version take "latest", "1.X", "1.X.Y",
# "1.X.Y-gke.N" or "-" (container v1 REST reference, ClusterUpdate.desiredMasterVersion).
_VERSION = re.compile(r"(latest|-|1\.\d+(\.\d+(-gke\.\d+)?)?)\Z")


def _version(value: str) -> str:
    if not _VERSION.match(value):
        msg = f"'{value}' is not a GKE version: write 1.X, 1.X.Y, 1.X.Y-gke.N or latest"
        raise ValueError(msg)
    return value


def _version_text(value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # YAML reads 1.30 as the number 1.3: the version the user meant is lost
        msg = f"got the number {value}: quote the version, e.g. '1.30' (YAML reads 1.30 as 1.3)"
        raise ValueError(msg)
    return value.lower() if isinstance(value, str) else value


KubernetesVersion = Annotated[str, BeforeValidator(_version_text), AfterValidator(_version)]


class Autoscaling(Model):
    # per zone, at most GKE's 1,000 nodes per node pool zone (see limits.py)
    min_node_count: NodesPerZone = 0
    max_node_count: Annotated[int, Field(ge=1, le=MAX_NODES_PER_POOL_ZONE)] = 1
    location_policy: Annotated[Literal["BALANCED", "ANY"], Upper] | None = None
    # NodePoolAutoscaling.totalMinNodeCount / totalMaxNodeCount (int32, container v1): the
    # pool's nodes across its zones; "Cannot be used with per zone limits" (the Google
    # provider, resource_container_node_pool.go)
    total_min_node_count: NonNegInt32 | None = None
    total_max_node_count: Annotated[int, Field(ge=1, le=2**31 - 1)] | None = None

    @property
    def totals(self) -> bool:
        return self.total_min_node_count is not None or self.total_max_node_count is not None


class Accelerator(Model):
    type: Name = Field(description="e.g. nvidia-tesla-t4")
    count: Annotated[int, Field(ge=1, le=INT64_MAX)] = 1  # acceleratorCount is an int64
    # AcceleratorConfig.gpuDriverInstallationConfig.gpuDriverVersion (container v1), without
    # GPU_DRIVER_VERSION_UNSPECIFIED; unset: GKE's choice (no installation by GKE)
    gpu_driver_version: (
        Annotated[Literal["INSTALLATION_DISABLED", "DEFAULT", "LATEST"], Upper] | None
    ) = Field(None, description="GPU driver GKE installs on the nodes: DEFAULT or LATEST.")


class ReservationAffinity(Model):
    """NodeConfig.reservationAffinity: which Compute Engine reservations the nodes consume."""

    # ReservationAffinity.consumeReservationType (container v1), without UNSPECIFIED
    consume_reservation_type: Annotated[
        Literal[
            "NO_RESERVATION",
            "ANY_RESERVATION",
            "SPECIFIC_RESERVATION",
            "ANY_RESERVATION_THEN_FAIL",
        ],
        Upper,
    ]
    key: str | None = Field(
        None, description="compute.googleapis.com/reservation-name for a SPECIFIC_RESERVATION."
    )
    values: list[str] = Field(default_factory=list, description="The reservations' names.")


class Taint(Model):
    key: Name
    value: str = ""
    effect: Annotated[Literal["NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"], Upper]


class UpgradeSettings(Model):
    max_surge: NonNegInt32 = 1  # int32 in GKE's UpgradeSettings
    max_unavailable: NonNegInt32 = 0
    # NodePoolUpdateStrategy of the installed google-cloud-container, less UNSPECIFIED
    strategy: Annotated[Literal["SURGE", "BLUE_GREEN", "SHORT_LIVED"], Upper] = "SURGE"


class Management(Model):
    auto_repair: bool = True
    auto_upgrade: bool = True


class ShieldedInstance(Model):
    enable_secure_boot: bool = True
    enable_integrity_monitoring: bool = True


class PlacementPolicy(Model):
    """NodePool.placementPolicy: nodes placed close together (COMPACT), or a TPU slice."""

    type: Annotated[Literal["COMPACT"], Upper]  # required, as the provider has it
    tpu_topology: str | None = Field(None, description='A TPU slice\'s topology, e.g. "2x4".')
    policy_name: str | None = Field(
        None, description="A Compute Engine resource policy of the same project and region."
    )


class KubeletConfig(Model):
    """NodeConfig.kubeletConfig (container v1 NodeKubeletConfig); each unset follows GKE."""

    cpu_manager_policy: Literal["none", "static"] | None = None
    cpu_cfs_quota: bool | None = None
    cpu_cfs_quota_period: str | None = Field(
        None, description='"cpu.cfs_period_us" as a duration, 1ms to 1s, e.g. "100ms".'
    )
    # "must be greater than or equal to 1024 and less than 4194304" (NodeKubeletConfig)
    pod_pids_limit: Annotated[int, Field(ge=1024, lt=4194304)] | None = None
    insecure_kubelet_readonly_port_enabled: bool | None = Field(
        None, description="The kubelet's read-only port 10255; false is the hardened choice."
    )
    # NodeKubeletConfig (container v1): each threshold "must be between 10 and 85, inclusive",
    # the low one "smaller than image_gc_high_threshold_percent" (node_pool._check_kubelet)
    image_gc_low_threshold_percent: Annotated[int, Field(ge=10, le=85)] | None = None
    image_gc_high_threshold_percent: Annotated[int, Field(ge=10, le=85)] | None = None
    # "Valid format is positive number + unit, e.g. 100Ki, 10Mi. Valid units are Ki, Mi, Gi.
    # The value must be between 10Mi and 500Mi, inclusive." (NodeKubeletConfig)
    container_log_max_size: Annotated[str, Field(pattern=r"^[1-9][0-9]*(Ki|Mi|Gi)$")] | None = (
        Field(None, description='Log size before rotation, 10Mi to 500Mi, e.g. "100Mi".')
    )
    # "The value must be an integer between 2 and 10, inclusive." (NodeKubeletConfig)
    container_log_max_files: Annotated[int, Field(ge=2, le=10)] | None = None


class Hugepages(Model):
    """LinuxNodeConfig.hugepages: huge pages reserved on each node."""

    # GKE's own spelling (LinuxNodeConfig.HugepagesConfig.hugepageSize2m), not 2M
    hugepage_size2m: NonNegInt32 | None = Field(
        None, alias="hugepageSize2m", description="Number of 2M huge pages."
    )
    hugepage_size1g: NonNegInt32 | None = Field(
        None, alias="hugepageSize1g", description="Number of 1G huge pages."
    )


class LinuxNodeConfig(Model):
    """NodeConfig.linuxNodeConfig: kernel parameters and the cgroup mode."""

    sysctls: dict[str, str] | None = Field(
        None, description="Kernel parameters GKE supports, e.g. net.core.somaxconn."
    )
    cgroup_mode: Annotated[Literal["CGROUP_MODE_V1", "CGROUP_MODE_V2"], Upper] | None = None
    hugepages: Hugepages | None = None


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
        description="Boot disk type; default hyperdisk-balanced on Hyperdisk series "
        "(C4, C4A, C4D, N4, N4A, N4D, A4, A4X, G4, M4), pd-balanced on the others.",
    )
    image_type: Annotated[
        Literal[
            "COS_CONTAINERD",
            "UBUNTU_CONTAINERD",
            "WINDOWS_LTSC_CONTAINERD",
            "WINDOWS_SAC_CONTAINERD",
        ],
        Upper,
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
    workload_metadata: Annotated[Literal["GKE_METADATA", "GCE_METADATA"], Upper] | None = Field(
        None,
        description="Default GKE_METADATA when the cluster has workloadIdentity, else "
        "GCE_METADATA (GKE refuses the GKE metadata server without Workload Identity).",
    )
    max_pods_per_node: Annotated[int, Field(ge=8, le=256)] | None = None
    version: KubernetesVersion | None = Field(
        None,
        description="Node version (NodePool.version): 1.X, 1.X.Y, 1.X.Y-gke.N or latest; the "
        "nodes run at least this version (GKE auto-upgrades them past it).",
    )
    tags: list[str] = Field(
        default_factory=list, description="Network tags of the nodes (NodeConfig.tags)."
    )
    metadata: dict[str, str] = Field(
        default_factory=dict, description="Instance metadata of the nodes (NodeConfig.metadata)."
    )
    image_streaming: bool = Field(
        False, description="Image streaming (NodeConfig.gcfsConfig.enabled); needs COS_CONTAINERD."
    )
    # NodeConfig.localSsdCount and ephemeralStorageLocalSsdConfig.localSsdCount are int32.
    local_ssd_count: NonNegInt32 = Field(0, description="Local SSDs attached to each node.")
    ephemeral_storage_local_ssd_count: NonNegInt32 = Field(
        0, description="Local SSDs backing each node's ephemeral storage (NVMe)."
    )
    gvnic: bool | None = Field(
        None, description="Google Virtual NIC (NodeConfig.gvnic.enabled); unset follows GKE."
    )
    reservation_affinity: ReservationAffinity | None = Field(
        None, description="Reservations the nodes consume (NodeConfig.reservationAffinity)."
    )
    queued_provisioning: bool | None = Field(
        None,
        description="Dynamic Workload Scheduler: nodes provisioned when a queued request can "
        "be met whole (NodePool.queuedProvisioning.enabled).",
    )
    placement_policy: PlacementPolicy | None = None
    kubelet_config: KubeletConfig | None = None
    linux_node_config: LinuxNodeConfig | None = None
    sandbox: Annotated[Literal["GVISOR"], Upper] | None = Field(
        None, description="GKE Sandbox: run pods in gVisor (NodeConfig.sandboxConfig.type)."
    )


class Addons(Model):
    """AddonsConfig: unset follows what GKE chose. GKE spells httpLoadBalancing and
    horizontalPodAutoscaling as `disabled`, the CSI drivers as `enabled` (container v1
    AddonsConfig); here each is true when the add-on runs."""

    gcs_fuse_csi_driver: bool | None = None
    http_load_balancing: bool | None = None
    gce_persistent_disk_csi_driver: bool | None = None
    horizontal_pod_autoscaling: bool | None = None
    gcp_filestore_csi_driver: bool | None = None
    ray_operator: bool | None = None
    dns_cache: bool | None = Field(None, description="NodeLocal DNSCache (dnsCacheConfig).")
    gke_backup_agent: bool | None = Field(None, description="Backup for GKE's agent.")
    stateful_ha: bool | None = Field(None, description="The stateful HA operator.")
    config_connector: bool | None = None


ADDONS: dict[str, tuple[str, bool]] = {
    # spec key: (AddonsConfig field, whether GKE's flag says `disabled`)
    "gcsFuseCsiDriver": ("gcs_fuse_csi_driver_config", False),
    "httpLoadBalancing": ("http_load_balancing", True),
    "gcePersistentDiskCsiDriver": ("gce_persistent_disk_csi_driver_config", False),
    "horizontalPodAutoscaling": ("horizontal_pod_autoscaling", True),
    "gcpFilestoreCsiDriver": ("gcp_filestore_csi_driver_config", False),
    "rayOperator": ("ray_operator_config", False),
    "dnsCache": ("dns_cache_config", False),
    "gkeBackupAgent": ("gke_backup_agent_config", False),
    "statefulHa": ("stateful_ha_config", False),
    "configConnector": ("config_connector_config", False),
}

# LoggingComponentConfig / MonitoringComponentConfig enableComponents (container v1 discovery
# document, without COMPONENT_UNSPECIFIED).
LoggingComponent = Annotated[
    Literal[
        "SYSTEM_COMPONENTS",
        "WORKLOADS",
        "APISERVER",
        "SCHEDULER",
        "CONTROLLER_MANAGER",
        "KCP_SSHD",
        "KCP_CONNECTION",
        "KCP_HPA",
        "KCP_VPA",
    ],
    Upper,
]
MonitoringComponent = Annotated[
    Literal[
        "SYSTEM_COMPONENTS",
        "APISERVER",
        "SCHEDULER",
        "CONTROLLER_MANAGER",
        "STORAGE",
        "HPA",
        "POD",
        "DAEMONSET",
        "DEPLOYMENT",
        "STATEFULSET",
        "CADVISOR",
        "KUBELET",
        "DCGM",
        "JOBSET",
    ],
    Upper,
]


class BinaryAuthorization(Model):
    # BinaryAuthorization.evaluationMode; "If unspecified, defaults to DISABLED" (container v1)
    evaluation_mode: Annotated[Literal["DISABLED", "PROJECT_SINGLETON_POLICY_ENFORCE"], Upper]


class SecurityPosture(Model):
    """SecurityPostureConfig (container v1): the posture dashboard and workload
    vulnerability scanning; each unset follows GKE."""

    mode: Annotated[Literal["DISABLED", "BASIC", "ENTERPRISE"], Upper] | None = None
    vulnerability_mode: (
        Annotated[
            Literal["VULNERABILITY_DISABLED", "VULNERABILITY_BASIC", "VULNERABILITY_ENTERPRISE"],
            Upper,
        ]
        | None
    ) = None


class ClusterDns(Model):
    """NetworkConfig.dnsConfig: the cluster's DNS provider (Cloud DNS for GKE or kube-dns)."""

    cluster_dns: Annotated[Literal["PLATFORM_DEFAULT", "CLOUD_DNS", "KUBE_DNS"], Upper]
    cluster_dns_scope: Annotated[Literal["CLUSTER_SCOPE", "VPC_SCOPE"], Upper] | None = None
    cluster_dns_domain: str | None = Field(
        None, description="The cluster's DNS domain for VPC_SCOPE, e.g. cluster1.example."
    )


class AuthenticatorGroups(Model):
    security_group: str = Field(
        description="Google Groups for RBAC: gke-security-groups@YOUR-DOMAIN."
    )


class ResourceLimit(Model):
    resource_type: Name = Field(description="cpu, memory (GB) or a GPU type, e.g. nvidia-tesla-t4")
    minimum: Annotated[int, Field(ge=0, le=INT64_MAX)] = 0  # ResourceLimit is int64
    maximum: Annotated[int, Field(ge=0, le=INT64_MAX)]


class AutoProvisioningDefaults(Model):
    """AutoprovisioningNodePoolDefaults: the auto-created pools' nodes; each unset follows GKE."""

    service_account: str | None = Field(
        None, description="Spec account name or email; default: the Compute Engine default SA."
    )
    oauth_scopes: OAuthScopes | None = None
    # "The smallest allowed disk size is 10GB." (the Google provider, auto_provisioning_defaults.
    # disk_size: validation.IntAtLeast(10)); the disk and image types are its StringInSlice lists
    disk_size_gb: Annotated[int, Field(ge=10)] | None = None
    disk_type: Literal["pd-standard", "pd-ssd", "pd-balanced", "hyperdisk-balanced"] | None = None
    image_type: (
        Annotated[Literal["COS_CONTAINERD", "COS", "UBUNTU_CONTAINERD", "UBUNTU"], Upper] | None
    ) = None
    management: Management | None = None
    upgrade_settings: UpgradeSettings | None = None
    shielded_instance_config: ShieldedInstance | None = None
    boot_disk_kms_key: str | None = Field(
        None, description="projects/P/locations/L/keyRings/R/cryptoKeys/K of the boot disks."
    )


class NodeAutoProvisioning(Model):
    """ClusterAutoscaling: node pools GKE creates and deletes by itself, within the limits."""

    enabled: bool = True
    resource_limits: list[ResourceLimit] = Field(default_factory=list)
    auto_provisioning_defaults: AutoProvisioningDefaults = Field(
        default_factory=AutoProvisioningDefaults
    )
    autoprovisioning_locations: list[str] | None = Field(
        None, description="Zones auto-created pools' nodes may be in; unset follows GKE."
    )


class NodePoolAutoConfig(Model):
    """Cluster.nodePoolAutoConfig: what GKE puts on the node pools it creates by itself
    (Autopilot's, node auto-provisioning's); each unset follows GKE."""

    network_tags: list[str] | None = Field(
        None, description="Compute Engine network tags of the auto-created nodes (firewalls)."
    )
    resource_manager_tags: dict[str, str] | None = Field(
        None,
        description="Resource Manager tags of the auto-created nodes, tagKeys/ID: tagValues/ID.",
    )


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
    master_global_access: bool | None = Field(
        None,
        description="Reach the control plane's private endpoint from any region "
        "(masterGlobalAccessConfig.enabled); unset follows GKE.",
    )


class DnsEndpoint(Model):
    """ControlPlaneEndpointsConfig.dnsEndpointConfig: the control plane's DNS-based endpoint."""

    allow_external_traffic: bool = Field(
        description="Let user traffic reach the control plane over its DNS name."
    )


class IpAllocationPolicy(Model):
    """IPAllocationPolicy of GKE's REST v1 (VPC-native): the subnetwork's secondary ranges for
    pods and services by name, or blocks for GKE to create them from."""

    cluster_secondary_range_name: str | None = None
    services_secondary_range_name: str | None = None
    cluster_ipv4_cidr_block: Cidr | None = None
    services_ipv4_cidr_block: Cidr | None = None


class Cluster(Resource):
    name: str | None = Field(None, description="GKE cluster name; defaults to the key.")
    location: Name = Field(description="A zone (zonal cluster) or a region (regional cluster).")
    node_locations: list[str] | None = None
    description: str | None = None
    create_as: str | None = Field(
        None, description="Service account (spec name or email) whose credentials create it."
    )
    remove_default_node_pool: bool = True
    release_channel: Annotated[
        Literal["RAPID", "REGULAR", "STABLE", "EXTENDED", "UNSPECIFIED"], Upper
    ] = "REGULAR"
    workload_identity: bool = True
    private_cluster: PrivateCluster | None = Field(default_factory=PrivateCluster)
    master_authorized_networks: list[AuthorizedNetwork] | None = None
    network_policy: bool = False
    shielded_nodes: bool = True
    enable_legacy_abac: bool = False
    issue_client_certificate: bool = False
    network: str = Field(
        "default", description="A spec network's key, or an existing network's name."
    )
    subnetwork: str | None = Field(
        None, description="A spec subnetwork's key, or an existing subnetwork's name."
    )
    ip_allocation_policy: IpAllocationPolicy | None = Field(
        None, description="Pod and service ranges (secondary ranges of the subnetwork)."
    )
    labels: Labels = Field(default_factory=dict)
    node_pools: dict[str, NodePool] = Field(default_factory=dict)
    autopilot: bool = Field(
        False, description="An Autopilot cluster: GKE runs the nodes; no nodePools."
    )
    addons: Addons = Field(default_factory=Addons)
    min_master_version: KubernetesVersion | None = Field(
        None,
        description="Control-plane version: 1.X, 1.X.Y, 1.X.Y-gke.N or latest; the cluster runs "
        "at least this version (GKE auto-upgrades it past it).",
    )
    logging_components: list[LoggingComponent] | None = None
    monitoring_components: list[MonitoringComponent] | None = None
    binary_authorization: BinaryAuthorization | None = None
    intranode_visibility: bool | None = Field(
        None, description="networkConfig.enableIntraNodeVisibility; unset follows GKE (off)."
    )
    authenticator_groups_config: AuthenticatorGroups | None = None
    datapath_provider: Annotated[Literal["LEGACY_DATAPATH", "ADVANCED_DATAPATH"], Upper] | None = (
        Field(None, description="networkConfig.datapathProvider; ADVANCED_DATAPATH: Dataplane V2.")
    )
    node_auto_provisioning: NodeAutoProvisioning | None = None
    node_pool_auto_config: NodePoolAutoConfig | None = None
    secret_manager: bool | None = Field(
        None,
        description="The Secret Manager add-on, the CSI driver that mounts secrets "
        "(secretManagerConfig.enabled); unset follows GKE (off).",
    )
    security_posture: SecurityPosture | None = None
    managed_prometheus: bool | None = Field(
        None,
        description="Managed Service for Prometheus (monitoringConfig.managedPrometheusConfig).",
    )
    cost_allocation: bool | None = Field(
        None, description="GKE cost allocation (costManagementConfig.enabled)."
    )
    gateway_api: (
        Annotated[Literal["CHANNEL_DISABLED", "CHANNEL_EXPERIMENTAL", "CHANNEL_STANDARD"], Upper]
        | None
    ) = Field(None, description="Gateway API channel (networkConfig.gatewayApiConfig.channel).")
    dns_endpoint: DnsEndpoint | None = None
    autoscaling_profile: Annotated[Literal["BALANCED", "OPTIMIZE_UTILIZATION"], Upper] | None = (
        Field(
            None,
            description="How the cluster autoscaler removes nodes (clusterAutoscaling."
            "autoscalingProfile); unset follows GKE (BALANCED).",
        )
    )
    cluster_dns: ClusterDns | None = Field(
        None, description="Cloud DNS for the cluster, or kube-dns (networkConfig.dnsConfig)."
    )
    vertical_pod_autoscaling: bool | None = Field(
        None, description="Vertical Pod Autoscaling (verticalPodAutoscaling.enabled)."
    )
    default_max_pods_per_node: Annotated[int, Field(ge=8, le=256)] | None = Field(
        None,
        description="Pods per node of pools that set none (defaultMaxPodsConstraint); create only.",
    )
    maintenance_policy: MaintenancePolicy | None = Field(
        None, description="When GKE may upgrade and repair: a window and exclusions."
    )
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


def node_accounts(cluster: Cluster) -> list[tuple[str, str | None, tuple[str, ...]]]:
    """(pool name, its account ref or None for the default, path under the cluster) of every
    set of nodes: each pool, and node auto-provisioning, whose nodes run as its account."""
    out: list[tuple[str, str | None, tuple[str, ...]]] = [
        (key, pool.service_account, ("nodePools", key, "serviceAccount"))
        for key, pool in cluster.node_pools.items()
    ]
    nap = cluster.node_auto_provisioning
    if nap is not None and nap.enabled:
        at = ("nodeAutoProvisioning", "autoProvisioningDefaults", "serviceAccount")
        out.append(("nodeAutoProvisioning", nap.auto_provisioning_defaults.service_account, at))
    return out


def boot_disk_type(pool: NodePool) -> str:
    """The boot disk GKE gets: what the spec says, else the Google provider's default rule
    ("Defaults to hyperdisk-balanced if hyperdisk-balanced is supported and pd-balanced is not
    supported for the machine type; otherwise defaults to pd-balanced", TF google provider
    container node_config.boot_disk.disk_type)."""
    if pool.disk_type is not None:
        return pool.disk_type
    family = pool.machine_type.split("-")[0]
    return "hyperdisk-balanced" if catalog.hyperdisk_default(family) else "pd-balanced"


def metadata_mode(cluster: Cluster, pool: NodePool) -> str:
    if pool.workload_metadata is not None:
        return pool.workload_metadata
    return "GKE_METADATA" if cluster.workload_identity else "GCE_METADATA"


def public_nodes(cluster: Cluster) -> bool:
    """Nodes without private IPs only: each takes an external IP (IN_USE_ADDRESSES)."""
    private = cluster.private_cluster
    return not (private and private.enable_private_nodes)
