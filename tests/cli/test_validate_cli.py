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
