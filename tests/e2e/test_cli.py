"""The plan/apply/destroy/state/import commands, as CI runs them, against the emulator."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import gkeplan.cli.changes
import gkeplan.cli.state  # noqa: F401
from gkeplan.cli import cli
from gkeplan_emulator import Emulator, EmulatorConfig, FaultRule

from .conftest import EXAMPLE


class Cli:
    def __init__(self, emu: Emulator, tmp: Path) -> None:
        self.emu = emu
        self.tmp = tmp
        self.spec = tmp / "spec.yaml"
        self.spec.write_text(EXAMPLE.read_text())
        self.state = tmp / "state.json"

    def __call__(self, *args: str, spec: bool = True) -> Result:
        common = [
            "--var",
            "PROJECT_ID=demo-project",
            "--endpoint",
            self.emu.endpoints.http,
            "--state",
            str(self.state),
        ]
        if args[0] == "state":  # state commands read the file only
            common = ["--state", str(self.state)]
        argv = [args[0], *([str(self.spec)] if spec else []), *args[1:], *common]
        return CliRunner().invoke(cli, argv)


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Cli]:
    with Emulator(EmulatorConfig()) as emu:
        yield Cli(emu, tmp_path)


def test_plan_apply_plan_exit_codes(run: Cli) -> None:
    first = run("plan", "--detailed-exitcode")
    assert first.exit_code == 2, first.output
    assert "Plan: 10 to add, 0 to change, 0 to destroy." in first.output
    assert "+ cluster.sd-cluster will be created" in first.output
    applied = run("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Apply complete! Resources: 10 added, 0 changed, 0 destroyed." in applied.output
    again = run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output


def test_apply_without_a_terminal_needs_auto_approve(run: Cli) -> None:
    result = run("apply")
    assert result.exit_code == 1
    assert "no terminal to confirm the apply; re-run with --auto-approve" in result.output
    assert not run.state.exists() or json.loads(run.state.read_text())["resources"] == {}


def test_saved_plans_go_stale_in_each_of_three_ways(run: Cli) -> None:
    plan_file = run.tmp / "plan.json"
    # 1. made without any state; the state exists by the time it is applied
    assert run("plan", "--out", str(plan_file)).exit_code == 0
    assert run("apply", "--auto-approve").exit_code == 0
    stale = run("apply", "--plan", str(plan_file))
    assert stale.exit_code == 1
    assert "the saved plan was made from state (none) serial None" in stale.output
    # 2. the state moved on (a newer serial) since the plan was made
    renamed = "displayName: GKE Node Service Account (renamed)"
    run.spec.write_text(
        EXAMPLE.read_text().replace("displayName: GKE Node Service Account", renamed)
    )
    assert run("plan", "--out", str(plan_file)).exit_code == 0
    assert run("state", "mv", "bucket.models", "bucket.elsewhere", spec=False).exit_code == 0
    assert "the saved plan was made from state" in run("apply", "--plan", str(plan_file)).output
    # 3. the spec changed after the plan
    assert run("plan", "--out", str(plan_file)).exit_code == 0
    run.spec.write_text(EXAMPLE.read_text().replace("maxNodeCount: 2", "maxNodeCount: 1"))
    # (the policies accept this spec; only its digest differs from the plan's)
    changed = run("apply", "--plan", str(plan_file))
    assert changed.exit_code == 1
    assert "the spec or its variables changed since the plan was made" in changed.output


def test_saved_plan_applies_when_fresh(run: Cli) -> None:
    plan_file = run.tmp / "plan.json"
    assert run("plan", "--out", str(plan_file)).exit_code == 0
    result = run("apply", "--plan", str(plan_file))
    assert result.exit_code == 0, result.output
    assert "Apply complete! Resources: 10 added" in result.output


def test_target_limits_the_run_to_what_it_needs(run: Cli) -> None:
    address = "iamMember.bucket.models/roles/storage.objectViewer/serviceAccount:gke-node"
    result = run("apply", "--auto-approve", "--target", address)
    assert result.exit_code == 0, result.output
    assert "Resources: 3 added" in result.output
    listed = run("state", "list", spec=False).output.split()
    assert listed == ["bucket.models", address, "serviceAccount.gke-node"]


def test_state_show_and_import(run: Cli) -> None:
    iam = run.emu.clients().iam()
    iam.create_service_account(
        request={
            "name": "projects/demo-project",
            "account_id": "gke-node",
            "service_account": {"display_name": "made by hand"},
        }
    )
    imported = run(
        "import",
        "serviceAccount.gke-node",
        "gke-node@demo-project.iam.gserviceaccount.com",
        "--spec",
        str(run.spec),
        spec=False,
    )
    assert imported.exit_code == 0, imported.output
    shown = json.loads(run("state", "show", "serviceAccount.gke-node", spec=False).output)
    assert shown["attributes"]["displayName"] == "made by hand"
    plan = run("plan", "--json")
    changes = {
        c["address"]: c for c in json.loads(plan.output[plan.output.index("{") :])["changes"]
    }
    sa = changes["serviceAccount.gke-node"]
    assert sa["action"] == "update"
    assert sa["fields"] == [
        {
            "name": "displayName",
            "before": "made by hand",
            "after": "GKE Node Service Account",
            "forces_replacement": False,
        }
    ]


def test_policy_errors_stop_the_plan(run: Cli) -> None:
    # three nodes of 4 vCPUs at create: GKE itself would refuse it on 8 N2 CPUs
    run.spec.write_text(EXAMPLE.read_text().replace("initialNodeCount: 1", "initialNodeCount: 3"))
    run.spec.write_text(run.spec.read_text().replace("maxNodeCount: 2", "maxNodeCount: 3"))
    result = run("plan")
    assert result.exit_code == 1
    assert "quota N2_CPUS in us-central1 is 8: GKE refuses the create" in result.output
    assert "refused by validation or policy; nothing was planned" in result.output


def test_markdown_plan_for_a_pull_request(run: Cli) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "plan",
            str(run.spec),
            "--format",
            "markdown",
            "--var",
            "PROJECT_ID=demo-project",
            "--endpoint",
            run.emu.endpoints.http,
            "--state",
            str(run.state),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "### gkeplan plan for `demo-project`: 10 to add, 0 to change, 0 to destroy"
    assert "<summary><code>+ cluster.sd-cluster</code> will be created</summary>" in lines
    notes = result.stdout.split("<details><summary>Notes (9)</summary>", 1)[1]
    assert (
        "**SB018** `bucket.models` (line 59): object versioning is off: an overwritten or "
        "deleted model cannot be recovered" in notes
    )


def test_destroy_keeps_the_keep_on_destroy_bucket(run: Cli) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    result = run("destroy", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert (
        "bucket.models: keepOnDestroy: left in place, and kept in the state as gkeplan's"
        in result.output
    )
    assert "9 destroyed" in result.output
    assert [b.name for b in run.emu.clients().storage().list_buckets()] == ["demo-project-models"]


def test_sandbox_apply_then_plan_has_no_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What `make demo` does: the in-process sandbox, its state kept under .gkeplan/sandbox."""
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text())
    args = [str(spec), "--var", "PROJECT_ID=demo-project", "--sandbox"]
    applied = CliRunner().invoke(cli, ["apply", *args, "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    assert "Apply complete! Resources: 10 added" in applied.output
    assert (tmp_path / ".gkeplan" / "sandbox" / "state.json").exists()
    assert (tmp_path / ".gkeplan" / "sandbox" / "emulator.json").exists()
    again = CliRunner().invoke(cli, ["plan", *args, "--detailed-exitcode"])
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output
    assert not (tmp_path / ".gkeplan" / "state.json").exists()  # real-cloud state untouched


def test_state_pull_push_and_migrate(run: Cli) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    pulled = run("state", "pull", spec=False)
    assert pulled.exit_code == 0
    doc = json.loads(pulled.output)
    assert doc["serial"] > 0 and "cluster.sd-cluster" in doc["resources"]
    saved = run.tmp / "pulled.json"
    saved.write_text(pulled.output)

    # a push of the same lineage at the current serial is taken, and bumps the serial
    pushed = run("state", "push", str(saved), spec=False)
    assert pushed.exit_code == 0, pushed.output
    assert json.loads(run("state", "pull", spec=False).output)["serial"] == doc["serial"] + 1
    # an older serial of the same lineage is refused, and nothing changes
    older = run("state", "push", str(saved), spec=False)
    assert older.exit_code == 1 and "older than the state's" in older.output
    # another lineage is refused
    other = dict(doc, lineage="another-lineage", serial=doc["serial"] + 5)
    (run.tmp / "other.json").write_text(json.dumps(other))
    refused = run("state", "push", str(run.tmp / "other.json"), spec=False)
    assert refused.exit_code == 1 and "different states" in refused.output

    # migrate to a new local file: same lineage and resources; an occupied destination refused
    dest = run.tmp / "moved" / "state.json"
    moved = run("state", "migrate", "--to", str(dest), spec=False)
    assert moved.exit_code == 0, moved.output
    copy = json.loads(dest.read_text())
    assert copy["lineage"] == doc["lineage"] and copy["resources"].keys() == doc["resources"].keys()
    again = run("state", "migrate", "--to", str(dest), spec=False)
    assert again.exit_code == 1 and "already holds a state" in again.output


def test_a_failed_change_is_one_line_with_gcps_answer_and_the_next_step(run: Cli) -> None:
    # GCS refuses every bucket create, for the whole retry budget
    run.emu.backend.faults.set_rules([FaultRule("storage.buckets.insert", status=400)])
    result = run("apply", "--auto-approve")
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.startswith("Error: bucket.models")]
    assert len(lines) == 1, result.output
    line = lines[0]
    assert re.match(
        r"Error: bucket\.models: create bucket demo-project-models: 400[ A-Z_]*: ", line
    )
    assert line.endswith("fix what GCP names above, then apply again")
    assert "Traceback" not in result.output and "('" not in line
    assert "Apply incomplete!" in result.output


def test_retry_timeout_bounds_the_retries_of_one_change(run: Cli) -> None:
    run.emu.backend.faults.set_rules([FaultRule("storage.buckets.insert", status=503)])
    started = time.monotonic()
    result = run("apply", "--auto-approve", "--retry-timeout", "1s")
    elapsed = time.monotonic() - started
    assert result.exit_code == 1
    assert "Error: bucket.models: create bucket demo-project-models: 503" in result.output
    attempts = [e for e in run.emu.requests if e.method == "storage.buckets.insert"]
    assert len(attempts) >= 2  # it did retry
    # the sandbox's own bound on one call is 30 s; the budget of 1 s ended the retries long
    # before that (the margin absorbs a loaded machine)
    assert elapsed < 20, elapsed
