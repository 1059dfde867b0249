"""The library entry points, as a Python user calls them: gkeplan.run.plan() and .apply()."""

from __future__ import annotations

from pathlib import Path

import pytest

import gkeplan
from gkeplan.run import apply, plan

from .conftest import EXAMPLE


def _target(tmp_path: Path) -> gkeplan.Target:
    return gkeplan.Target(sandbox=True, sandbox_dir=tmp_path / "sandbox")


def test_plan_then_apply_in_the_sandbox(tmp_path: Path) -> None:
    spec = gkeplan.load_spec(EXAMPLE, {"PROJECT_ID": "demo-project"}, environ={})
    state = str(tmp_path / "state.json")
    first = plan(spec, target=_target(tmp_path), state_path=state)
    assert first.summary() == "Plan: 10 to add, 0 to change, 0 to destroy."
    result = apply(first, spec, target=_target(tmp_path), state_path=state)
    assert result.ok and result.counts()["added"] == 10
    again = plan(spec, target=_target(tmp_path), state_path=state)
    assert not again.has_changes


def test_plan_refuses_what_the_cli_refuses(tmp_path: Path) -> None:
    # 3 nodes of 4 vCPUs at create: GKE itself refuses that on 8 N2 CPUs
    text = EXAMPLE.read_text().replace(
        "initialNodeCount: 1\n        autoscaling: {minNodeCount: 1, maxNodeCount: 2}",
        "initialNodeCount: 3\n        autoscaling: {minNodeCount: 1, maxNodeCount: 3}",
    )
    spec = gkeplan.load_spec(text, {"PROJECT_ID": "demo-project"}, environ={})
    with pytest.raises(gkeplan.PolicyRefused, match=r"FT001") as refused:
        plan(spec, target=_target(tmp_path), state_path=str(tmp_path / "s.json"))
    assert refused.value.findings
    assert not (tmp_path / "s.json").exists()  # refused before anything was read or written
    # an explicit opt-out plans it anyway (the caller takes responsibility)
    unchecked = plan(
        spec, target=_target(tmp_path), state_path=str(tmp_path / "s.json"), policies=False
    )
    assert unchecked.has_changes
