# ruff: noqa: E501  (a table of exact messages: one message per line reads best)
"""What the name-rule and enum audit changed, through `gkeplan validate`: values the installed
client and GCP take are no longer refused (a warning says what is unsourced), each with the
source named in the kind's module."""

from __future__ import annotations

from pathlib import Path

import pytest

from gkeplan.errors import Severity

from .helpers import BASE, diagnostics, rendered

CASES: dict[str, tuple[str, list[str]]] = {
    # storage v1 discovery document, Bucket.storageClass: "Values include MULTI_REGIONAL,
    # REGIONAL, ... and DURABLE_REDUCED_AVAILABILITY"
    "legacy-storage-class-warns": (
        BASE.replace(
            "    name: demo-project-models\n",
            "    name: demo-project-models\n    storageClass: REGIONAL\n",
        ),
        [
            "20:19: buckets.models.storageClass: REGIONAL is a legacy storage class, not priced by gkeplan"
        ],
    ),
    # container v1 discovery document, UpgradeSettings.strategy SHORT_LIVED
    "short-lived-upgrade-strategy-warns": (
        BASE.replace(
            "        serviceAccount: gke-node\n",
            "        serviceAccount: gke-node\n        upgradeSettings: {strategy: SHORT_LIVED}\n",
        ),
        [
            "17:37: clusters.sd-cluster.nodePools.pool.upgradeSettings.strategy: SHORT_LIVED is the upgrade strategy of queued-provisioning and flex-start pools (Dynamic Workload Scheduler); this pool is neither and GKE may refuse it"
        ],
    ),
    # GKE's 400 for node_pool.name (pulumi/pulumi-gcp#1510): at most 40 characters
    "node-pool-name-of-41-characters": (
        BASE.replace("      pool:\n", "      " + "p" * 41 + ":\n"),
        [
            f"15:9: clusters.sd-cluster.nodePools.{'p' * 41}: '{'p' * 41}' is not a valid node pool name: 1-40 characters, lowercase letters, digits and hyphens, starting with a letter and ending with a letter or digit"
        ],
    ),
    "node-pool-name-of-40-characters": (
        BASE.replace("      pool:\n", "      " + "p" * 40 + ":\n"),
        [],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_reports_exactly_these(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert rendered(tmp_path, text) == expected


@pytest.mark.parametrize(
    "case", ["legacy-storage-class-warns", "short-lived-upgrade-strategy-warns"]
)
def test_the_unsourced_ones_only_warn(tmp_path: Path, case: str) -> None:
    (found,) = diagnostics(tmp_path, CASES[case][0])
    assert found.severity is Severity.WARNING
