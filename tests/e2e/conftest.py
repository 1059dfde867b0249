"""End-to-end: gkeplan's plan/apply through Google's clients against the emulator on loopback."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gkeplan import load_spec
from gkeplan.apply.executor import ApplyResult
from gkeplan.kinds import Spec
from gkeplan.plan.model import Plan
from gkeplan.run.run import open_run
from gkeplan.run.target import Target
from gkeplan_emulator import Emulator, EmulatorConfig

os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stable-diffusion.yaml"


def apply_command(endpoint: str, spec: Path, state: Path, *extra: str) -> list[str]:
    """`gkeplan apply` of the example's variables against an emulator, as a user types it."""
    return [
        sys.executable,
        "-m",
        "gkeplan",
        "apply",
        str(spec),
        "--var",
        "PROJECT_ID=demo-project",
        "--endpoint",
        endpoint,
        "--state",
        str(state),
        "--auto-approve",
        *extra,
    ]


class Harness:
    def __init__(self, emu: Emulator, tmp: Path) -> None:
        self.emu = emu
        self.tmp = tmp
        self.state = str(tmp / "state.json")

    def spec(self, text: str | None = None) -> Spec:
        path = self.tmp / "spec.yaml"
        path.write_text(text if text is not None else EXAMPLE.read_text())
        return load_spec(path, {"PROJECT_ID": "demo-project"}, environ={})

    def plan(self, spec: Spec, **kw: object) -> Plan:
        with open_run(
            spec, target=Target(endpoint=self.emu.endpoints.http), state_path=self.state
        ) as run:
            return run.plan(**kw)  # type: ignore[arg-type]

    def apply(self, spec: Spec, destroy: bool = False, parallelism: int = 10) -> ApplyResult:
        with open_run(
            spec,
            target=Target(endpoint=self.emu.endpoints.http),
            state_path=self.state,
            operation="apply",
        ) as run:
            return run.apply(run.plan(destroy=destroy), parallelism=parallelism)


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    with Emulator(EmulatorConfig()) as emu:
        yield Harness(emu, tmp_path)
