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


def target_options(func: Any) -> Any:
    func = click.option(
        "--state",
        "state_path",
        metavar="PATH",
        help="State file (default: the spec's state, or .gkeplan/state.json).",
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
    from gkeplan.validation import validate as run_validation

    if not os.path.exists(spec_file):
        raise click.BadParameter(f"no such file: {spec_file}", param_hint="SPEC")
    variables = _parse_vars(var_pairs, var_files)
    result = run_validation(spec_file, variables)
    if not result.valid or result.spec is None:
        _print_diagnostics(result.diagnostics)
        click.echo(f"{spec_file}: invalid; nothing was planned", err=True)
        sys.exit(EXIT_INVALID)
    if result.diagnostics:
        _print_diagnostics(result.diagnostics)
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
    from gkeplan.state.store import StateLocked

    target = Target(sandbox=sandbox, endpoint=endpoint, impersonate=impersonate)
    try:
        with open_run(
            spec, target=target, state_path=state_path, operation=operation, variables=variables
        ) as run:
            yield run
    except StateLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_INVALID)


def _errors() -> tuple[type[BaseException], ...]:
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as aexc

    from gkeplan.run import StalePlan

    return (gexc.GoogleAPIError, aexc.GoogleAuthError, StalePlan)


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
    previous = signal.getsignal(signal.SIGINT)

    def interrupt(signum: int, frame: Any) -> None:
        click.echo(
            "\nInterrupted: finishing the calls in flight, starting nothing new...", err=True
        )
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
    if stop.is_set():
        sys.exit(130)
    if not result.ok:
        sys.exit(EXIT_INVALID)


@cli.command()
@click.argument("spec_file", metavar="SPEC", type=click.Path(dir_okay=False))
@variable_options
@target_options
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="Save the plan to FILE.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
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
) -> None:
    """Show what apply would change, field by field. Changes nothing."""
    from gkeplan.plan_render import render_json, render_text

    spec, variables = _load(spec_file, var_pairs, var_files)
    try:
        with _run(spec, variables, sandbox, endpoint, impersonate, state_path, "plan") as run:
            the_plan = run.plan(destroy=destroy, targets=targets)
    except _errors() as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(render_json(the_plan) if as_json else render_text(the_plan))
    if out_file:
        Path(out_file).write_text(render_json(the_plan))
    if detailed_exitcode and the_plan.has_changes:
        sys.exit(2)


def _apply_or_destroy(
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
    try:
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
    except _errors() as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_INVALID)


@cli.command()
@click.argument("spec_file", metavar="SPEC", type=click.Path(dir_okay=False))
@variable_options
@target_options
@click.option("--auto-approve", is_flag=True, help="Apply without asking (needed without a TTY).")
@click.option("--parallelism", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--target", "targets", multiple=True, metavar="ADDRESS")
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False),
    help="Apply a plan saved with `plan --out` (refused if stale).",
)
def apply(
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
    plan_file: str | None,
) -> None:
    """Make the cloud match SPEC, as fast as the dependency graph allows."""
    _apply_or_destroy(
        spec_file,
        var_pairs,
        var_files,
        sandbox,
        endpoint,
        impersonate,
        state_path,
        auto_approve,
        parallelism,
        targets,
        False,
        plan_file,
    )


@cli.command()
@click.argument("spec_file", metavar="SPEC", type=click.Path(dir_okay=False))
@variable_options
@target_options
@click.option("--auto-approve", is_flag=True)
@click.option("--parallelism", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--target", "targets", multiple=True, metavar="ADDRESS")
def destroy(
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
) -> None:
    """Delete everything gkeplan manages for SPEC (keepOnDestroy buckets stay)."""
    _apply_or_destroy(
        spec_file,
        var_pairs,
        var_files,
        sandbox,
        endpoint,
        impersonate,
        state_path,
        auto_approve,
        parallelism,
        targets,
        True,
        None,
    )


@cli.group()
def state() -> None:
    """Inspect or edit gkeplan's state."""


def _store(state_path: str | None, sandbox: bool) -> Any:
    from gkeplan.session import DEFAULT_STATE, SANDBOX_DIR
    from gkeplan.state.local import LocalStateStore

    return LocalStateStore(state_path or (SANDBOX_DIR / "state.json" if sandbox else DEFAULT_STATE))


@state.command("list")
@click.option("--state", "state_path", metavar="PATH")
@click.option("--sandbox", is_flag=True)
def state_list(state_path: str | None, sandbox: bool) -> None:
    """List the addresses gkeplan manages."""
    doc = _store(state_path, sandbox).read()
    for address, rec in sorted((doc.resources if doc else {}).items()):
        flag = "" if rec.status == "ok" else f"  ({rec.status})"
        click.echo(f"{address}{flag}")


@state.command("show")
@click.argument("address")
@click.option("--state", "state_path", metavar="PATH")
@click.option("--sandbox", is_flag=True)
def state_show(address: str, state_path: str | None, sandbox: bool) -> None:
    """Show what the state records of ADDRESS."""
    doc = _store(state_path, sandbox).read()
    rec = doc.resources.get(address) if doc else None
    if rec is None:
        click.echo(f"Error: {address} is not in the state", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(json.dumps(rec.to_json(), indent=2))


@state.command("rm")
@click.argument("address")
@click.option("--state", "state_path", metavar="PATH")
@click.option("--sandbox", is_flag=True)
def state_rm(address: str, state_path: str | None, sandbox: bool) -> None:
    """Forget ADDRESS without touching the cloud."""
    from gkeplan.state.store import LockInfo

    store = _store(state_path, sandbox)
    info = LockInfo(operation="state rm")
    store.lock(info)
    try:
        doc = store.read()
        if doc is None or doc.resources.pop(address, None) is None:
            click.echo(f"Error: {address} is not in the state", err=True)
            sys.exit(EXIT_INVALID)
        doc.serial += 1
        store.write(doc)
        click.echo(f"Removed {address} from the state; it still exists in GCP.")
    finally:
        store.unlock(info)


@cli.command()
@click.argument("plan_file", required=False, type=click.Path(exists=True, dir_okay=False))
def show(plan_file: str | None) -> None:
    """Show a saved plan."""
    from gkeplan.plan_model import plan_from_dict
    from gkeplan.plan_render import render_text

    if plan_file is None:
        raise click.BadParameter("give a plan file saved with `gkeplan plan --out`")
    click.echo(render_text(plan_from_dict(json.loads(Path(plan_file).read_text()))))


@cli.command("import")
@click.argument("address")
@click.argument("resource_id", metavar="ID")
@click.option(
    "--spec",
    "spec_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="The spec that declares ADDRESS.",
)
@variable_options
@target_options
def import_(
    address: str,
    resource_id: str,
    spec_file: str,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    sandbox: bool,
    endpoint: str | None,
    impersonate: str | None,
    state_path: str | None,
) -> None:
    """Adopt the existing resource ID (an email, a full name, a bucket name) as ADDRESS."""
    from gkeplan.drivers import Context, Wanted, drivers
    from gkeplan.state.model import ResourceState, StateDoc

    spec, variables = _load(spec_file, var_pairs, var_files)
    try:
        with _run(spec, variables, sandbox, endpoint, impersonate, state_path, "import") as run:
            if address not in run.graph:
                click.echo(f"Error: {address} is not declared in {spec_file}", err=True)
                sys.exit(EXIT_INVALID)
            node = run.graph.nodes[address]["node"]
            found = drivers()[node.kind].read_all(
                Context(spec, run.conn), [Wanted(address, resource_id, {})]
            )
            if resource_id not in found:
                click.echo(f"Error: no {node.kind} {resource_id} exists to import", err=True)
                sys.exit(EXIT_INVALID)
            doc = run.state() or StateDoc(project=spec.project)
            if address in doc.resources:
                click.echo(
                    f"Error: {address} is already managed; `gkeplan state rm` it first", err=True
                )
                sys.exit(EXIT_INVALID)
            doc.resources[address] = ResourceState(
                node.kind,
                resource_id,
                found[resource_id],
                dependencies=sorted(run.graph.predecessors(address)),
            )
            doc.serial += 1
            run.store.write(doc)
            click.echo(
                f"Imported {resource_id} as {address}. Run `gkeplan plan` to see any "
                "difference from the spec."
            )
    except _errors() as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
