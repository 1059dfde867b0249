"""SARIF for GitHub code scanning, JSON for machines, --strict, and a plugin rule end to end."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import EXAMPLE, ROOT, edit


def test_sarif_has_rules_and_yaml_locations() -> None:
    result = CliRunner().invoke(
        cli,
        [
            "validate",
            "examples/regional.yaml",
            "--var",
            "PROJECT_ID=demo-project",
            "--format",
            "sarif",
        ],
    )
    assert result.exit_code == 1
    sarif = json.loads(result.output)
    assert sarif["version"] == "2.1.0"
    run = sarif["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert {"FT001", "LP006", "SB016"} <= rule_ids
    ft = next(r for r in run["results"] if r["ruleId"] == "FT001")
    assert ft["level"] == "error"
    region = ft["locations"][0]["physicalLocation"]
    assert region["artifactLocation"]["uri"] == "examples/regional.yaml"
    assert region["region"] == {"startLine": 45, "startColumn": 9}


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(edit("    releaseChannel: REGULAR", "    releaseChannel: UNSPECIFIED", EXAMPLE))
    runner = CliRunner()
    args = ["validate", str(spec), "--var", "PROJECT_ID=demo-project"]
    assert runner.invoke(cli, args).exit_code == 0
    assert runner.invoke(cli, [*args, "--strict"]).exit_code == 1
    data = json.loads(runner.invoke(cli, [*args, "--format", "json"]).output)
    assert [f["rule"] for f in data["findings"] if f["severity"] == "warning"] == ["SB006"]


def test_plugin_rule_from_an_entry_point(tmp_path: Path) -> None:
    """A rule installed by another distribution runs when the spec selects it."""
    site = tmp_path / "site"
    (site / "teamrules").mkdir(parents=True)
    (site / "teamrules" / "__init__.py").write_text(
        textwrap.dedent("""
        from gkeplan.errors import Severity
        from gkeplan.policy import Rule

        class NeedsTeamLabel(Rule):
            id = "TEAM001"
            title = "Buckets carry a team label"
            rationale = "Cost reports group by team."
            severity = Severity.ERROR

            def check(self, ctx):
                for name, bucket in ctx.spec.buckets.items():
                    if "team" not in bucket.labels:
                        yield self.finding(ctx, f"bucket.{name}", ("buckets", name),
                                           f"bucket {name} has no team label",
                                           "labels: {team: ml}")
    """)
    )
    dist = site / "teamrules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: teamrules\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[gkeplan.policies]\nTEAM001 = teamrules:NeedsTeamLabel\n"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        edit(
            "  packs: [free-trial, least-privilege, security-baseline]",
            "  packs: [free-trial, TEAM001]",
            EXAMPLE,
        )
    )
    proc = subprocess.run(
        [sys.executable, "-m", "gkeplan", "validate", str(spec), "--var", "PROJECT_ID=p-roject1"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "error [TEAM001]: bucket models has no team label" in proc.stdout
