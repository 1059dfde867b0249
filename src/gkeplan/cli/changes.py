"""`gkeplan plan | apply | destroy | show | state`: the commands that talk to GCP."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

import click

from gkeplan.cli.common import (
    EXIT_INVALID,
    live_quotas_option,
    load_checked,
    open_run,
    run_caller,
    target_options,
    variable_options,
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
        # Terraform exits 1 on anything but "yes" ("Apply cancelled.": hashicorp/terraform
        # #22701; "status code 1 both when plan / apply fails or the user cancels the run by
        # not entering 'yes'": #28919), so a script can tell a declined run from a done one.
        click.echo(f"{what.capitalize()} cancelled; nothing was changed.", err=True)
        sys.exit(EXIT_INVALID)


def _env_header(spec: Any, location: str) -> None:
    """Which environment a plan is for, first, so `--env prod` is never a surprise."""
    if spec.environment:
        click.echo(
            click.style(
                f"Environment: {spec.environment} (project {spec.project}, state {location})",
                bold=True,
            )
        )


def _to_stderr(text: str) -> None:
    click.echo(text, err=True)


class CtrlC:
    """The SIGINT handler of an apply: the first Ctrl-C stops starting new changes, the second
    stops waiting for the operations in flight (they go on in GCP and are in the state)."""

    def __init__(
        self,
        stop_waiting: threading.Event,
        echo: Callable[[str], None] | None = None,
    ) -> None:
        self.stop = threading.Event()
        self.interrupted = threading.Event()  # Ctrl-C, as opposed to a stop the executor asked
        self._stop_waiting = stop_waiting
        self._echo = echo or _to_stderr

    def __call__(self, signum: int, frame: Any) -> None:
        # Python runs a handler again, nested, when a signal lands while this one is still
        # running: each event is set before anything is printed, so a second Ctrl-C sent on
        # seeing the first message always finds `interrupted` set.
        if self.interrupted.is_set():
            self._stop_waiting.set()
            self._echo(
                "\nInterrupted again: no longer waiting for operations in flight; they go on "
                "in GCP, are recorded in the state, and the next apply waits for them"
            )
            return
        self.interrupted.set()
        self.stop.set()
        self._echo(
            "\nInterrupted: finishing the calls in flight, starting nothing new "
            "(Ctrl-C again to stop waiting)..."
        )


def refuse_if_refused(the_plan: Any, what: str) -> None:
    """A plan holding a refusal is applied not at all: each refused address, and the way
    forward (leaving it out with --target is the person's choice, never gkeplan's)."""
    from gkeplan.redact import safe

    refused = the_plan.refused
    if not refused:
        return
    click.echo(
        click.style(
            f"Error: {len(refused)} change(s) of this plan are refused; {what} changes nothing "
            "while any change is refused:",
            fg="red",
            bold=True,
        ),
        err=True,
    )
    for change in refused:
        click.echo(click.style(safe(f"  {change.refused}"), fg="red"), err=True)
    click.echo(
        "Resolve each one as it says, or leave it out of this run with --target ADDRESS for "
        "each change you do want.",
        err=True,
    )
    sys.exit(EXIT_INVALID)


def _rerun_helps(errors: Any) -> bool:
    """Whether running apply again can finish the job: only when what failed was GCP being
    slow, busy or briefly inconsistent, or the person stopping it."""
    from gkeplan.errors import OperationAbandoned
    from gkeplan.gcp.errors import Failure, classify

    fixable = {Failure.TRANSIENT, Failure.CONFLICT, Failure.IN_PROGRESS}
    return all(
        isinstance(exc, OperationAbandoned) or classify(exc) in fixable for exc in errors.values()
    )


def _execute(run: Any, plan: Any, parallelism: int, what: str = "apply") -> None:
    ctrl_c = CtrlC(run.conn.stop_waiting)
    stop, interrupted = ctrl_c.stop, ctrl_c.interrupted
    previous = signal.getsignal(signal.SIGINT)

    from gkeplan.apply.progress import LineProgress, LiveProgress

    signal.signal(signal.SIGINT, ctrl_c)
    progress = LiveProgress(plan.changes) if sys.stdout.isatty() else LineProgress()
    try:
        with progress:
            result = run.apply(plan, parallelism=parallelism, stop=stop, on_event=progress)
    finally:
        signal.signal(signal.SIGINT, previous)
    n = result.counts()
    from gkeplan.apply.executor import describe_failure
    from gkeplan.redact import safe

    for address, exc in result.walk.errors.items():
        line = describe_failure(result.changes[address], exc)
        click.echo(click.style(safe(f"Error: {address}: {line}"), fg="red"), err=True)
    for address, cause in result.walk.skipped_because.items():
        click.echo(f"Skipped {address}: its dependency {cause} failed", err=True)
    also = "".join(
        f", {n[k]} {k}" for k in ("moved", "forgotten") if n[k]
    )  # state-only changes, said apart as the plan counts them
    if plan.refresh_only:
        also += f"; {n['refreshed']} recorded in the state as they are in the cloud"
    if what == "destroy":
        summary = (
            f"Destroy {'complete' if result.ok else 'incomplete'}! Resources: "
            f"{n['destroyed']} destroyed{also}."
        )
    else:
        adopted = f"{n['adopted']} adopted, " if n["adopted"] else ""
        summary = (
            f"Apply {'complete' if result.ok else 'incomplete'}! Resources: {adopted}"
            f"{n['added']} added, {n['changed']} changed, {n['destroyed']} destroyed{also}."
        )
    if n["failed"] or n["skipped"]:
        summary += f" {n['failed']} failed, {n['skipped']} skipped; "
        if _rerun_helps(result.walk.errors):
            summary += f"run {what} again to finish."
        else:
            summary += f"fix the errors above, then run {what} again."
    click.echo(click.style(summary, bold=True, fg="green" if result.ok else "red"))
    if interrupted.is_set():
        sys.exit(130)
    if not result.ok:
        sys.exit(EXIT_INVALID)


REFRESH_ONLY_HELP = (
    "Show only what changed outside gkeplan since the state was written; applying such a plan "
    "records it in the state and changes nothing in the cloud (Terraform's -refresh-only)."
)


replace_option = click.option(
    "--replace",
    "replace",
    multiple=True,
    metavar="ADDRESS",
    help="Replace ADDRESS though nothing forces it (Terraform's -replace); a kind whose "
    "replacement loses data still needs --allow-replace ADDRESS.",
)


def _refresh_only_alone(
    refresh_only: bool, *, destroy: bool, targets: tuple[str, ...], replace: tuple[str, ...]
) -> None:
    """A refresh-only run changes no resource: flags that choose changes make no sense with it."""
    if not refresh_only:
        return
    for flag, given in (
        ("--destroy", destroy),
        ("--target", targets),
        ("--allow-replace", replace),
    ):
        if given:
            raise click.UsageError(
                f"--refresh-only changes no resource, so {flag} has nothing to act on; "
                f"run without {flag}"
            )


@click.command()
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
@live_quotas_option
@click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ADDRESS",
    help="Limit to ADDRESS and what it needs (repeatable).",
)
@click.option(
    "--allow-replace",
    "allow_replace",
    multiple=True,
    metavar="ADDRESS",
    help="Consent to the replacement of ADDRESS, saved with the plan (--out) for apply --plan.",
)
@replace_option
@click.option("--refresh-only", is_flag=True, help=REFRESH_ONLY_HELP)
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
    live_quotas: bool,
    allow_replace: tuple[str, ...],
    refresh_only: bool,
    replace: tuple[str, ...],
) -> None:
    """Show what apply would change, field by field. Changes nothing."""
    from gkeplan.plan.render import render_json, render_text

    if as_json and fmt not in ("text", "json"):
        raise click.UsageError(f"--json and --format {fmt} ask for two outputs; give one")
    _refresh_only_alone(
        refresh_only, destroy=destroy, targets=targets, replace=(*allow_replace, *replace)
    )

    spec, variables = load_checked(
        spec_file, var_pairs, var_files, fmt == "markdown", caller=run_caller()
    )
    with open_run(
        spec, variables, sandbox, endpoint, impersonate, state_path, "plan", live_quotas
    ) as run:
        the_plan = run.plan(
            destroy=destroy,
            targets=targets,
            allow_replace=allow_replace,
            refresh_only=refresh_only,
            replace=replace,
        )
        commands, location = run.commands, run.store.location
    if as_json or fmt == "json":
        click.echo(render_json(the_plan))
    elif fmt == "markdown":
        from gkeplan.plan.cost_delta import cost_delta
        from gkeplan.plan.markdown import render_markdown

        meta = click.get_current_context().meta
        policy_context = meta.get("policy_context")
        cost = cost_delta(policy_context, the_plan) if policy_context is not None else None
        click.echo(render_markdown(the_plan, meta.get("findings", []), cost), nl=False)
    else:
        _env_header(spec, location)
        click.echo(render_text(the_plan, commands, out_file))
    refuse_if_refused(the_plan, "apply")  # a refused plan is not saved: it cannot be applied
    if out_file:
        from gkeplan.plan import saved

        saved.save(the_plan, out_file)
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
    live_quotas: bool = False,
    allow_replace: tuple[str, ...] = (),
    refresh_only: bool = False,
    replace: tuple[str, ...] = (),
) -> None:
    from gkeplan.plan import saved
    from gkeplan.plan.render import render_text

    _refresh_only_alone(
        refresh_only, destroy=destroy, targets=targets, replace=(*allow_replace, *replace)
    )
    what = "destroy" if destroy else "apply"
    caller = None if destroy else run_caller()  # a destroy needs no createAs to be made
    spec, variables = load_checked(spec_file, var_pairs, var_files, caller=caller)
    with open_run(
        spec, variables, sandbox, endpoint, impersonate, state_path, what, live_quotas
    ) as run:
        if plan_file:
            stored = saved.load(plan_file)
            run.check_fresh(stored)
            fresh = run.plan(
                destroy=stored.destroy, refresh_only=stored.refresh_only, replace=stored.replace
            )
            the_plan = saved.bind(stored, fresh)
        else:
            the_plan = run.plan(
                destroy=destroy,
                targets=targets,
                allow_replace=allow_replace,
                refresh_only=refresh_only,
                replace=replace,
            )
        _env_header(spec, run.store.location)
        click.echo(render_text(the_plan, run.commands, consent=False))
        refuse_if_refused(the_plan, what)
        if not the_plan.has_changes:
            if not plan_file:
                run.apply(the_plan, parallelism=parallelism)  # records adoptions/forgets
            return
        allowed = (*allow_replace, *the_plan.allow_replace)  # given now, or with the plan
        _consent(the_plan, allowed, not (plan_file or auto_approve), run.commands, plan_file)
        if not plan_file:
            _confirm(auto_approve, what)
        _execute(run, the_plan, parallelism, what)


def _consent(
    the_plan: Any,
    allowed: tuple[str, ...],
    interactive: bool,
    commands: Any,
    plan_file: str | None,
) -> None:
    """A cluster or bucket replacement goes ahead only by name (--allow-replace), or, at a
    terminal, once the prompt has named it in red."""
    from gkeplan.plan import protection

    missing = [c for c in protection.needs_consent(the_plan.changes) if c.address not in allowed]
    if not missing:
        return
    if not interactive or not sys.stdin.isatty():
        flags = tuple(w for c in missing for w in ("--allow-replace", c.address))
        saved = ("--plan", plan_file) if plan_file else ()
        protection.check_consent(
            missing,
            allowed,
            commands.quoted(
                "apply", extra=(*saved, *flags, "--auto-approve"), targeted=not plan_file
            ),
        )
    for c in missing:
        click.echo(
            click.style(
                f"Warning: {c.address} will be REPLACED ({c.reason}): deleted, then created "
                "again; everything it holds is lost.",
                fg="red",
                bold=True,
            ),
            err=True,
        )


def change_options(func: Any) -> Any:
    """The options apply and destroy share."""
    func = click.option(
        "--allow-replace",
        "allow_replace",
        multiple=True,
        metavar="ADDRESS",
        help="Allow the replacement (delete, then create) of this cluster or bucket.",
    )(func)
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


@click.command()
@change_options
@live_quotas_option
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Apply a plan saved with `plan --out` (refused if stale).",
)
@replace_option
@click.option("--refresh-only", is_flag=True, help=REFRESH_ONLY_HELP)
def apply(**options: Any) -> None:
    """Make the cloud match SPEC, as fast as the dependency graph allows."""
    _apply_or_destroy(destroy=False, **options)


@click.command()
@change_options
def destroy(**options: Any) -> None:
    """Delete everything gkeplan manages for SPEC (keepOnDestroy buckets stay)."""
    _apply_or_destroy(destroy=True, plan_file=None, **options)
