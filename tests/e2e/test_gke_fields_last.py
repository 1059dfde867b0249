"""The GKE fields issue 24 built last (docs/gke-fields.md): Autopilot's node pool auto-config,
node auto-provisioning's defaults, the rest of the kubelet and Linux node settings. Each is
sent on create, read back ("No changes."), changed in place through GKE's own update call,
and drift in it found, through the sandbox."""

from __future__ import annotations

from google.cloud import container_v1 as gke

from gkeplan.kinds import Spec

from .conftest import Harness
from .test_gke_fields import _container, _done, _fields, _text

AUTOPILOT = "projects/demo-project/locations/us-central1/clusters/sd-cluster"


def _applied(harness: Harness, text: str) -> Spec:
    """The spec applied; planned again, it is "No changes."."""
    spec = harness.spec(text)
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    assert not harness.plan(spec).has_changes
    return spec


def _put_back(harness: Harness, spec: Spec) -> None:
    """Drift (every pending change is drift) applied away: no change after."""
    assert all(c.drift for c in harness.plan(spec).pending)
    assert harness.apply(spec).ok
    assert not harness.plan(spec).has_changes


def _autopilot(extra: str) -> str:
    text = _text(
        (
            "    removeDefaultNodePool: true\n",
            "    autopilot: true\n    location: us-central1\n" + extra,
        ),
        ("    location: us-central1-c\n", ""),
    )
    pools_at = text.index("    nodePools:\n")
    return text[:pools_at] + text[text.index("\nbuckets:") :]


AUTO_CONFIG = (
    "    nodePoolAutoConfig:\n"
    "      networkTags: [serving, allow-lb]\n"
    "      resourceManagerTags: {tagKeys/281478395625645: tagValues/281479290029250}\n"
)


def test_autopilot_node_pool_auto_config_round_trips_changes_in_place_and_drifts(
    harness: Harness,
) -> None:
    _applied(harness, _autopilot(AUTO_CONFIG))
    client = _container(harness)
    auto = client.get_cluster(name=AUTOPILOT).node_pool_auto_config
    assert list(auto.network_tags.tags) == ["serving", "allow-lb"]
    assert dict(auto.resource_manager_tags.tags) == {
        "tagKeys/281478395625645": "tagValues/281479290029250"
    }
    changed = harness.spec(
        _autopilot(
            AUTO_CONFIG.replace("[serving, allow-lb]", "[serving]").replace(
                "tagValues/281479290029250", "tagValues/281479290029251"
            )
        )
    )
    plan = harness.plan(changed)
    assert _fields(plan) == {
        "cluster.sd-cluster": (
            "update",
            ["autoConfigNetworkTags", "autoConfigResourceManagerTags"],
        )
    }
    harness.emu.requests.clear()
    assert harness.apply(changed).ok
    # one UpdateCluster each, as the Google provider sends them
    methods = [e.method for e in harness.emu.requests]
    assert methods.count("container.updateCluster") == 2, methods
    auto = client.get_cluster(name=AUTOPILOT).node_pool_auto_config
    assert list(auto.network_tags.tags) == ["serving"]
    assert dict(auto.resource_manager_tags.tags) == {
        "tagKeys/281478395625645": "tagValues/281479290029251"
    }
    assert not harness.plan(changed).has_changes
    outside = gke.ClusterUpdate(
        desired_node_pool_auto_config_network_tags=gke.NetworkTags(tags=["other"])
    )
    _done(client, client.update_cluster(name=AUTOPILOT, update=outside))
    drifted = harness.plan(changed)
    assert _fields(drifted) == {"cluster.sd-cluster": ("update", ["autoConfigNetworkTags"])}
    _put_back(harness, changed)


STANDARD = "projects/demo-project/locations/us-central1-c/clusters/sd-cluster"
NAP = (
    "    releaseChannel: REGULAR\n",
    "    releaseChannel: REGULAR\n"
    "    nodeAutoProvisioning:\n"
    "      resourceLimits:\n"
    "        - {resourceType: cpu, maximum: 8}\n"
    "        - {resourceType: memory, maximum: 32}\n"
    "      autoprovisioningLocations: [us-central1-c, us-central1-f]\n"
    "      autoProvisioningDefaults:\n"
    "        serviceAccount: gke-node\n"
    "        diskSizeGb: 50\n"
    "        diskType: pd-balanced\n"
    "        imageType: cos_containerd\n"
    "        management: {autoUpgrade: true, autoRepair: true}\n"
    "        upgradeSettings: {maxSurge: 2, maxUnavailable: 0}\n"
    "        shieldedInstanceConfig: {enableSecureBoot: true, enableIntegrityMonitoring: true}\n"
    "        bootDiskKmsKey: projects/demo-project/locations/us-central1/keyRings/r/cryptoKeys/k\n",
)


def test_auto_provisioning_defaults_round_trip_change_in_place_and_drift(
    harness: Harness,
) -> None:
    _applied(harness, _text(NAP))
    client = _container(harness)
    auto = client.get_cluster(name=STANDARD).autoscaling
    d = auto.autoprovisioning_node_pool_defaults
    assert (d.disk_size_gb, d.disk_type, d.image_type) == (50, "pd-balanced", "COS_CONTAINERD")
    assert d.management.auto_upgrade and d.management.auto_repair
    assert (d.upgrade_settings.max_surge, d.upgrade_settings.max_unavailable) == (2, 0)
    assert d.shielded_instance_config.enable_secure_boot
    assert d.boot_disk_kms_key.endswith("/cryptoKeys/k")
    assert list(auto.autoprovisioning_locations) == ["us-central1-c", "us-central1-f"]
    changed = harness.spec(
        _text(
            (
                NAP[0],
                NAP[1]
                .replace("diskSizeGb: 50", "diskSizeGb: 80")
                .replace("[us-central1-c, us-central1-f]", "[us-central1-c]"),
            )
        )
    )
    plan = harness.plan(changed)
    assert _fields(plan) == {"cluster.sd-cluster": ("update", ["nodeAutoProvisioning"])}
    harness.emu.requests.clear()
    assert harness.apply(changed).ok
    methods = [e.method for e in harness.emu.requests]
    assert methods.count("container.updateCluster") == 1, methods  # the one ClusterAutoscaling
    auto = client.get_cluster(name=STANDARD).autoscaling
    assert auto.autoprovisioning_node_pool_defaults.disk_size_gb == 80
    assert list(auto.autoprovisioning_locations) == ["us-central1-c"]
    assert not harness.plan(changed).has_changes
    outside = gke.ClusterAutoscaling(auto)
    outside.autoprovisioning_node_pool_defaults.disk_type = "pd-ssd"
    update = gke.ClusterUpdate(desired_cluster_autoscaling=outside)
    _done(client, client.update_cluster(name=STANDARD, update=update))
    drifted = harness.plan(changed)
    assert _fields(drifted) == {"cluster.sd-cluster": ("update", ["nodeAutoProvisioning"])}
    cluster = drifted.pending[0]
    assert cluster.fields[0].before["diskType"] == "pd-ssd"
    _put_back(harness, changed)


def test_auto_provisioning_defaults_the_spec_leaves_out_follow_gke(harness: Harness) -> None:
    spec = harness.spec(_text(NAP))
    assert harness.apply(spec).ok
    client = _container(harness)
    auto = client.get_cluster(name=STANDARD).autoscaling
    outside = gke.ClusterAutoscaling(auto)
    outside.autoprovisioning_node_pool_defaults.min_cpu_platform = "Intel Ice Lake"
    _done(
        client,
        client.update_cluster(
            name=STANDARD, update=gke.ClusterUpdate(desired_cluster_autoscaling=outside)
        ),
    )
    less = harness.spec(_text((NAP[0], NAP[1].replace("        diskSizeGb: 50\n", ""))))
    # the disk size GKE has is GKE's once the spec leaves it out; a setting gkeplan does not
    # model (minCpuPlatform) is no change either
    assert not harness.plan(less).has_changes


POOL = f"{STANDARD}/nodePools/sd-node-pool"
NODE = (
    "        machineType: n2-standard-4\n",
    "        machineType: n2-standard-4\n"
    "        kubeletConfig:\n"
    "          insecureKubeletReadonlyPortEnabled: false\n"
    "          imageGcLowThresholdPercent: 70\n"
    "          imageGcHighThresholdPercent: 80\n"
    "          containerLogMaxSize: 100Mi\n"
    "          containerLogMaxFiles: 4\n"
    "        linuxNodeConfig:\n"
    "          hugepages: {hugepageSize2m: 512}\n",
)


def test_the_kubelet_and_linux_settings_round_trip_change_in_place_and_drift(
    harness: Harness,
) -> None:
    _applied(harness, _text(NODE))
    client = _container(harness)
    config = client.get_node_pool(name=POOL).config
    k = config.kubelet_config
    assert "insecure_kubelet_readonly_port_enabled" in k
    assert not k.insecure_kubelet_readonly_port_enabled
    assert (k.image_gc_low_threshold_percent, k.image_gc_high_threshold_percent) == (70, 80)
    assert (k.container_log_max_size, k.container_log_max_files) == ("100Mi", 4)
    assert config.linux_node_config.hugepages.hugepage_size2m == 512
    assert "hugepage_size1g" not in config.linux_node_config.hugepages
    changed = harness.spec(
        _text(
            (
                NODE[0],
                NODE[1]
                .replace("containerLogMaxFiles: 4", "containerLogMaxFiles: 6")
                .replace("{hugepageSize2m: 512}", "{hugepageSize2m: 512, hugepageSize1g: 2}"),
            )
        )
    )
    plan = harness.plan(changed)
    assert _fields(plan) == {
        "nodePool.sd-cluster.sd-node-pool": ("update", ["kubeletConfig", "linuxNodeConfig"])
    }
    harness.emu.requests.clear()
    assert harness.apply(changed).ok
    methods = [e.method for e in harness.emu.requests]
    assert methods.count("container.updateNodePool") == 1, methods  # in place: one update
    config = client.get_node_pool(name=POOL).config
    assert config.kubelet_config.container_log_max_files == 6
    assert config.linux_node_config.hugepages.hugepage_size1g == 2
    assert not harness.plan(changed).has_changes
    op = client.update_node_pool(
        request={
            "name": POOL,
            "node_version": "-",
            "image_type": "COS_CONTAINERD",
            # the read-only port opened outside gkeplan; the rest as the spec has it
            "kubelet_config": gke.NodeKubeletConfig(
                config.kubelet_config, insecure_kubelet_readonly_port_enabled=True
            ),
        }
    )
    _done(client, op)
    drifted = harness.plan(changed)
    assert _fields(drifted) == {"nodePool.sd-cluster.sd-node-pool": ("update", ["kubeletConfig"])}
    kubelet = drifted.pending[0].fields[0]
    assert kubelet.before["insecureKubeletReadonlyPortEnabled"] is True
    _put_back(harness, changed)
