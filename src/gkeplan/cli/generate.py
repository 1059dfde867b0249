"""`gkeplan import --generate`: write the spec of what exists in a project (Terraform's
`plan -generate-config-out`), and with --write adopt it. Progress and the report on stderr;
the spec to --out, or to stdout."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from gkeplan.cli.common import EXIT_INVALID
from gkeplan.errors import UsageError


def run_generate(
    *,
    project: str | None,
    region: str | None,
    out: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    write: bool,
    sandbox: bool,
    endpoint: str | None,
    impersonate: str | None,
    state_path: str | None,
) -> None:
    from gkeplan.files import atomic_write
    from gkeplan.kinds import Spec
    from gkeplan.run.generate import adopt, generate, select
    from gkeplan.run.target import Target, connect, state_store

    if not project:
        raise UsageError("import --generate reads one project: give it with --project", "--project")
    if write and not out:
        raise UsageError(
            "--write adopts the resources of the generated spec: give the file to keep it in "
            "with --out",
            "--write",
        )
    if out:
        _check_out(out)
    selection = select(include, exclude)
    target = Target(sandbox=sandbox, endpoint=endpoint, impersonate=impersonate)
    # the run's connection and state need a spec: the document-level one of the project
    bare = Spec.model_validate({"version": 1, "project": project, "region": region or "-"})

    def progress(line: str) -> None:
        click.echo(line, err=True)

    with connect(bare, target) as conn:
        result = generate(conn, project, selection, region, progress, source=out or "<generated>")
        if out:
            try:
                atomic_write(Path(out), result.text)
            except OSError as exc:
                raise UsageError(f"cannot write {out}: {exc.strerror}", "--out") from None
        else:
            click.echo(result.text, nl=False)
        _report(result, out)
        if write and result.faithful:
            store = state_store(bare, target, state_path, conn)
            adopted, kept = adopt(store, result, target)
            already = f" ({kept} already in it)" if kept else ""
            click.echo(
                f"Adopted {_n(adopted)} into the state {store.location}{already}; "
                "nothing in GCP was changed.",
                err=True,
            )
    inexpressible = sum(1 for left in result.left_out if not left.managed)
    click.echo(
        f"\n{_n(result.resources)} generated, {len(result.left_out)} left out (see above).",
        err=True,
    )
    if write and not result.faithful:
        click.echo(
            "Nothing was adopted: the generated spec is not what exists (see above); fix it, "
            "or leave those kinds out with --exclude",
            err=True,
        )
    if not result.faithful or inexpressible:
        sys.exit(EXIT_INVALID)


def _check_out(out: str) -> None:
    """--out must be a new file in a place gkeplan can write, checked before anything is
    listed (a long listing is not thrown away for a typo)."""
    path = Path(out).expanduser()
    if path.exists():
        raise UsageError(f"{out} exists already; give a new file to write the spec to", "--out")
    existing = path.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise UsageError(f"cannot write the spec to {out}: {existing} is not writable", "--out")


def _n(count: int) -> str:
    return f"{count} resource{'' if count == 1 else 's'}"


SHOWN = 5  # ids shown per reason for leaving out; the spec's comments list every one


def _report(result: object, out: str | None) -> None:
    from gkeplan.run.generate import Generated

    assert isinstance(result, Generated)
    for kind, api in sorted(result.skipped.items()):
        click.echo(f"Skipped {kind}: {api} is not enabled in project {result.project}.", err=True)
    if result.left_out:
        click.echo(f"\nLeft out ({len(result.left_out)}):", err=True)
        groups: dict[tuple[str, str, str], list[str]] = {}
        for left in result.left_out:
            groups.setdefault((left.kind, left.why, left.source), []).append(left.id)
        for (kind, why, source), ids in groups.items():
            seen = f" [{source}]" if source else ""
            click.echo(f"  {len(ids)} {kind}: {why}{seen}", err=True)
            for rid in ids[:SHOWN]:
                click.echo(f"      {rid}", err=True)
            if len(ids) > SHOWN:
                rest = "at the end of the spec" if out else "in the spec's last lines"
                click.echo(f"      and {len(ids) - SHOWN} more (all listed {rest})", err=True)
    for problem in result.problems:
        click.echo(f"Error: the generated spec: {problem.render()}", err=True)
    if result.changes:
        click.echo(
            f"\nWarning: adopted, {len(result.changes)} resource(s) would still change "
            "(gkeplan cannot yet write what exists for these fields):",
            err=True,
        )
        for address, fields in sorted(result.changes.items()):
            click.echo(f"  {address}: {'; '.join(fields)}", err=True)
    where = f"Wrote {out}" if out else "Wrote the spec to stdout"
    click.echo(
        f"\n{where}: {_n(result.resources)}, {result.calls} API calls, {result.seconds:.1f}s.",
        err=True,
    )
