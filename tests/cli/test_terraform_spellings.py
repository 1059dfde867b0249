"""Terraform's single-dash flags get gkeplan's spelling as one usage error (exit 2), never
click's "No such option '-t'"."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gkeplan.cli import cli

EXAMPLE = str(Path(__file__).resolve().parents[2] / "examples" / "stable-diffusion.yaml")


@pytest.mark.parametrize(
    ("argv", "meant"),
    [
        (["plan", EXAMPLE, "-target=bucket.models"], "did you mean --target bucket.models?"),
        (["apply", EXAMPLE, "-target", "bucket.models"], "did you mean --target bucket.models?"),
        (["plan", EXAMPLE, "-var", "PROJECT_ID=demo"], "did you mean --var PROJECT_ID=demo?"),
        (["plan", EXAMPLE, "-var=PROJECT_ID=demo"], "did you mean --var PROJECT_ID=demo?"),
        (["apply", EXAMPLE, "-var-file=prod.yaml"], "did you mean --var-file prod.yaml?"),
        (["apply", EXAMPLE, "-auto-approve"], "did you mean --auto-approve?"),
        (["plan", EXAMPLE, "-out=plan.json"], "did you mean --out plan.json?"),
        (["plan", EXAMPLE, "-destroy"], "did you mean --destroy?"),
        (["apply", EXAMPLE, "-destroy"], "to destroy, run: gkeplan destroy SPEC"),
        (["apply", EXAMPLE, "-replace=bucket.models"], "did you mean --replace bucket.models?"),
        (["plan", EXAMPLE, "-refresh-only"], "did you mean --refresh-only?"),
        (["state", "list", EXAMPLE, "-state=s.json"], "did you mean --state s.json?"),
        (["validate", EXAMPLE, "-var", "A=b c"], "did you mean --var 'A=b c'?"),
    ],
)
def test_a_terraform_spelling_is_answered_with_gkeplans(argv: list[str], meant: str) -> None:
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 2, result.output
    errors = [ln for ln in result.output.splitlines() if ln.startswith("Error:")]
    assert len(errors) == 1, result.output
    typed = next(a for a in argv if a.startswith("-"))
    assert errors[0].startswith(f"Error: {typed} is Terraform's spelling"), errors[0]
    assert meant in errors[0], result.output
    assert "No such option" not in result.output and "Traceback" not in result.output


def test_short_options_and_values_are_left_alone() -> None:
    # -h is gkeplan's own; a value after --var that happens to hold a dash is a value
    assert CliRunner().invoke(cli, ["plan", "-h"]).exit_code == 0
    result = CliRunner().invoke(cli, ["validate", EXAMPLE, "--var", "PROJECT_ID=demo-project"])
    assert result.exit_code == 0, result.output
