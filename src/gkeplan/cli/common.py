"""What every command shares: exit codes, variable and target options, loading a spec
through validation and its policies, opening a run, and printing diagnostics.

Command modules import this one, never each other; `gkeplan.cli` finds them by name.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from gkeplan.errors import Diagnostic

EXIT_INVALID = 1


def parse_vars(pairs: Sequence[str], files: Sequence[str]) -> dict[str, str]:
    """--var-file values first, then --var (later ones win); a bad one names its flag."""
    from gkeplan.spec.variables import VariableInputError, from_options

    try:
        return from_options(pairs, files)
    except VariableInputError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.flag) from None


def _keep_env(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    ctx.meta["environment"] = value


def selected_env() -> str | None:
    """The --env NAME of this command (or GKEPLAN_ENV), None without one."""
    env: str | None = click.get_current_context().meta.get("environment")
    return env


def variable_options(func: Any) -> Any:
    func = click.option(
        "--env",
        callback=_keep_env,
        expose_value=False,
        envvar="GKEPLAN_ENV",
        metavar="NAME",
        help="The spec's environment NAME (its variables, state and project); "
        "default: the one marked `default: true`. Also GKEPLAN_ENV.",
    )(func)
    func = click.option(
        "--var-file",
        "var_files",
        multiple=True,
        metavar="FILE",
        help="YAML file of variable values.",
    )(func)
    func = click.option(
        "--var",
        "var_pairs",
        multiple=True,
        metavar="NAME=VALUE",
        help="Set a spec variable (repeatable).",
    )(func)
    return func


def print_diagnostics(diagnostics: Sequence[Diagnostic], err: bool = False) -> None:
    colors = {"error": "red", "warning": "yellow", "info": "cyan"}
    for d in diagnostics:
        text = d.render()
        head, _, rest = text.partition("\n")
        sev = d.severity.value
        head = head.replace(f"{sev}:", click.style(f"{sev}:", fg=colors[sev], bold=True), 1)
        click.echo(head + ("\n" + rest if rest else ""), err=err)


def require_file(spec_file: str) -> None:
    if not os.path.exists(spec_file):
        raise click.BadParameter(f"no such file: {spec_file}", param_hint="SPEC")


_DURATION = re.compile(r"(\d+(?:\.\d+)?)([hms])")


def parse_duration(value: str) -> float:
    """Seconds in `90`, `30s`, `5m`, `1h` or Go-style `1m30s` (as Terraform's -lock-timeout)."""
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    units = {"s": 1, "m": 60, "h": 3600}
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise click.BadParameter(f"'{value}' is not a duration like 30s, 5m, 1m30s or 1h")
    return sum(float(n) * units[u] for n, u in parts)


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--lock-timeout 5m, --retry-timeout 10m: kept in the context for the run to read."""
    if value is None:
        return
    ctx.meta[f"{param.name}_s"] = parse_duration(value)


def live_quotas_option(func: Any) -> Any:
    return click.option(
        "--live-quotas",
        is_flag=True,
        help="Check the project's own quotas (limit minus usage, Compute Engine regions.get); "
        "plan and apply against Google always do.",
    )(func)


def state_option(func: Any) -> Any:
    return click.option(
        "--state",
        "state_path",
        metavar="PATH|gs://BUCKET/PREFIX",
        help="State file or GCS location (default: the spec's state, or .gkeplan/state.json).",
    )(func)


def target_options(func: Any) -> Any:
    func = click.option(
        "--lock-timeout",
        callback=_duration,
        expose_value=False,
        metavar="DURATION",
        help="Wait this long (30s, 5m, 1m30s) for another run's state lock, not fail at once; "
        "who holds it is printed every 10 s.",
    )(func)
    func = click.option(
        "--retry-timeout",
        callback=_duration,
        expose_value=False,
        metavar="DURATION",
        help="Keep retrying one change this long (GCP errors that retries fix, IAM "
        "propagation, a busy cluster) before reporting it failed.",
    )(func)
    func = state_option(func)
    func = click.option(
        "--impersonate-service-account",
        "impersonate",
        metavar="EMAIL",
        help="Act as this service account (through your ADC).",
    )(func)
    func = click.option(
        "--endpoint", metavar="URL", help="Use a running `gkeplan sandbox serve` at URL."
    )(func)
    func = click.option(
        "--sandbox",
        is_flag=True,
        help="Apply to gkeplan's built-in GCP emulator (state in .gkeplan/sandbox).",
    )(func)
    return func


def load_checked(
    spec_file: str,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    refused_markdown: bool = False,
    caller: str | None = None,
) -> tuple[Any, dict[str, str]]:
    """Validate and run the policies first; an error finding stops here. Everything this
    prints goes to stderr, so stdout carries only the plan (JSON or markdown included);
    with `refused_markdown`, a refusal also writes the pull-request comment saying why;
    `caller`: the member the run's calls come from, when known (the permission preflight
    checks it may impersonate each createAs account)."""
    from gkeplan.errors import Severity
    from gkeplan.validation.pipeline import validate as run_validation

    require_file(spec_file)
    variables = parse_vars(var_pairs, var_files)
    result = run_validation(
        spec_file,
        variables,
        facts={"caller": caller} if caller else None,
        environment=selected_env(),
        reader=_reader(),
    )
    print_diagnostics(result.diagnostics, err=True)
    if result.policy is not None:
        from gkeplan.policy.render import render_text

        click.get_current_context().meta["findings"] = result.policy.findings
        click.get_current_context().meta["policy_context"] = result.policy.context
        shown = [f for f in result.policy.findings if f.severity is not Severity.INFO]
        if shown:
            click.echo(render_text(shown, result.policy.rules), err=True)
    if not result.passed() or result.spec is None:
        if refused_markdown:
            from gkeplan.plan.markdown import render_refused

            findings = result.policy.findings if result.policy else []
            click.echo(render_refused(spec_file, findings, result.diagnostics))
        click.echo(f"{spec_file}: refused by validation or policy; nothing was planned", err=True)
        sys.exit(EXIT_INVALID)
    return result.spec, variables


def run_caller() -> str | None:
    """The member this command's calls come from, when it is known before connecting: the
    account of --impersonate-service-account, the sandbox's caller, a service-account key's
    email. A person's own Google credentials do not name their account offline: None."""
    params = click.get_current_context().params
    if params.get("impersonate"):
        from gkeplan.kinds.service_account import member_of

        return member_of(params["impersonate"])
    if params.get("sandbox"):
        from gkeplan.gcp.sandbox import sandbox_caller

        return sandbox_caller()
    if params.get("endpoint"):
        from gkeplan.gcp.sandbox import endpoint_caller

        try:
            return endpoint_caller(params["endpoint"])
        except OSError:
            return None  # connecting says what is wrong with the endpoint, in its own words
    return None


def _reader() -> Any:
    """`from:` references read on this command's target (plan, apply: they read state)."""
    from gkeplan.run.remote import reader
    from gkeplan.run.target import Target

    params = click.get_current_context().params
    return reader(Target(sandbox=bool(params.get("sandbox")), endpoint=params.get("endpoint")))


def command_line(spec: Any) -> Any:
    """How this command was invoked, for the hints it prints (`gkeplan.commandline`): its spec,
    variables and target flags, read from the command's own parameters."""
    from gkeplan.commandline import from_options

    params = click.get_current_context().params
    sensitive = frozenset(n for n, v in spec.variables.items() if v.sensitive)
    return from_options(
        params["spec_file"],
        params.get("var_pairs") or (),
        params.get("var_files") or (),
        sensitive=sensitive,
        sandbox=bool(params.get("sandbox")),
        endpoint=params.get("endpoint"),
        impersonate=params.get("impersonate"),
        state_path=params.get("state_path"),
        targets=params.get("targets") or (),
        environment=spec.environment,
    )


@contextmanager
def open_run(
    spec: Any,
    variables: dict[str, str],
    sandbox: bool,
    endpoint: str | None,
    impersonate: str | None,
    state_path: str | None,
    operation: str,
    live_quotas: bool = False,
) -> Iterator[Any]:
    """The run for a command, its state locked; errors reach `gkeplan.cli.main` as one line."""
    from gkeplan.run.run import open_run as open_locked
    from gkeplan.run.target import Target

    target = Target(sandbox=sandbox, endpoint=endpoint, impersonate=impersonate)
    meta = click.get_current_context().meta
    with open_locked(
        spec,
        target=target,
        state_path=state_path,
        operation=operation,
        variables=variables,
        lock_timeout_s=meta.get("lock_timeout_s", 0.0),
        retry_timeout_s=meta.get("retry_timeout_s"),
        live_quotas=True if live_quotas else None,  # against Google: always
        on_lock_wait=lambda line: click.echo(line, err=True),
        commands=command_line(spec),
    ) as run:
        yield run
