from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "stable-diffusion.yaml")
TUTORIAL = str(Path(__file__).resolve().parents[2] / "examples" / "tutorial-as-written.yaml")


def test_exit_codes() -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["validate", EXAMPLE, "--var", "PROJECT_ID=demo-project"])
    assert ok.exit_code == 0, ok.output
    invalid = runner.invoke(cli, ["validate", EXAMPLE])  # PROJECT_ID has no value
    assert invalid.exit_code == 1
    assert "variable 'PROJECT_ID' has no value" in invalid.output
    usage = runner.invoke(cli, ["validate", "missing.yaml"])
    assert usage.exit_code == 2
    bad_var = runner.invoke(cli, ["validate", EXAMPLE, "--var", "PROJECT_ID"])
    assert bad_var.exit_code == 2
    assert "'PROJECT_ID' is not NAME=VALUE" in bad_var.output


def test_json_format() -> None:
    result = CliRunner().invoke(cli, ["validate", EXAMPLE, "--format", "json"])
    data = json.loads(result.output)
    assert data["passed"] is False
    (diag,) = data["diagnostics"]
    assert diag["path"] == "project"
    assert diag["location"]["line"] == 5
    assert diag["severity"] == "error"


def test_var_file_and_environment(tmp_path: Path) -> None:
    var_file = tmp_path / "vars.yaml"
    var_file.write_text("PROJECT_ID: from-file\n")
    runner = CliRunner()
    assert runner.invoke(cli, ["validate", EXAMPLE, "--var-file", str(var_file)]).exit_code == 0
    env = {"GKEPLAN_VAR_PROJECT_ID": "from-env"}
    assert runner.invoke(cli, ["validate", EXAMPLE], env=env).exit_code == 0


def test_graph_formats() -> None:
    runner = CliRunner()
    args = ["graph", EXAMPLE, "--var", "PROJECT_ID=demo-project", "--format"]
    dot = runner.invoke(cli, [*args, "dot"]).output
    assert (
        '"cluster.sd-cluster" -> "nodePool.sd-cluster.sd-node-pool" [label="its cluster"];' in dot
    )
    mermaid = runner.invoke(cli, [*args, "mermaid"]).output
    assert mermaid.startswith("flowchart LR")
    data = json.loads(runner.invoke(cli, [*args, "json"]).output)
    assert len(data["nodes"]) == 10
    assert {
        "from": "bucket.models",
        "to": "iamMember.bucket.models/roles/storage.objectViewer/serviceAccount:gke-node",
        "reason": "grant target",
    } in data["edges"]


def test_json_verdict_is_the_texts() -> None:
    """`passed` says what the text's last line says: a spec the text calls refused (a policy
    error, the schema fine) is not passed in JSON, and no other key claims it is valid."""
    runner = CliRunner()
    args = ["validate", TUTORIAL, "--var", "PROJECT_ID=demo-project"]
    text = runner.invoke(cli, args)
    assert text.exit_code == 1 and f"{TUTORIAL}: refused (" in text.output
    as_json = runner.invoke(cli, [*args, "--format", "json"])
    assert as_json.exit_code == 1
    data = json.loads(as_json.output)
    assert data["passed"] is False
    assert not any(v is True for k, v in data.items() if k != "strict"), data
    ok = runner.invoke(cli, ["validate", EXAMPLE, "--var", "PROJECT_ID=demo-project"])
    ok_json = runner.invoke(
        cli, ["validate", EXAMPLE, "--var", "PROJECT_ID=demo-project", "--format", "json"]
    )
    assert ": valid (" in ok.output and json.loads(ok_json.output)["passed"] is True


def _zoned(tmp_path: Path, cluster: str) -> str:
    text = Path(EXAMPLE).read_text()
    assert "    location: us-central1-c\n" in text
    spec = tmp_path / "gkeplan.yaml"
    spec.write_text(text.replace("    location: us-central1-c\n", cluster, 1))
    return str(spec)


def test_an_unknown_zone_of_a_known_region_is_a_warning_with_did_you_mean(
    tmp_path: Path,
) -> None:
    spec = _zoned(tmp_path, "    location: us-central1-z\n")
    args = ["validate", spec, "--var", "PROJECT_ID=demo-project"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output  # the catalog may be stale: never an error
    (line,) = [ln for ln in result.output.splitlines() if "us-central1-z is not" in ln]
    assert line.startswith(f"{spec}:39:15: warning: clusters.sd-cluster.location: zone ")
    assert "zone us-central1-z is not one of the zones of us-central1 in gkeplan's catalog" in line
    assert "did you mean 'us-central1-" in result.output
    assert "if GCP opened us-central1-z after the catalog was made" in result.output
    assert f"{spec}: valid (10 resources; 0 errors, 1 warnings, " in result.output
    # the README's sample is this output, for a spec named gkeplan.yaml
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    sample = readme.split("`--strict` fails on\nit, as on any warning:\n\n```\n", 1)[1]
    for want in sample.split("\n```", 1)[0].splitlines():
        assert want.replace("gkeplan.yaml:", f"{spec}:", 1) in result.output.splitlines(), want
    strict = CliRunner().invoke(cli, [*args, "--strict"])
    assert strict.exit_code == 1 and "refused by --strict (warnings fail)" in strict.output
    as_json = json.loads(CliRunner().invoke(cli, [*args, "--strict", "--format", "json"]).output)
    assert as_json["passed"] is False


def test_node_locations_are_checked_too_and_known_zones_are_quiet(tmp_path: Path) -> None:
    spec = _zoned(
        tmp_path, "    location: us-central1\n    nodeLocations: [us-central1-a, us-central1-q]\n"
    )
    result = CliRunner().invoke(cli, ["validate", spec, "--var", "PROJECT_ID=demo-project"])
    assert "zone us-central1-q is not one of the zones of us-central1" in result.output
    assert "us-central1-a is not" not in result.output
    assert "clusters.sd-cluster.nodeLocations[1]: zone us-central1-q" in result.output


def test_a_region_without_zone_data_gets_no_zone_opinion(tmp_path: Path) -> None:
    from gkeplan import catalog

    region = next(r for r, zones in catalog.regions().items() if not zones)
    spec = _zoned(tmp_path, f"    location: {region}-a\n")
    result = CliRunner().invoke(cli, ["validate", spec, "--var", "PROJECT_ID=demo-project"])
    assert "is not one of the zones" not in result.output
