# ruff: noqa: E501  (a table of exact messages: one message per line reads best)
"""The checks of issue 13's cluster and pool fields: each refusal GKE would make, reported
with its place in the file before anything is sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import BASE, rendered


def R(old: str, new: str) -> str:
    assert old in BASE
    return BASE.replace(old, new, 1)


CLUSTER = "    location: us-central1-c\n"
POOL = "        serviceAccount: gke-node\n"

CASES: dict[str, tuple[str, list[str]]] = {
    "autopilot-with-pools": (
        R(CLUSTER, "    location: us-central1\n    autopilot: true\n"),
        [
            '15:7: clusters.sd-cluster.nodePools: an Autopilot cluster has no node pools of its own: GKE refuses them ("Autopilot node pools cannot be accessed or modified.")'
        ],
    ),
    "autopilot-in-a-zone": (
        R(CLUSTER, CLUSTER + "    autopilot: true\n").replace(
            "    nodePools:\n      pool:\n        machineType: n2-standard-4\n        serviceAccount: gke-node\n",
            "",
        ),
        [
            '12:15: clusters.sd-cluster.location: Autopilot clusters are regional: GKE refuses the zone us-central1-c ("Autopilot clusters must be regional clusters.")'
        ],
    ),
    "nap-without-memory-and-min-above-max": (
        R(
            CLUSTER,
            CLUSTER
            + "    nodeAutoProvisioning:\n      resourceLimits: [{resourceType: cpu, maximum: 4, minimum: 8}]\n",
        ),
        [
            "14:23: clusters.sd-cluster.nodeAutoProvisioning.resourceLimits: node auto-provisioning needs resource limits for cpu and memory; memory has none (GKE refuses it)",
            "14:24: clusters.sd-cluster.nodeAutoProvisioning.resourceLimits[0]: cpu: minimum 8 is above maximum 4",
        ],
    ),
    "nap-limits-without-nap": (
        R(
            CLUSTER,
            CLUSTER
            + "    nodeAutoProvisioning:\n      enabled: false\n      resourceLimits: [{resourceType: cpu, maximum: 4}]\n",
        ),
        [
            "15:23: clusters.sd-cluster.nodeAutoProvisioning.resourceLimits: resource limits are for node auto-provisioning, which enabled: false turns off (GKE refuses them)"
        ],
    ),
    "node-config": (
        R(
            POOL,
            POOL + "        metadata: {kube-env: x, 'bad key': y}\n        tags: [Bad_Tag]\n"
            "        imageStreaming: true\n        imageType: ubuntu_containerd\n",
        ),
        [
            "17:30: clusters.sd-cluster.nodePools.pool.metadata.kube-env: metadata key kube-env is reserved by GKE for its own node setup",
            "17:44: clusters.sd-cluster.nodePools.pool.metadata.bad key: metadata key 'bad key' must match [a-zA-Z0-9-_]+ and be under 128 bytes",
            "18:16: clusters.sd-cluster.nodePools.pool.tags[0]: network tag 'Bad_Tag' is not an RFC 1035 name",
            "19:25: clusters.sd-cluster.nodePools.pool.imageStreaming: image streaming needs the COS_CONTAINERD node image, not UBUNTU_CONTAINERD",
        ],
    ),
    "version-shape": (
        R(CLUSTER, CLUSTER + "    minMasterVersion: 1.30.x\n"),
        [
            "13:23: clusters.sd-cluster.minMasterVersion: '1.30.x' is not a GKE version: write 1.X, 1.X.Y, 1.X.Y-gke.N or latest"
        ],
    ),
    "version-read-as-a-number": (
        R(CLUSTER, CLUSTER + "    minMasterVersion: 1.30\n"),
        [
            "13:23: clusters.sd-cluster.minMasterVersion: got the number 1.3: quote the version, e.g. '1.30' (YAML reads 1.30 as 1.3)"
        ],
    ),
    "unknown-enum-in-any-case": (
        R(CLUSTER, CLUSTER + "    datapathProvider: advanced\n"),
        [
            "13:23: clusters.sd-cluster.datapathProvider: 'ADVANCED' is not allowed: input should be 'LEGACY_DATAPATH' or 'ADVANCED_DATAPATH'"
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_field_check(tmp_path: Path, name: str) -> None:
    text, expected = CASES[name]
    assert rendered(tmp_path, text) == expected


def test_security_group_outside_gke_security_groups_warns(tmp_path: Path) -> None:
    from .helpers import diagnostics

    text = R(
        CLUSTER, CLUSTER + "    authenticatorGroupsConfig: {securityGroup: admins@example.com}\n"
    )
    (d,) = diagnostics(tmp_path, text)
    assert d.severity.value == "warning"
    assert d.message == (
        "Google Groups for RBAC reads the group gke-security-groups@DOMAIN, not admins@example.com"
    )


def test_an_autopilot_cluster_needs_no_pools(tmp_path: Path) -> None:
    pools = BASE.index("    nodePools:\n")
    text = BASE[:pools].replace(CLUSTER, "    location: us-central1\n    autopilot: true\n")
    text += BASE[BASE.index("buckets:") :]
    assert rendered(tmp_path, text) == []
