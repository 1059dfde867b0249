"""Point 8: SARIF that validates against the 2.1.0 schema and that GitHub code scanning can
track: rule help, security severity, and fingerprints that survive edits above a finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import ROOT, TUTORIAL

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def _sarif(spec: Path) -> dict[str, Any]:
    result = CliRunner().invoke(
        cli, ["validate", str(spec), "--var", "PROJECT_ID=demo-project", "--format", "sarif"]
    )
    assert result.exit_code == 1  # the tutorial's choices are refused
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_output_validates_against_the_sarif_schema() -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    jsonschema.Draft4Validator(SCHEMA).validate(_sarif(TUTORIAL))


def test_rules_carry_help_and_security_severity() -> None:
    rules = {r["id"]: r for r in _sarif(TUTORIAL)["runs"][0]["tool"]["driver"]["rules"]}
    lp001 = rules["LP001"]
    assert lp001["help"]["text"] and lp001["help"]["markdown"]
    assert lp001["helpUri"].startswith("https://")
    assert lp001["properties"]["tags"] == ["security"]
    assert 7.0 <= float(lp001["properties"]["security-severity"]) < 9.0  # an error: high
    assert float(rules["LP007"]["properties"]["security-severity"]) < 7.0  # a warning
    assert "security-severity" not in rules["FT001"]["properties"]  # quota, not security


def test_fingerprints_survive_lines_inserted_above(tmp_path: Path) -> None:
    spec = tmp_path / "infra.yaml"
    spec.write_text(TUTORIAL.read_text())
    before = _sarif(spec)["runs"][0]["results"]
    spec.write_text("# a comment added in a later commit\n\n" + TUTORIAL.read_text())
    after = _sarif(spec)["runs"][0]["results"]

    def keyed(results: list[dict[str, Any]]) -> dict[str, int]:
        return {
            r["partialFingerprints"]["gkeplanFinding/v1"]: r["locations"][0]["physicalLocation"][
                "region"
            ]["startLine"]
            for r in results
            if r["locations"]
        }

    old, new = keyed(before), keyed(after)
    assert old.keys() == new.keys()
    assert all(new[k] == old[k] + 2 for k in old)
    # and GitHub's own key is left for GitHub to compute
    assert all("primaryLocationLineHash" not in r["partialFingerprints"] for r in after)
