"""The permission preflight knows the caller: a spec `gkeplan init --email ana@example.com`
wrote, run by someone else (the sandbox's caller, you@example.com), is refused at plan time
with the grant to add, before any call, instead of an apply retrying the impersonation."""

from __future__ import annotations

from click.testing import CliRunner

from gkeplan.cli import cli

from .cli_sandbox import User, server, user

__all__ = ["server", "user"]

REFUSAL = (
    "cluster sd-cluster is created as gke-admin, but the caller user:you@example.com cannot "
    "impersonate it: that needs iam.serviceAccounts.getAccessToken on gke-admin"
)


def _init(u: User, email: str) -> None:
    made = CliRunner().invoke(
        cli,
        ["init", str(u.tmp / "infra"), "--project", "demo-project", "--email", email, "--force"],
    )
    assert made.exit_code == 0, made.output
    u.spec = u.tmp / "infra" / "gkeplan.yaml"


def test_a_createas_the_caller_cannot_impersonate_is_refused_at_plan_time(user: User) -> None:
    _init(user, "ana@example.com")
    for command in (user.plan, user.apply):
        result = command()
        assert result.exit_code == 1
        assert REFUSAL in result.stderr
        assert 'impersonators: ["user:you@example.com"]' in result.stderr  # the grant to add
        assert "nothing was planned" in result.stderr
    assert user.sandbox.requests() == []  # refused before any call: no attempts at all
    # with the caller among the impersonators, it plans
    _init(user, "you@example.com")
    assert user.plan().exit_code == 0
