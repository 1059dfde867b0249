"""Issue 27, clusters: Dataplane V2, Autopilot's node account, LP004 and the free-tier credit.
Each test names the source of the fact it pins."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import SPEC, cli_validate, edit, findings

# the helpers' spec, its cluster an Autopilot one
AUTOPILOT = SPEC.split("clusters:\n")[0] + (
    "clusters:\n  ap:\n    location: us-central1\n    autopilot: true\n"
)
NODE_ACCOUNT = (
    "    nodeAutoProvisioning:\n      autoProvisioningDefaults: {serviceAccount: gke-node}\n"
)


def test_dataplane_v2_with_network_policy_is_refused(tmp_path: Path) -> None:
    # GKE: "Enabling NetworkPolicy for clusters with DatapathProvider=ADVANCED_DATAPATH is not
    # allowed." (GKE docs concepts/dataplane-v2; terraform-google-kubernetes-engine#1085)
    text = edit(
        "    location: us-central1-c\n",
        "    location: us-central1-c\n    datapathProvider: ADVANCED_DATAPATH\n"
        "    networkPolicy: true\n",
    )
    result = cli_validate(tmp_path, text)
    assert result.exit_code == 1
    assert "clusters.c.networkPolicy: Dataplane V2 enforces network policy itself" in result.output
    alone = edit(
        "    location: us-central1-c\n",
        "    location: us-central1-c\n    datapathProvider: ADVANCED_DATAPATH\n",
    )
    assert cli_validate(tmp_path, alone).exit_code == 0


def test_autopilot_node_account_needs_no_resource_limits(tmp_path: Path) -> None:
    # the Google provider accepts cluster_autoscaling.auto_provisioning_defaults.service_account
    # with enable_autopilot (GoogleCloudPlatform/magic-modules#6733; an example without limits
    # in hashicorp/terraform-provider-google#20230)
    result = cli_validate(tmp_path, AUTOPILOT + NODE_ACCOUNT)
    assert result.exit_code == 0, result.output
    assert "resource limits" not in result.output
    assert "LP004" not in result.output


def test_autopilot_with_auto_provisioning_disabled_is_refused(tmp_path: Path) -> None:
    # magic-modules#6733: enabled = false on an Autopilot cluster "will be caught by server
    # side validation"; before, gkeplan dropped the account silently
    text = AUTOPILOT + NODE_ACCOUNT.replace(
        "    nodeAutoProvisioning:\n", "    nodeAutoProvisioning:\n      enabled: false\n"
    )
    result = cli_validate(tmp_path, text)
    assert result.exit_code == 1
    assert (
        "clusters.ap.nodeAutoProvisioning.enabled: Autopilot clusters always provision their "
        "nodes: GKE refuses enabled: false"
    ) in result.output


def test_lp004_names_autopilot_nodes_on_the_default_account(tmp_path: Path) -> None:
    # Autopilot nodes run as the Compute Engine default account unless one is named
    # (hashicorp/terraform-provider-google#8918)
    got = findings(tmp_path, AUTOPILOT, "LP004")
    assert [(r[1], r[2], r[3]) for r in got] == [
        (
            "error",
            "cluster.ap",
            "Autopilot cluster ap runs its nodes as the Compute Engine default service account",
        )
    ]


def test_autopilot_gets_the_free_tier_credit_and_its_pods_are_named_unpriced(
    tmp_path: Path,
) -> None:
    # "$74.40 in monthly credits per billing account ... only applied to zonal and Autopilot
    # clusters" (cloud.google.com/kubernetes-engine/pricing); Autopilot bills pod requests
    spec = tmp_path / "spec.yaml"
    spec.write_text(AUTOPILOT + NODE_ACCOUNT)
    out = CliRunner().invoke(cli, ["validate", str(spec), "--cost"]).output
    assert "ap: GKE cluster fee" in out
    assert "free tier credit covers one zonal or Autopilot cluster" in out
    assert "ap: Autopilot pod compute (billed per pod resource request)" in out
    assert "+ 1 unpriced item(s)" in out
