"""Point 5: machine outputs carry what the text says; flags that conflict are refused;
one mistake does not hide the others."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import EXAMPLE, TUTORIAL

VARS = ["--var", "PROJECT_ID=demo-project"]


def test_json_keeps_checkov_ids_and_cost() -> None:
    result = CliRunner().invoke(
        cli, ["validate", str(TUTORIAL), *VARS, "--format", "json", "--cost"]
    )
    data = json.loads(result.output)
    by_rule = {f["rule"]: f for f in data["findings"]}
    assert by_rule["LP001"]["checkov"] == "CKV_GCP_41"
    assert by_rule["FT001"]["checkov"] is None
    text = CliRunner().invoke(cli, ["validate", str(TUTORIAL), *VARS, "--cost"]).output
    total = next(ln for ln in text.splitlines() if "total per month" in ln)
    low, high = (float(x.strip().lstrip("$")) for x in total.split("month", 1)[1].split(".."))
    assert (data["cost"]["min"], data["cost"]["max"]) == (low, high)
    assert data["cost"]["lines"]


def test_strict_does_not_print_valid_when_it_fails(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    # one warning (LP007: container.admin is broader than needed), no errors
    spec.write_text(
        EXAMPLE.read_text().replace("roles/container.clusterAdmin", "roles/container.admin")
    )
    loose = CliRunner().invoke(cli, ["validate", str(spec), *VARS])
    assert loose.exit_code == 0 and ": valid (" in loose.output, loose.output
    strict = CliRunner().invoke(cli, ["validate", str(spec), *VARS, "--strict"])
    assert strict.exit_code == 1
    assert ": valid (" not in strict.output
    assert "refused by --strict (warnings fail)" in strict.output
    as_json = json.loads(
        CliRunner()
        .invoke(cli, ["validate", str(spec), *VARS, "--strict", "--format", "json"])
        .output
    )
    assert as_json["passed"] is False and "valid" not in as_json  # one verdict, as the text


def test_plan_json_and_markdown_conflict() -> None:
    result = CliRunner().invoke(
        cli, ["plan", str(EXAMPLE), *VARS, "--json", "--format", "markdown", "--sandbox"]
    )
    assert result.exit_code == 2
    assert "--json and --format markdown ask for two outputs" in result.output
    assert "{" not in result.output


def test_an_undeclared_var_does_not_hide_other_errors() -> None:
    result = CliRunner().invoke(cli, ["validate", str(TUTORIAL), *VARS, "--var", "PROJET_ID=x"])
    assert result.exit_code == 1
    assert "--var PROJET_ID: the spec declares no variable 'PROJET_ID'" in result.output
    assert "did you mean PROJECT_ID?" in result.output
    # the spec's own problems and the policy findings are still reported
    assert "roles/container.nodeServiceAccount is deprecated" in result.output
    assert "[LP001/CKV_GCP_41]" in result.output


def test_a_bad_var_file_is_described_as_a_var_file(tmp_path: Path) -> None:
    cases = {
        "list.yaml": ("- a\n- b\n", "list.yaml:1:1: a variable file is a YAML mapping"),
        "empty.yaml": ("", "empty.yaml:1:1: a variable file is a YAML mapping"),
        "broken.yaml": ("A: [1\n", "broken.yaml:2:1: invalid YAML"),
        "nested.yaml": ("A:\n  b: 1\n", "nested.yaml:2:3: A must be a plain value"),
    }
    for name, (text, expected) in cases.items():
        path = tmp_path / name
        path.write_text(text)
        result = CliRunner().invoke(cli, ["validate", str(EXAMPLE), "--var-file", str(path)])
        assert result.exit_code == 2, result.output
        assert expected in result.output
        assert "spec" not in result.output.split("Error:", 1)[1]


def test_validate_takes_several_specs() -> None:
    ok = CliRunner().invoke(cli, ["validate", str(EXAMPLE), str(EXAMPLE), *VARS])
    assert ok.exit_code == 0
    assert ok.output.count(": valid (") == 2
    mixed = CliRunner().invoke(
        cli, ["validate", str(EXAMPLE), str(TUTORIAL), *VARS, "--format", "json"]
    )
    assert mixed.exit_code == 1
    reports = json.loads(mixed.output)
    assert [(r["file"], r["passed"]) for r in reports] == [
        (str(EXAMPLE), True),
        (str(TUTORIAL), False),
    ]
