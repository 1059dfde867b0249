"""The cluster and node-pool fields of issue 13 through the sandbox: each is sent on create,
read back, diffed, changed in place or by replacement as GKE allows, and drift in it found."""

from __future__ import annotations

from typing import Any

from google.cloud import container_v1 as gke

from gkeplan.plan.model import Action, Plan

from .conftest import EXAMPLE, Harness

CLUSTER = "projects/demo-project/locations/us-central1-c/clusters/sd-cluster"
POOL = f"{CLUSTER}/nodePools/sd-node-pool"

CLUSTER_FIELDS = (
    "    releaseChannel: REGULAR\n",
    "    releaseChannel: REGULAR\n"
    "    minMasterVersion: '1.30'\n"
    "    addons: {gcsFuseCsiDriver: true, httpLoadBalancing: false,"
    " gcePersistentDiskCsiDriver: true, horizontalPodAutoscaling: true,"
    " gcpFilestoreCsiDriver: false}\n"
    "    loggingComponents: [WORKLOADS, SYSTEM_COMPONENTS]\n"
    "    monitoringComponents: [SYSTEM_COMPONENTS, DCGM]\n"
    "    binaryAuthorization: {evaluationMode: PROJECT_SINGLETON_POLICY_ENFORCE}\n"
    "    intranodeVisibility: true\n"
    "    authenticatorGroupsConfig: {securityGroup: gke-security-groups@example.com}\n"
    "    datapathProvider: ADVANCED_DATAPATH\n"
    "    nodeAutoProvisioning:\n"
    "      resourceLimits:\n"
    "        - {resourceType: cpu, maximum: 8}\n"
    "        - {resourceType: memory, maximum: 32}\n"
    "        - {resourceType: nvidia-tesla-t4, maximum: 1}\n"
    "      autoProvisioningDefaults: {serviceAccount: gke-node}\n",
)
POOL_FIELDS = (
    "        diskSizeGb: 50\n",
    "        diskSizeGb: 50\n"
    "        version: '1.30.5'\n"
    "        tags: [gke-node, serving]\n"
    "        metadata: {team: ml}\n"
    "        imageStreaming: true\n"
    "        localSsdCount: 1\n"
    "        ephemeralStorageLocalSsdCount: 1\n",
)


def _text(*replacements: tuple[str, str]) -> str:
    text = EXAMPLE.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return text


def _fields(plan: Plan) -> dict[str, tuple[str, list[str]]]:
    return {c.address: (c.action.value, sorted(f.name for f in c.fields)) for c in plan.pending}


def _container(harness: Harness) -> Any:
    return harness.emu.clients().container()


def _done(client: Any, op: gke.Operation) -> None:
    """Wait for a GKE operation the way a user does: ask for it until it is DONE (GKE runs
    one operation on a cluster at a time)."""
    name = f"projects/demo-project/locations/{op.location}/operations/{op.name}"
    while client.get_operation(name=name).status != gke.Operation.Status.DONE:
        pass


def test_every_field_round_trips_and_reaches_gke(harness: Harness) -> None:
    spec = harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    again = harness.plan(spec)
    assert not again.has_changes, _fields(again)
    got = _container(harness).get_cluster(name=CLUSTER)
    assert got.current_master_version == "1.30.5-gke.1014003"  # "1.30": its highest patch
    addons = got.addons_config
    assert addons.gcs_fuse_csi_driver_config.enabled
    assert addons.http_load_balancing.disabled  # GKE's own spelling: disabled
    assert addons.gce_persistent_disk_csi_driver_config.enabled
    assert [c.name for c in got.logging_config.component_config.enable_components] == [
        "SYSTEM_COMPONENTS",
        "WORKLOADS",
    ]
    assert got.binary_authorization.evaluation_mode.name == "PROJECT_SINGLETON_POLICY_ENFORCE"
    assert got.network_config.enable_intra_node_visibility
    assert got.network_config.datapath_provider.name == "ADVANCED_DATAPATH"
    assert got.authenticator_groups_config.security_group == "gke-security-groups@example.com"
    nap = got.autoscaling
    assert nap.enable_node_autoprovisioning
    assert {r.resource_type: r.maximum for r in nap.resource_limits} == {
        "cpu": 8,
        "memory": 32,
        "nvidia-tesla-t4": 1,
    }
    assert nap.autoprovisioning_node_pool_defaults.service_account.startswith("gke-node@")
    pool = got.node_pools[0]
    assert pool.version == "1.30.5-gke.1014003"
    assert list(pool.config.tags) == ["gke-node", "serving"]
    assert dict(pool.config.metadata) == {"disable-legacy-endpoints": "true", "team": "ml"}
    assert pool.config.gcfs_config.enabled
    assert pool.config.local_ssd_count == 1
    assert pool.config.ephemeral_storage_local_ssd_config.local_ssd_count == 1


def test_lowercase_enums_are_the_apis_values(harness: Harness) -> None:
    """Terraform's spellings (cos_containerd, stable, ...) are the API's, whatever the case."""
    text = _text(
        ("    releaseChannel: REGULAR\n", "    releaseChannel: stable\n"),
        ("        diskSizeGb: 50\n", "        diskSizeGb: 50\n        imageType: cos_containerd\n"),
        (
            "upgradeSettings: {maxSurge: 0, maxUnavailable: 1}",
            "upgradeSettings: {maxSurge: 0, maxUnavailable: 1, strategy: surge}",
        ),
    ).replace(
        "    createAs: gke-admin\n",
        "    createAs: gke-admin\n"
        "    datapathProvider: advanced_datapath\n"
        "    loggingComponents: [system_components]\n",
    )
    spec = harness.spec(text)
    assert harness.apply(spec).ok
    assert not harness.plan(spec).has_changes
    got = _container(harness).get_cluster(name=CLUSTER)
    assert got.release_channel.channel.name == "STABLE"
    assert got.node_pools[0].config.image_type == "COS_CONTAINERD"
    # the same spec in the API's own spelling is the same spec: nothing to change
    upper = (
        text.replace("stable", "STABLE")
        .replace("cos_containerd", "COS_CONTAINERD")
        .replace("advanced_datapath", "ADVANCED_DATAPATH")
        .replace("[system_components]", "[SYSTEM_COMPONENTS]")
    )
    assert not harness.plan(harness.spec(upper)).has_changes


def test_fields_gke_changes_in_place_are_updates(harness: Harness) -> None:
    assert harness.apply(harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))).ok
    cluster_old, cluster_new = CLUSTER_FIELDS
    changed = cluster_new.replace("minMasterVersion: '1.30'", "minMasterVersion: '1.33'")
    changed = changed.replace("gcsFuseCsiDriver: true", "gcsFuseCsiDriver: false")
    changed = changed.replace("httpLoadBalancing: false", "httpLoadBalancing: true")
    changed = changed.replace("[WORKLOADS, SYSTEM_COMPONENTS]", "[SYSTEM_COMPONENTS]")
    changed = changed.replace("[SYSTEM_COMPONENTS, DCGM]", "[SYSTEM_COMPONENTS]")
    changed = changed.replace("PROJECT_SINGLETON_POLICY_ENFORCE", "DISABLED")
    changed = changed.replace("intranodeVisibility: true", "intranodeVisibility: false")
    changed = changed.replace("@example.com", "@example.org")
    changed = changed.replace("nvidia-tesla-t4, maximum: 1", "nvidia-tesla-t4, maximum: 2")
    pool_old, pool_new = POOL_FIELDS
    pool_changed = pool_new.replace("[gke-node, serving]", "[gke-node]")
    pool_changed = pool_changed.replace("imageStreaming: true", "imageStreaming: false")
    pool_changed = pool_changed.replace("version: '1.30.5'", "version: '1.33'")
    spec = harness.spec(_text((cluster_old, changed), (pool_old, pool_changed)))
    plan = harness.plan(spec)
    assert _fields(plan) == {
        "cluster.sd-cluster": (
            "update",
            [
                "addons.gcsFuseCsiDriver",
                "addons.httpLoadBalancing",
                "authenticatorGroup",
                "binaryAuthorization",
                "intranodeVisibility",
                "loggingComponents",
                "masterVersion",
                "monitoringComponents",
                "nodeAutoProvisioning",
            ],
        ),
        "nodePool.sd-cluster.sd-node-pool": ("update", ["imageStreaming", "tags", "version"]),
    }
    assert not any(c.drift for c in plan.pending), "a changed spec is not drift"
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    left = harness.plan(spec)
    assert not left.has_changes, [(c.address, c.fields) for c in left.pending]
    got = _container(harness).get_cluster(name=CLUSTER)
    # "1.33": its newest patch in the emulator's dated list (Stable, 2026-07-10)
    assert got.current_master_version == "1.33.12-gke.1165000"
    assert not got.addons_config.gcs_fuse_csi_driver_config.enabled
    assert not got.addons_config.http_load_balancing.disabled
    assert got.addons_config.gce_persistent_disk_csi_driver_config.enabled  # left as it was
    assert got.node_pools[0].version == "1.33.12-gke.1165000"
    ops = [e.method for e in harness.emu.requests if "setAddons" in e.method]
    assert ops, "the add-ons changed through setAddons"


def test_fields_gke_cannot_change_in_place_are_replacements(harness: Harness) -> None:
    assert harness.apply(harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))).ok
    pool_old, pool_new = POOL_FIELDS
    for old, new, field in (
        ("metadata: {team: ml}", "metadata: {team: serving}", "metadata"),
        ("localSsdCount: 1\n        eph", "localSsdCount: 2\n        eph", "localSsdCount"),
        (
            "ephemeralStorageLocalSsdCount: 1",
            "ephemeralStorageLocalSsdCount: 2",
            "ephemeralStorageLocalSsdCount",
        ),
    ):
        spec = harness.spec(_text(CLUSTER_FIELDS, (pool_old, pool_new.replace(old, new))))
        pool = next(c for c in harness.plan(spec).pending if c.address.startswith("nodePool."))
        assert pool.action is Action.REPLACE, field
        assert pool.reason is not None and pool.reason.startswith(field), pool.reason
    cluster_old, cluster_new = CLUSTER_FIELDS
    legacy = cluster_new.replace("ADVANCED_DATAPATH", "LEGACY_DATAPATH")
    spec = harness.spec(_text((cluster_old, legacy), POOL_FIELDS))
    cluster = next(c for c in harness.plan(spec).pending if c.address == "cluster.sd-cluster")
    assert cluster.action is Action.REPLACE
    assert cluster.reason is not None and cluster.reason.startswith("datapathProvider")


def test_drift_in_each_field_is_found(harness: Harness) -> None:
    """Each field changed behind gkeplan's back through google-cloud-container shows up in the
    next plan as drift, to be put back in place."""
    spec = harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))
    assert harness.apply(spec).ok
    client = _container(harness)
    op = client.set_addons_config(
        name=CLUSTER,
        addons_config=gke.AddonsConfig(
            gcs_fuse_csi_driver_config=gke.GcsFuseCsiDriverConfig(enabled=False),
            http_load_balancing=gke.HttpLoadBalancing(disabled=False),
        ),
    )
    # one change per UpdateCluster, as GKE takes them
    updates = [
        gke.ClusterUpdate(
            desired_logging_config=gke.LoggingConfig(
                component_config=gke.LoggingComponentConfig(enable_components=["APISERVER"])
            )
        ),
        gke.ClusterUpdate(
            desired_monitoring_config=gke.MonitoringConfig(
                component_config=gke.MonitoringComponentConfig(enable_components=["POD"])
            )
        ),
        gke.ClusterUpdate(
            desired_binary_authorization=gke.BinaryAuthorization(evaluation_mode="DISABLED")
        ),
        gke.ClusterUpdate(
            desired_intra_node_visibility_config=gke.IntraNodeVisibilityConfig(enabled=False)
        ),
        gke.ClusterUpdate(
            desired_authenticator_groups_config=gke.AuthenticatorGroupsConfig(
                enabled=True, security_group="gke-security-groups@example.net"
            )
        ),
        gke.ClusterUpdate(
            desired_cluster_autoscaling=gke.ClusterAutoscaling(enable_node_autoprovisioning=False)
        ),
    ]
    _done(client, op)
    for update in updates:
        _done(client, client.update_cluster(name=CLUSTER, update=update))
    op = client.update_node_pool(
        request={
            "name": POOL,
            "node_version": "1.30.5",
            "image_type": "COS_CONTAINERD",
            "tags": gke.NetworkTags(tags=["other"]),
            "gcfs_config": gke.GcfsConfig(enabled=False),
        }
    )
    _done(client, op)
    plan = harness.plan(spec)
    assert _fields(plan) == {
        "cluster.sd-cluster": (
            "update",
            [
                "addons.gcsFuseCsiDriver",
                "addons.httpLoadBalancing",
                "authenticatorGroup",
                "binaryAuthorization",
                "intranodeVisibility",
                "loggingComponents",
                "monitoringComponents",
                "nodeAutoProvisioning",
            ],
        ),
        "nodePool.sd-cluster.sd-node-pool": ("update", ["imageStreaming", "tags"]),
    }
    assert all(c.drift for c in plan.pending)
    assert harness.apply(spec).ok
    assert not harness.plan(spec).has_changes


def test_a_version_upgraded_past_the_pin_is_no_change(harness: Harness) -> None:
    """GKE auto-upgrades past a pinned version (the Google provider's min_master_version
    says so); only a version below the spec's is a change."""
    spec = harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))
    assert harness.apply(spec).ok
    client = _container(harness)
    upgrade = gke.ClusterUpdate(desired_master_version="1.33.5-gke.1162000")
    _done(client, client.update_cluster(name=CLUSTER, update=upgrade))
    assert not harness.plan(spec).has_changes
    pinned = _text(CLUSTER_FIELDS, POOL_FIELDS).replace(
        "minMasterVersion: '1.30'", "minMasterVersion: '1.34'"
    )
    plan = harness.plan(harness.spec(pinned))
    cluster = next(c for c in plan.pending if c.address == "cluster.sd-cluster")
    # before: the pin the state knows, which what runs still meets; not drift
    assert [(f.name, f.before, f.after) for f in cluster.fields] == [
        ("masterVersion", "1.30", "1.34")
    ]
    assert not cluster.drift


def test_an_autopilot_cluster_applies_with_no_pools(harness: Harness) -> None:
    text = _text(
        ("    removeDefaultNodePool: true\n", "    autopilot: true\n    location: us-central1\n"),
        ("    location: us-central1-c\n", ""),
    )
    pools_at = text.index("    nodePools:\n")
    text = text[:pools_at] + text[text.index("\nbuckets:") :]
    spec = harness.spec(text)
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    assert not harness.plan(spec).has_changes
    got = _container(harness).get_cluster(
        name="projects/demo-project/locations/us-central1/clusters/sd-cluster"
    )
    assert got.autopilot.enabled
    assert list(got.node_pools) == []


def test_drift_in_the_datapath_provider_is_a_replacement(harness: Harness) -> None:
    """GKE can migrate a cluster's datapath (ClusterUpdate.desiredDatapathProvider); gkeplan
    cannot put it back in place (the Google provider's datapath_provider is ForceNew), so the
    drift plans a replacement and says why."""
    spec = harness.spec(_text(CLUSTER_FIELDS, POOL_FIELDS))
    assert harness.apply(spec).ok
    client = _container(harness)
    legacy = gke.ClusterUpdate(desired_datapath_provider="LEGACY_DATAPATH")
    _done(client, client.update_cluster(name=CLUSTER, update=legacy))
    cluster = next(c for c in harness.plan(spec).pending if c.address == "cluster.sd-cluster")
    assert cluster.action is Action.REPLACE and cluster.drift
    assert [(f.name, f.before, f.after) for f in cluster.fields] == [
        ("datapathProvider", "LEGACY_DATAPATH", "ADVANCED_DATAPATH")
    ]
