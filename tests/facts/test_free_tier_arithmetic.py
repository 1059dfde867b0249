"""Q15, Q17: GKE checks quota at create; scale-up and surge stall later. Fixes fit the pool."""

from __future__ import annotations

from pathlib import Path

from .helpers import cli_validate, edit, findings

N2 = """\
version: 1
project: demo-project
region: us-central1
serviceAccounts:
  gke-node:
    displayName: nodes
iam:
  - member: serviceAccount:gke-node
    roles: [roles/container.defaultNodeServiceAccount]
clusters:
  c:
    location: LOCATION
    nodePools:
      p:
        machineType: n2-standard-4
        serviceAccount: gke-node
        diskSizeGb: 50
POOL_EXTRA"""


def spec(location: str = "us-central1-c", extra: str = "") -> str:
    return N2.replace("LOCATION", location).replace("POOL_EXTRA", extra)


def n2_rows(tmp_path: Path, text: str) -> list[tuple[str, str, str, str, str]]:
    return [r for r in findings(tmp_path, text, "FT001") if "N2_CPUS" in r[3]]


def test_create_that_does_not_fit_is_an_error_and_the_cli_refuses(tmp_path: Path) -> None:
    text = spec(extra="        initialNodeCount: 3\n")
    ((_, sev, _, msg, fix),) = n2_rows(tmp_path, text)
    assert sev == "error"
    assert msg.endswith("= 12 N2 vCPUs; quota N2_CPUS in us-central1 is 8: GKE refuses the create")
    assert "initialNodeCount: 2" in fix
    assert cli_validate(tmp_path, text).exit_code == 1


def test_scale_out_that_does_not_fit_is_a_warning_and_the_cli_accepts(tmp_path: Path) -> None:
    text = spec(
        extra="        autoscaling: {minNodeCount: 1, maxNodeCount: 3}\n"
        "        upgradeSettings: {maxSurge: 0, maxUnavailable: 1}\n"
    )
    ((_, sev, _, msg, fix),) = n2_rows(tmp_path, text)
    assert sev == "warning"
    assert msg == (
        "cluster c is zonal (us-central1-c): node pool p can run 3 nodes x 1 zone = 3 x "
        "n2-standard-4 (4 vCPUs) = 12 N2 vCPUs; quota N2_CPUS in us-central1 is 8: the apply "
        "works, but the autoscaler cannot reach maxNodeCount"
    )
    assert fix.startswith("clusters.c.nodePools.p.autoscaling.maxNodeCount: 2")
    assert cli_validate(tmp_path, text).exit_code == 0


def test_surge_that_does_not_fit_is_a_warning_with_the_surge_fix(tmp_path: Path) -> None:
    text = spec(extra="        initialNodeCount: 2\n")
    ((_, sev, _, msg, fix),) = n2_rows(tmp_path, text)
    assert sev == "warning"
    assert msg.endswith(
        "+1 surge node = 12; quota N2_CPUS in us-central1 is 8: the apply works, but upgrades "
        "cannot add their surge nodes and slow down or fail"
    )
    assert fix.startswith(
        "clusters.c.nodePools.p.upgradeSettings: {maxSurge: 0, maxUnavailable: 1}"
    )


def test_no_max_node_count_fix_for_a_pool_without_autoscaling(tmp_path: Path) -> None:
    for extra in ("        initialNodeCount: 3\n", "        initialNodeCount: 2\n"):
        for row in findings(tmp_path, spec(extra=extra), "FT001"):
            assert "maxNodeCount" not in row[4], row


def test_no_zone_fix_for_a_cluster_whose_node_locations_list_several(tmp_path: Path) -> None:
    text = spec("us-central1", "        initialNodeCount: 2\n").replace(
        "    location: us-central1\n",
        "    location: us-central1\n    nodeLocations: [us-central1-a, us-central1-b]\n",
    )
    ((_, sev, _, msg, fix),) = n2_rows(tmp_path, text)
    assert sev == "error" and "2 nodes x 2 zones" in msg
    assert "location: us-central1-" not in fix
    assert "clusters.c.nodeLocations: one zone (not 2)" in fix


def test_regional_default_three_zones_offers_a_zonal_cluster(tmp_path: Path) -> None:
    ((_, sev, _, msg, fix),) = n2_rows(tmp_path, spec("us-central1"))
    assert sev == "error" and "starts 1 node x 3 zones = 3 x n2-standard-4" in msg
    assert fix.startswith("clusters.c.location: us-central1-a (zonal: 1 zone, not 3)")


def test_a_create_that_fits_gets_no_error_even_if_the_old_worst_moment_did_not(
    tmp_path: Path,
) -> None:
    # The tutorial's zonal pool: 1 node at create, 2 at most, +1 surge: 12 > 8 only at surge.
    text = spec(extra="        autoscaling: {minNodeCount: 1, maxNodeCount: 2}\n")
    assert {r[1] for r in findings(tmp_path, text, "FT001")} == {"warning"}


def test_quota_profile_default_and_live_select_the_limits(tmp_path: Path) -> None:
    text = spec("us-central1", "        initialNodeCount: 1\n")
    paid = text + "policy:\n  quotaProfile: default\n"
    assert n2_rows(tmp_path, paid) == []  # 12 N2 vCPUs fit a paid project's 24
    live = text + "policy:\n  quotaProfile: live\n"
    got = findings(tmp_path, live, "FT001")
    assert [(r[1], r[2]) for r in got] == [("info", "project")]
    assert "read and checked by plan and apply" in got[0][3]
    bad = cli_validate(tmp_path, text + "policy:\n  quotaProfile: free-tier-ish\n")
    assert bad.exit_code == 1 and "policy.quotaProfile" in bad.output


def test_an_unverified_profile_limit_warns_and_a_sourced_one_refuses(tmp_path: Path) -> None:
    """Issue 27: quota-profiles.json sources CPUS_ALL_REGIONS 12 (kubeflow/website#1065) but
    calls the free trial's other series' limits unverified: C3_CPUS 8 warns, never refuses."""
    c3 = edit(
        "        machineType: e2-standard-2\n",
        "        machineType: c3-highcpu-4\n        initialNodeCount: 3\n",
    )
    got = [r for r in findings(tmp_path, c3, "FT001") if "C3_CPUS" in r[3]]
    assert [r[1] for r in got] == ["warning"]
    assert "if the project's limit is this profile's unverified value" in got[0][3]
    mine = c3 + "policy:\n  quotas: {C3_CPUS: 8}\n"
    got = [r for r in findings(tmp_path, mine, "FT001") if "C3_CPUS" in r[3]]
    assert [r[1] for r in got] == ["error"]  # the user's own limit is a fact
