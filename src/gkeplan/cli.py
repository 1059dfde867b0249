"""The `gkeplan` command line. Commands import their machinery lazily to keep start-up fast."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import click

from gkeplan.diagnostics import Diagnostic

EXIT_INVALID = 1
EXIT_USAGE = 2


def _parse_vars(pairs: Sequence[str], files: Sequence[str]) -> dict[str, str]:
    from gkeplan.spec.variables import VariableInputError, from_options

    try:
        return from_options(pairs, files)
    except VariableInputError as exc:
        raise click.BadParameter(str(exc), param_hint=exc.flag) from None


def variable_options(func: Any) -> Any:
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


def _print_diagnostics(diagnostics: Sequence[Diagnostic], err: bool = False) -> None:
    colors = {"error": "red", "warning": "yellow", "info": "cyan"}
    for d in diagnostics:
        text = d.render()
        head, _, rest = text.partition("\n")
        sev = d.severity.value
        head = head.replace(f"{sev}:", click.style(f"{sev}:", fg=colors[sev], bold=True), 1)
        click.echo(head + ("\n" + rest if rest else ""), err=err)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="gkeplan")
def cli() -> None:
    """Provision a GKE ML-serving cluster from one YAML file, checked before it reaches GCP."""


@cli.command()
@click.argument("spec_file", metavar="SPEC", type=click.Path(dir_okay=False))
@variable_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="sarif: for GitHub code scanning.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--cost", is_flag=True, help="Estimate the monthly cost at min and max scale.")
@click.option("--no-policies", is_flag=True, help="Check the spec only, not the policy packs.")
def validate(
    spec_file: str,
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    fmt: str,
    strict: bool,
    cost: bool,
    no_policies: bool,
) -> None:
    """Validate SPEC (YAML, schema, references, graph) and run its policy packs."""
    from gkeplan.validation import validate as run

    if not os.path.exists(spec_file):
        raise click.BadParameter(f"no such file: {spec_file}", param_hint="SPEC")
    result = run(spec_file, _parse_vars(var_pairs, var_files), policies=not no_policies)
    findings = result.policy.findings if result.policy else []
    rules = result.policy.rules if result.policy else {}
    if fmt == "json":
        from gkeplan.policy.render import render_json

        click.echo(render_json(findings, result.diagnostics, result.valid))
    elif fmt == "sarif":
        from gkeplan.policy.render import render_sarif

        click.echo(render_sarif(findings, result.diagnostics, rules, os.getcwd()))
    else:
        _print_diagnostics(result.diagnostics)
        if findings:
            from gkeplan.policy.render import render_text

            click.echo(render_text(findings, rules))
        click.echo(_summary(spec_file, result))
    if cost and result.policy is not None and fmt == "text":
        from gkeplan.policy.cost import estimate

        click.echo(estimate(result.policy.context).render())
    sys.exit(0 if result.passed(strict) else EXIT_INVALID)


def _summary(spec_file: str, result: Any) -> str:
    if result.graph is None:
        count = len(result.errors)
        return f"{spec_file}: invalid ({count} error{'s' if count != 1 else ''})"
    counts = {"error": len(result.errors), "warning": 0, "info": 0}
    waived = 0
    for f in result.policy.findings if result.policy else []:
        if f.waived:
            waived += 1
        else:
            counts[f.severity.value] += 1
    n = result.graph.number_of_nodes()
    verdict = "valid" if not counts["error"] else "refused"
    text = (
        f"{spec_file}: {verdict} ({n} resources; {counts['error']} errors, "
        f"{counts['warning']} warnings, {counts['info']} notes"
    )
    return text + (f", {waived} waived)" if waived else ")")


@cli.command()
@click.argument("spec_file", metavar="SPEC", type=click.Path(dir_okay=False))
@variable_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["dot", "mermaid", "json"]),
    default="dot",
    show_default=True,
)
def graph(spec_file: str, var_pairs: tuple[str, ...], var_files: tuple[str, ...], fmt: str) -> None:
    """Print the dependency graph of SPEC."""
    from gkeplan.graph_render import render
    from gkeplan.validation import validate as run

    if not os.path.exists(spec_file):
        raise click.BadParameter(f"no such file: {spec_file}", param_hint="SPEC")
    result = run(spec_file, _parse_vars(var_pairs, var_files))
    if result.graph is None:
        _print_diagnostics(result.diagnostics)
        sys.exit(EXIT_INVALID)
    click.echo(render(result.graph, fmt))


def _add_lazy_groups() -> None:
    try:
        from gkeplan.emulator.cli import sandbox
    except ImportError:  # the emulator is optional at development time only
        return
    cli.add_command(sandbox)


_APPLY_COMMANDS = {"plan", "apply", "destroy", "state", "show", "import", "force-unlock"}


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["sandbox"] or not args or args[0] in ("-h", "--help"):
        _add_lazy_groups()
    if not args or args[0] in _APPLY_COMMANDS or args[0] in ("-h", "--help"):
        import gkeplan.cli_apply
        import gkeplan.cli_state  # noqa: F401
    try:
        cli.main(args=args, prog_name="gkeplan", standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # never a traceback for a user; GKEPLAN_DEBUG=1 shows it
        if os.environ.get("GKEPLAN_DEBUG"):
            raise
        click.echo(f"gkeplan: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("please report this; set GKEPLAN_DEBUG=1 to see the traceback", err=True)
        sys.exit(EXIT_INVALID)
