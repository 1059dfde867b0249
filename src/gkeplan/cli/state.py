"""`gkeplan state ...`, `force-unlock`, `import` and `show`: working with gkeplan's state."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from gkeplan.cli.common import (
    EXIT_INVALID,
    load_checked,
    open_run,
    parse_vars,
    require_file,
    selected_env,
    target_options,
    variable_options,
)


def spec_store_options(func: Any) -> Any:
    """SPEC (optional, last): use the spec's `state:` backend, as plan and apply do."""
    func = variable_options(store_options(func))
    return click.argument(
        "spec_file", metavar="[SPEC]", required=False, type=click.Path(dir_okay=False)
    )(func)


def store_options(func: Any) -> Any:
    func = click.option(
        "--endpoint", metavar="URL", help="A running `gkeplan sandbox serve` (for gs:// state)."
    )(func)
    func = click.option("--sandbox", is_flag=True, help="The sandbox's state.")(func)
    func = click.option(
        "--state",
        "state_path",
        metavar="PATH|gs://BUCKET/PREFIX",
        help="State file or GCS location (default: SPEC's state, or .gkeplan/state.json).",
    )(func)
    return func


@contextlib.contextmanager
def open_store(
    state_path: str | None,
    sandbox: bool,
    endpoint: str | None,
    spec_file: str | None = None,
    var_pairs: tuple[str, ...] = (),
    var_files: tuple[str, ...] = (),
) -> Iterator[Any]:
    """The state a run of SPEC would use (its `state:` backend); without SPEC, --state or the
    default file. GCS is read through Google's storage client."""
    from gkeplan.run.target import (
        DEFAULT_STATE,
        ENDPOINT_STATE,
        SANDBOX_DIR,
        Target,
        connect,
        local_state_path,
        sandbox_timeouts,
        state_store,
    )
    from gkeplan.state.local import LocalStateStore

    target = Target(sandbox=sandbox, endpoint=endpoint)
    if spec_file is not None:
        from gkeplan.validation.load import load_spec

        require_file(spec_file)
        spec = load_spec(spec_file, parse_vars(var_pairs, var_files), environment=selected_env())
        click.get_current_context().meta["spec"] = spec  # `output` shows its outputs
        if spec.state.backend == "local" and not (state_path or "").startswith("gs://"):
            yield state_store(spec, target, state_path)
            return
        with connect(spec, target) as conn:
            yield state_store(spec, target, state_path, conn)
        return
    if not (state_path or "").startswith("gs://"):
        default = SANDBOX_DIR / "state.json" if sandbox else DEFAULT_STATE
        yield LocalStateStore(
            local_state_path(state_path)
            if state_path
            else (ENDPOINT_STATE if endpoint else default)
        )
        return
    from gkeplan.gcp.connection import Connection
    from gkeplan.state.gcs import GcsStateStore, parse_url

    assert state_path is not None
    bucket, prefix = parse_url(state_path)
    if endpoint:
        from gkeplan.gcp.sandbox import endpoint_connection
        from gkeplan.run.target import probe_endpoint

        probe_endpoint(endpoint)
        conn = endpoint_connection("-", endpoint, sandbox_timeouts())
    else:
        conn = Connection(project="-")
    yield GcsStateStore(conn.storage(), bucket, prefix)


@contextlib.contextmanager
def locked(store: Any, operation: str) -> Iterator[None]:
    from gkeplan.state.store import LockInfo, StateLocked

    info = LockInfo(operation=operation)
    try:
        store.lock(info)
    except StateLocked as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_INVALID)
    try:
        yield
    finally:
        store.unlock(info)


@click.group()
def state() -> None:
    """Inspect, edit and move gkeplan's state."""


@state.command("list")
@spec_store_options
def state_list(**where: Any) -> None:
    """List the addresses gkeplan manages."""
    with open_store(**where) as store:
        doc = store.read()
    for address, rec in sorted((doc.resources if doc else {}).items()):
        flag = "" if rec.status == "ok" else f"  ({rec.status})"
        click.echo(f"{address}{flag}")


@state.command("show")
@click.argument("address")
@spec_store_options
def state_show(address: str, **where: Any) -> None:
    """Show what the state records of ADDRESS."""
    with open_store(**where) as store:
        doc = store.read()
    rec = doc.resources.get(address) if doc else None
    if rec is None:
        click.echo(f"Error: {address} is not in the state", err=True)
        sys.exit(EXIT_INVALID)
    from gkeplan.redact import mask_fields

    shown = {**rec.to_json(), "attributes": mask_fields(rec.attributes, rec.sensitive)}
    click.echo(json.dumps(shown, indent=2))


@state.command("rm")
@click.argument("address")
@spec_store_options
def state_rm(address: str, **where: Any) -> None:
    """Forget ADDRESS for good, without touching the cloud: the next plan shows the resource
    as outside gkeplan (never to be adopted again unless imported)."""
    with open_store(**where) as store, locked(store, "state rm"):
        doc = store.read()
        if doc is None or doc.resources.pop(address, None) is None:
            click.echo(f"Error: {address} is not in the state", err=True)
            sys.exit(EXIT_INVALID)
        doc.serial += 1
        store.write(doc)
    click.echo(f"Removed {address} from the state; it still exists in GCP.")


@state.command("mv")
@click.argument("source", metavar="FROM")
@click.argument("destination", metavar="TO")
@spec_store_options
def state_mv(source: str, destination: str, **where: Any) -> None:
    """Record that the resource at FROM is now the spec's TO (a renamed key), without touching
    the cloud (Terraform's `state mv`). Renames that keep the GCP id need none: plan finds them,
    and what depends on a moved resource (its grants, a cluster's pools) follows on the next
    plan."""
    from gkeplan.plan.moves import move_entries

    with open_store(**where) as store, locked(store, "state mv"):
        doc = store.read()
        if doc is None or source not in doc.resources:
            click.echo(f"Error: {source} is not in the state", err=True)
            sys.exit(EXIT_INVALID)
        if destination in doc.resources:
            click.echo(
                f"Error: {destination} is in the state already (as "
                f"{doc.resources[destination].id}); `gkeplan state rm` it first if it is gone",
                err=True,
            )
            sys.exit(EXIT_INVALID)
        if source.partition(".")[0] != destination.partition(".")[0]:
            click.echo(
                f"Error: {source} and {destination} are resources of different kinds; a move "
                "only renames",
                err=True,
            )
            sys.exit(EXIT_INVALID)
        doc.resources = move_entries(doc.resources, {destination: source})
        doc.serial += 1
        store.write(doc)
    click.echo(f"Moved {source} to {destination}; nothing in GCP was changed.")


@state.command("pull")
@spec_store_options
def state_pull(**where: Any) -> None:
    """Print the current state (JSON) on stdout."""
    with open_store(**where) as store:
        doc = store.read()
    if doc is None:
        click.echo("Error: there is no state yet", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(doc.to_json(), nl=False)


@state.command("push")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@spec_store_options
@click.option("--force", is_flag=True, help="Replace a state of another lineage.")
def state_push(file: str, force: bool, **where: Any) -> None:
    """Replace the state with FILE: refused on a lineage mismatch or an older serial."""
    from gkeplan.state.model import StateDoc

    new = StateDoc.from_json(Path(file).read_text())
    with open_store(**where) as store, locked(store, "state push"):
        current = store.read()
        if current is not None and not force:
            if current.lineage != new.lineage:
                click.echo(
                    f"Error: {file} has lineage {new.lineage}, the state has "
                    f"{current.lineage}: they are different states; refused",
                    err=True,
                )
                sys.exit(EXIT_INVALID)
            if new.serial < current.serial:
                click.echo(
                    f"Error: {file} has serial {new.serial}, older than the state's "
                    f"{current.serial}; refused",
                    err=True,
                )
                sys.exit(EXIT_INVALID)
        new.serial = max(new.serial, current.serial if current else 0) + 1
        store.write(new)
    click.echo(f"Pushed {file} to {store.location} (serial {new.serial}).")


@state.command("migrate")
@click.option("--to", "destination", required=True, metavar="PATH|gs://BUCKET/PREFIX")
@spec_store_options
def state_migrate(destination: str, **where: Any) -> None:
    """Copy the state to another backend, both locked; the destination must be empty."""
    endpoint = where["endpoint"]
    with open_store(**where) as src, locked(src, "state migrate"):
        doc = src.read()
        if doc is None:
            click.echo("Error: there is no state to migrate", err=True)
            sys.exit(EXIT_INVALID)
        with open_store(destination, False, endpoint) as dst, locked(dst, "state migrate"):
            if dst.read() is not None:
                click.echo(f"Error: {dst.location} already holds a state; refused", err=True)
                sys.exit(EXIT_INVALID)
            dst.write(doc)
    click.echo(
        f"Migrated state {doc.lineage} (serial {doc.serial}) to {dst.location}; point "
        "the spec's `state:` (or --state) at it."
    )


@click.command("force-unlock")
@click.argument("lock_id")
@spec_store_options
def force_unlock(lock_id: str, **where: Any) -> None:
    """Remove the lock LOCK_ID left by a run that died; never a newer lock."""
    with open_store(**where) as store:
        if not hasattr(store, "force_unlock"):
            click.echo(
                "Error: a local state's lock is released when its holder exits; there is "
                "nothing to unlock",
                err=True,
            )
            sys.exit(EXIT_INVALID)
        info = store.force_unlock(lock_id)  # a StateError is reported as one line
    click.echo(f"Removed the lock held by {info.describe()}.")


@click.command()
@click.argument("plan_file", metavar="PLAN", type=click.Path(exists=True, dir_okay=False))
def show(plan_file: str) -> None:
    """Show PLAN, a file saved with `gkeplan plan --out`."""
    from gkeplan.plan import saved
    from gkeplan.plan.render import render_text

    plan = saved.load(plan_file)
    if plan.environment:
        click.echo(f"Environment: {plan.environment} (project {plan.project})\n")
    click.echo(render_text(plan))


@click.command("import")
@click.argument("address", required=False)
@click.argument("resource_id", metavar="[ID]", required=False)
@click.option(
    "--spec",
    "spec_file",
    type=click.Path(dir_okay=False),
    help="The spec that declares ADDRESS (with --from-terraform: the converted spec).",
)
@click.option(
    "--from-terraform",
    "tf_state",
    metavar="STATE",
    help="A Terraform state (terraform.tfstate, `terraform state pull` output, - for stdin, "
    "or gs://BUCKET/OBJECT of the gcs backend): adopt every resource of it the spec declares.",
)
@click.option(
    "--generate",
    is_flag=True,
    help="Write the spec of everything the project holds (of gkeplan's kinds) instead; "
    "GCP's own resources are left out and named.",
)
@click.option("--project", metavar="ID", help="--generate: the project to read.")
@click.option(
    "--region", metavar="REGION", help="--generate: the spec's region (default: most found)."
)
@click.option(
    "--out",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="--generate: write the spec to FILE (a new file), not stdout.",
)
@click.option(
    "--include",
    multiple=True,
    metavar="KIND",
    help="--generate: only these kinds (repeatable); default-network adds the default "
    "network and its rules.",
)
@click.option("--exclude", multiple=True, metavar="KIND", help="--generate: not these kinds.")
@click.option(
    "--write",
    is_flag=True,
    help="--generate or --from-terraform: adopt into gkeplan's state (nothing in GCP "
    "changes); without it, only say what would be adopted.",
)
@variable_options
@target_options
def import_(
    address: str | None,
    resource_id: str | None,
    spec_file: str | None,
    tf_state: str | None,
    generate: bool,
    project: str | None,
    region: str | None,
    out: str | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    write: bool,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    sandbox: bool,
    endpoint: str | None,
    impersonate: str | None,
    state_path: str | None,
) -> None:
    """Adopt the existing resource that SPEC declares as ADDRESS. Its ID (an email, a full
    name, a bucket name) comes from the spec; given, it must be the same.

    With --generate, write the spec of what the project holds and (--write) adopt it all.
    With --from-terraform STATE, adopt what a Terraform state holds that the (converted) spec
    declares (a dry run unless --write)."""
    if generate:
        if address is not None or spec_file is not None or tf_state is not None:
            raise click.UsageError(
                "--generate reads the project: give no ADDRESS, --spec or --from-terraform"
            )
        from gkeplan.cli.generate import run_generate

        run_generate(
            project=project,
            region=region,
            out=out,
            include=include,
            exclude=exclude,
            write=write,
            sandbox=sandbox,
            endpoint=endpoint,
            impersonate=impersonate,
            state_path=state_path,
        )
        return
    only_generate = {
        "--project": project,
        "--region": region,
        "--out": out,
        "--include": include,
        "--exclude": exclude,
    }
    given = [flag for flag, value in only_generate.items() if value]
    if given:
        raise click.UsageError(f"{', '.join(given)} go with --generate")
    if tf_state is not None:
        if address is not None:
            raise click.UsageError("give ADDRESS or --from-terraform STATE, not both")
        if spec_file is None:
            raise click.UsageError("--from-terraform needs --spec: the converted spec")
        _import_terraform(
            spec_file,
            tf_state,
            write,
            var_pairs,
            var_files,
            sandbox,
            endpoint,
            impersonate,
            state_path,
        )
        return
    if write:
        raise click.UsageError("--write goes with --generate or --from-terraform")
    if address is None or spec_file is None:
        raise click.UsageError("give ADDRESS and --spec (or --generate, or --from-terraform)")
    from gkeplan.run.importing import import_resource

    spec, variables = load_checked(spec_file, var_pairs, var_files)
    with open_run(spec, variables, sandbox, endpoint, impersonate, state_path, "import") as run:
        imported = import_resource(run, address, resource_id)
        plan = run.commands.quoted("plan")
    click.echo(f"Imported {imported} as {address}. Run {plan} to see any difference from the spec.")


def _read_terraform_state(source: str, conn: Any) -> str:
    """The state's text: a file, standard input, or a gs:// object read through
    google-cloud-storage (the gcs backend keeps PREFIX/default.tfstate)."""
    if source == "-":
        return sys.stdin.read()
    if source.startswith("gs://"):
        bucket, _, name = source[len("gs://") :].partition("/")
        if not bucket or not name:
            raise click.BadParameter(
                f"{source} names no object: gs://BUCKET/PREFIX/default.tfstate",
                param_hint="--from-terraform",
            )
        blob = conn.storage().bucket(bucket).blob(name)
        data: bytes = blob.download_as_bytes()
        return data.decode("utf-8")
    path = Path(source)
    if not path.is_file():
        raise click.BadParameter(f"{source}: no such file", param_hint="--from-terraform")
    return path.read_text(encoding="utf-8")


def _import_terraform(
    spec_file: str,
    source: str,
    write: bool,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    sandbox: bool,
    endpoint: str | None,
    impersonate: str | None,
    state_path: str | None,
) -> None:
    from gkeplan.convert.tfstate import parse
    from gkeplan.redact import safe
    from gkeplan.run.terraform_import import import_terraform

    spec, variables = load_checked(spec_file, var_pairs, var_files)
    with open_run(spec, variables, sandbox, endpoint, impersonate, state_path, "import") as run:
        tf = parse(_read_terraform_state(source, run.conn), source)
        result = import_terraform(
            run, tf, source, write, progress=lambda line: click.echo(line, err=True)
        )
        plan = run.commands.quoted("plan")
    click.echo(f"Terraform state {source} (serial {tf.serial}): {len(tf.instances)} resources.")
    verb = "Adopted" if write else "Would adopt"
    for tf_address, address, _ in result.adopt:
        click.echo(safe(f"  {tf_address} -> {address}"))
    for tf_address, address in result.already:
        click.echo(safe(f"  {tf_address} = {address} (gkeplan's already)"))
    if result.not_adopted:
        click.echo("Not adopted (left to Terraform):")
        for tf_address, why in result.not_adopted:
            click.echo(safe(f"  {tf_address}: {why}"))
    if result.not_in_state:
        click.echo("In the spec, not in the Terraform state (the next apply creates them):")
        for address in result.not_in_state:
            click.echo(f"  {address}")
    n = len(result.adopt)
    if write:
        click.echo(f"{verb} {n} resources into gkeplan's state. Run {plan} to see any difference.")
    else:
        click.echo(f"{verb} {n} resources; nothing was written (run again with --write).")
