"""google_container_cluster and google_container_node_pool as gkeplan's cluster and its node
pools, faithful to what the Google provider makes: where gkeplan's secure defaults differ from
the provider's (or from GKE's, when the provider sends nothing), the provider's are written out.

Sources: hashicorp/terraform-provider-google at the tags named (google/services/container/ from
4.x, google/ in 3.x).
"""

from __future__ import annotations

from typing import Any

from gkeplan.convert import api
from gkeplan.convert.values import MISSING, RawFloat
from gkeplan.kinds.network.terraform import network_ref

CLUSTER = "google_container_cluster"
POOL = "google_container_node_pool"

# v5.0.0 resource_container_cluster.go: `"deletion_protection": {Type: schema.TypeBool,
# Optional: true, Default: true}`; the field does not exist before 5.0 (v4.74.0 has none), so
# nothing protects a 4.x cluster. An unpinned provider is taken to be the newest.
DELETION_PROTECTION_SINCE = 5
# v4.74.0 node_config.go, shielded_instance_config: `"enable_secure_boot": {Optional: true,
# ForceNew: true, Default: false}` (v3.5.0 node_config.go the same); gkeplan turns it on.
PROVIDER_SECURE_BOOT = False
# The provider sends no oauth_scopes when none are written (node_config.go: Optional,
# Computed), and GKE then adds "no scopes ..., unless Cloud Logging or Cloud Monitoring are
# enabled, in which case their required scopes will be added" (NodeConfig.oauthScopes,
# https://cloud.google.com/kubernetes-engine/docs/reference/rest/v1/NodeConfig); both are on by
# default, so a pool gets these two. gkeplan's default is cloud-platform.
GKE_DEFAULT_SCOPES = [
    "https://www.googleapis.com/auth/logging.write",
    "https://www.googleapis.com/auth/monitoring",
]
# node_metadata of provider 3.x (beta) spelled the modes differently (GKE_METADATA_SERVER).
_METADATA = {
    "GKE_METADATA_SERVER": "GKE_METADATA",
    "EXPOSE": "GCE_METADATA",
    "GKE_METADATA": "GKE_METADATA",
    "GCE_METADATA": "GCE_METADATA",
}
_ADDONS = {
    # Terraform block: (spec key, its flag, whether the flag says "disabled")
    "http_load_balancing": ("httpLoadBalancing", "disabled"),
    "horizontal_pod_autoscaling": ("horizontalPodAutoscaling", "disabled"),
    "gce_persistent_disk_csi_driver_config": ("gcePersistentDiskCsiDriver", "enabled"),
    "gcs_fuse_csi_driver_config": ("gcsFuseCsiDriver", "enabled"),
    "gcp_filestore_csi_driver_config": ("gcpFilestoreCsiDriver", "enabled"),
    "ray_operator_config": ("rayOperator", "enabled"),
    "dns_cache_config": ("dnsCache", "enabled"),
    "gke_backup_agent_config": ("gkeBackupAgent", "enabled"),
    "stateful_ha_config": ("statefulHa", "enabled"),
    "config_connector_config": ("configConnector", "enabled"),
}


def _upgrade_settings(upgrade: Any) -> dict[str, Any]:
    """A pool's or the auto-provisioning defaults' `upgrade_settings` block: one shape."""
    return api.compact(
        {
            "maxSurge": upgrade.number("max_surge"),
            "maxUnavailable": upgrade.number("max_unavailable"),
            "strategy": upgrade.text("strategy"),
        }
    )


def version_text(res: api.TfResource, name: str) -> str | None:
    """A GKE version as written: `min_master_version = 1.30` is "1.30", not the float 1.3."""
    value = res.peek(name)
    if isinstance(value, RawFloat):
        res.skip(name)
        return value.text
    return res.text(name)


def _timeouts(res: api.TfResource) -> None:
    if res.has("timeouts"):
        res.skip("timeouts")
        res.note("timeouts", "gkeplan waits for GKE's operations with its own deadlines")


def _cluster(res: api.TfResource, out: api.Output) -> None:
    key = _KEY(res, out)
    api.same_project(res)
    _timeouts(res)
    body: dict[str, Any] = {"name": api.name_field(res, key)}
    # tpgresource.GetLocation (google/tpgresource/regional_utils.go, e03b7622): the resource's
    # location, region or zone, else the provider's region, then its zone
    location = res.text("location") or res.text("region") or res.text("zone")
    for name in ("region", "zone"):
        value = res.provider.arg(name) if location is None and res.provider else MISSING
        text = res.render(value) if value is not MISSING else None
        location = location or (text if isinstance(text, str) else None)
    body["location"] = location
    body["nodeLocations"] = res.strings("node_locations")
    body["description"] = res.text("description")
    create_as = out.create_as(res)
    if create_as is not None:
        body["createAs"] = create_as
    remove = res.flag("remove_default_node_pool", False)
    if remove:
        res.skip("initial_node_count")  # the default pool GKE makes and Terraform deletes
        body["removeDefaultNodePool"] = True
    else:
        body["removeDefaultNodePool"] = False
        for name in ("initial_node_count", "node_config"):
            if res.has(name):
                res.leave(
                    name,
                    "the cluster's default node pool: gkeplan manages separate pools only",
                    "declare the pool under nodePools",
                )
    for name in ("node_pool",):
        if res.has(name):
            res.leave(
                name,
                "an inline node pool",
                "declare it as a google_container_node_pool "
                "and convert again, or write it under nodePools",
            )
    body["minMasterVersion"] = version_text(res, "min_master_version")
    channel = res.block("release_channel")
    if channel is not None:
        body["releaseChannel"] = channel.text("channel")
    wi = res.block("workload_identity_config")
    body["workloadIdentity"] = wi is not None and bool(
        wi.text("workload_pool") or wi.text("identity_namespace")
    )
    private = res.block("private_cluster_config")
    if private is not None:
        body["privateCluster"] = api.compact(
            {
                "enablePrivateNodes": bool(private.flag("enable_private_nodes", False)),
                "enablePrivateEndpoint": private.flag("enable_private_endpoint"),
                "masterIpv4CidrBlock": private.text("master_ipv4_cidr_block"),
                "masterGlobalAccess": _global_access(private),
            }
        )
    networks = res.block("master_authorized_networks_config")
    if networks is not None:
        body["masterAuthorizedNetworks"] = [
            api.compact({"cidrBlock": c.text("cidr_block"), "displayName": c.text("display_name")})
            for c in networks.blocks("cidr_blocks")
        ]
    policy = res.block("network_policy")
    body["networkPolicy"] = None
    if policy is not None:
        policy.skip("provider")  # CALICO, the only one GKE's NetworkPolicy names
        body["networkPolicy"] = bool(policy.flag("enabled", False))
    body["shieldedNodes"] = res.flag("enable_shielded_nodes")
    body["enableLegacyAbac"] = res.flag("enable_legacy_abac")
    auth = res.block("master_auth")
    if auth is not None:
        cert = auth.block("client_certificate_config")
        if cert is not None:
            body["issueClientCertificate"] = cert.flag("issue_client_certificate")
    body["network"] = network_ref(res)
    sub = res.ref_key("subnetwork", ["google_compute_subnetwork"])
    if sub is not None:
        res.skip("subnetwork")
    body["subnetwork"] = sub or (res.text("subnetwork") or "").rsplit("/", 1)[-1] or None
    ip = res.block("ip_allocation_policy")
    if ip is not None:
        body["ipAllocationPolicy"] = api.compact(
            {
                "clusterSecondaryRangeName": ip.text("cluster_secondary_range_name"),
                "servicesSecondaryRangeName": ip.text("services_secondary_range_name"),
                "clusterIpv4CidrBlock": ip.text("cluster_ipv4_cidr_block"),
                "servicesIpv4CidrBlock": ip.text("services_ipv4_cidr_block"),
            }
        )
    body["labels"] = res.labels("resource_labels")
    body["autopilot"] = res.flag("enable_autopilot")
    addons = res.block("addons_config")
    if addons is not None:
        found: dict[str, bool] = {}
        for addon, (spec, flag) in _ADDONS.items():
            b = addons.block(addon)
            if b is not None:
                value = bool(b.flag(flag, False))
                found[spec] = not value if flag == "disabled" else value
        if found:
            body["addons"] = found
        _network_policy_addon(addons, bool(body["networkPolicy"]))
    for name, spec in (
        ("logging_config", "loggingComponents"),
        ("monitoring_config", "monitoringComponents"),
    ):
        block = res.block(name)
        if block is not None:
            body[spec] = block.strings("enable_components")
            prometheus = block.block("managed_prometheus")
            if prometheus is not None:
                body["managedPrometheus"] = prometheus.flag("enabled")
    binauthz = res.block("binary_authorization")
    if binauthz is not None:
        mode = binauthz.text("evaluation_mode")
        if mode is None and binauthz.flag("enabled"):
            mode = "PROJECT_SINGLETON_POLICY_ENFORCE"
        body["binaryAuthorization"] = {"evaluationMode": mode or "DISABLED"}
    body["intranodeVisibility"] = res.flag("enable_intranode_visibility")
    groups = res.block("authenticator_groups_config")
    if groups is not None:
        body["authenticatorGroupsConfig"] = {"securityGroup": groups.text("security_group")}
    body["datapathProvider"] = res.text("datapath_provider")
    body.update(_cluster_configs(res, out))
    protection = res.flag("deletion_protection")
    if protection is None:
        major = out.provider_major()
        protection = major is None or major >= DELETION_PROTECTION_SINCE
    body["deletionProtection"] = None if protection else False
    body = api.compact(body)
    if private is None:
        body["privateCluster"] = None  # public nodes, as the provider makes them by default
    out.put("clusters", key, body, res)


def _network_policy_addon(addons: api.TfResource, enforced: bool) -> None:
    """addons_config.network_policy_config: the spec's networkPolicy sets the add-on with
    enforcement, as GKE has them turned on and off together ("Enabling network policy
    enforcement": the NetworkPolicy add-on, then --enable-network-policy; disabling is the
    reverse: docs.cloud.google.com/kubernetes-engine/docs/how-to/network-policy). The block is
    read when it agrees with network_policy; one apart from it is left out, said why."""
    block = addons.block("network_policy_config")
    if block is None:
        return
    disabled = block.flag("disabled")
    if disabled is None:
        addons.leave(
            "network_policy_config",
            "its disabled flag is not a value convert can read before Terraform runs",
            "write networkPolicy: true or false in the spec",
        )
    elif disabled == enforced:
        state = "off" if disabled else "on without enforcement"
        addons.leave(
            "network_policy_config",
            f"the NetworkPolicy add-on {state} while network_policy is "
            f"{'on' if enforced else 'off'}: gkeplan's networkPolicy turns both on or off",
            "networkPolicy: true (the add-on and enforcement) or false (neither)",
        )
    else:
        addons.skip("network_policy_config")


def _cluster_configs(res: api.TfResource, out: api.Output) -> dict[str, Any]:
    """The blocks of issue 24 (docs/gke-fields.md), each one flag or mode."""
    body: dict[str, Any] = {}
    for block_name, spec in (
        ("secret_manager_config", "secretManager"),
        ("cost_management_config", "costAllocation"),
    ):
        block = res.block(block_name)
        if block is not None:
            body[spec] = bool(block.flag("enabled", False))
    posture = res.block("security_posture_config")
    if posture is not None:
        # "MODE_UNSPECIFIED" and "VULNERABILITY_MODE_UNSPECIFIED" are GKE's choice
        # (DiffSuppressFunc EmptyOrDefaultStringSuppress, resource_container_cluster.go)
        mode, vulnerability = posture.text("mode"), posture.text("vulnerability_mode")
        body["securityPosture"] = api.compact(
            {
                "mode": None if mode == "MODE_UNSPECIFIED" else mode,
                "vulnerabilityMode": None
                if vulnerability == "VULNERABILITY_MODE_UNSPECIFIED"
                else vulnerability,
            }
        )
    gateway = res.block("gateway_api_config")
    if gateway is not None:
        body["gatewayApi"] = gateway.text("channel")
    body["dnsEndpoint"] = _dns_endpoint(res)
    dns = res.block("dns_config")
    if dns is not None:
        body["clusterDns"] = _cluster_dns(dns)
    vpa = res.block("vertical_pod_autoscaling")
    if vpa is not None:
        body["verticalPodAutoscaling"] = bool(vpa.flag("enabled", False))
    body["defaultMaxPodsPerNode"] = res.number("default_max_pods_per_node")
    autoscaling = res.block("cluster_autoscaling")
    if autoscaling is not None:
        body.update(_cluster_autoscaling(autoscaling, out))
    mode = res.text("networking_mode")
    if mode == "VPC_NATIVE":
        res.skip("networking_mode")  # what gkeplan makes: alias IPs (convert.cluster_to_proto)
    elif mode is not None:
        res.leave(
            "networking_mode",
            f"{mode}: gkeplan makes VPC-native clusters only",
            "remove it (VPC_NATIVE, the default for new clusters)",
        )
    maintenance = res.block("maintenance_policy")
    if maintenance is not None:
        body["maintenancePolicy"] = _maintenance(maintenance)
    auto = res.block("node_pool_auto_config")
    if auto is not None:
        tags = auto.block("network_tags")
        body["nodePoolAutoConfig"] = api.compact(
            {
                "networkTags": tags.strings("tags") if tags is not None else None,
                "resourceManagerTags": auto.labels("resource_manager_tags"),
            }
        )
    return body


def _cluster_autoscaling(block: api.TfResource, out: api.Output) -> dict[str, Any]:
    """cluster_autoscaling: node auto-provisioning and the autoscaling profile."""
    body: dict[str, Any] = {"autoscalingProfile": block.text("autoscaling_profile")}
    enabled = block.flag("enabled")
    limits = [
        api.compact(
            {
                "resourceType": r.text("resource_type"),
                "minimum": r.number("minimum"),
                "maximum": r.number("maximum"),
            }
        )
        for r in block.blocks("resource_limits")
    ]
    defaults = block.block("auto_provisioning_defaults")
    nap_defaults: dict[str, Any] = {}
    if defaults is not None:
        nap_defaults = api.compact(
            {
                "serviceAccount": _account(defaults, out),
                "oauthScopes": defaults.strings("oauth_scopes"),
                **_nap_defaults(defaults),
            }
        )
    locations = block.strings("auto_provisioning_locations")
    if enabled is not None or limits or nap_defaults or locations:
        body["nodeAutoProvisioning"] = api.compact(
            {
                "enabled": enabled,
                "resourceLimits": limits or None,
                "autoProvisioningDefaults": nap_defaults or None,
                "autoprovisioningLocations": locations,
            }
        )
    return api.compact(body)


def _nap_defaults(defaults: api.TfResource) -> dict[str, Any]:
    """auto_provisioning_defaults beyond the account and scopes, as written (an argument left
    out follows GKE, where the provider would send its own default)."""
    body: dict[str, Any] = {
        "diskSizeGb": defaults.number("disk_size"),
        "diskType": defaults.text("disk_type"),
        "imageType": defaults.text("image_type"),
        "bootDiskKmsKey": defaults.text("boot_disk_kms_key"),
    }
    management = defaults.block("management")
    if management is not None:
        body["management"] = api.compact(
            {
                "autoUpgrade": management.flag("auto_upgrade"),
                "autoRepair": management.flag("auto_repair"),
            }
        )
    upgrade = defaults.block("upgrade_settings")
    if upgrade is not None:
        body["upgradeSettings"] = _upgrade_settings(upgrade)
    shielded = defaults.block("shielded_instance_config")
    if shielded is not None:
        # the provider's defaults there: enable_secure_boot false, enable_integrity_monitoring
        # true (resource_container_cluster.go, auto_provisioning_defaults.
        # shielded_instance_config); gkeplan's secure boot default is on, so it is written out
        body["shieldedInstanceConfig"] = {
            "enableSecureBoot": bool(shielded.flag("enable_secure_boot", False)),
            "enableIntegrityMonitoring": bool(shielded.flag("enable_integrity_monitoring", True)),
        }
    return body


def _cluster_dns(dns: api.TfResource) -> dict[str, Any] | None:
    # "PROVIDER_UNSPECIFIED" and "DNS_SCOPE_UNSPECIFIED" are GKE's choice (the provider's
    # defaults, resource_container_cluster.go `dns_config`)
    provider, scope = dns.text("cluster_dns"), dns.text("cluster_dns_scope")
    if provider in (None, "PROVIDER_UNSPECIFIED"):
        return None
    return api.compact(
        {
            "clusterDns": provider,
            "clusterDnsScope": None if scope == "DNS_SCOPE_UNSPECIFIED" else scope,
            "clusterDnsDomain": dns.text("cluster_dns_domain"),
        }
    )


def _global_access(private: api.TfResource) -> bool | None:
    block = private.block("master_global_access_config")
    return block.flag("enabled") if block is not None else None


def _dns_endpoint(res: api.TfResource) -> dict[str, Any] | None:
    endpoints = res.block("control_plane_endpoints_config")
    dns = endpoints.block("dns_endpoint_config") if endpoints is not None else None
    if dns is None:
        return None
    dns.skip("endpoint")  # output: the name GKE gives it
    return api.compact({"allowExternalTraffic": dns.flag("allow_external_traffic")}) or None


def _maintenance(policy: api.TfResource) -> dict[str, Any]:
    daily = policy.block("daily_maintenance_window")
    recurring = policy.block("recurring_window")
    exclusions = []
    for e in policy.blocks("maintenance_exclusion"):
        options = e.block("exclusion_options")
        exclusions.append(
            api.compact(
                {
                    "name": e.text("exclusion_name"),
                    "startTime": e.text("start_time"),
                    "endTime": e.text("end_time"),
                    "scope": options.text("scope") if options else None,
                }
            )
        )
    return api.compact(
        {
            "dailyWindowStartTime": daily.text("start_time") if daily else None,
            "recurringWindow": api.compact(
                {
                    "startTime": recurring.text("start_time"),
                    "endTime": recurring.text("end_time"),
                    "recurrence": recurring.text("recurrence"),
                }
            )
            if recurring
            else None,
            "exclusions": exclusions or None,
        }
    )


def _pool(res: api.TfResource, out: api.Output) -> None:
    api.same_project(res)
    _timeouts(res)
    cluster = res.ref_key("cluster", [CLUSTER])
    res.skip("cluster", "location")  # the cluster's own location
    key = _KEY(res, out)
    if res.has("name_prefix"):
        res.leave("name_prefix", "gkeplan names pools exactly", "write the pool's name")
    body: dict[str, Any] = {"name": api.name_field(res, key)}
    body["initialNodeCount"] = res.number("node_count")
    initial = res.number("initial_node_count")
    if initial is not None:
        body["initialNodeCount"] = initial
    auto = res.block("autoscaling")
    if auto is not None:
        body["autoscaling"] = api.compact(
            {
                "minNodeCount": auto.number("min_node_count"),
                "maxNodeCount": auto.number("max_node_count"),
                "totalMinNodeCount": auto.number("total_min_node_count"),
                "totalMaxNodeCount": auto.number("total_max_node_count"),
                "locationPolicy": auto.text("location_policy"),
            }
        )
    body["nodeLocations"] = res.strings("node_locations")
    body["version"] = version_text(res, "version")
    body["maxPodsPerNode"] = res.number("max_pods_per_node")
    management = res.block("management")
    if management is not None:
        # within a management block, an unwritten flag is the provider's Default: false
        # (v4.74.0 resource_container_node_pool.go, "auto_repair"/"auto_upgrade");
        # without one the provider sends none and GKE's defaults (both on) apply, as gkeplan's
        body["management"] = {
            "autoRepair": bool(management.flag("auto_repair", False)),
            "autoUpgrade": bool(management.flag("auto_upgrade", False)),
        }
    upgrade = res.block("upgrade_settings")
    if upgrade is not None:
        body["upgradeSettings"] = _upgrade_settings(upgrade)
    queued = res.block("queued_provisioning")
    if queued is not None:
        body["queuedProvisioning"] = queued.flag("enabled")
    placement = res.block("placement_policy")
    if placement is not None:
        body["placementPolicy"] = api.compact(
            {
                "type": placement.text("type"),
                "tpuTopology": placement.text("tpu_topology"),
                "policyName": placement.text("policy_name"),
            }
        )
    node = res.block("node_config")
    body.update(_node_config(node, out) if node is not None else _defaults())
    if cluster is None or not out.put_nested(
        ("clusters", cluster, "nodePools", key), api.compact(body), res
    ):
        res.leave(
            "cluster",
            "its cluster is not one this configuration converts",
            "declare the cluster in the spec and the pool under its nodePools",
        )


def _defaults() -> dict[str, Any]:
    return {
        "oauthScopes": GKE_DEFAULT_SCOPES,
        "shieldedInstanceConfig": {"enableSecureBoot": PROVIDER_SECURE_BOOT},
    }


def _node_config(node: api.TfResource, out: api.Output) -> dict[str, Any]:
    body: dict[str, Any] = {
        "machineType": node.text("machine_type"),
        "diskSizeGb": node.number("disk_size_gb"),
        "diskType": node.text("disk_type"),
        "imageType": node.text("image_type"),
        "preemptible": node.flag("preemptible"),
        "spot": node.flag("spot"),
        "labels": node.labels("labels"),
        "tags": node.strings("tags"),
        "metadata": node.labels("metadata"),
        "localSsdCount": node.number("local_ssd_count"),
    }
    body["serviceAccount"] = _account(node, out)
    scopes = node.strings("oauth_scopes")
    body["oauthScopes"] = scopes if scopes is not None else GKE_DEFAULT_SCOPES
    accelerators = [_accelerator(g) for g in node.blocks("guest_accelerator")]
    body["accelerators"] = accelerators or None
    taints = [
        api.compact({"key": t.text("key"), "value": t.text("value"), "effect": t.text("effect")})
        for t in node.blocks("taint")
    ]
    body["taints"] = taints or None
    wm = node.block("workload_metadata_config")
    if wm is not None:
        mode = wm.text("mode") or wm.text("node_metadata")
        body["workloadMetadata"] = _METADATA.get(mode or "", mode)
    shielded = node.block("shielded_instance_config")
    secure = shielded.flag("enable_secure_boot") if shielded else None
    integrity = shielded.flag("enable_integrity_monitoring") if shielded else None
    body["shieldedInstanceConfig"] = api.compact(
        {
            "enableSecureBoot": PROVIDER_SECURE_BOOT if secure is None else secure,
            "enableIntegrityMonitoring": integrity,
        }
    )
    kubelet = node.block("kubelet_config")
    if kubelet is not None:
        body["kubeletConfig"] = api.compact(
            {
                "cpuManagerPolicy": kubelet.text("cpu_manager_policy") or None,
                "cpuCfsQuota": kubelet.flag("cpu_cfs_quota"),
                "cpuCfsQuotaPeriod": kubelet.text("cpu_cfs_quota_period"),
                "podPidsLimit": kubelet.number("pod_pids_limit"),
                # "Possible values: `TRUE`, `FALSE`." (node_config.go,
                # schemaInsecureKubeletReadonlyPortEnabled): a string there
                "insecureKubeletReadonlyPortEnabled": _upper_flag(
                    kubelet.text("insecure_kubelet_readonly_port_enabled")
                ),
                "imageGcLowThresholdPercent": kubelet.number("image_gc_low_threshold_percent"),
                "imageGcHighThresholdPercent": kubelet.number("image_gc_high_threshold_percent"),
                "containerLogMaxSize": kubelet.text("container_log_max_size"),
                "containerLogMaxFiles": kubelet.number("container_log_max_files"),
            }
        )
    linux = node.block("linux_node_config")
    if linux is not None:
        pages = linux.block("hugepages_config")
        body["linuxNodeConfig"] = api.compact(
            {
                "sysctls": linux.labels("sysctls"),
                "cgroupMode": linux.text("cgroup_mode"),
                "hugepages": api.compact(
                    {
                        "hugepageSize2m": pages.number("hugepage_size_2m"),
                        "hugepageSize1g": pages.number("hugepage_size_1g"),
                    }
                )
                if pages is not None
                else None,
            }
        )
    sandbox = node.block("sandbox_config")
    if sandbox is not None:
        body["sandbox"] = sandbox.text("type")
    gvnic = node.block("gvnic")
    if gvnic is not None:
        body["gvnic"] = gvnic.flag("enabled")
    affinity = node.block("reservation_affinity")
    if affinity is not None:
        body["reservationAffinity"] = api.compact(
            {
                "consumeReservationType": affinity.text("consume_reservation_type"),
                "key": affinity.text("key"),
                "values": affinity.strings("values"),
            }
        )
    gcfs = node.block("gcfs_config")
    if gcfs is not None:
        body["imageStreaming"] = gcfs.flag("enabled")
    eph = node.block("ephemeral_storage_local_ssd_config")
    if eph is not None:
        body["ephemeralStorageLocalSsdCount"] = eph.number("local_ssd_count")
    return body


def _upper_flag(text: str | None) -> bool | None:
    return None if text is None else text.upper() == "TRUE"


def _account(block: api.TfResource, out: api.Output) -> str | None:
    """A block's service_account as the spec names it: a spec account's key, or the email;
    None for the Compute Engine default."""
    account = block.ref_key("service_account", ["google_service_account"])
    if account is not None:
        block.skip("service_account")
        return account
    text = block.text("service_account")
    return None if text in (None, "default") else out.account_key(text) or text


def _accelerator(g: api.TfResource) -> dict[str, Any]:
    driver = g.block("gpu_driver_installation_config")
    return api.compact(
        {
            "type": g.text("type"),
            "count": g.number("count"),
            "gpuDriverVersion": driver.text("gpu_driver_version") if driver else None,
        }
    )


_KEY = api.keyed("name")
_CLUSTER_ID = "projects/{project}/locations/{location}/clusters/{name}"
_POOL_ID = "projects/{project}/locations/{location}/clusters/{cluster}/nodePools/{name}"

MAPPINGS = (
    api.Mapping(CLUSTER, "cluster", _cluster, _KEY, api.state_id(_CLUSTER_ID), order=20),
    api.Mapping(POOL, "nodePool", _pool, _KEY, api.state_id(_POOL_ID), order=21),
)
