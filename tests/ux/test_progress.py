"""Point 4: long waits and retries are not silent."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from gkeplan import load_spec
from gkeplan.apply.progress import LineProgress
from gkeplan.cli import cli
from gkeplan.gcp.connection import Timeouts
from gkeplan.run.run import open_run
from gkeplan.run.target import Target
from gkeplan_emulator import Emulator, EmulatorConfig

from .helpers import EXAMPLE

OPERATIONS = {
    "createCluster": 1.2,
    "deleteCluster": 0.05,
    "createNodePool": 0.05,
    "deleteNodePool": 0.05,
    "updateCluster": 0.02,
    "updateNodePool": 0.02,
}


def test_a_line_per_interval_for_an_operation_in_flight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    timeouts = Timeouts(
        call_deadline_s=10,
        initial_backoff_s=0.02,
        max_backoff_s=0.2,
        operation_deadline_s=30,
        operation_poll_s=0.05,
        propagation_window_s=10,
        progress_interval_s=0.3,  # 30 s against GCP; the knob keeps the test fast
    )
    spec = load_spec(EXAMPLE, {"PROJECT_ID": "demo-project"}, environ={})
    with Emulator(EmulatorConfig(operation_s=OPERATIONS)) as emu:
        target = Target(endpoint=emu.endpoints.http)
        with open_run(
            spec, target=target, state_path=str(tmp_path / "s.json"), timeouts=timeouts
        ) as run:
            plan = run.plan()
            with LineProgress() as progress:
                result = run.apply(plan, on_event=progress)
    assert result.ok, result.walk.errors
    out = capsys.readouterr().out
    op = r"projects/demo-project/locations/us-central1-c/operations/operation-\S+"
    assert re.search(rf"create cluster\.sd-cluster: waiting for operation {op}", out), out
    still = re.findall(
        rf"^\d\d:\d\d:\d\d create cluster\.sd-cluster: still RUNNING after \d+s "
        rf"\(operation {op}\)$",
        out,
        re.M,
    )
    assert len(still) >= 2, out  # 1.2 s at one line per 0.3 s


def test_retries_while_iam_propagates_print_reason_and_next_attempt(tmp_path: Path) -> None:
    config = EmulatorConfig(propagation_delay_s=0.6, sa_propagation_delay_s=0.3)
    with Emulator(config) as emu:
        result = CliRunner().invoke(
            cli,
            [
                "apply",
                str(EXAMPLE),
                "--var",
                "PROJECT_ID=demo-project",
                "--auto-approve",
                "--endpoint",
                emu.endpoints.http,
                "--state",
                str(tmp_path / "s.json"),
            ],
        )
    assert result.exit_code == 0, result.output
    retry = re.compile(
        r"^\d\d:\d\d:\d\d .+: .+; IAM may still be "
        r"propagating: attempt \d+ at \d\d:\d\d:\d\d \(in \d+\.\ds\)$",
        re.M,
    )
    assert retry.search(result.output), result.output
