"""Between gkeplan's normalised attributes and google.cloud.container_v1's types."""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.cloud import container_v1 as gke

from gkeplan.kinds.gke import maintenance
from gkeplan.kinds.gke.models import ADDONS

Attributes = dict[str, Any]
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def _version_key(version: str) -> tuple[int, ...]:
    """1.30.5-gke.1014003 -> (1, 30, 5, 1014003)."""
    return tuple(int(n) for n in version.replace("-gke.", ".").split(".") if n.isdigit())


def version_satisfied(want: str | None, have: str | None) -> bool:
    """Whether a running version meets the spec's: GKE auto-upgrades clusters and nodes past a
    pinned version, so (as the Google provider's `min_master_version`: "GKE will auto-update
    the master to new versions, so this does not guarantee the current master version",
    resource_container_cluster.go) a version at or above the one asked for, on the components
    the spec names, is no change. "latest" and "-" are aliases GKE resolves
    (ClusterUpdate.desiredMasterVersion)."""
    if want is None or have is None:
        return want == have
    if want in ("latest", "-") or want == have:
        return True
    wanted = _version_key(want)
    return _version_key(have)[: len(wanted)] >= wanted


def settle_version(want: str | None, have: str | None) -> str | None:
    """The version to report: the spec's own spelling when what runs satisfies it."""
    return want if want is not None and version_satisfied(want, have) else have


def pool_to_proto(attrs: Attributes, initial_node_count: int) -> gke.NodePool:
    auto = attrs["autoscaling"]
    config = gke.NodeConfig(
        machine_type=attrs["machineType"],
        disk_size_gb=attrs["diskSizeGb"],
        disk_type=attrs["diskType"],
        image_type=attrs["imageType"],
        preemptible=attrs["preemptible"],
        spot=attrs["spot"],
        accelerators=[_accelerator(a) for a in attrs["accelerators"]],
        labels=attrs["labels"],
        taints=[
            gke.NodeTaint(key=t["key"], value=t["value"], effect=t["effect"])
            for t in attrs["taints"]
        ],
        oauth_scopes=attrs["oauthScopes"],
        shielded_instance_config=gke.ShieldedInstanceConfig(
            enable_secure_boot=attrs["secureBoot"],
            enable_integrity_monitoring=attrs["integrityMonitoring"],
        ),
        workload_metadata_config=gke.WorkloadMetadataConfig(mode=attrs["workloadMetadata"]),
    )
    if attrs["serviceAccount"] != "default":
        config.service_account = attrs["serviceAccount"]
    config.tags = attrs.get("tags") or []
    config.metadata = attrs.get("metadata") or {}
    config.gcfs_config = gke.GcfsConfig(enabled=bool(attrs.get("imageStreaming")))
    config.local_ssd_count = attrs.get("localSsdCount") or 0
    if attrs.get("ephemeralStorageLocalSsdCount"):
        config.ephemeral_storage_local_ssd_config = gke.EphemeralStorageLocalSsdConfig(
            local_ssd_count=attrs["ephemeralStorageLocalSsdCount"]
        )
    if attrs.get("gvnic") is not None:
        config.gvnic = gke.VirtualNIC(enabled=attrs["gvnic"])
    if attrs.get("reservationAffinity"):
        affinity = attrs["reservationAffinity"]
        config.reservation_affinity = gke.ReservationAffinity(
            consume_reservation_type=affinity["consumeReservationType"],
            key=affinity.get("key") or "",
            values=affinity.get("values") or [],
        )
    pool = gke.NodePool(
        name=attrs["name"],
        config=config,
        initial_node_count=initial_node_count,
        management=gke.NodeManagement(
            auto_repair=attrs["autoRepair"], auto_upgrade=attrs["autoUpgrade"]
        ),
        upgrade_settings=gke.NodePool.UpgradeSettings(
            max_surge=attrs["upgradeSettings"]["maxSurge"],
            max_unavailable=attrs["upgradeSettings"]["maxUnavailable"],
            strategy=attrs["upgradeSettings"]["strategy"],
        ),
    )
    if auto["enabled"]:
        pool.autoscaling = autoscaling_to_proto(auto, attrs.get("locationPolicy"))
    if attrs["nodeLocations"]:
        pool.locations = attrs["nodeLocations"]
    if attrs["maxPodsPerNode"]:
        pool.max_pods_constraint = gke.MaxPodsConstraint(max_pods_per_node=attrs["maxPodsPerNode"])
    if attrs.get("version"):
        pool.version = attrs["version"]
    if attrs.get("queuedProvisioning") is not None:
        pool.queued_provisioning = gke.NodePool.QueuedProvisioning(
            enabled=attrs["queuedProvisioning"]
        )
    placement = attrs.get("placementPolicy")
    if placement:
        pool.placement_policy = gke.NodePool.PlacementPolicy(
            type_=placement["type"],
            tpu_topology=placement.get("tpuTopology") or "",
            policy_name=placement.get("policyName") or "",
        )
    if attrs.get("kubeletConfig"):
        pool.config.kubelet_config = kubelet_to_proto(attrs["kubeletConfig"])
    if attrs.get("linuxNodeConfig"):
        pool.config.linux_node_config = linux_to_proto(attrs["linuxNodeConfig"])
    if attrs.get("sandbox"):  # the pool's own copy of the config
        pool.config.sandbox_config = gke.SandboxConfig(type_=attrs["sandbox"])
    return pool


def _accelerator(a: Attributes) -> gke.AcceleratorConfig:
    proto = gke.AcceleratorConfig(accelerator_type=a["type"], accelerator_count=a["count"])
    if a.get("gpuDriverVersion"):
        proto.gpu_driver_installation_config = gke.GPUDriverInstallationConfig(
            gpu_driver_version=a["gpuDriverVersion"]
        )
    return proto


def _accelerator_from_proto(a: gke.AcceleratorConfig) -> Attributes:
    out: Attributes = {"type": a.accelerator_type, "count": a.accelerator_count}
    version = a.gpu_driver_installation_config.gpu_driver_version
    if version:
        out["gpuDriverVersion"] = version.name
    return out


def _reservation_from_proto(r: gke.ReservationAffinity) -> Attributes | None:
    if not r.consume_reservation_type:
        return None
    out: Attributes = {"consumeReservationType": r.consume_reservation_type.name}
    if r.key:
        out["key"] = r.key
    out["values"] = list(r.values)
    return out


def kubelet_to_proto(k: Attributes) -> gke.NodeKubeletConfig:
    proto = gke.NodeKubeletConfig(
        cpu_manager_policy=k.get("cpuManagerPolicy") or "",
        cpu_cfs_quota_period=k.get("cpuCfsQuotaPeriod") or "",
        pod_pids_limit=k.get("podPidsLimit") or 0,
    )
    if k.get("cpuCfsQuota") is not None:
        proto.cpu_cfs_quota = k["cpuCfsQuota"]  # a BoolValue: present when set
    if k.get("insecureKubeletReadonlyPortEnabled") is not None:  # optional: present when set
        proto.insecure_kubelet_readonly_port_enabled = k["insecureKubeletReadonlyPortEnabled"]
    proto.image_gc_low_threshold_percent = k.get("imageGcLowThresholdPercent") or 0
    proto.image_gc_high_threshold_percent = k.get("imageGcHighThresholdPercent") or 0
    proto.container_log_max_size = k.get("containerLogMaxSize") or ""
    proto.container_log_max_files = k.get("containerLogMaxFiles") or 0
    return proto


def linux_to_proto(linux: Attributes) -> gke.LinuxNodeConfig:
    proto = gke.LinuxNodeConfig(
        sysctls=linux.get("sysctls") or {},
        cgroup_mode=linux.get("cgroupMode") or "CGROUP_MODE_UNSPECIFIED",
    )
    pages = linux.get("hugepages")
    if pages is not None:
        proto.hugepages = gke.LinuxNodeConfig.HugepagesConfig(
            {_HUGEPAGES[k]: v for k, v in pages.items() if v is not None}
        )
    return proto


# the spec's hugepages keys and HugepagesConfig's (both optional int32: present when set)
_HUGEPAGES = {"hugepageSize2m": "hugepage_size2m", "hugepageSize1g": "hugepage_size1g"}


def _kubelet_from_proto(k: gke.NodeKubeletConfig) -> Attributes:
    out: Attributes = {}
    if k.cpu_manager_policy:
        out["cpuManagerPolicy"] = k.cpu_manager_policy
    if "cpu_cfs_quota" in k:
        out["cpuCfsQuota"] = bool(k.cpu_cfs_quota)
    if k.cpu_cfs_quota_period:
        out["cpuCfsQuotaPeriod"] = k.cpu_cfs_quota_period
    if k.pod_pids_limit:
        out["podPidsLimit"] = k.pod_pids_limit
    if "insecure_kubelet_readonly_port_enabled" in k:
        out["insecureKubeletReadonlyPortEnabled"] = k.insecure_kubelet_readonly_port_enabled
    for key, value in (
        ("imageGcLowThresholdPercent", k.image_gc_low_threshold_percent),
        ("imageGcHighThresholdPercent", k.image_gc_high_threshold_percent),
        ("containerLogMaxSize", k.container_log_max_size),
        ("containerLogMaxFiles", k.container_log_max_files),
    ):
        if value:  # unset (0, ""): GKE's default
            out[key] = value
    return out


def _linux_from_proto(linux: gke.LinuxNodeConfig) -> Attributes:
    out: Attributes = {}
    if linux.sysctls:
        out["sysctls"] = dict(linux.sysctls)
    if linux.cgroup_mode:
        out["cgroupMode"] = linux.cgroup_mode.name
    if "hugepages" in linux:
        pages = linux.hugepages
        out["hugepages"] = {k: getattr(pages, f) for k, f in _HUGEPAGES.items() if f in pages}
    return out


def _placement_from_proto(p: gke.NodePool.PlacementPolicy) -> Attributes | None:
    if not p.type_:
        return None
    out: Attributes = {"type": p.type_.name}
    if p.tpu_topology:
        out["tpuTopology"] = p.tpu_topology
    if p.policy_name:
        out["policyName"] = p.policy_name
    return out


def _autoscaling_from_proto(auto: gke.NodePoolAutoscaling) -> Attributes:
    if not auto.enabled:
        return {"enabled": False}
    out: Attributes = {
        "enabled": True,
        "minNodeCount": auto.min_node_count,
        "maxNodeCount": auto.max_node_count,
    }
    if auto.total_max_node_count or auto.total_min_node_count:
        out["totalMinNodeCount"] = auto.total_min_node_count
        out["totalMaxNodeCount"] = auto.total_max_node_count
    return out


def autoscaling_to_proto(auto: Attributes, location_policy: str | None) -> gke.NodePoolAutoscaling:
    proto = gke.NodePoolAutoscaling(
        enabled=auto["enabled"],
        min_node_count=auto.get("minNodeCount", 0),
        max_node_count=auto.get("maxNodeCount", 0),
        total_min_node_count=auto.get("totalMinNodeCount", 0),
        total_max_node_count=auto.get("totalMaxNodeCount", 0),
    )
    if location_policy:
        proto.location_policy = getattr(gke.NodePoolAutoscaling.LocationPolicy, location_policy)
    return proto


def pool_from_proto(pool: gke.NodePool) -> Attributes:
    c = pool.config
    auto = pool.autoscaling
    strategy = pool.upgrade_settings.strategy
    return {
        "name": pool.name,
        "machineType": c.machine_type,
        "diskSizeGb": c.disk_size_gb,
        "diskType": c.disk_type,
        "imageType": c.image_type,
        "spot": c.spot,
        "preemptible": c.preemptible,
        "accelerators": [_accelerator_from_proto(a) for a in c.accelerators],
        "labels": dict(c.labels),
        "taints": [{"key": t.key, "value": t.value, "effect": t.effect.name} for t in c.taints],
        "serviceAccount": c.service_account or "default",
        "oauthScopes": sorted(c.oauth_scopes),
        "autoscaling": _autoscaling_from_proto(auto),
        "locationPolicy": auto.location_policy.name if auto.location_policy else None,
        "upgradeSettings": {
            "maxSurge": pool.upgrade_settings.max_surge,
            "maxUnavailable": pool.upgrade_settings.max_unavailable,
            "strategy": strategy.name if strategy else "SURGE",
        },
        "autoRepair": pool.management.auto_repair,
        "autoUpgrade": pool.management.auto_upgrade,
        "secureBoot": c.shielded_instance_config.enable_secure_boot,
        "integrityMonitoring": c.shielded_instance_config.enable_integrity_monitoring,
        "workloadMetadata": c.workload_metadata_config.mode.name
        if c.workload_metadata_config.mode
        else "GCE_METADATA",
        "nodeLocations": sorted(pool.locations) if pool.locations else None,
        "maxPodsPerNode": pool.max_pods_constraint.max_pods_per_node or None,
        "version": pool.version or None,
        "tags": sorted(c.tags),
        "metadata": dict(c.metadata),
        "imageStreaming": c.gcfs_config.enabled,
        "localSsdCount": c.local_ssd_count,
        "ephemeralStorageLocalSsdCount": c.ephemeral_storage_local_ssd_config.local_ssd_count,
        "gvnic": c.gvnic.enabled,
        "reservationAffinity": _reservation_from_proto(c.reservation_affinity),
        "queuedProvisioning": pool.queued_provisioning.enabled,
        "placementPolicy": _placement_from_proto(pool.placement_policy),
        "sandbox": _enum_name(c.sandbox_config.type_),
        "kubeletConfig": _kubelet_from_proto(c.kubelet_config),
        "linuxNodeConfig": _linux_from_proto(c.linux_node_config),
    }


_IP_ALLOCATION = {
    "clusterSecondaryRangeName": "cluster_secondary_range_name",
    "servicesSecondaryRangeName": "services_secondary_range_name",
    "clusterIpv4CidrBlock": "cluster_ipv4_cidr_block",
    "servicesIpv4CidrBlock": "services_ipv4_cidr_block",
}


def _ip_allocation(policy: Attributes) -> dict[str, str]:
    return {_IP_ALLOCATION[k]: v for k, v in policy.items() if k in _IP_ALLOCATION and v}


def cluster_to_proto(
    project: str, attrs: Attributes, inputs: Attributes, pools: list[gke.NodePool]
) -> gke.Cluster:
    cluster = gke.Cluster(
        name=attrs["name"],
        description=attrs["description"],
        network=attrs["network"],
        release_channel=gke.ReleaseChannel(channel=attrs["releaseChannel"]),
        master_auth=gke.MasterAuth(
            client_certificate_config=gke.ClientCertificateConfig(
                issue_client_certificate=attrs["issueClientCertificate"]
            )
        ),
        network_policy=gke.NetworkPolicy(
            enabled=attrs["networkPolicy"], provider=gke.NetworkPolicy.Provider.CALICO
        )
        if attrs["networkPolicy"]
        else None,
        addons_config=addons_to_proto(attrs),
        resource_labels=attrs["labels"],
        # VPC-native: "useIpAliases" is implied by the secondary ranges or blocks given
        # (IPAllocationPolicy, GKE REST v1)
        ip_allocation_policy=gke.IPAllocationPolicy(
            use_ip_aliases=True, **_ip_allocation(inputs.get("ipAllocationPolicy") or {})
        ),
        node_pools=pools,
    )
    # None: an Autopilot cluster, whose nodes GKE configures (see cluster._desired)
    if attrs["shieldedNodes"] is not None:
        cluster.shielded_nodes = gke.ShieldedNodes(enabled=attrs["shieldedNodes"])
    if attrs["legacyAbac"] is not None:
        cluster.legacy_abac = gke.LegacyAbac(enabled=attrs["legacyAbac"])
    if attrs.get("autopilot"):
        cluster.autopilot = gke.Autopilot(enabled=True)
    if attrs.get("masterVersion"):
        cluster.initial_cluster_version = attrs["masterVersion"]
    if attrs.get("loggingComponents") is not None:
        cluster.logging_config = logging_to_proto(attrs["loggingComponents"])
    if attrs.get("monitoringComponents") is not None:
        cluster.monitoring_config = monitoring_to_proto(attrs["monitoringComponents"])
    if attrs.get("binaryAuthorization"):
        cluster.binary_authorization = gke.BinaryAuthorization(
            evaluation_mode=attrs["binaryAuthorization"]
        )
    if attrs.get("intranodeVisibility") is not None:
        cluster.network_config.enable_intra_node_visibility = attrs["intranodeVisibility"]
    if attrs.get("datapathProvider"):
        cluster.network_config.datapath_provider = attrs["datapathProvider"]
    if attrs.get("authenticatorGroup"):
        cluster.authenticator_groups_config = authenticator_to_proto(attrs["authenticatorGroup"])
    if attrs.get("nodeAutoProvisioning") is not None:
        cluster.autoscaling = nap_to_proto(attrs["nodeAutoProvisioning"])
    if attrs.get("autoscalingProfile"):
        cluster.autoscaling.autoscaling_profile = attrs["autoscalingProfile"]
    if attrs.get("autopilotServiceAccount"):
        # an Autopilot cluster's node account (magic-modules#6733: cluster_autoscaling's
        # auto_provisioning_defaults with enable_autopilot)
        cluster.autoscaling = gke.ClusterAutoscaling(
            autoprovisioning_node_pool_defaults=gke.AutoprovisioningNodePoolDefaults(
                service_account=attrs["autopilotServiceAccount"],
                oauth_scopes=inputs.get("autopilotOauthScopes") or [],
            )
        )
    _service_settings_to_proto(cluster, attrs)
    if attrs["subnetwork"]:
        cluster.subnetwork = attrs["subnetwork"]
    if attrs["nodeLocations"]:
        cluster.locations = attrs["nodeLocations"]
    if attrs["workloadIdentity"]:
        cluster.workload_identity_config = gke.WorkloadIdentityConfig(
            workload_pool=f"{project}.svc.id.goog"
        )
    if attrs["privateNodes"]:
        cluster.private_cluster_config = gke.PrivateClusterConfig(
            enable_private_nodes=True,
            enable_private_endpoint=attrs["privateEndpoint"],
            master_ipv4_cidr_block=inputs.get("masterIpv4CidrBlock") or "172.16.0.0/28",
        )
        if attrs.get("masterGlobalAccess") is not None:
            cluster.private_cluster_config.master_global_access_config = (
                gke.PrivateClusterMasterGlobalAccessConfig(enabled=attrs["masterGlobalAccess"])
            )
    if attrs["masterAuthorizedNetworks"] is not None:
        cluster.master_authorized_networks_config = gke.MasterAuthorizedNetworksConfig(
            enabled=True,
            cidr_blocks=[
                gke.MasterAuthorizedNetworksConfig.CidrBlock(
                    cidr_block=n["cidrBlock"], display_name=n.get("displayName", "")
                )
                for n in attrs["masterAuthorizedNetworks"]
            ],
        )
    return cluster


def _service_settings_to_proto(cluster: gke.Cluster, attrs: Attributes) -> None:
    """The service settings the spec sets (docs/gke-fields.md)."""
    if attrs.get("secretManager") is not None:
        cluster.secret_manager_config = gke.SecretManagerConfig(enabled=attrs["secretManager"])
    posture = security_posture_to_proto(attrs)
    if posture is not None:
        cluster.security_posture_config = posture
    if attrs.get("managedPrometheus") is not None:
        cluster.monitoring_config.managed_prometheus_config = gke.ManagedPrometheusConfig(
            enabled=attrs["managedPrometheus"]
        )
    if attrs.get("costAllocation") is not None:
        cluster.cost_management_config = gke.CostManagementConfig(enabled=attrs["costAllocation"])
    if attrs.get("dnsEndpointExternalTraffic") is not None:
        cluster.control_plane_endpoints_config.dns_endpoint_config = (
            gke.ControlPlaneEndpointsConfig.DNSEndpointConfig(
                allow_external_traffic=attrs["dnsEndpointExternalTraffic"]
            )
        )
    if attrs.get("clusterDns"):
        cluster.network_config.dns_config = dns_to_proto(attrs["clusterDns"])
    if attrs.get("verticalPodAutoscaling") is not None:
        cluster.vertical_pod_autoscaling = gke.VerticalPodAutoscaling(
            enabled=attrs["verticalPodAutoscaling"]
        )
    if attrs.get("defaultMaxPodsPerNode"):
        cluster.default_max_pods_constraint = gke.MaxPodsConstraint(
            max_pods_per_node=attrs["defaultMaxPodsPerNode"]
        )
    if attrs.get("maintenancePolicy"):
        cluster.maintenance_policy = maintenance_to_proto(attrs["maintenancePolicy"])
    if attrs.get("gatewayApi"):
        cluster.network_config.gateway_api_config = gke.GatewayAPIConfig(
            channel=attrs["gatewayApi"]
        )
    if attrs.get("autoConfigNetworkTags") is not None:
        cluster.node_pool_auto_config.network_tags = gke.NetworkTags(
            tags=attrs["autoConfigNetworkTags"]
        )
    if attrs.get("autoConfigResourceManagerTags") is not None:
        cluster.node_pool_auto_config.resource_manager_tags = gke.ResourceManagerTags(
            tags=attrs["autoConfigResourceManagerTags"]
        )


def endpoints_to_proto(attrs: Attributes) -> gke.ControlPlaneEndpointsConfig:
    """The control plane's endpoints as the Google provider sends them on a change of global
    access or of the DNS endpoint (resource_container_cluster.go,
    expandControlPlaneEndpointsConfig: the IP endpoints enabled, public unless the endpoint is
    private, global access, the authorized networks; the DNS endpoint's flags)."""
    config = gke.ControlPlaneEndpointsConfig()
    if attrs.get("dnsEndpointExternalTraffic") is not None:
        config.dns_endpoint_config = gke.ControlPlaneEndpointsConfig.DNSEndpointConfig(
            allow_external_traffic=attrs["dnsEndpointExternalTraffic"]
        )
    ip = gke.ControlPlaneEndpointsConfig.IPEndpointsConfig(
        enabled=True, enable_public_endpoint=not attrs["privateEndpoint"]
    )
    if attrs.get("masterGlobalAccess") is not None:
        ip.global_access = attrs["masterGlobalAccess"]
    networks = cluster_to_proto("-", attrs, {}, []).master_authorized_networks_config
    if attrs.get("masterAuthorizedNetworks") is not None:
        ip.authorized_networks_config = networks
    config.ip_endpoints_config = ip
    return config


def dns_to_proto(dns: Attributes) -> gke.DNSConfig:
    return gke.DNSConfig(
        cluster_dns=dns["clusterDns"],
        cluster_dns_scope=dns.get("clusterDnsScope") or "DNS_SCOPE_UNSPECIFIED",
        cluster_dns_domain=dns.get("clusterDnsDomain") or "",
    )


def _dns_from_proto(dns: gke.DNSConfig) -> Attributes | None:
    if not dns.cluster_dns:
        return None
    out: Attributes = {"clusterDns": dns.cluster_dns.name}
    if dns.cluster_dns_scope:
        out["clusterDnsScope"] = dns.cluster_dns_scope.name
    if dns.cluster_dns_domain:
        out["clusterDnsDomain"] = dns.cluster_dns_domain
    return out


def security_posture_to_proto(attrs: Attributes) -> gke.SecurityPostureConfig | None:
    mode, vulnerability = attrs.get("securityPostureMode"), attrs.get("vulnerabilityMode")
    if mode is None and vulnerability is None:
        return None
    proto = gke.SecurityPostureConfig()
    if mode:
        proto.mode = mode
    if vulnerability:
        proto.vulnerability_mode = vulnerability
    return proto


def addons_to_proto(attrs: Attributes, only: set[str] | None = None) -> gke.AddonsConfig:
    """The add-ons the spec sets (all, or the `only` ones); the network policy add-on goes
    with enforcement (GKE docs, "Enabling network policy enforcement")."""
    config = gke.AddonsConfig()
    if attrs.get("networkPolicy") is not None and (only is None or "networkPolicy" in only):
        config.network_policy_config = gke.NetworkPolicyConfig(disabled=not attrs["networkPolicy"])
    for key, (field, inverted) in ADDONS.items():
        on = attrs.get(f"addons.{key}")
        if on is None or (only is not None and f"addons.{key}" not in only):
            continue
        message = type(getattr(config, field))
        setattr(config, field, message(disabled=not on) if inverted else message(enabled=on))
    return config


def logging_to_proto(components: list[str]) -> gke.LoggingConfig:
    return gke.LoggingConfig(
        component_config=gke.LoggingComponentConfig(enable_components=components)
    )


def monitoring_to_proto(
    components: list[str] | None, managed_prometheus: bool | None = None
) -> gke.MonitoringConfig:
    """MonitoringConfig with what the spec sets of it: the Google provider sends the whole
    config on any change of monitoring_config (resource_container_cluster.go,
    DesiredMonitoringConfig: expandMonitoringConfig), components and managed Prometheus."""
    config = gke.MonitoringConfig()
    if components is not None:
        config.component_config = gke.MonitoringComponentConfig(enable_components=components)
    if managed_prometheus is not None:
        config.managed_prometheus_config = gke.ManagedPrometheusConfig(enabled=managed_prometheus)
    return config


def authenticator_to_proto(group: str | None) -> gke.AuthenticatorGroupsConfig:
    return gke.AuthenticatorGroupsConfig(enabled=bool(group), security_group=group or "")


def nap_to_proto(nap: Attributes) -> gke.ClusterAutoscaling:
    proto = gke.ClusterAutoscaling(enable_node_autoprovisioning=nap["enabled"])
    if not nap["enabled"]:
        return proto
    proto.resource_limits = [
        gke.ResourceLimit(
            resource_type=r["resourceType"], minimum=r["minimum"], maximum=r["maximum"]
        )
        for r in nap["resourceLimits"]
    ]
    defaults = gke.AutoprovisioningNodePoolDefaults(
        oauth_scopes=nap["oauthScopes"],
        disk_size_gb=nap.get("diskSizeGb") or 0,
        disk_type=nap.get("diskType") or "",
        image_type=nap.get("imageType") or "",
        boot_disk_kms_key=nap.get("bootDiskKmsKey") or "",
    )
    if nap["serviceAccount"] != "default":
        defaults.service_account = nap["serviceAccount"]
    if nap.get("management") is not None:
        m = nap["management"]
        defaults.management = gke.NodeManagement(
            auto_upgrade=m["autoUpgrade"], auto_repair=m["autoRepair"]
        )
    if nap.get("upgradeSettings") is not None:
        u = nap["upgradeSettings"]
        defaults.upgrade_settings = gke.NodePool.UpgradeSettings(
            max_surge=u["maxSurge"], max_unavailable=u["maxUnavailable"], strategy=u["strategy"]
        )
    if nap.get("shieldedInstanceConfig") is not None:
        sh = nap["shieldedInstanceConfig"]
        defaults.shielded_instance_config = gke.ShieldedInstanceConfig(
            enable_secure_boot=sh["enableSecureBoot"],
            enable_integrity_monitoring=sh["enableIntegrityMonitoring"],
        )
    proto.autoprovisioning_node_pool_defaults = defaults
    proto.autoprovisioning_locations = nap.get("autoprovisioningLocations") or []
    return proto


def _addons_from_proto(config: gke.AddonsConfig) -> Attributes:
    out: Attributes = {}
    for key, (field, inverted) in ADDONS.items():
        message = getattr(config, field)
        out[f"addons.{key}"] = not message.disabled if inverted else message.enabled
    return out


def _nap_from_proto(a: gke.ClusterAutoscaling) -> Attributes:
    if not a.enable_node_autoprovisioning:
        return {"enabled": False}
    d = a.autoprovisioning_node_pool_defaults
    return {
        "enabled": True,
        "resourceLimits": sorted(
            (
                {"resourceType": r.resource_type, "minimum": r.minimum, "maximum": r.maximum}
                for r in a.resource_limits
            ),
            key=lambda r: str(r["resourceType"]),
        ),
        "serviceAccount": d.service_account or "default",
        "oauthScopes": sorted(d.oauth_scopes),
        **_nap_defaults_from_proto(d),
        **(
            {"autoprovisioningLocations": sorted(a.autoprovisioning_locations)}
            if a.autoprovisioning_locations
            else {}
        ),
    }


def _nap_defaults_from_proto(d: gke.AutoprovisioningNodePoolDefaults) -> Attributes:
    """What GKE has of the auto-created pools' defaults; what the spec leaves out is dropped
    on read (driver._settled_nap), so GKE's own choices are no change."""
    out: Attributes = {}
    if d.disk_size_gb:
        out["diskSizeGb"] = d.disk_size_gb
    if d.disk_type:
        out["diskType"] = d.disk_type
    if d.image_type:
        out["imageType"] = d.image_type
    if d.boot_disk_kms_key:
        out["bootDiskKmsKey"] = d.boot_disk_kms_key
    if "management" in d:
        m = d.management
        out["management"] = {"autoRepair": m.auto_repair, "autoUpgrade": m.auto_upgrade}
    if "upgrade_settings" in d:
        u = d.upgrade_settings
        out["upgradeSettings"] = {
            "maxSurge": u.max_surge,
            "maxUnavailable": u.max_unavailable,
            "strategy": u.strategy.name if u.strategy else "SURGE",
        }
    if "shielded_instance_config" in d:
        sh = d.shielded_instance_config
        out["shieldedInstanceConfig"] = {
            "enableSecureBoot": sh.enable_secure_boot,
            "enableIntegrityMonitoring": sh.enable_integrity_monitoring,
        }
    return out


def _enum_name(value: Any) -> str | None:
    return value.name if value else None


def _service_settings_from_proto(c: gke.Cluster) -> Attributes:
    posture = c.security_posture_config
    return {
        "secretManager": c.secret_manager_config.enabled,
        "securityPostureMode": _enum_name(posture.mode),
        "vulnerabilityMode": _enum_name(posture.vulnerability_mode),
        "managedPrometheus": c.monitoring_config.managed_prometheus_config.enabled,
        "costAllocation": c.cost_management_config.enabled,
        "gatewayApi": _enum_name(c.network_config.gateway_api_config.channel),
        "maintenancePolicy": maintenance_from_proto(c.maintenance_policy),
        "clusterDns": _dns_from_proto(c.network_config.dns_config),
        "verticalPodAutoscaling": c.vertical_pod_autoscaling.enabled,
        "autoscalingProfile": _enum_name(c.autoscaling.autoscaling_profile),
        "defaultMaxPodsPerNode": c.default_max_pods_constraint.max_pods_per_node or None,
        # "Most of PrivateClusterConfig has moved to ControlPlaneEndpointsConfig" (the Google
        # provider reads global access from there, resource_container_cluster.go)
        "masterGlobalAccess": c.control_plane_endpoints_config.ip_endpoints_config.global_access,
        "dnsEndpointExternalTraffic": (
            c.control_plane_endpoints_config.dns_endpoint_config.allow_external_traffic
        ),
        "autoConfigNetworkTags": list(c.node_pool_auto_config.network_tags.tags),
        "autoConfigResourceManagerTags": dict(c.node_pool_auto_config.resource_manager_tags.tags),
    }


def cluster_from_proto(c: gke.Cluster) -> Attributes:
    man = c.master_authorized_networks_config
    broken = {"_error": c.status_message or "ERROR"} if c.status == gke.Cluster.Status.ERROR else {}
    return {
        **broken,
        "name": c.name,
        "location": c.location,
        "nodeLocations": sorted(c.locations) if c.locations else None,
        "description": c.description,
        "releaseChannel": c.release_channel.channel.name
        if c.release_channel.channel
        else "UNSPECIFIED",
        "workloadIdentity": bool(c.workload_identity_config.workload_pool),
        "privateNodes": c.private_cluster_config.enable_private_nodes,
        "privateEndpoint": c.private_cluster_config.enable_private_endpoint,
        "masterAuthorizedNetworks": (
            [
                {
                    "cidrBlock": b.cidr_block,
                    **({"displayName": b.display_name} if b.display_name else {}),
                }
                for b in man.cidr_blocks
            ]
            if man.enabled
            else None
        ),
        "networkPolicy": c.network_policy.enabled,
        "shieldedNodes": c.shielded_nodes.enabled,
        "legacyAbac": c.legacy_abac.enabled,
        "issueClientCertificate": c.master_auth.client_certificate_config.issue_client_certificate,
        "network": c.network or "default",
        "subnetwork": c.subnetwork or None,
        "labels": dict(c.resource_labels),
        "autopilot": c.autopilot.enabled,
        **_addons_from_proto(c.addons_config),
        "masterVersion": c.current_master_version or None,
        "loggingComponents": sorted(
            x.name for x in c.logging_config.component_config.enable_components
        ),
        "monitoringComponents": sorted(
            x.name for x in c.monitoring_config.component_config.enable_components
        ),
        # "If unspecified, defaults to DISABLED" (container v1 BinaryAuthorization.evaluationMode)
        "binaryAuthorization": c.binary_authorization.evaluation_mode.name
        if c.binary_authorization.evaluation_mode
        else "DISABLED",
        "intranodeVisibility": c.network_config.enable_intra_node_visibility,
        "authenticatorGroup": c.authenticator_groups_config.security_group or None
        if c.authenticator_groups_config.enabled
        else None,
        # "By default, uses the IPTables-based kube-proxy implementation" (container v1
        # NetworkConfig.datapathProvider): unspecified is the legacy datapath.
        "datapathProvider": c.network_config.datapath_provider.name
        if c.network_config.datapath_provider
        else "LEGACY_DATAPATH",
        "nodeAutoProvisioning": None if c.autopilot.enabled else _nap_from_proto(c.autoscaling),
        "autopilotServiceAccount": (
            c.autoscaling.autoprovisioning_node_pool_defaults.service_account or "default"
        )
        if c.autopilot.enabled
        else None,
        **_service_settings_from_proto(c),
        # Output only (container v1 Cluster.endpoint, MasterAuth.clusterCaCertificate): never
        # in the desired state, so never diffed; kept for `gkeplan output`.
        "endpoint": c.endpoint or None,
        "clusterCaCertificate": c.master_auth.cluster_ca_certificate or None,
    }


# -- the maintenance policy (kinds/gke/maintenance.py: the spec's model and attribute) ----
def _when(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def maintenance_to_proto(attr: dict[str, Any], resource_version: str = "") -> gke.MaintenancePolicy:
    window = gke.MaintenanceWindow()
    if attr.get("dailyStartTime"):
        window.daily_maintenance_window = gke.DailyMaintenanceWindow(
            start_time=attr["dailyStartTime"]
        )
    recurring = attr.get("recurring")
    if recurring:
        window.recurring_window = gke.RecurringTimeWindow(
            window=gke.TimeWindow(
                start_time=_when(recurring["startTime"]), end_time=_when(recurring["endTime"])
            ),
            recurrence=recurring["recurrence"],
        )
    for e in attr.get("exclusions") or []:
        window.maintenance_exclusions[e["name"]] = gke.TimeWindow(
            start_time=_when(e["startTime"]),
            end_time=_when(e["endTime"]),
            maintenance_exclusion_options=gke.MaintenanceExclusionOptions(scope=e["scope"]),
        )
    return gke.MaintenancePolicy(window=window, resource_version=resource_version)


def maintenance_from_proto(policy: gke.MaintenancePolicy) -> dict[str, Any]:
    window = policy.window
    recurring = window.recurring_window
    has_recurring = "recurring_window" in window
    return {
        "dailyStartTime": window.daily_maintenance_window.start_time or None,
        "recurring": {
            "startTime": maintenance.utc_text(recurring.window.start_time),
            "endTime": maintenance.utc_text(recurring.window.end_time),
            "recurrence": recurring.recurrence,
        }
        if has_recurring
        else None,
        "exclusions": sorted(
            (
                {
                    "name": name,
                    "startTime": maintenance.utc_text(w.start_time),
                    "endTime": maintenance.utc_text(w.end_time),
                    # unset is NO_UPGRADES (MaintenanceExclusionOptions.Scope's first value)
                    "scope": w.maintenance_exclusion_options.scope.name,
                }
                for name, w in window.maintenance_exclusions.items()
            ),
            key=lambda e: e["name"],
        ),
    }
