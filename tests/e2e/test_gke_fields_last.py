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
