"""GKE runs one operation on a cluster at a time: a change that meets another operation waits
for it and goes on, in the same run."""

from __future__ import annotations

from pathlib import Path

from gkeplan_emulator import Emulator, EmulatorConfig

from .conftest import Harness

CLUSTER = "projects/demo-project/locations/us-central1-c/clusters/sd-cluster"


def test_destroy_waits_for_an_operation_already_running_on_the_cluster(tmp_path: Path) -> None:
    ops = dict.fromkeys(
        ("createCluster", "deleteCluster", "createNodePool", "deleteNodePool", "updateNodePool"),
        0.05,
    )
    ops["updateCluster"] = 1.5  # someone else's long update, e.g. an upgrade
    with Emulator(EmulatorConfig(operation_s=ops)) as emu:
        harness = Harness(emu, tmp_path)
        assert harness.apply(harness.spec()).ok
        container = emu.clients().container()
        cluster = container.get_cluster(name=CLUSTER)
        container.set_labels(
            request={
                "name": CLUSTER,
                "resource_labels": {"upgrade": "running"},
                "label_fingerprint": cluster.label_fingerprint,
            }
        )
        result = harness.apply(harness.spec(), destroy=True)
        assert result.ok, result.walk.errors
        refused = [
            e
            for e in emu.requests
            if e.method in ("container.deleteNodePool", "container.deleteCluster")
            and e.status == 400
        ]
        assert refused, "the delete met the running operation at least once"
        assert (
            emu.clients()
            .container()
            .list_clusters(parent="projects/demo-project/locations/-")
            .clusters
            == []
        )
