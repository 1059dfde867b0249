"""The cluster and node-pool fields of issue 24 (docs/gke-fields.md) through the sandbox: each
is sent on create, read back, diffed, changed in place through GKE's own update call or
planned as a replacement where the Google provider's field is ForceNew, and drift in it found."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import container_v1 as gke

from gkeplan.plan.model import Action
from gkeplan_emulator import Emulator, EmulatorConfig

from .conftest import EXAMPLE, Harness
from .test_gke_fields import _container, _done, _fields

CLUSTER = "projects/demo-project/locations/us-central1-c/clusters/sd-cluster"
POOL = f"{CLUSTER}/nodePools/sd-node-pool"

CLUSTER_FIELDS = (
    "    releaseChannel: REGULAR\n",
    "    releaseChannel: REGULAR\n"
    "    addons: {rayOperator: true, dnsCache: true, gkeBackupAgent: true, statefulHa: false,"
    " configConnector: false}\n"
    "    secretManager: true\n"
    "    securityPosture: {mode: BASIC, vulnerabilityMode: VULNERABILITY_BASIC}\n"
    "    monitoringComponents: [SYSTEM_COMPONENTS]\n"
    "    managedPrometheus: true\n"
    "    costAllocation: true\n"
    "    gatewayApi: CHANNEL_STANDARD\n"
    "    privateCluster: {masterGlobalAccess: true}\n"
    "    dnsEndpoint: {allowExternalTraffic: true}\n"
    "    clusterDns: {clusterDns: CLOUD_DNS, clusterDnsScope: VPC_SCOPE,"
    " clusterDnsDomain: sd.example}\n"
    "    verticalPodAutoscaling: true\n"
    "    autoscalingProfile: optimize_utilization\n"
    "    defaultMaxPodsPerNode: 64\n"
    "    maintenancePolicy:\n"
    "      recurringWindow: {startTime: '2026-01-03T06:00:00+02:00',"
    " endTime: '2026-01-03T08:00:00Z', recurrence: 'FREQ=WEEKLY;BYDAY=SA'}\n"
    "      exclusions:\n"
    "        - {name: launch, startTime: '2026-11-20T00:00:00Z',"
    " endTime: '2026-11-30T00:00:00Z', scope: no_minor_upgrades}\n",
)
# the sandbox project has the GPU quota the spec says was granted (policy.quotas)
GPU_QUOTA = (
    "  packs: [free-trial, least-privilege, security-baseline]\n",
    "  packs: [free-trial, least-privilege, security-baseline]\n"
    "  quotas: {PREEMPTIBLE_NVIDIA_T4_GPUS: 2, NVIDIA_T4_GPUS: 2, GPUS_ALL_REGIONS: 2}\n",
)
POOL_FIELDS = (
    "        machineType: n2-standard-4\n",
    "        machineType: n1-standard-4\n"
    "        accelerators: [{type: nvidia-tesla-t4, count: 1, gpuDriverVersion: LATEST}]\n"
    "        gvnic: true\n"
    "        reservationAffinity:\n"
    "          consumeReservationType: SPECIFIC_RESERVATION\n"
    "          key: compute.googleapis.com/reservation-name\n"
    "          values: [t4-reservation]\n"
    "        placementPolicy: {type: compact}\n"
    "        kubeletConfig: {cpuManagerPolicy: static, podPidsLimit: 4096}\n"
    "        linuxNodeConfig:\n"
    "          sysctls: {net.core.somaxconn: '4096'}\n"
    "          cgroupMode: cgroup_mode_v2\n"
    "        sandbox: gvisor\n",
)


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    """The sandbox of a project granted two T4s (policy.quotas says so to the planner)."""
    granted = (
        ("PREEMPTIBLE_NVIDIA_T4_GPUS", 2.0),
        ("NVIDIA_T4_GPUS", 2.0),
        ("GPUS_ALL_REGIONS", 2.0),
    )
    with Emulator(EmulatorConfig(quota_overrides=granted)) as emu:
        yield Harness(emu, tmp_path)


def _text(*replacements: tuple[str, str]) -> str:
    text = EXAMPLE.read_text()
    for old, new in (GPU_QUOTA, *replacements):
        assert old in text, old
        text = text.replace(old, new)
    return text


def test_every_field_round_trips_and_reaches_gke(harness: Harness) -> None:
    spec = harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    again = harness.plan(spec)
    assert not again.has_changes, _fields(again)
    got = _container(harness).get_cluster(name=CLUSTER)
    addons = got.addons_config
    assert addons.ray_operator_config.enabled
    assert addons.dns_cache_config.enabled
    assert addons.gke_backup_agent_config.enabled
    assert not addons.stateful_ha_config.enabled
    assert got.secret_manager_config.enabled
    assert got.security_posture_config.mode.name == "BASIC"
    assert got.security_posture_config.vulnerability_mode.name == "VULNERABILITY_BASIC"
    assert got.monitoring_config.managed_prometheus_config.enabled
    assert [c.name for c in got.monitoring_config.component_config.enable_components] == [
        "SYSTEM_COMPONENTS"
    ]
    assert got.cost_management_config.enabled
    assert got.network_config.gateway_api_config.channel.name == "CHANNEL_STANDARD"
    assert got.network_config.dns_config.cluster_dns.name == "CLOUD_DNS"
    assert got.network_config.dns_config.cluster_dns_domain == "sd.example"
    assert got.vertical_pod_autoscaling.enabled
    assert got.autoscaling.autoscaling_profile.name == "OPTIMIZE_UTILIZATION"
    assert got.default_max_pods_constraint.max_pods_per_node == 64
    endpoints = got.control_plane_endpoints_config
    assert endpoints.ip_endpoints_config.global_access
    assert endpoints.dns_endpoint_config.allow_external_traffic
    assert got.private_cluster_config.master_global_access_config.enabled
    window = got.maintenance_policy.window
    assert window.recurring_window.recurrence == "FREQ=WEEKLY;BYDAY=SA"
    # +02:00 is the same moment as GKE's UTC: no change above
    assert window.recurring_window.window.start_time.isoformat() == "2026-01-03T04:00:00+00:00"
    launch = window.maintenance_exclusions["launch"]
    assert launch.maintenance_exclusion_options.scope.name == "NO_MINOR_UPGRADES"
    config = got.node_pools[0].config
    assert config.gvnic.enabled
    driver = config.accelerators[0].gpu_driver_installation_config
    assert driver.gpu_driver_version.name == "LATEST"
    affinity = config.reservation_affinity
    assert affinity.consume_reservation_type.name == "SPECIFIC_RESERVATION"
    assert list(affinity.values) == ["t4-reservation"]
    assert got.node_pools[0].placement_policy.type_.name == "COMPACT"
    assert config.sandbox_config.type_.name == "GVISOR"
    assert config.kubelet_config.cpu_manager_policy == "static"
    assert config.kubelet_config.pod_pids_limit == 4096
    assert dict(config.linux_node_config.sysctls) == {"net.core.somaxconn": "4096"}
    assert config.linux_node_config.cgroup_mode.name == "CGROUP_MODE_V2"


def test_a_queued_provisioning_pool_round_trips_and_is_replaced_to_change(
    harness: Harness,
) -> None:
    """Dynamic Workload Scheduler's pools (queuedProvisioning): ForceNew in the provider."""
    pool_old, pool_new = POOL_FIELDS
    queued = pool_new.replace(
        "          consumeReservationType: SPECIFIC_RESERVATION\n"
        "          key: compute.googleapis.com/reservation-name\n"
        "          values: [t4-reservation]\n",
        "          consumeReservationType: NO_RESERVATION\n",
    ).replace("        sandbox: gvisor\n", "        queuedProvisioning: true\n")
    spec = harness.spec(_text(CLUSTER_FIELDS, (pool_old, queued)))
    assert harness.apply(spec).ok
    assert not harness.plan(spec).has_changes
    got = _container(harness).get_node_pool(name=POOL)
    assert got.queued_provisioning.enabled
    off = queued.replace("queuedProvisioning: true", "queuedProvisioning: false")
    plan = harness.plan(harness.spec(_text(CLUSTER_FIELDS, (pool_old, off))))
    pool = next(c for c in plan.pending if c.address.startswith("nodePool."))
    assert pool.action is Action.REPLACE
    assert pool.reason is not None and pool.reason.startswith("queuedProvisioning"), pool.reason


def test_fields_gke_changes_in_place_are_updates(harness: Harness) -> None:
    assert harness.apply(harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))).ok
    old, new = CLUSTER_FIELDS
    changed = (
        new.replace("rayOperator: true", "rayOperator: false")
        .replace("statefulHa: false", "statefulHa: true")
        .replace("secretManager: true", "secretManager: false")
        .replace("VULNERABILITY_BASIC", "VULNERABILITY_DISABLED")
        .replace("managedPrometheus: true", "managedPrometheus: false")
        .replace("costAllocation: true", "costAllocation: false")
        .replace("CHANNEL_STANDARD", "CHANNEL_DISABLED")
        .replace("2026-11-30T00:00:00Z", "2026-12-02T00:00:00Z")
        .replace("masterGlobalAccess: true", "masterGlobalAccess: false")
        .replace("allowExternalTraffic: true", "allowExternalTraffic: false")
        .replace("VPC_SCOPE, clusterDnsDomain: sd.example", "CLUSTER_SCOPE")
        .replace("verticalPodAutoscaling: true", "verticalPodAutoscaling: false")
        .replace("optimize_utilization", "BALANCED")
    )
    pool_old, pool_new = POOL_FIELDS
    spec = harness.spec(
        _text(
            (old, changed),
            (
                pool_old,
                pool_new.replace("gvnic: true", "gvnic: false")
                .replace("podPidsLimit: 4096", "podPidsLimit: 8192")
                .replace("somaxconn: '4096'", "somaxconn: '1024'"),
            ),
        )
    )
    plan = harness.plan(spec)
    assert _fields(plan) == {
        "cluster.sd-cluster": (
            "update",
            [
                "addons.rayOperator",
                "addons.statefulHa",
                "autoscalingProfile",
                "clusterDns",
                "costAllocation",
                "dnsEndpointExternalTraffic",
                "gatewayApi",
                "maintenancePolicy",
                "managedPrometheus",
                "masterGlobalAccess",
                "secretManager",
                "verticalPodAutoscaling",
                "vulnerabilityMode",
            ],
        ),
        "nodePool.sd-cluster.sd-node-pool": (
            "update",
            ["gvnic", "kubeletConfig", "linuxNodeConfig"],
        ),
    }
    assert not any(c.drift for c in plan.pending), "a changed spec is not drift"
    harness.emu.requests.clear()
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    left = harness.plan(spec)
    assert not left.has_changes, _fields(left)
    got = _container(harness).get_cluster(name=CLUSTER)
    assert not got.addons_config.ray_operator_config.enabled
    assert got.addons_config.stateful_ha_config.enabled
    assert got.addons_config.dns_cache_config.enabled  # left as it was
    assert not got.secret_manager_config.enabled
    assert got.security_posture_config.mode.name == "BASIC"  # left as it was
    assert got.security_posture_config.vulnerability_mode.name == "VULNERABILITY_DISABLED"
    assert not got.monitoring_config.managed_prometheus_config.enabled
    # the components went with managed Prometheus, in the one monitoring config
    components = got.monitoring_config.component_config.enable_components
    assert [c.name for c in components] == ["SYSTEM_COMPONENTS"]
    assert not got.cost_management_config.enabled
    assert got.network_config.gateway_api_config.channel.name == "CHANNEL_DISABLED"
    assert got.network_config.dns_config.cluster_dns_scope.name == "CLUSTER_SCOPE"
    assert not got.vertical_pod_autoscaling.enabled
    assert got.autoscaling.autoscaling_profile.name == "BALANCED"
    assert not got.autoscaling.enable_node_autoprovisioning  # left as it was
    endpoints = got.control_plane_endpoints_config
    assert not endpoints.ip_endpoints_config.global_access
    assert not endpoints.dns_endpoint_config.allow_external_traffic
    assert endpoints.ip_endpoints_config.enable_public_endpoint  # as it was: not private
    launch = got.maintenance_policy.window.maintenance_exclusions["launch"]
    assert launch.end_time.isoformat() == "2026-12-02T00:00:00+00:00"
    assert not got.node_pools[0].config.gvnic.enabled
    assert got.node_pools[0].config.kubelet_config.pod_pids_limit == 8192
    assert got.node_pools[0].config.kubelet_config.cpu_manager_policy == "static"
    assert dict(got.node_pools[0].config.linux_node_config.sysctls) == {
        "net.core.somaxconn": "1024"
    }
    methods = [e.method for e in harness.emu.requests]
    # setAddons once, and one UpdateCluster per message: secret manager, posture, monitoring,
    # cost management, gateway API, the control plane's endpoints, DNS, VPA, autoscaling
    assert methods.count("container.setAddons") == 1, methods
    assert methods.count("container.updateCluster") == 9, methods
    assert methods.count("container.setMaintenancePolicy") == 1, methods
    assert methods.count("container.updateNodePool") == 1, methods


def test_fields_gke_cannot_change_in_place_are_replacements(harness: Harness) -> None:
    assert harness.apply(harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))).ok
    pool_old, pool_new = POOL_FIELDS
    for old, new, field in (
        ("gpuDriverVersion: LATEST", "gpuDriverVersion: DEFAULT", "accelerators"),
        ("[t4-reservation]", "[other-reservation]", "reservationAffinity"),
        ("{type: compact}", "{type: COMPACT, policyName: placement-a}", "placementPolicy"),
    ):
        spec = harness.spec(_text(CLUSTER_FIELDS, (pool_old, pool_new.replace(old, new))))
        pool = next(c for c in harness.plan(spec).pending if c.address.startswith("nodePool."))
        assert pool.action is Action.REPLACE, field
        assert pool.reason is not None and pool.reason.startswith(field), pool.reason
    cluster_old, cluster_new = CLUSTER_FIELDS
    fewer = cluster_new.replace("defaultMaxPodsPerNode: 64", "defaultMaxPodsPerNode: 32")
    spec = harness.spec(_text((cluster_old, fewer), POOL_FIELDS))
    cluster = next(c for c in harness.plan(spec).pending if c.address == "cluster.sd-cluster")
    assert cluster.action is Action.REPLACE
    assert cluster.reason is not None and cluster.reason.startswith("defaultMaxPodsPerNode")


def test_an_unset_driver_version_follows_gke(harness: Harness) -> None:
    """Without gpuDriverVersion in the spec, whatever GKE installs is no change (accelerators
    are ForceNew: a difference there would replace the pool)."""
    pool_old, pool_new = POOL_FIELDS
    assert harness.apply(harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))).ok
    unset = pool_new.replace(", gpuDriverVersion: LATEST", "")
    assert not harness.plan(harness.spec(_text(CLUSTER_FIELDS, (pool_old, unset)))).has_changes


def test_drift_in_each_field_is_found(harness: Harness) -> None:
    """Each field changed behind gkeplan's back through google-cloud-container shows up in the
    next plan as drift, to be put back in place."""
    spec = harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))
    assert harness.apply(spec).ok
    client = _container(harness)
    op = client.set_addons_config(
        name=CLUSTER,
        addons_config=gke.AddonsConfig(
            dns_cache_config=gke.DnsCacheConfig(enabled=False),
            config_connector_config=gke.ConfigConnectorConfig(enabled=True),
        ),
    )
    _done(client, op)
    updates = [
        gke.ClusterUpdate(desired_secret_manager_config=gke.SecretManagerConfig(enabled=False)),
        gke.ClusterUpdate(
            desired_security_posture_config=gke.SecurityPostureConfig(mode="DISABLED")
        ),
        gke.ClusterUpdate(
            desired_monitoring_config=gke.MonitoringConfig(
                managed_prometheus_config=gke.ManagedPrometheusConfig(enabled=False)
            )
        ),
        gke.ClusterUpdate(desired_cost_management_config=gke.CostManagementConfig(enabled=False)),
        gke.ClusterUpdate(
            desired_gateway_api_config=gke.GatewayAPIConfig(channel="CHANNEL_EXPERIMENTAL")
        ),
        gke.ClusterUpdate(desired_dns_config=gke.DNSConfig(cluster_dns="KUBE_DNS")),
        gke.ClusterUpdate(
            desired_cluster_autoscaling=gke.ClusterAutoscaling(autoscaling_profile="BALANCED")
        ),
        gke.ClusterUpdate(
            desired_vertical_pod_autoscaling=gke.VerticalPodAutoscaling(enabled=False)
        ),
        gke.ClusterUpdate(
            desired_control_plane_endpoints_config=gke.ControlPlaneEndpointsConfig(
                ip_endpoints_config=gke.ControlPlaneEndpointsConfig.IPEndpointsConfig(
                    global_access=False
                )
            )
        ),
    ]
    for update in updates:
        _done(client, client.update_cluster(name=CLUSTER, update=update))
    daily = gke.MaintenancePolicy(
        window=gke.MaintenanceWindow(
            daily_maintenance_window=gke.DailyMaintenanceWindow(start_time="03:00")
        ),
        resource_version=client.get_cluster(name=CLUSTER).maintenance_policy.resource_version,
    )
    _done(client, client.set_maintenance_policy(name=CLUSTER, maintenance_policy=daily))
    op = client.update_node_pool(
        request={
            "name": POOL,
            "node_version": "-",
            "image_type": "COS_CONTAINERD",
            "gvnic": gke.VirtualNIC(enabled=False),
            # podPidsLimit is the spec's; cpuCfsQuota it leaves to GKE: no change
            "kubelet_config": gke.NodeKubeletConfig(
                cpu_manager_policy="static", pod_pids_limit=2048, cpu_cfs_quota=False
            ),
        }
    )
    _done(client, op)
    plan = harness.plan(spec)
    assert _fields(plan) == {
        "cluster.sd-cluster": (
            "update",
            [
                "addons.configConnector",
                "addons.dnsCache",
                "autoscalingProfile",
                "clusterDns",
                "costAllocation",
                "gatewayApi",
                "maintenancePolicy",
                "managedPrometheus",
                "masterGlobalAccess",
                "secretManager",
                "securityPostureMode",
                "verticalPodAutoscaling",
            ],
        ),
        "nodePool.sd-cluster.sd-node-pool": ("update", ["gvnic", "kubeletConfig"]),
    }
    pool = next(c for c in plan.pending if c.address.startswith("nodePool."))
    kubelet = next(f for f in pool.fields if f.name == "kubeletConfig")
    assert kubelet.before == {"cpuManagerPolicy": "static", "podPidsLimit": 2048}
    assert all(c.drift for c in plan.pending)
    assert harness.apply(spec).ok
    assert not harness.plan(spec).has_changes


def test_total_node_limits_round_trip_change_in_place_and_drift_is_found(
    harness: Harness,
) -> None:
    """autoscaling.totalMinNodeCount / totalMaxNodeCount: the pool's nodes across its zones,
    set through setAutoscaling as per-zone limits are."""
    per_zone = "autoscaling: {minNodeCount: 1, maxNodeCount: 2}"
    totals = "autoscaling: {totalMinNodeCount: 1, totalMaxNodeCount: 2, locationPolicy: ANY}"
    spec = harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS, (per_zone, totals)))
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    assert not harness.plan(spec).has_changes
    client = _container(harness)
    auto = client.get_node_pool(name=POOL).autoscaling
    assert (auto.total_min_node_count, auto.total_max_node_count) == (1, 2)
    assert (auto.min_node_count, auto.max_node_count) == (0, 0)
    more = harness.spec(
        _text(CLUSTER_FIELDS, POOL_FIELDS, (per_zone, totals.replace("Count: 2", "Count: 3")))
    )
    plan = harness.plan(more)
    assert _fields(plan) == {"nodePool.sd-cluster.sd-node-pool": ("update", ["autoscaling"])}
    assert harness.apply(more).ok
    assert client.get_node_pool(name=POOL).autoscaling.total_max_node_count == 3
    assert not harness.plan(more).has_changes
    outside = gke.NodePoolAutoscaling(
        enabled=True, total_min_node_count=1, total_max_node_count=5, location_policy="ANY"
    )
    op = client.set_node_pool_autoscaling(request={"name": POOL, "autoscaling": outside})
    _done(client, op)
    drifted = harness.plan(more)
    assert _fields(drifted) == {"nodePool.sd-cluster.sd-node-pool": ("update", ["autoscaling"])}
    assert all(c.drift for c in drifted.pending)
