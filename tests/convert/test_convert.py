"""`gkeplan convert` through the CLI, on public Terraform configurations copied as they are
published (tests/data/terraform/*/README.md): every resource is accounted for, the spec says
what the existing hand translation says (compared as gkeplan sees both: the desired state of
every resource, by GCP id), and hostile input is one clear error with nothing written."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gkeplan.cli import cli
from gkeplan.kinds import BY_NAME, expand
from gkeplan.validation.pipeline import validate

DATA = Path(__file__).resolve().parents[1] / "data" / "terraform"
PROJECT = {"PROJECT_ID": "demo-project"}


def _convert(*args: str) -> Result:
    return CliRunner().invoke(cli, ["convert", *args], catch_exceptions=False)


def _desired(text: str, values: dict[str, str]) -> dict[str, tuple[str, Any, Any]]:
    """What gkeplan would make of a spec: each resource's kind, attributes and the rest (its
    driver's inputs and its lifecycle, less the pools a cluster's create journals), by the GCP
    id it names (keys and layout do not matter, the resources do)."""
    result = validate(text, values, policies=False)
    assert result.spec is not None, [d.render() for d in result.errors]
    nodes, _ = expand(result.spec)
    out = {}
    for node in nodes.values():
        want = BY_NAME[node.kind].desired(result.spec, node)
        lifecycle = dataclasses.replace(want.lifecycle, also_creates=()).to_json()
        out[want.id] = (node.kind, want.attributes, {**want.inputs, **lifecycle})
    return out


HASHICORP_POOL = (
    "projects/demo-project/locations/us-central1/clusters/demo-project-gke/nodePools/"
    "demo-project-gke"
)

CASES: dict[str, dict[str, Any]] = {
    # issue 24: its managed Prometheus converts (before, monitoring_config.managed_prometheus
    # was an argument left out)
    "gke-ray-platform": {
        "paths": ["gke-ray-platform"],
        "vars": {"project_id": "demo-project"},
        "spec_vars": PROJECT,
        "converted": {
            "module.gke_standard.google_container_cluster.ml_cluster[0]": "cluster",
            "module.gke_standard.google_container_node_pool.cpu_pool[0]": "nodePool",
            "module.gke_standard.google_container_node_pool.gpu_pool[0]": "nodePool",
        },
        "left_out": [
            "module.gke_autopilot.google_container_cluster.ml_cluster",
            "module.gke_standard.google_container_node_pool.tpu_pool",
            "module.kuberay.helm_release.kuberay-operator",
            "module.kuberay.kubernetes_namespace.ray_namespace",
            "module.kubernetes.kubectl_manifest.nvidia_driver_installer[0]",
        ],
        "arguments": [],
        "differences": {},
    },
    "hashicorp-learn-gke": {
        "paths": ["hashicorp-learn-gke"],
        "vars": {"project_id": "demo-project"},
        "spec_vars": PROJECT,
        "converted": {
            "google_compute_network.vpc": "network",
            "google_compute_subnetwork.subnet": "subnetwork",
            "google_container_cluster.primary": "cluster",
            "google_container_node_pool.primary_nodes": "nodePool",
        },
        "left_out": [],
        # the pool's version comes from a data source (google_container_engine_versions,
        # release_channel_latest_version["STABLE"] of prefix 1.27.): convert leaves it out and
        # says so; the hand translation pinned it as "1.27"
        "arguments": ["google_container_node_pool.primary_nodes version"],
        "differences": {(HASHICORP_POOL, "version"): (None, "1.27")},
    },
    "vit-training-example": {
        "paths": ["vit-training-example/platform", "vit-training-example/user"],
        "vars": {"project_id": "demo-project", "gcs_bucket": "someones-training-data"},
        "spec_vars": {**PROJECT, "GCS_BUCKET": "someones-training-data"},
        "converted": {
            "module.gke_standard.google_container_cluster.ml_cluster[0]": "cluster",
            "module.gke_standard.google_container_node_pool.gpu_pool": "nodePool",
            "module.service_accounts.google_service_account.sa": "serviceAccount",
            "module.service_accounts.google_service_account_iam_binding.workload-identity-user": (
                "iamMember"
            ),
            "module.service_accounts.google_storage_bucket_iam_binding.gcs-bucket-iam": (
                "iamMember"
            ),
        },
        "left_out": [
            "module.kubernetes.kubectl_manifest.nvidia_driver_installer[0]",
            "module.kubernetes.kubernetes_namespace.ml",
            "module.service_accounts.kubernetes_annotations.ksa-annotations",
            "module.service_accounts.kubernetes_service_account.ksa",
        ],
        "arguments": [],
        "differences": {},
    },
    "wordpress-persistent-disks": {
        "paths": ["wordpress-persistent-disks"],
        "vars": {"project_id": "demo-project"},
        "spec_vars": PROJECT,
        "converted": {
            "google_service_account.gke_node_sa": "serviceAccount",
            "google_service_account.wordpress_app_sa": "serviceAccount",
            "google_container_cluster.primary": "cluster",
            "google_container_node_pool.primary_nodes": "nodePool",
            **{
                f'google_project_iam_member.gke_node_sa_roles["{role}"]': "iamMember"
                for role in (
                    "roles/logging.logWriter",
                    "roles/monitoring.viewer",
                    "roles/storage.objectViewer",
                )
            },
            "google_project_iam_member.wordpress_app_sa_sqlclient": "iamMember",
            "google_service_account_iam_member.wordpress_ksa_wi_binding": "iamMember",
            **{
                f'google_project_service.required_apis["{api}.googleapis.com"]': "projectService"
                for api in (
                    "compute",
                    "container",
                    "iam",
                    "iamcredentials",
                    "servicenetworking",
                    "sqladmin",
                )
            },
        },
        "left_out": sorted(
            [
                "random_password.sql_user_password",
                "google_sql_database_instance.main",
                "google_sql_database.database",
                "google_sql_user.user",
                "kubernetes_service_account.wordpress_ksa",
                "kubernetes_secret.db_details",
                "kubernetes_manifest.wp_pvc_manifest",
                "kubernetes_deployment.wordpress",
                "kubernetes_service.wordpress",
            ]
        ),
        "arguments": [],
        "differences": {},
    },
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_translated_configuration_converts_to_its_translation(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    out = tmp_path / "spec.yaml"
    args = [str(DATA / p) for p in case["paths"]]
    for var, value in case["vars"].items():
        args += ["--var", f"{var}={value}"]
    result = _convert(*args, "--out", str(out), "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == (1 if report["leftOut"] else 0)
    assert {c["address"]: c["kind"] for c in report["converted"]} == case["converted"]
    whole = sorted(i["address"] for i in report["leftOut"] if i["what"] == "resource")
    assert whole == sorted(case["left_out"])
    parts = [f"{i['address']} {i['what']}" for i in report["leftOut"] if i["what"] != "resource"]
    assert parts == case["arguments"]
    for item in report["leftOut"]:
        assert item["why"] and item["fix"] and item["line"] > 0, item
    converted = _desired(out.read_text(), {})
    translated = _desired((DATA / f"{name}.yaml").read_text(), case["spec_vars"])
    assert sorted(converted) == sorted(translated)
    differences = {}
    for rid in converted:
        _, ours, our_settings = converted[rid]
        _, theirs, their_settings = translated[rid]
        for field in set(ours) | set(theirs):
            if ours.get(field) != theirs.get(field):
                differences[(rid, field)] = (ours.get(field), theirs.get(field))
        for field in set(our_settings) | set(their_settings):
            a, b = our_settings.get(field), their_settings.get(field)
            if a != b and field != "nodePools":  # the pools inline: their fields are above
                differences[(rid, f"settings.{field}")] = (a, b)
    assert differences == case["differences"]


def test_the_tutorial_with_its_bucket_converts_whole(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    tutorial = str(DATA / "tf-serving-gke")
    result = _convert(tutorial, "--var", "include_module_storage=true", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == "10 resources converted, 0 left out"
    text = out.read_text()
    assert "# from module.gke_cluster.google_container_cluster.primary (" in text
    assert "createAs: gke-admin" in text  # the impersonated provider alias
    assert "impersonators: ['user:you@example.com']" in text
    assert "  demo-project-bucket:" in text  # count = 1 with the variable set
    # the authoritative bindings are named, as converted to gkeplan's additive grants
    assert "binding_sa_gke_admin members: authoritative for roles/container.admin" in (
        result.stderr
    )


def test_the_tutorial_as_published_leaves_its_bucket_out_and_says_why(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    result = _convert(str(DATA / "tf-serving-gke"), "--out", str(out))
    assert result.exit_code == 1
    assert (
        "modules/storage/main.tf:1: module.storage.google_storage_bucket.storage_bucket: count "
        "is 0 with these variables (var.include_module_storage ? 1 : 0)"
    ) in result.stderr
    assert result.stderr.splitlines()[-1] == "9 resources converted, 1 left out (see above)"
    assert "buckets:" not in out.read_text()  # the spec is still written, without it


def test_the_report_in_json_carries_the_spec_when_there_is_no_out() -> None:
    result = _convert(str(DATA / "hashicorp-learn-gke"), "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert report["summary"] == "4 resources converted, 0 left out, 1 argument left out (see above)"
    assert report["spec"].startswith("# Converted by `gkeplan convert`")
    variable = next(n for n in report["notes"] if n["address"] == "variable PROJECT_ID")
    assert "'REPLACE_ME' is not a value gkeplan can use" in variable["why"]


def test_the_json_syntax_converts_as_hcl_does(tmp_path: Path) -> None:
    (tmp_path / "main.tf.json").write_text(
        json.dumps(
            {
                "provider": {"google": {"project": "demo-project", "region": "us-central1"}},
                "variable": {"suffix": {"default": "models"}},
                "resource": {
                    "google_storage_bucket": {
                        "models": {
                            "name": "demo-project-${var.suffix}",
                            "location": "us-central1",
                            "uniform_bucket_level_access": True,
                            "versioning": {"enabled": True},
                        }
                    }
                },
            },
            indent=2,
        )
    )
    result = _convert(str(tmp_path), "--format", "json")
    assert result.exit_code == 0, result.output
    spec = json.loads(result.stdout)["spec"]
    assert "name: demo-project-${SUFFIX}" in spec
    assert "versioning: true" in spec
    assert "SUFFIX: {default: models}" in spec


def test_malformed_hcl_is_one_error_naming_the_place(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "google_storage_bucket" "b" {\n  name = \n}\n')
    out = tmp_path / "spec.yaml"
    result = _convert(str(tmp_path), "--out", str(out))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {tmp_path}/main.tf:2:10: not valid HCL")
    assert not out.exists()


@pytest.mark.parametrize(
    "source",
    ["git::https://example.com/network.git?ref=v1", "terraform-google-modules/network/google"],
)
def test_a_remote_module_is_named_and_not_fetched(tmp_path: Path, source: str) -> None:
    (tmp_path / "main.tf").write_text(f'module "vpc" {{\n  source = "{source}"\n}}\n')
    out = tmp_path / "spec.yaml"
    result = _convert(str(tmp_path), "--out", str(out))
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"main.tf:1: module.vpc comes from '{source}', a remote source" in lines[0]
    assert not out.exists()


def test_no_such_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = _convert(str(tmp_path / "missing"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_a_variable_the_configuration_does_not_declare_is_a_usage_error() -> None:
    result = _convert(str(DATA / "tf-serving-gke"), "--var", "project_id=demo-project")
    assert result.exit_code == 2
    assert "project_id: the configuration declares no variable project_id" in result.stderr
