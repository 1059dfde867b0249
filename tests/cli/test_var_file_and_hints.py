"""A shared var-file holding a key the spec does not declare is a warning at that key of the
var-file (Terraform warns for it; a --var for one stays an error), and an error's next step
names only flags the command has."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from google.auth.exceptions import DefaultCredentialsError

from gkeplan.cli import _google_message, _target_flags, cli
from gkeplan.cli.validate import validate

SPEC = """\
version: 1
project: ${PROJECT_ID}
region: us-central1
variables:
  PROJECT_ID: {}
buckets:
  models: {name: "${PROJECT_ID}-m", location: us-central1}
"""


def _files(tmp_path: Path) -> tuple[str, str]:
    spec = tmp_path / "b.yaml"
    spec.write_text(SPEC)
    shared = tmp_path / "shared.yaml"
    shared.write_text("PROJECT_ID: demo-project\nNETWORK_CIDR: 10.0.0.0/16\n")
    return str(spec), str(shared)


def test_a_var_file_key_the_spec_does_not_declare_warns_at_that_key(tmp_path: Path) -> None:
    spec, shared = _files(tmp_path)
    valid = CliRunner().invoke(cli, ["validate", spec, "--var-file", shared])
    assert valid.exit_code == 0, valid.output
    assert f"{shared}:2:1: warning: variables: NETWORK_CIDR: the spec declares no " in (
        valid.output
    )
    assert "--var NETWORK_CIDR" not in valid.output
    assert ": valid (1 resources; 0 errors, 1 warnings" in valid.output
    planned = CliRunner().invoke(cli, ["plan", spec, "--sandbox", "--var-file", shared])
    assert planned.exit_code == 0, planned.output
    assert f"{shared}:2:1: warning:" in planned.stderr
    assert "1 to add" in planned.stdout
    # under --strict a warning fails the verdict, as any other
    strict = CliRunner().invoke(cli, ["validate", spec, "--var-file", shared, "--strict"])
    assert strict.exit_code == 1


def test_a_var_for_an_undeclared_variable_is_still_an_error(tmp_path: Path) -> None:
    spec, shared = _files(tmp_path)
    # given on the command line as well, the value is --var's, and so is the blame
    result = CliRunner().invoke(
        cli, ["validate", spec, "--var-file", shared, "--var", "NETWORK_CIDR=10.1.0.0/16"]
    )
    assert result.exit_code == 1
    assert "error: variables: --var NETWORK_CIDR: the spec declares no variable" in (result.output)
    assert "shared.yaml:2:1" not in result.output


def test_missing_credentials_suggest_only_the_commands_own_targets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "missing-adc.json"))
    listed = CliRunner().invoke(cli, ["state", "list", "--state", "gs://some-bucket/ml"])
    assert listed.exit_code == 1
    assert "application-default login`), or use --sandbox / --endpoint" in listed.output
    # a command without either flag (validate) is told of the credentials only
    missing = DefaultCredentialsError("none found.")  # type: ignore[no-untyped-call]
    none = _google_message(missing, flags=_target_flags(validate))
    assert none.endswith("(`gcloud auth application-default login`)")
