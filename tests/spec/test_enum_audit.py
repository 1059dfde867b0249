"""Every enum of the spec models against the installed client's enum, over the registry: each
Literal field of every kind's section is either paired with the Google client enum it is sent
as, or named as not an API enum. Its values must be the client's (a spelling gkeplan takes that
the client cannot send is a bug), and what the client has that the spec refuses must be listed
here with why (a value the client knows and gkeplan refuses is a bug unless GCP refuses it, or
the spec cannot express what it needs). A new client value fails this test until it is
accepted or listed."""

from __future__ import annotations

import types
import typing
from enum import EnumMeta
from typing import Any

import pytest
from google.cloud import container_v1 as gke
from google.cloud.artifactregistry_v1 import types as ar
from google.cloud.compute_v1 import types as compute
from google.cloud.storage import constants as gcs
from pydantic import BaseModel

from gkeplan.kinds import KINDS

REMOTE = ar.RemoteRepositoryConfig

# model.field -> the client enum the driver sends it through
CLIENT_ENUMS: dict[str, Any] = {
    "ArtifactRepository.format": ar.Repository.Format,
    "ArtifactRepository.mode": ar.Repository.Mode,
    "DockerUpstream.public_repository": REMOTE.DockerRepository.PublicRepository,
    "MavenUpstream.public_repository": REMOTE.MavenRepository.PublicRepository,
    "NpmUpstream.public_repository": REMOTE.NpmRepository.PublicRepository,
    "PythonUpstream.public_repository": REMOTE.PythonRepository.PublicRepository,
    "AptPublic.repository_base": REMOTE.AptRepository.PublicRepository.RepositoryBase,
    "YumPublic.repository_base": REMOTE.YumRepository.PublicRepository.RepositoryBase,
    "Network.routing_mode": compute.NetworkRoutingConfig.RoutingMode,
    "FlowLogs.aggregation_interval": compute.SubnetworkLogConfig.AggregationInterval,
    "FlowLogs.metadata": compute.SubnetworkLogConfig.Metadata,
    "Address.address_type": compute.Address.AddressType,
    "Address.network_tier": compute.Address.NetworkTier,
    "Address.purpose": compute.Address.Purpose,
    "Address.ip_version": compute.Address.IpVersion,
    "Address.ipv6_endpoint_type": compute.Address.Ipv6EndpointType,
    "Nat.nat_ip_allocate_option": compute.RouterNat.NatIpAllocateOption,
    "Nat.source_subnetwork_ip_ranges_to_nat": compute.RouterNat.SourceSubnetworkIpRangesToNat,
    "NatLogging.filter": compute.RouterNatLogConfig.Filter,
    "Firewall.direction": compute.Firewall.Direction,
    "Cluster.release_channel": gke.ReleaseChannel.Channel,
    "Autoscaling.location_policy": gke.NodePoolAutoscaling.LocationPolicy,
    "Taint.effect": gke.NodeTaint.Effect,
    "UpgradeSettings.strategy": gke.NodePoolUpdateStrategy,
    "NodePool.workload_metadata": gke.WorkloadMetadataConfig.Mode,
    "Cluster.logging_components": gke.LoggingComponentConfig.Component,
    "Cluster.monitoring_components": gke.MonitoringComponentConfig.Component,
    "BinaryAuthorization.evaluation_mode": gke.BinaryAuthorization.EvaluationMode,
    "Cluster.datapath_provider": gke.DatapathProvider,
    "Accelerator.gpu_driver_version": gke.GPUDriverInstallationConfig.GPUDriverVersion,
    "Cluster.autoscaling_profile": gke.ClusterAutoscaling.AutoscalingProfile,
    "Cluster.gateway_api": gke.GatewayAPIConfig.Channel,
    "ClusterDns.cluster_dns": gke.DNSConfig.Provider,
    "ClusterDns.cluster_dns_scope": gke.DNSConfig.DNSScope,
    "LinuxNodeConfig.cgroup_mode": gke.LinuxNodeConfig.CgroupMode,
    "MaintenanceExclusion.scope": gke.MaintenanceExclusionOptions.Scope,
    "NodePool.sandbox": gke.SandboxConfig.Type,
    "PlacementPolicy.type": gke.NodePool.PlacementPolicy.Type,
    "ReservationAffinity.consume_reservation_type": gke.ReservationAffinity.Type,
    "SecurityPosture.mode": gke.SecurityPostureConfig.Mode,
    "SecurityPosture.vulnerability_mode": gke.SecurityPostureConfig.VulnerabilityMode,
    # google-cloud-storage sends strings; its constants module names the values
    "Bucket.storage_class": frozenset(
        v for k, v in vars(gcs).items() if k.endswith("_STORAGE_CLASS")
    ),
    "Bucket.public_access_prevention": frozenset(
        v
        for k, v in vars(gcs).items()
        if k.startswith("PUBLIC_ACCESS_PREVENTION_") and not k.endswith("UNSPECIFIED")
    ),
}

# Literal fields that are not one API enum (the spec's own choices, or strings the API takes
# free-form and another check covers)
NOT_AN_ENUM = {
    # Lifecycle action type: a JSON string of GCS ("Delete", "SetStorageClass", ...) with no
    # enum in google-cloud-storage
    "LifecycleAction.type",
    "Secret.replication",  # the spec's shorthand for Replication.automatic
    "NodePool.disk_type",  # a Compute Engine disk type name; checked against the catalog
    "NodePool.image_type",  # NodeConfig.imageType is a string in container v1
    # AutoprovisioningNodePoolDefaults.diskType / imageType are strings in container v1; the
    # lists are the Google provider's StringInSlice (auto_provisioning_defaults)
    "AutoProvisioningDefaults.disk_type",
    "AutoProvisioningDefaults.image_type",
    # NodeKubeletConfig.cpuManagerPolicy is a string in container v1 ("none", "static")
    "KubeletConfig.cpu_manager_policy",
}

# What the client knows that the spec refuses, and why
REFUSED: dict[str, dict[str, str]] = {
    "FlowLogs.metadata": {
        "CUSTOM_METADATA": "needs metadataFields, which the spec has no field for",
    },
    "Address.network_tier": {
        "FIXED_STANDARD": "networkTier 'can only take ... PREMIUM or STANDARD' (discovery)",
        "STANDARD_OVERRIDES_FIXED_STANDARD": "output only (discovery document)",
    },
    "Address.purpose": {
        "NAT_AUTO": "set by Cloud NAT's automatic allocation, not by a reservation",
        "SERVERLESS": "reserved for Serverless by Google, not by a reservation",
    },
    "Nat.source_subnetwork_ip_ranges_to_nat": {
        "LIST_OF_SUBNETWORKS": "needs RouterNat.subnetworks, which the spec has no field for",
    },
    "Cluster.release_channel": {},
    # proto3's zero values named UNSPECIFIED: "Default value. This should not be used."
    # (SandboxConfig.Type), "Default value. This should not be used." (ReservationAffinity.Type)
    "NodePool.sandbox": {"UNSPECIFIED": "the zero value: no sandbox"},
    "ReservationAffinity.consume_reservation_type": {
        "UNSPECIFIED": "the zero value: leave reservationAffinity out instead"
    },
    "ArtifactRepository.format": {},
    "Bucket.storage_class": {},
}


def _placeholder(name: str) -> bool:
    # FOO_UNSPECIFIED and compute's UNDEFINED_FOO are proto3's zero values; ReleaseChannel's
    # UNSPECIFIED is not one ("No channel specified": a cluster on no channel)
    return name.endswith("_UNSPECIFIED") or name.startswith(("UNDEFINED_", "UNSPECIFIED_"))


def _client_values(enum: Any) -> set[str]:
    if isinstance(enum, EnumMeta):
        return {m.name for m in enum if not _placeholder(m.name)}  # type: ignore[var-annotated]
    return set(enum)


def _literals() -> dict[str, set[str]]:
    """model.field -> the values of every Literal in the kinds' section models."""
    found: dict[str, set[str]] = {}
    seen: set[type] = set()

    def visit(t: Any, where: str) -> None:
        origin = typing.get_origin(t)
        if origin is typing.Literal:
            found.setdefault(where, set()).update(str(a) for a in typing.get_args(t))
        elif origin is typing.Annotated:
            visit(typing.get_args(t)[0], where)
        elif origin in (typing.Union, types.UnionType, list, dict, tuple, set, frozenset):
            for a in typing.get_args(t):
                visit(a, where)
        elif isinstance(t, type) and issubclass(t, BaseModel) and t not in seen:
            seen.add(t)
            for name, f in t.model_fields.items():
                visit(f.annotation, f"{t.__name__}.{name}")

    for kind in KINDS:
        if kind.section is not None:
            visit(kind.section.annotation, kind.name)
    return found


LITERALS = _literals()


def test_every_spec_enum_is_paired_with_its_client_enum_or_named_as_none() -> None:
    unpaired = set(LITERALS) - set(CLIENT_ENUMS) - NOT_AN_ENUM
    assert not unpaired, f"pair these with the client's enum or list them: {sorted(unpaired)}"
    assert not (set(CLIENT_ENUMS) | NOT_AN_ENUM) - set(LITERALS), "stale entries"


def _spec_values(field: str, client: set[str]) -> set[str]:
    """The field's values as the client spells them: gkeplan takes DOCKER and docker alike."""
    return {v.upper() if v.upper() in client else v for v in LITERALS[field]}


@pytest.mark.parametrize("field", sorted(CLIENT_ENUMS))
def test_a_spec_enum_takes_only_values_the_client_can_send(field: str) -> None:
    client = _client_values(CLIENT_ENUMS[field])
    spec = _spec_values(field, client)
    assert spec <= client, f"{field}: {sorted(spec - client)} are not in the client's enum"


@pytest.mark.parametrize("field", sorted(CLIENT_ENUMS))
def test_what_the_client_knows_and_the_spec_refuses_is_listed_with_why(field: str) -> None:
    client = _client_values(CLIENT_ENUMS[field])
    spec = _spec_values(field, client)
    assert client - spec == set(REFUSED.get(field, {})), field
