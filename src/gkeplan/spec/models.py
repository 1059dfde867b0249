"""The spec format as pydantic models: the one source of truth for its shape and defaults.

Keys are camelCase as in Google's APIs; Python attributes are snake_case. Secure settings are the
defaults. `spec/gkeplan.schema.json` is generated from these models.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from pydantic.alias_generators import to_camel

from gkeplan.spec.limits import (
    INT64_MAX,
    MAX_NODES_PER_POOL_ZONE,
    FiniteFloat,
    Int64,
    NodesPerZone,
    NonNegInt32,
)
from gkeplan.spec.strings import BucketName, OAuthScopes, StatePrefix
from gkeplan.spec.yamlsource import SourceMap

Name = Annotated[str, Field(min_length=1)]
Labels = dict[str, str]


class Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
    )


class Variable(Model):
    description: str | None = None
    default: str | Int64 | FiniteFloat | bool | None = None
    sensitive: bool = Field(False, description="Never printed in plans or logs.")


class PolicyException(Model):
    rule: Name = Field(description="Rule id, e.g. LP001 or CKV_GCP_42.")
    resource: Name = Field(description="Resource address, e.g. cluster.sd-cluster, or '*'.")
    reason: Annotated[str, Field(min_length=3)] = Field(description="Why this finding is waived.")


class Policy(Model):
    packs: list[Name] = Field(
        default_factory=lambda: ["free-tier", "least-privilege", "security-baseline"]
    )
    quotas: dict[str, Annotated[FiniteFloat, Field(ge=0)]] = Field(
        default_factory=dict,
        description="Quota overrides: METRIC (every region) or REGION/METRIC, e.g. N2_CPUS: 24.",
    )
    parameters: dict[str, FiniteFloat | Int64 | str | bool] = Field(
        default_factory=dict, description="Pack parameter overrides, e.g. maxMonthlyUsd: 100."
    )
    exceptions: list[PolicyException] = Field(default_factory=list)


class State(Model):
    backend: Literal["local", "gcs"] = "local"
    path: str | None = Field(None, description="Local state file (default .gkeplan/state.json).")
    bucket: BucketName | None = Field(None, description="GCS bucket holding state (backend gcs).")
    prefix: StatePrefix | None = Field(None, description="Object prefix inside the bucket.")

    @model_validator(mode="after")
    def _gcs_needs_bucket(self) -> State:
        if self.backend == "gcs" and not self.bucket:
            raise ValueError("backend gcs needs 'bucket'")
        return self


class Resource(Model):
    depends_on: list[str] = Field(
        default_factory=list, description="Extra ordering: addresses such as bucket.models."
    )


class ServiceAccount(Resource):
    account_id: str | None = Field(None, description="GCP account id; defaults to the key.")
    display_name: str | None = None
    description: str | None = None
    impersonators: list[str] = Field(
        default_factory=list,
        description="Members granted roles/iam.serviceAccountTokenCreator on this account.",
    )


class Condition(Model):
    title: Name
    expression: Name
    description: str | None = None


class IamGrant(Resource):
    member: str | None = None
    members: list[str] | None = None
    role: str | None = None
    roles: list[str] | None = None
    on: str = Field("project", description="project (default), serviceAccount:NAME or bucket:NAME.")
    condition: Condition | None = None

    @model_validator(mode="after")
    def _one_of_each(self) -> IamGrant:
        if (self.member is None) == (self.members is None):
            raise ValueError("give exactly one of 'member' or 'members'")
        if (self.role is None) == (self.roles is None):
            raise ValueError("give exactly one of 'role' or 'roles'")
        if self.members == [] or self.roles == []:
            raise ValueError("'members' and 'roles' must not be empty")
        return self

    @property
    def all_members(self) -> list[str]:
        return [self.member] if self.member is not None else list(self.members or [])

    @property
    def all_roles(self) -> list[str]:
        return [self.role] if self.role is not None else list(self.roles or [])


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
    disk_type: Literal["pd-standard", "pd-balanced", "pd-ssd", "hyperdisk-balanced"] = "pd-balanced"
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
    workload_metadata: Literal["GKE_METADATA", "GCE_METADATA"] = "GKE_METADATA"
    external_ips: bool = Field(False, description="Nodes get external IPs (public nodes).")
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


class LifecycleAction(Model):
    type: Literal["Delete", "SetStorageClass", "AbortIncompleteMultipartUpload"]
    storage_class: str | None = None


class LifecycleCondition(Model):
    # int32 in the Cloud Storage JSON API's lifecycle condition
    age: NonNegInt32 | None = None
    created_before: str | None = None
    num_newer_versions: NonNegInt32 | None = None
    is_live: bool | None = None
    matches_storage_class: list[str] | None = None
    matches_prefix: list[str] | None = None
    matches_suffix: list[str] | None = None
    days_since_noncurrent_time: NonNegInt32 | None = None


class LifecycleRule(Model):
    action: LifecycleAction
    condition: LifecycleCondition


class BucketLogging(Model):
    log_bucket: Name
    log_object_prefix: str | None = None


class Bucket(Resource):
    name: str | None = Field(None, description="Globally unique bucket name; defaults to the key.")
    location: str | None = Field(None, description="Defaults to the spec's region.")
    storage_class: Literal["STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE"] = "STANDARD"
    uniform_bucket_level_access: bool = True
    public_access_prevention: Literal["enforced", "inherited"] = "enforced"
    versioning: bool = False
    lifecycle_rules: list[LifecycleRule] = Field(default_factory=list)
    labels: Labels = Field(default_factory=dict)
    logging: BucketLogging | None = None
    force_destroy: bool = Field(False, description="destroy empties the bucket first.")
    keep_on_destroy: bool = Field(False, description="destroy leaves the bucket in place.")


class Spec(Model):
    """A gkeplan spec (version 1)."""

    version: Literal[1]
    project: Name
    region: Name
    variables: dict[str, Variable] = Field(default_factory=dict)
    policy: Policy = Field(default_factory=Policy)
    state: State = Field(default_factory=State)
    service_accounts: dict[str, ServiceAccount] = Field(default_factory=dict)
    iam: list[IamGrant] = Field(default_factory=list)
    clusters: dict[str, Cluster] = Field(default_factory=dict)
    buckets: dict[str, Bucket] = Field(default_factory=dict)

    _source: SourceMap | None = PrivateAttr(default=None)

    @property
    def source(self) -> SourceMap | None:
        """Where each value came from, when the spec was loaded from YAML."""
        return self._source
