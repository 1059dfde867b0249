"""`gkeplan output [NAME] [--json]`: what apply made, from the state, for the next step."""

from __future__ import annotations

import json
import os
import sys

import click

from gkeplan.cli.common import EXIT_INVALID, variable_options
from gkeplan.cli.state import open_store, store_options


def _spec_and_name(words: tuple[str, ...]) -> tuple[str | None, str | None]:
    """`output SPEC NAME`, `output SPEC`, `output NAME`: one word is SPEC when it names a
    YAML file (an output's name is `kind.name.attribute`, never a file's)."""
    if len(words) > 2:
        raise click.BadParameter(
            f"expected at most SPEC and NAME, got {len(words)} words: {' '.join(words)}",
            param_hint="[SPEC] [NAME]",
        )
    if len(words) == 2:
        return words[0], words[1]
    if len(words) == 1 and (os.path.isfile(words[0]) or words[0].endswith((".yaml", ".yml"))):
        return words[0], None
    return None, (words[0] if words else None)


@click.command()
@click.argument("words", metavar="[SPEC] [NAME]", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="JSON: an object, or NAME's value.")
@click.option("--raw", is_flag=True, help="NAME's value as it is, sensitive or not.")
@variable_options
@store_options
def output(
    words: tuple[str, ...],
    as_json: bool,
    raw: bool,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    state_path: str | None,
    sandbox: bool,
    endpoint: str | None,
) -> None:
    """Print the outputs recorded in the state (cluster endpoint and CA, the get-credentials
    command, bucket URLs, account emails), or only NAME's value, raw, for scripts:

        $(gkeplan output cluster.sd-cluster.get_credentials)

    With SPEC (and its --var/--var-file), the state is the spec's `state:` backend, as for
    plan, apply and `state list SPEC`."""
    from gkeplan.state.outputs import outputs

    spec_file, name = _spec_and_name(words)
    where = (spec_file, var_pairs, var_files)
    with open_store(state_path, sandbox, endpoint, *where) as store:
        doc = store.read()
    if doc is None:
        click.echo("Error: there is no state yet; run gkeplan apply first", err=True)
        sys.exit(EXIT_INVALID)
    values = outputs(doc)
    spec = click.get_current_context().meta.get("spec")
    hidden: set[str] = set()
    if spec is not None:
        from gkeplan.state.outputs import declared

        for key, (value, sensitive) in declared(spec, doc).items():
            values[key] = value
            if sensitive:
                hidden.add(key)
    else:  # without SPEC: the outputs its last apply recorded
        for key, recorded in doc.outputs.items():
            values[key] = recorded.get("value")
            if recorded.get("sensitive"):
                hidden.add(key)
    # Terraform: `output` lists a sensitive value as <sensitive>, and so does `output NAME`;
    # "When using the -json or -raw command-line flags, Terraform displays sensitive values in
    # plain text" (https://developer.hashicorp.com/terraform/cli/commands/output).
    if name is not None:
        if name not in values:
            from gkeplan.catalog import closest

            near = closest(name, values)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise click.BadParameter(f"no output named {name}{hint}", param_hint="NAME")
        value = values[name]
        if name in hidden and not (raw or as_json):
            click.echo(f"{name} = <sensitive>")
            return
        click.echo(json.dumps(value) if as_json else value)
        return
    if as_json:
        click.echo(json.dumps(values, indent=2))
        return
    if not values:
        click.echo("No outputs: the state has no cluster, bucket or service account yet.")
    for key, value in values.items():
        # The certificate is long base64; its head says it is there, `output NAME` prints it.
        long = key.endswith(".ca_certificate") and len(value) > 40
        shown = f"{value[:32]}... ({len(value)} chars)" if long else value
        shown = "<sensitive>" if key in hidden else shown
        click.echo(f"{key} = {shown}")
