"""`gkeplan output [NAME] [--json]`: what apply made, from the state, for the next step."""

from __future__ import annotations

import json
import sys

import click

from gkeplan.cli.common import EXIT_INVALID
from gkeplan.cli.state import open_store, store_options


@click.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="JSON: an object, or NAME's value.")
@store_options
def output(
    name: str | None, as_json: bool, state_path: str | None, sandbox: bool, endpoint: str | None
) -> None:
    """Print the outputs recorded in the state (cluster endpoint and CA, the get-credentials
    command, bucket URLs, account emails), or only NAME's value, raw, for scripts:

        $(gkeplan output cluster.sd-cluster.get_credentials)"""
    from gkeplan.state.outputs import outputs

    with open_store(state_path, sandbox, endpoint) as store:
        doc = store.read()
    if doc is None:
        click.echo("Error: there is no state yet; run gkeplan apply first", err=True)
        sys.exit(EXIT_INVALID)
    values = outputs(doc)
    if name is not None:
        if name not in values:
            from gkeplan.catalog import closest

            near = closest(name, values)
            hint = f"; did you mean {near[0]}?" if near else ""
            raise click.BadParameter(f"no output named {name}{hint}", param_hint="NAME")
        value = values[name]
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
        click.echo(f"{key} = {shown}")
