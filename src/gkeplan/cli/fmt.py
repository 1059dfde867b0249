"""`gkeplan fmt`: rewrite specs in their canonical form (Terraform's `fmt`)."""

from __future__ import annotations

import difflib
import os
import stat
import sys
from pathlib import Path

import click

from gkeplan.cli.common import EXIT_INVALID, print_diagnostics, require_file

# Terraform's `fmt -check` exits 3 when a file is not in its canonical form (measured with
# Terraform v1.11.4: `terraform fmt -check` on an unformatted main.tf prints main.tf and exits
# 3; terraform-wrapper's FmtCommand::check documents "exit code 3 if not",
# https://docs.rs/terraform-wrapper/latest/terraform_wrapper/commands/fmt/struct.FmtCommand.html)
EXIT_UNFORMATTED = 3


@click.command()
@click.argument("spec_files", metavar="SPEC...", nargs=-1, required=True)
@click.option(
    "--check",
    is_flag=True,
    help=f"Write nothing; list the files not in canonical form and exit {EXIT_UNFORMATTED} "
    "if there are any (as terraform fmt -check).",
)
@click.option("--diff", "show_diff", is_flag=True, help="Print each change as a unified diff.")
def fmt(spec_files: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Rewrite each SPEC in canonical form: keys in the order of the spec's models, two-space
    indentation; comments, quotes, flow style and blank lines kept. `-` reads standard input
    and writes the result to standard output.

    The files rewritten (with --check, the files that would be) are listed one a line."""
    from gkeplan.errors import SpecError
    from gkeplan.validation.fmt import LeftAsIs, format_spec

    unformatted = 0
    failed = False
    for spec_file in spec_files:
        if spec_file != "-":
            require_file(spec_file)
        text = sys.stdin.read() if spec_file == "-" else _read(spec_file)
        try:
            out = format_spec(text, "<stdin>" if spec_file == "-" else spec_file)
        except LeftAsIs as exc:
            print_diagnostics(exc.diagnostics, err=True)
            if spec_file == "-":
                click.echo(text, nl=False)
            continue
        except SpecError as exc:
            print_diagnostics(exc.diagnostics, err=True)
            failed = True
            continue
        if spec_file == "-" and not check:
            click.echo(out, nl=False)
            continue
        if out == text:
            continue
        unformatted += 1
        if show_diff:
            click.echo(_diff(spec_file, text, out), nl=False)
        else:
            click.echo(spec_file)
        if not check:
            _write(Path(spec_file), out)
    if failed:
        sys.exit(EXIT_INVALID)
    if check and unformatted:
        sys.exit(EXIT_UNFORMATTED)


def _read(spec_file: str) -> str:
    from gkeplan.spec.files import FileRefused, read_text

    try:
        return read_text(spec_file, "spec")
    except FileRefused as exc:
        raise click.BadParameter(str(exc), param_hint="SPEC") from None


def _diff(name: str, before: str, after: str) -> str:
    lines = difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True), name, name
    )
    return "".join(lines)


def _write(path: Path, text: str) -> None:
    from gkeplan.files import atomic_write

    atomic_write(path, text, stat.S_IMODE(os.stat(path).st_mode))  # the file keeps its mode
