"""One pass from spec to state: each command expands the spec, builds the graph and reads the
state once, however many stages use them (validation, policies, plan, apply)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

import gkeplan.graph.build
import gkeplan.kinds
from gkeplan.state.local import LocalStateStore

from .cli_sandbox import User, server, user

__all__ = ["server", "user"]  # the fixtures this module's tests use


@pytest.fixture
def counts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How often the real expansion, graph build and state read run (each still runs)."""
    seen: Counter[str] = Counter()

    def counted(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen[name] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(gkeplan.kinds, "_expand", counted("expand", gkeplan.kinds._expand))
    monkeypatch.setattr(gkeplan.graph.build, "_build", counted("graph", gkeplan.graph.build._build))
    monkeypatch.setattr(LocalStateStore, "read", counted("state", LocalStateStore.read))
    return seen


@pytest.mark.parametrize("command", ["plan", "apply", "apply --plan"])
def test_each_command_expands_builds_and_reads_once(
    user: User, counts: Counter[str], command: str
) -> None:
    plan_file = str(user.tmp / "plan.json")
    if command == "apply --plan":
        assert user.plan("--out", plan_file).exit_code == 0
    counts.clear()
    if command == "plan":
        result = user.plan()
    elif command == "apply":
        result = user.apply()
    else:
        result = user.run(
            "apply", str(user.spec), "--var", "PROJECT_ID=demo-project", "--plan", plan_file
        )
    assert result.exit_code == 0, result.output
    assert dict(counts) == {"expand": 1, "graph": 1, "state": 1}
