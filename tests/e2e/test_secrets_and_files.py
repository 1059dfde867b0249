"""Sensitive values, saved plans, file modes, state paths and escaped output, through the CLI
against `gkeplan sandbox serve`."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from gkeplan.cli import cli
from gkeplan.plan import saved

from .conftest import EXAMPLE
from .test_remote_state import Server
from .test_remote_state import _server as _server  # one server for this module too

SECRET = "zq7-sensitive-team-4410"
SENSITIVE_SPEC = (
    EXAMPLE.read_text()
    .replace(
        "    default: you@example.com\n",
        "    default: you@example.com\n  TEAM:\n    sensitive: true\n",
    )
    .replace(
        "    keepOnDestroy: true\n", "    keepOnDestroy: true\n    labels:\n      team: t-${TEAM}\n"
    )
)


@pytest.fixture
def server(_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.chdir(tmp_path)
    _server.fresh(tmp_path)
    return _server


def _run(server: Server, *args: str, spec: str | None = None) -> Result:
    argv = [*args]
    if spec is not None:
        argv += [spec, "--var", "PROJECT_ID=demo-project"]
        if "TEAM" in Path(spec).read_text():
            argv += ["--var", f"TEAM={SECRET}"]
    return CliRunner().invoke(cli, [*argv, "--endpoint", server.http])


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_sensitive_value_is_masked_in_every_output(server: Server, tmp_path: Path) -> None:
    spec = tmp_path / "sensitive.yaml"
    spec.write_text(SENSITIVE_SPEC)
    outputs = {}
    outputs["plan"] = _run(server, "plan", spec=str(spec))
    outputs["json"] = _run(server, "plan", "--json", spec=str(spec))
    outputs["markdown"] = _run(server, "plan", "--format", "markdown", spec=str(spec))
    outputs["out"] = _run(server, "plan", "--out", "saved.json", spec=str(spec))
    outputs["show"] = CliRunner().invoke(cli, ["show", "saved.json"])
    outputs["apply"] = _run(server, "apply", "--auto-approve", spec=str(spec))
    outputs["state show"] = CliRunner().invoke(
        cli, ["state", "show", "bucket.models", "--endpoint", server.http]
    )
    # a value the label rules refuse: the validation message names it, masked
    outputs["validate"] = CliRunner().invoke(
        cli,
        ["validate", str(spec), "--var", "PROJECT_ID=demo-project", "--var", f"TEAM={SECRET}!"],
    )
    for fmt in ("json", "sarif"):
        outputs[f"validate {fmt}"] = CliRunner().invoke(
            cli,
            [
                "validate",
                str(spec),
                "--format",
                fmt,
                "--var",
                "PROJECT_ID=demo-project",
                "--var",
                f"TEAM={SECRET}!",
            ],
        )
    assert outputs["validate"].exit_code == 1
    for what, result in outputs.items():
        assert SECRET not in result.output, what
        # markdown names changed fields but shows no values
        assert what == "markdown" or "(sensitive)" in result.output, (what, result.output)
    assert SECRET not in Path("saved.json").read_text()
    for what in ("plan", "json", "out", "apply", "state show"):
        assert outputs[what].exit_code == 0, (what, outputs[what].output)
    # The state holds the real value (it must, to see drift), and only its owner can read it.
    state = Path(".gkeplan/endpoint/state.json")  # an --endpoint run's state
    assert SECRET in state.read_text()
    assert _mode(state) == 0o600
    bucket = server.storage.get_bucket("demo-project-models")
    assert bucket.labels == {"team": f"t-{SECRET}"}


def test_a_saved_plan_with_masked_values_applies_the_real_ones(
    server: Server, tmp_path: Path
) -> None:
    spec = tmp_path / "sensitive.yaml"
    spec.write_text(SENSITIVE_SPEC)
    planned = _run(server, "plan", "--out", "saved.json", spec=str(spec))
    assert planned.exit_code == 0, planned.output
    assert _mode(Path("saved.json")) == 0o600
    applied = _run(server, "apply", "--plan", "saved.json", spec=str(spec))
    assert applied.exit_code == 0, applied.output
    assert SECRET not in applied.output
    bucket = server.storage.get_bucket("demo-project-models")
    assert bucket.labels == {"team": f"t-{SECRET}"}


def _unmanaged_delete(server: Server, plan_file: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(plan_file.read_text())
    outsider = "outsider@demo-project.iam.gserviceaccount.com"
    data["changes"].append(
        {
            "address": "serviceAccount.outsider",
            "kind": "serviceAccount",
            "id": outsider,
            "action": "delete",
            "before": {"email": outsider},
            "after": None,
            "inputs": {},
            "lifecycle": {},
            "fields": [],
            "reason": None,
            "drift": False,
            "dependencies": [],
            "sensitive": [],
        }
    )
    return data


def _outsider_exists(server: Server) -> bool:
    from gkeplan.gcp.sandbox import endpoint_connection
    from gkeplan.run.target import sandbox_timeouts

    iam = endpoint_connection("demo-project", server.http, sandbox_timeouts()).iam()
    return any(
        a.email.startswith("outsider@")
        for a in iam.list_service_accounts(name="projects/demo-project")
    )


def test_an_edited_plan_is_refused_and_deletes_nothing(server: Server, tmp_path: Path) -> None:
    from gkeplan.gcp.sandbox import endpoint_connection
    from gkeplan.run.target import sandbox_timeouts

    iam = endpoint_connection("demo-project", server.http, sandbox_timeouts()).iam()
    iam.create_service_account(request={"name": "projects/demo-project", "account_id": "outsider"})
    spec = str(server.spec)
    planned = _run(server, "plan", "--out", "saved.json", spec=spec)
    assert planned.exit_code == 0, planned.output
    plan_file = Path("saved.json")
    data = _unmanaged_delete(server, plan_file)

    plan_file.write_text(json.dumps(data))  # the digest now lies about the content
    edited = _run(server, "apply", "--plan", "saved.json", spec=spec)
    assert edited.exit_code == 1
    assert "was changed after gkeplan saved it" in edited.output

    data["digest"] = saved.digest(data)  # a forger who recomputes the digest
    plan_file.write_text(json.dumps(data))
    forged = _run(server, "apply", "--plan", "saved.json", spec=spec)
    assert forged.exit_code == 1
    assert "serviceAccount.outsider is not what gkeplan would do now" in forged.output
    assert _outsider_exists(server)


def test_files_and_directories_get_private_modes_under_umask_000(
    server: Server, tmp_path: Path
) -> None:
    old = os.umask(0)
    try:
        applied = _run(server, "apply", "--auto-approve", spec=str(server.spec))
        planned = _run(server, "plan", "--out", "plans/p.json", spec=str(server.spec))
        elsewhere = _run(server, "plan", "--state", "deep/er/state.json", spec=str(server.spec))
    finally:
        os.umask(old)
    assert applied.exit_code == 0, applied.output
    assert planned.exit_code == 0, planned.output
    # a fresh state elsewhere meets what the first state made: refused, the lock still written
    assert elsewhere.exit_code == 1 and "is refused" in elsewhere.output, elsewhere.output
    assert _mode(Path(".gkeplan")) == _mode(Path(".gkeplan/endpoint")) == 0o700
    assert _mode(Path(".gkeplan/endpoint/state.json")) == 0o600  # apart from real-cloud state
    assert _mode(Path(".gkeplan/endpoint/state.json.lock")) == 0o600
    assert _mode(Path("plans")) == 0o700
    assert _mode(Path("plans/p.json")) == 0o600
    assert _mode(Path("deep")) == _mode(Path("deep/er")) == 0o700
    assert _mode(Path("deep/er/state.json.lock")) == 0o600
    assert sorted(p.name for p in Path("plans").iterdir()) == ["p.json"]  # no temp left


@pytest.mark.parametrize("path", ["../outside/state.json", "/tmp/gkeplan-outside.json"])
def test_a_spec_state_path_outside_the_project_is_refused_at_its_line(
    server: Server, tmp_path: Path, path: str
) -> None:
    spec = tmp_path / "escape.yaml"
    spec.write_text(
        EXAMPLE.read_text().replace(
            "region: us-central1\n", "region: us-central1\nstate:\n  path: " + path + "\n", 1
        )
    )
    result = _run(server, "plan", str(spec), "--var", "PROJECT_ID=demo-project")
    assert result.exit_code == 1
    assert f"{spec}:8:" in result.output and "inside the project directory" in result.output
    assert not (tmp_path.parent / "outside").exists()
    assert not Path(path).exists() and not Path(path + ".lock").exists()


def test_state_flag_to_a_directory_or_unwritable_place_is_one_clear_error(
    server: Server, tmp_path: Path
) -> None:
    spec = str(server.spec)
    to_dir = _run(
        server, "plan", spec, "--var", "PROJECT_ID=demo-project", "--state", str(tmp_path)
    )
    assert to_dir.exit_code == 2
    assert "is a directory" in to_dir.output and "--state" in to_dir.output
    assert "Traceback" not in to_dir.output
    assert not Path(str(tmp_path) + ".lock").exists()
    Path("a-file").write_text("")
    under_file = _run(
        server, "plan", spec, "--var", "PROJECT_ID=demo-project", "--state", "a-file/state.json"
    )
    assert under_file.exit_code == 2
    assert "is not writable" in under_file.output


def test_control_and_bidi_characters_are_shown_escaped(server: Server, tmp_path: Path) -> None:
    hostile = "demo\x1b[2J\u202eproject"
    validated = CliRunner().invoke(
        cli, ["validate", str(server.spec), "--var", f"PROJECT_ID={hostile}"]
    )
    assert validated.exit_code in (1, 2)  # refused, as a value or as a flag
    assert "\x1b" not in validated.output and "\u202e" not in validated.output
    assert "\\u001b[2J" in validated.output or "\\x1b[2J" in validated.output
    spec = tmp_path / "display.yaml"
    spec.write_text(
        EXAMPLE.read_text().replace(
            "displayName: GKE Node Service Account", 'displayName: "Nodes \\e[31m\\u202eevil"'
        )
    )
    for fmt in ("text", "markdown"):
        planned = _run(
            server, "plan", str(spec), "--var", "PROJECT_ID=demo-project", "--format", fmt
        )
        assert planned.exit_code == 1, planned.output  # refused at its line, shown escaped
        assert "\u202e" not in planned.output and "\x1b[31m" not in planned.output, fmt
