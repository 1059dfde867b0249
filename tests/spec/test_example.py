from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gkeplan import build_graph, load_spec

from .helpers import BASE, rendered


def test_stable_diffusion_example_validates(examples: Path) -> None:
    spec = load_spec(examples / "stable-diffusion.yaml", {"PROJECT_ID": "demo-project"}, environ={})
    assert spec.project == "demo-project"
    assert spec.buckets["models"].name == "demo-project-models"
    pool = spec.clusters["sd-cluster"].node_pools["sd-node-pool"]
    assert (pool.machine_type, pool.preemptible, pool.disk_size_gb) == ("n2-standard-4", True, 50)
    assert spec.service_accounts["gke-admin"].impersonators == ["user:you@example.com"]


def test_example_graph_orders_grants_before_cluster(examples: Path) -> None:
    spec = load_spec(examples / "stable-diffusion.yaml", {"PROJECT_ID": "demo-project"}, environ={})
    graph = build_graph(spec)
    assert set(graph.nodes) == {
        "serviceAccount.gke-admin",
        "serviceAccount.gke-node",
        "iamMember.project/roles/container.clusterAdmin/serviceAccount:gke-admin",
        "iamMember.serviceAccount.gke-node/roles/iam.serviceAccountUser/serviceAccount:gke-admin",
        "iamMember.project/roles/container.defaultNodeServiceAccount/serviceAccount:gke-node",
        "iamMember.bucket.models/roles/storage.objectViewer/serviceAccount:gke-node",
        "iamMember.serviceAccount.gke-admin/roles/iam.serviceAccountTokenCreator/user:you@example.com",
        "cluster.sd-cluster",
        "nodePool.sd-cluster.sd-node-pool",
        "bucket.models",
    }
    preds = set(graph.predecessors("cluster.sd-cluster"))
    assert preds == {
        "serviceAccount.gke-admin",
        "serviceAccount.gke-node",
        "iamMember.project/roles/container.clusterAdmin/serviceAccount:gke-admin",
        "iamMember.serviceAccount.gke-node/roles/iam.serviceAccountUser/serviceAccount:gke-admin",
        "iamMember.serviceAccount.gke-admin/roles/iam.serviceAccountTokenCreator/user:you@example.com",
    }
    assert "cluster.sd-cluster" in set(graph.predecessors("nodePool.sd-cluster.sd-node-pool"))
    assert set(
        graph.predecessors(
            "iamMember.bucket.models/roles/storage.objectViewer/serviceAccount:gke-node"
        )
    ) == {
        "bucket.models",
        "serviceAccount.gke-node",
    }


def test_base_spec_of_the_tests_is_valid(tmp_path: Path) -> None:
    assert rendered(tmp_path, BASE) == []


def test_cli_validate_example_exits_zero(examples: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "gkeplan",
            "validate",
            str(examples / "stable-diffusion.yaml"),
            "--var",
            "PROJECT_ID=demo-project",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "valid (10 resources; 0 errors, 0 warnings, 9 notes)" in proc.stdout
