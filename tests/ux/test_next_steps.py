"""Point 11: after apply, `output` gives the next step; destroy says destroy; `show` says
what it needs; Go-style durations; shell completion works as the README says."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gkeplan.cli import cli
from gkeplan_emulator import Emulator, EmulatorConfig

from .helpers import EXAMPLE


class Cli:
    def __init__(self, emu: Emulator, tmp: Path) -> None:
        self.endpoint = emu.endpoints.http
        self.state = str(tmp / "state.json")

    def change(self, command: str, *args: str) -> Result:
        argv = [command, str(EXAMPLE), "--var", "PROJECT_ID=demo-project", *args]
        return CliRunner().invoke(cli, [*argv, "--endpoint", self.endpoint, "--state", self.state])

    def output(self, *args: str) -> Result:
        return CliRunner().invoke(cli, ["output", *args, "--state", self.state])


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Cli]:
    with Emulator(EmulatorConfig()) as emu:
        yield Cli(emu, tmp_path)


def test_output_after_apply(run: Cli) -> None:
    assert run.output().exit_code == 1  # no state yet: says so
    applied = run.change("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    listing = run.output()
    assert listing.exit_code == 0, listing.output
    assert "bucket.models.url = gs://demo-project-models" in listing.output
    line = run.output("cluster.sd-cluster.get_credentials").output.strip()
    assert line == (
        "gcloud container clusters get-credentials sd-cluster "
        "--location=us-central1-c --project=demo-project"
    )
    values = json.loads(run.output("--json").output)
    assert (
        values["serviceAccount.gke-node.email"] == "gke-node@demo-project.iam.gserviceaccount.com"
    )
    assert values["cluster.sd-cluster.endpoint"]
    ca = base64.b64decode(values["cluster.sd-cluster.ca_certificate"])
    assert ca.startswith(b"-----BEGIN CERTIFICATE-----")
    wrong = run.output("cluster.sd-cluster.get_credential")
    assert wrong.exit_code == 2
    assert "did you mean cluster.sd-cluster.get_credentials?" in wrong.output


def test_destroy_ends_with_destroy_complete(run: Cli) -> None:
    assert run.change("apply", "--auto-approve").exit_code == 0
    destroyed = run.change("destroy", "--auto-approve")
    assert destroyed.exit_code == 0, destroyed.output
    assert "Destroy complete! Resources: 9 destroyed." in destroyed.output
    assert "Apply complete" not in destroyed.output


def test_lock_timeout_accepts_go_durations(run: Cli) -> None:
    ok = run.change("plan", "--lock-timeout", "1m30s", "--retry-timeout", "2m30s")
    assert ok.exit_code == 0, ok.output
    bad = run.change("plan", "--lock-timeout", "1x")
    assert bad.exit_code == 2
    assert "'1x' is not a duration like 30s, 5m, 1m30s or 1h" in bad.output


def test_show_requires_its_argument() -> None:
    usage = CliRunner().invoke(cli, ["show", "--help"]).output
    assert "Usage: gkeplan show [OPTIONS] PLAN" in usage
    missing = CliRunner().invoke(cli, ["show"])
    assert missing.exit_code == 2
    assert "Missing argument 'PLAN'" in missing.output


def test_shell_completion_as_documented() -> None:
    # The README's line: eval "$(_GKEPLAN_COMPLETE=bash_source gkeplan)"
    script = CliRunner().invoke(
        cli, [], prog_name="gkeplan", env={"_GKEPLAN_COMPLETE": "bash_source"}
    )
    assert "_gkeplan_completion" in script.output
    words = CliRunner().invoke(
        cli,
        [],
        prog_name="gkeplan",
        env={"_GKEPLAN_COMPLETE": "bash_complete", "COMP_WORDS": "gkeplan ou", "COMP_CWORD": "1"},
    )
    assert "plain,output" in words.output
