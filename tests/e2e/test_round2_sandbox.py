"""Issue 27 through the sandbox: specs naming what GKE serves now apply, and plan clean."""

from __future__ import annotations

import pytest

from gkeplan.errors import SpecError
from gkeplan.gcp.sandbox import connection_for
from gkeplan_emulator.services.container.model import CHANNEL_DEFAULTS

from .conftest import Harness
from .test_network import HEAD


def _cluster(key: str, channel: str, version: str) -> str:
    return (
        f"  {key}:\n    location: us-central1-c\n    releaseChannel: {channel}\n"
        f"    minMasterVersion: '{version}'\n    deletionProtection: false\n"
        "    nodePools:\n      p: {machineType: e2-standard-2, diskSizeGb: 50, "
        "upgradeSettings: {maxSurge: 0, maxUnavailable: 1}}\n"
    )


def test_the_newest_ga_version_of_each_channel_applies(harness: Harness) -> None:
    # each channel's default for cluster creation in GKE's release notes of 2026-09-23 (Rapid
    # 1.36.4-gke.1391000, Regular 1.35.8-gke.1036000, Stable 1.34.6-gke.1307000); before,
    # the sandbox knew versions up to 1.33 and refused them
    clusters = "".join(
        _cluster(channel.lower(), channel, version) for channel, version in CHANNEL_DEFAULTS.items()
    )
    spec = harness.spec(HEAD + "clusters:\n" + clusters)
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    client = connection_for(harness.emu).container()
    for channel, version in CHANNEL_DEFAULTS.items():
        name = f"projects/demo-project/locations/us-central1-c/clusters/{channel.lower()}"
        assert client.get_cluster(name=name).current_master_version == version
    assert not harness.plan(spec).has_changes


def test_an_autopilot_cluster_runs_its_nodes_as_the_account_named(harness: Harness) -> None:
    # cluster_autoscaling.auto_provisioning_defaults.service_account with enable_autopilot
    # (GoogleCloudPlatform/magic-modules#6733)
    text = HEAD + (
        "serviceAccounts:\n  gke-node: {displayName: nodes}\n"
        "clusters:\n  ap:\n    location: us-central1\n    autopilot: true\n"
        "    deletionProtection: false\n"
        "    nodeAutoProvisioning:\n      autoProvisioningDefaults: {serviceAccount: gke-node}\n"
    )
    spec = harness.spec(text)
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    got = (
        connection_for(harness.emu)
        .container()
        .get_cluster(name="projects/demo-project/locations/us-central1/clusters/ap")
    )
    assert got.autopilot.enabled
    defaults = got.autoscaling.autoprovisioning_node_pool_defaults
    assert defaults.service_account == "gke-node@demo-project.iam.gserviceaccount.com"
    assert not harness.plan(spec).has_changes


def test_a_pools_outside_account_is_checked_to_exist_before_anything_is_made(
    harness: Harness,
) -> None:
    # GKE refuses a pool whose account does not exist ("Service account X does not exist.")
    # after the resources before it were made; the plan now asks IAM first
    ghost = "nobody@demo-project.iam.gserviceaccount.com"
    text = HEAD + (
        "clusters:\n  c:\n    location: us-central1-c\n    deletionProtection: false\n"
        f"    nodePools:\n      p: {{machineType: e2-standard-2, serviceAccount: {ghost}}}\n"
    )
    with pytest.raises(SpecError, match=f"service account {ghost} does not exist in GCP"):
        harness.plan(harness.spec(text))


def test_a_ruby_repository_applies(harness: Harness) -> None:
    # RUBY: artifactregistry_v1.Repository.Format of the installed client
    spec = harness.spec(HEAD + "artifactRepositories:\n  gems: {format: ruby}\n")
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    assert not harness.plan(spec).has_changes
