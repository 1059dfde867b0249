"""Point 6: the pull-request comment a reviewer reads."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from gkeplan.cli import cli
from gkeplan_emulator import Emulator, EmulatorConfig

from .helpers import EXAMPLE, TUTORIAL

VARS = ["--var", "PROJECT_ID=demo-project"]


class Cli:
    def __init__(self, emu: Emulator, tmp: Path) -> None:
        self.endpoint = emu.endpoints.http
        self.state = str(tmp / "state.json")

    def __call__(self, command: str, spec: Path, *args: str) -> Result:
        argv = [command, str(spec), *VARS, *args, "--endpoint", self.endpoint]
        return CliRunner().invoke(cli, [*argv, "--state", self.state])


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Cli]:
    with Emulator(EmulatorConfig()) as emu:
        yield Cli(emu, tmp_path)


def _max_cost(spec: Path) -> float:
    out = CliRunner().invoke(cli, ["validate", str(spec), *VARS, "--cost", "--format", "json"])
    return float(json.loads(out.output)["cost"]["max"])


def test_first_plan_comment(run: Cli) -> None:
    result = run("plan", EXAMPLE, "--format", "markdown")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert md.startswith(
        "### gkeplan plan for `demo-project`: 10 to add, 0 to change, 0 to destroy\n"
    )
    assert "Plan:" not in md
    # every change is a collapsible block with its values
    assert md.count("<details>\n<summary><code>+ ") == 10
    assert '+ name = "demo-project-models"' in md
    # everything is new, so the cost change is the whole cost
    cost = _max_cost(EXAMPLE)
    assert re.search(rf"\| after this plan \| \$[\d,.]+ \| \${cost:,.2f} \|", md), md
    assert f"**+${cost:,.2f}**" in md
    # findings by severity: the example has notes only, collapsed
    assert "<details><summary>Notes (9)</summary>" in md
    # the diagram: each changed resource, coloured by its action
    mermaid = md.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert mermaid.startswith("flowchart LR")
    assert mermaid.count(":::create") == 10
    assert "classDef create" in mermaid


def test_an_update_shows_old_and_new_values_and_the_cost_delta(run: Cli, tmp_path: Path) -> None:
    assert run("apply", EXAMPLE, "--auto-approve").exit_code == 0
    smaller = tmp_path / "smaller.yaml"
    smaller.write_text(
        EXAMPLE.read_text().replace(
            "{minNodeCount: 1, maxNodeCount: 2}", "{minNodeCount: 1, maxNodeCount: 1}"
        )
    )
    result = run("plan", smaller, "--format", "markdown")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "### gkeplan plan for `demo-project`: 0 to add, 1 to change, 0 to destroy" in md
    diff = md.split("```diff\n", 1)[1].split("\n```", 1)[0]
    assert '- autoscaling = {"enabled": true, "maxNodeCount": 2, "minNodeCount": 1}' in diff
    assert '+ autoscaling = {"enabled": true, "maxNodeCount": 1, "minNodeCount": 1}' in diff
    delta = _max_cost(smaller) - _max_cost(EXAMPLE)
    assert delta < 0
    assert f"**-${abs(delta):,.2f}**" in md
    mermaid = md.split("```mermaid\n", 1)[1]
    assert ":::update" in mermaid and ":::noop" in mermaid  # the pool and what it needs


def test_a_refused_plan_still_writes_the_comment(run: Cli) -> None:
    result = run("plan", TUTORIAL, "--format", "markdown")
    assert result.exit_code == 1
    md = result.stdout
    assert md.startswith("### gkeplan plan for `")
    assert "refused (1 error); nothing was planned" in md.splitlines()[0]
    errors = md.split("#### Errors (1)", 1)[1].split("####", 1)[0]
    assert "**LP001**" in errors
    warnings = md.split("#### Warnings (4)", 1)[1].split("####", 1)[0]
    assert "**FT001**" in warnings
    assert "roles/container.nodeServiceAccount is deprecated" in warnings
