"""`gkeplan plan | apply | destroy | show | state`: the commands that talk to GCP."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from gkeplan.cli import EXIT_INVALID, _parse_vars, _print_diagnostics, cli, variable_options


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """--lock-timeout 5m: kept in the context, read where the state is locked."""
    if value is None:
        return
    units = {"s": 1, "m": 60, "h": 3600}
    try:
        seconds = float(value[:-1]) * units[value[-1]] if value[-1] in units else float(value)
    except (ValueError, IndexError):
        raise click.BadParameter(f"'{value}' is not a duration like 30s, 5m or 1h") from None
    ctx.meta["lock_timeout_s"] = seconds


def target_options(func: Any) -> Any:
    func = click.option(
        "--lock-timeout",
        callback=_duration,
        expose_value=False,
        metavar="DURATION",
        help="Wait this long (30s, 5m) for another run's state lock instead of failing at once.",
    )(func)
    func = click.option(
        "--state",
        "state_path",
        metavar="PATH|gs://BUCKET/PREFIX",
        help="State file or GCS location (default: the spec's state, or .gkeplan/state.json).",
    )(func)
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


def _load(
    spec_file: str, var_pairs: tuple[str, ...], var_files: tuple[str, ...]
) -> tuple[Any, dict[str, str]]:
    """Validate and run the policies first; an error finding stops here. Everything this
    prints goes to stderr, so stdout carries only the plan (JSON or markdown included)."""
    from gkeplan.diagnostics import Severity
    from gkeplan.validation import validate as run_validation

    if not os.path.exists(spec_file):
        raise click.BadParameter(f"no such file: {spec_file}", param_hint="SPEC")
    variables = _parse_vars(var_pairs, var_files)
    result = run_validation(spec_file, variables)
    _print_diagnostics(result.diagnostics, err=True)
    if result.policy is not None:
        from gkeplan.policy.render import render_text

        click.get_current_context().meta["findings"] = result.policy.findings
        shown = [f for f in result.policy.findings if f.severity is not Severity.INFO]
        if shown:
            click.echo(render_text(shown, result.policy.rules), err=True)
    if not result.passed() or result.spec is None:
        click.echo(f"{spec_file}: refused by validation or policy; nothing was planned", err=True)
        sys.exit(EXIT_INVALID)
    return result.spec, variables


@contextmanager
def _run(
    spec: Any,
    variables: dict[str, str],
    sandbox: bool,
    endpoint: str | None,
    impersonate: str | None,
    state_path: str | None,
    operation: str,
) -> Iterator[Any]:
    from gkeplan.run import open_run
    from gkeplan.session import Target

    target = Target(sandbox=sandbox, endpoint=endpoint, impersonate=impersonate)
    try:
        lock_timeout = click.get_current_context().meta.get("lock_timeout_s", 0.0)
        with open_run(
            spec,
            target=target,
            state_path=state_path,
            operation=operation,
            variables=variables,
            lock_timeout_s=lock_timeout,
        ) as run:
            yield run
    except _errors() as exc:  # one clear line, never a traceback
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_INVALID)


def _errors() -> tuple[type[BaseException], ...]:
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as aexc

    from gkeplan.run import StalePlan
    from gkeplan.state.store import StateConflict, StateLocked

    return (
        gexc.GoogleAPIError,
        aexc.GoogleAuthError,
        StalePlan,
        StateConflict,
        StateLocked,
        ValueError,
    )


def _confirm(auto_approve: bool, what: str) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        click.echo(
            f"Error: no terminal to confirm the {what}; re-run with --auto-approve", err=True
        )
        sys.exit(EXIT_INVALID)
    if not click.confirm(f"Do you want to perform this {what}?", default=False):
        click.echo("Cancelled; nothing was changed.")
        sys.exit(0)


def _execute(run: Any, plan: Any, parallelism: int) -> None:
    stop = threading.Event()
    interrupted = threading.Event()  # Ctrl-C, as opposed to a stop the executor asked for
    previous = signal.getsignal(signal.SIGINT)

    def interrupt(signum: int, frame: Any) -> None:
        click.echo(
            "\nInterrupted: finishing the calls in flight, starting nothing new...", err=True
        )
        interrupted.set()
        stop.set()

    from gkeplan.progress import LineProgress, LiveProgress

    signal.signal(signal.SIGINT, interrupt)
    progress = LiveProgress(plan.changes) if sys.stdout.isatty() else LineProgress()
    try:
        with progress:
            result = run.apply(plan, parallelism=parallelism, stop=stop, on_event=progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    n = result.counts()
    for address, exc in result.walk.errors.items():
        click.echo(click.style(f"Error: {address}: {exc}", fg="red"), err=True)
    for address, cause in result.walk.skipped_because.items():
        click.echo(f"Skipped {address}: its dependency {cause} failed", err=True)
    summary = (
        f"Apply {'complete' if result.ok else 'incomplete'}! Resources: {n['added']} added, "
        f"{n['changed']} changed, {n['destroyed']} destroyed."
    )
    if n["failed"] or n["skipped"]:
        summary += f" {n['failed']} failed, {n['skipped']} skipped; run apply again to finish."
    click.echo(click.style(summary, bold=True, fg="green" if result.ok else "red"))
    if interrupted.is_set():
        sys.exit(130)
    if not result.ok:
        sys.exit(EXIT_INVALID)


@cli.command()
@click.argument("spec_file", metavar="SPEC", type=click.Path(dir_okay=False))
@variable_options
@target_options
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Save the plan to FILE.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    help="markdown: a summary for a pull-request comment.",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 0: no changes, 1: error, 2: changes.")
@click.option("--destroy", is_flag=True, help="Plan the destruction of everything managed.")
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDRESS",
    help="Limit to ADDRESS and what it needs (repeatable).",
)
def plan(
    spec_file: str,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    sandbox: bool,
    endpoint: str | None,
    impersonate: str | None,
    state_path: str | None,
    out_file: str | None,
    as_json: bool,
    detailed_exitcode: bool,
    destroy: bool,
    targets: tuple[str, ...],
    fmt: str,
) -> None:
    """Show what apply would change, field by field. Changes nothing."""
    from gkeplan.plan_render import render_json, render_text

    spec, variables = _load(spec_file, var_pairs, var_files)
    with _run(spec, variables, sandbox, endpoint, impersonate, state_path, "plan") as run:
        the_plan = run.plan(destroy=destroy, targets=targets)
    if as_json or fmt == "json":
        click.echo(render_json(the_plan))
    elif fmt == "markdown":
        from gkeplan.plan_render import render_markdown

        findings = click.get_current_context().meta.get("findings", [])
        click.echo(render_markdown(the_plan, findings))
    else:
        click.echo(render_text(the_plan))
    if out_file:
        Path(out_file).write_text(render_json(the_plan))
    if detailed_exitcode and the_plan.has_changes:
        sys.exit(2)


def _apply_or_destroy(
    *,
    spec_file: str,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    sandbox: bool,
    endpoint: str | None,
    impersonate: str | None,
    state_path: str | None,
    auto_approve: bool,
    parallelism: int,
    targets: tuple[str, ...],
    destroy: bool,
    plan_file: str | None,
) -> None:
    from gkeplan.plan_model import plan_from_dict
    from gkeplan.plan_render import render_text

    spec, variables = _load(spec_file, var_pairs, var_files)
    what = "destroy" if destroy else "apply"
    with _run(spec, variables, sandbox, endpoint, impersonate, state_path, what) as run:
        if plan_file:
            the_plan = plan_from_dict(json.loads(Path(plan_file).read_text()))
            run.check_fresh(the_plan)
        else:
            the_plan = run.plan(destroy=destroy, targets=targets)
        click.echo(render_text(the_plan))
        if not the_plan.has_changes:
            if not plan_file:
                run.apply(the_plan, parallelism=parallelism)  # records adoptions/forgets
            return
        if not plan_file:
            _confirm(auto_approve, what)
        _execute(run, the_plan, parallelism)


def change_options(func: Any) -> Any:
    """The options apply and destroy share."""
    func = click.option(
        "--target",
        "targets",
        multiple=True,
        metavar="ADDRESS",
        help="Limit to ADDRESS and what it needs (repeatable).",
    )(func)
    func = click.option(
        "--parallelism",
        type=click.IntRange(1, 100),
        default=10,
        show_default=True,
        help="Changes in flight at once.",
    )(func)
    func = click.option(
        "--auto-approve",
        is_flag=True,
        help="Do not ask (needed when there is no terminal, as in CI).",
    )(func)
    func = target_options(variable_options(func))
    return click.argument("spec_file", metavar="SPEC", type=click.Path(dir_okay=False))(func)


@cli.command()
@change_options
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Apply a plan saved with `plan --out` (refused if stale).",
)
def apply(**options: Any) -> None:
    """Make the cloud match SPEC, as fast as the dependency graph allows."""
    _apply_or_destroy(destroy=False, **options)


@cli.command()
@change_options
def destroy(**options: Any) -> None:
    """Delete everything gkeplan manages for SPEC (keepOnDestroy buckets stay)."""
    _apply_or_destroy(destroy=True, plan_file=None, **options)
