"""Answering no at apply's or destroy's prompt, at a real terminal (a pseudo-terminal), as
Terraform does: exit 1, nothing changed, and it says so."""

from __future__ import annotations

import os
import subprocess
import sys

from .campaign import mutating
from .cli_sandbox import BUCKET, ENV, User, server, user

__all__ = ["server", "user"]


def _at_a_terminal(user: User, command: str, answer: str) -> subprocess.CompletedProcess[str]:
    """`gkeplan COMMAND SPEC` with its stdin a terminal that the person types ANSWER into."""
    primary, secondary = os.openpty()
    try:
        os.write(primary, answer.encode() + b"\n")
        argv = [sys.executable, "-m", "gkeplan", command, str(user.spec)]
        argv += ["--var", "PROJECT_ID=demo-project", "--endpoint", user.sandbox.http]
        argv += ["--state", str(user.state)]
        return subprocess.run(
            argv, stdin=secondary, capture_output=True, text=True, env=ENV, timeout=120
        )
    finally:
        os.close(primary)
        os.close(secondary)


def _bucket_exists(user: User) -> bool:
    return user.sandbox.conn().storage().lookup_bucket(BUCKET) is not None


def test_no_at_the_apply_prompt_exits_1_and_changes_nothing(user: User) -> None:
    declined = _at_a_terminal(user, "apply", "no")
    assert "Do you want to perform this apply?" in declined.stdout, declined.stdout
    assert declined.returncode == 1, declined.stdout + declined.stderr
    assert "Apply cancelled; nothing was changed." in declined.stderr
    assert "Apply complete" not in declined.stdout
    assert not _bucket_exists(user)
    changed = [e["method"] for e in user.sandbox.requests() if mutating(e["method"])]
    assert changed == [], changed


def test_no_at_the_destroy_prompt_exits_1_and_keeps_everything(user: User) -> None:
    assert user.apply().exit_code == 0
    declined = _at_a_terminal(user, "destroy", "n")
    assert declined.returncode == 1, declined.stdout + declined.stderr
    assert "Destroy cancelled; nothing was changed." in declined.stderr
    assert _bucket_exists(user)
    assert user.plan("--detailed-exitcode").exit_code == 0  # the state still holds it all


def test_yes_at_the_prompt_applies(user: User) -> None:
    accepted = _at_a_terminal(user, "apply", "y")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Apply complete! Resources: 10 added" in accepted.stdout
    assert _bucket_exists(user)
