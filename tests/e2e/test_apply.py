"""apply, plan again, change, remove, destroy: the whole life of the example spec."""

from __future__ import annotations

from pathlib import Path

from gkeplan.plan.model import Action
from gkeplan.state.local import LocalStateStore

from .conftest import EXAMPLE, Harness


def _actions(plan: object) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes if c.action is not Action.NOOP}  # type: ignore[attr-defined]


def test_apply_then_plan_shows_no_changes(harness: Harness) -> None:
    spec = harness.spec()
    first = harness.plan(spec)
    assert first.summary() == "Plan: 10 to add, 0 to change, 0 to destroy."
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    assert result.counts()["added"] == 10
    again = harness.plan(spec)
    assert not again.has_changes, _actions(again)
    state = LocalStateStore(harness.state).read()
    assert state is not None and len(state.resources) == 10
    assert all(r.status == "ok" for r in state.resources.values())


def test_refresh_uses_few_calls(harness: Harness) -> None:
    spec = harness.spec()
    harness.apply(spec)
    plan = harness.plan(spec)
    # SA list, project policy, two SA policies, bucket list, bucket policy, cluster list.
    assert plan.refresh_calls == 7


def test_in_place_update_and_replace(harness: Harness) -> None:
    harness.apply(harness.spec())
    text = EXAMPLE.read_text()
    changed = text.replace(
        "autoscaling: {minNodeCount: 1, maxNodeCount: 2}",
        "autoscaling: {minNodeCount: 1, maxNodeCount: 3}",
    )
    changed = changed.replace("displayName: GKE Node Service Account", "displayName: Nodes")
    changed = changed.replace(
        "    keepOnDestroy: true\n", "    keepOnDestroy: true\n    labels: {team: ml}\n"
    )
    spec = harness.spec(changed)
    plan = harness.plan(spec)
    assert _actions(plan) == {
        "serviceAccount.gke-node": "update",
        "nodePool.sd-cluster.sd-node-pool": "update",
        "bucket.models": "update",
    }
    pool = next(c for c in plan.changes if c.address == "nodePool.sd-cluster.sd-node-pool")
    assert [(f.name, f.before, f.after) for f in pool.fields] == [
        (
            "autoscaling",
            {"enabled": True, "minNodeCount": 1, "maxNodeCount": 2},
            {"enabled": True, "minNodeCount": 1, "maxNodeCount": 3},
        )
    ]
    assert harness.apply(spec).ok
    assert not harness.plan(spec).has_changes
    # spot cannot change in place: the pool is replaced, and the plan says why
    replaced = changed.replace("preemptible: true", "spot: true")
    spec = harness.spec(replaced)
    plan = harness.plan(spec)
    pool = next(c for c in plan.changes if c.address == "nodePool.sd-cluster.sd-node-pool")
    assert pool.action is Action.REPLACE
    assert pool.reason is not None
    assert pool.reason.startswith("spot, preemptible cannot be changed in place")
    assert "create-before-destroy" in pool.reason
    assert harness.apply(spec).ok
    assert not harness.plan(spec).has_changes


def test_removed_resource_is_deleted_and_unmanaged_members_survive(harness: Harness) -> None:
    harness.apply(harness.spec())
    projects = harness.emu.clients().projects()
    policy = projects.get_iam_policy(request={"resource": "projects/demo-project"})
    policy.bindings.add(role="roles/container.clusterAdmin", members=["user:colleague@example.com"])
    projects.set_iam_policy(request={"resource": "projects/demo-project", "policy": policy})
    policy = projects.get_iam_policy(request={"resource": "projects/demo-project"})
    policy.bindings.add(
        role="roles/container.defaultNodeServiceAccount", members=["user:colleague@example.com"]
    )
    projects.set_iam_policy(request={"resource": "projects/demo-project", "policy": policy})
    text = EXAMPLE.read_text().replace(
        "  - member: serviceAccount:gke-node\n"
        "    roles: [roles/container.defaultNodeServiceAccount]\n",
        "",
    )
    spec = harness.spec(text)
    plan = harness.plan(spec)
    address = "iamMember.project/roles/container.defaultNodeServiceAccount/serviceAccount:gke-node"
    assert _actions(plan) == {address: "delete"}
    assert harness.apply(spec).ok
    policy = projects.get_iam_policy(request={"resource": "projects/demo-project"})
    role = "roles/container.defaultNodeServiceAccount"
    assert [list(b.members) for b in policy.bindings if b.role == role] == [
        ["user:colleague@example.com"]
    ]
    # destroy removes only what gkeplan manages, and keeps the keepOnDestroy bucket
    result = harness.apply(spec, destroy=True)
    assert result.ok, result.walk.errors
    policy = projects.get_iam_policy(request={"resource": "projects/demo-project"})
    members = {m for b in policy.bindings for m in b.members}
    assert members == {"user:you@example.com", "user:colleague@example.com"}
    assert [b.name for b in harness.emu.clients().storage().list_buckets()] == [
        "demo-project-models"
    ]
    assert (
        list(harness.emu.clients().iam().list_service_accounts(name="projects/demo-project")) == []
    )
    # the kept bucket stays gkeplan's (marked kept): the next apply takes it back, no refusal
    state = LocalStateStore(harness.state).read()
    assert state is not None and {a: r.status for a, r in state.resources.items()} == {
        "bucket.models": "kept"
    }
    replan = harness.plan(harness.spec())
    bucket = next(c for c in replan.changes if c.address == "bucket.models")
    assert bucket.refused is None and bucket.action.value == "no-op"


def test_destroy_empties_a_force_destroy_bucket_and_stops_on_a_full_one(harness: Harness) -> None:
    text = EXAMPLE.read_text().replace("    keepOnDestroy: true\n", "")
    spec = harness.spec(text)
    assert harness.apply(spec).ok
    storage = harness.emu.clients().storage()
    storage.bucket("demo-project-models").blob("model/saved_model.pb").upload_from_string(b"m")
    kept = harness.spec(text.replace("forceDestroy: true", "forceDestroy: false"))
    assert harness.apply(kept).ok  # records forceDestroy: false in the state
    refused = harness.apply(kept, destroy=True)
    assert "bucket demo-project-models is not empty" in str(refused.walk.errors["bucket.models"])
    assert harness.apply(spec).ok  # forceDestroy: true again
    result = harness.apply(spec, destroy=True)
    assert result.ok, result.walk.errors
    assert list(storage.list_buckets()) == []


def test_regional_example_meets_the_quota_the_policy_predicted(harness: Harness) -> None:
    """Applied without the policies, GKE (emulated) refuses what free-trial FT001 refused."""
    spec = harness.spec((EXAMPLE.parent / "regional.yaml").read_text())
    result = harness.apply(spec)
    error = str(result.walk.errors["cluster.sd-cluster"])
    assert (
        'Insufficient regional quota to satisfy request: resource "N2_CPUS": request requires '
        "'12.0'"
    ) in error
    # a quota refusal is final: not retried as if it were IAM propagation
    creates = [e for e in harness.emu.requests if e.method == "container.createCluster"]
    assert len(creates) == 1


def test_a_pools_location_policy_reaches_gke_and_changes_in_place(harness: Harness) -> None:
    text = EXAMPLE.read_text().replace(
        "autoscaling: {minNodeCount: 1, maxNodeCount: 2}",
        "autoscaling: {minNodeCount: 1, maxNodeCount: 2, locationPolicy: ANY}",
    )
    assert harness.apply(harness.spec(text)).ok
    pool = (
        harness.emu.clients()
        .container()
        .get_node_pool(
            name="projects/demo-project/locations/us-central1-c/clusters/sd-cluster"
            "/nodePools/sd-node-pool"
        )
    )
    assert pool.autoscaling.location_policy.name == "ANY"
    assert not harness.plan(harness.spec(text)).has_changes
    balanced = harness.spec(text.replace("locationPolicy: ANY", "locationPolicy: BALANCED"))
    plan = harness.plan(balanced)
    assert _actions(plan) == {"nodePool.sd-cluster.sd-node-pool": "update"}
    assert harness.apply(balanced).ok
    assert not harness.plan(balanced).has_changes


def test_no_token_reaches_the_state(harness: Harness) -> None:
    """A real apply mints tokens (the caller's, and gke-admin's through impersonation, all
    'ya29.' like Google's); none of them may be written to the state."""
    assert harness.apply(harness.spec()).ok
    text = Path(harness.state).read_text(encoding="utf-8")
    assert '"cluster.sd-cluster"' in text  # the state does describe the apply
    assert "ya29." not in text and "Bearer" not in text
    minted = [e for e in harness.emu.requests if e.method.endswith("generateAccessToken")]
    assert minted, "the apply impersonated gke-admin, so a token was minted"


def test_cluster_and_pool_settings_change_in_place(harness: Harness) -> None:
    """Every setting GKE changes in place is planned as an update, applied through GKE's own
    update calls, and leaves nothing to change."""
    assert harness.apply(harness.spec()).ok
    text = EXAMPLE.read_text().replace(
        "    releaseChannel: REGULAR\n",
        "    releaseChannel: STABLE\n"
        "    labels: {team: ml}\n"
        "    networkPolicy: true\n"
        "    masterAuthorizedNetworks: [{cidrBlock: 203.0.113.0/24, displayName: office}]\n",
    )
    text = text.replace(
        "        diskSizeGb: 50\n",
        "        diskSizeGb: 60\n"
        "        machineType: n2-standard-2\n"
        "        labels: {role: serving}\n"
        "        taints: [{key: gpu, value: 'yes', effect: NO_SCHEDULE}]\n"
        "        management: {autoRepair: true, autoUpgrade: false}\n",
    ).replace("        machineType: n2-standard-4\n", "")
    text = text.replace(
        "upgradeSettings: {maxSurge: 0, maxUnavailable: 1}",
        "upgradeSettings: {maxSurge: 1, maxUnavailable: 0}",
    )
    spec = harness.spec(text)
    plan = harness.plan(spec)
    assert _actions(plan) == {
        "cluster.sd-cluster": "update",
        "nodePool.sd-cluster.sd-node-pool": "update",
    }
    changed = {c.address: sorted(f.name for f in c.fields) for c in plan.pending}
    assert changed == {
        "cluster.sd-cluster": [
            "labels",
            "masterAuthorizedNetworks",
            "networkPolicy",
            "releaseChannel",
        ],
        "nodePool.sd-cluster.sd-node-pool": [
            "autoUpgrade",
            "diskSizeGb",
            "labels",
            "machineType",
            "taints",
            "upgradeSettings",
        ],
    }
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    assert result.counts()["changed"] == 2
    left = harness.plan(spec)
    assert {c.address: [(f.name, f.before, f.after) for f in c.fields] for c in left.pending} == {}
    cluster = (
        harness.emu.clients()
        .container()
        .get_cluster(name="projects/demo-project/locations/us-central1-c/clusters/sd-cluster")
    )
    assert dict(cluster.resource_labels) == {"team": "ml"}
    assert cluster.release_channel.channel.name == "STABLE"
