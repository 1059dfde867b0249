"""The GKE fields issue 24 built last (docs/gke-fields.md): Autopilot's node pool auto-config,
node auto-provisioning's defaults, the rest of the kubelet and Linux node settings. Each is
sent on create, read back ("No changes."), changed in place through GKE's own update call,
and drift in it found, through the sandbox."""

from __future__ import annotations

from google.cloud import container_v1 as gke

from .conftest import Harness
from .test_gke_fields import _container, _done, _fields, _text

AUTOPILOT = "projects/demo-project/locations/us-central1/clusters/sd-cluster"


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
    spec = harness.spec(_autopilot(AUTO_CONFIG))
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    assert not harness.plan(spec).has_changes
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
    assert all(c.drift for c in drifted.pending)
    assert harness.apply(changed).ok
    assert not harness.plan(changed).has_changes


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
    spec = harness.spec(_text(NAP))
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    assert not harness.plan(spec).has_changes
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
    assert all(c.drift for c in drifted.pending)
    assert cluster.fields[0].before["diskType"] == "pd-ssd"
    assert harness.apply(changed).ok
    assert not harness.plan(changed).has_changes


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
