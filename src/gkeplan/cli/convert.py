"""`gkeplan convert`: a Terraform configuration becomes a gkeplan spec."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gkeplan.cli.common import EXIT_INVALID


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not NAME=VALUE", param_hint="--var")
        out[name] = value
    return out


@click.command()
@click.argument(
    "paths",
    nargs=-1,
    required=True,
    metavar="PATH...",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
)
@click.option(
    "--var",
    "var_pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a Terraform input variable, as terraform -var does (repeatable).",
)
@click.option(
    "--var-file",
    "var_files",
    multiple=True,
    metavar="FILE",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A Terraform variables file (.tfvars or .tfvars.json), after terraform.tfvars.",
)
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the spec here (default: standard output).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="The report: text on stderr, or JSON on stdout.",
)
def convert(
    paths: tuple[Path, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[Path, ...],
    out: Path | None,
    fmt: str,
) -> None:
    """Convert the Terraform configuration in PATH... (each a root module folder, with its
    local modules) into one gkeplan spec. Exit 0 when everything converted, 1 when something
    was left out (the spec is still written, and the report says what and why)."""
    from gkeplan.convert import convert_paths
    from gkeplan.convert.report import as_json, summary, text
    from gkeplan.files import atomic_write

    result = convert_paths(
        list(paths), _pairs(var_pairs), list(var_files), str(out) if out else "the spec"
    )
    conv = result.conversion
    if out is not None:
        atomic_write(out, result.text, 0o644)  # a spec is shared, not a secret
    if fmt == "json":
        click.echo(as_json(conv, None if out else result.text, str(out) if out else None))
    else:
        report = text(conv)
        if report:
            click.echo(report, err=True)
        if out is None:
            click.echo(result.text, nl=False)
        else:
            click.echo(f"wrote {out}", err=True)
        click.echo(summary(conv), err=True)
    if not conv.complete:
        sys.exit(EXIT_INVALID)
