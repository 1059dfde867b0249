"""`gkeplan validate` and `gkeplan graph`: the commands that never call GCP."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from gkeplan.cli.common import (
    EXIT_INVALID,
    parse_vars,
    print_diagnostics,
    require_file,
    variable_options,
)


@click.command()
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
    from gkeplan.validation.pipeline import validate as run

    require_file(spec_file)
    result = run(spec_file, parse_vars(var_pairs, var_files), policies=not no_policies)
    findings = result.policy.findings if result.policy else []
    rules = result.policy.rules if result.policy else {}
    if fmt == "json":
        from gkeplan.policy.render import render_json

        click.echo(render_json(findings, result.diagnostics, result.valid))
    elif fmt == "sarif":
        from gkeplan.policy.render import render_sarif

        click.echo(render_sarif(findings, result.diagnostics, rules, os.getcwd()))
    else:
        print_diagnostics(result.diagnostics)
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


@click.command()
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
    from gkeplan.graph.render import render
    from gkeplan.validation.pipeline import validate as run

    require_file(spec_file)
    result = run(spec_file, parse_vars(var_pairs, var_files))
    if result.graph is None:
        print_diagnostics(result.diagnostics)
        sys.exit(EXIT_INVALID)
    click.echo(render(result.graph, fmt))
