"""`gkeplan validate` and `gkeplan graph`: the commands that never call GCP."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click

from gkeplan.cli.common import (
    EXIT_INVALID,
    parse_vars,
    print_diagnostics,
    require_file,
    selected_env,
    variable_options,
)


@click.command()
@click.argument(
    "spec_files", metavar="SPEC...", nargs=-1, required=True, type=click.Path(dir_okay=False)
)
@variable_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif"]),
    default="text",
    show_default=True,
    help="json: one object per SPEC (a list for several); sarif: for GitHub code scanning.",
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--cost", is_flag=True, help="Estimate the monthly cost at min and max scale.")
@click.option("--no-policies", is_flag=True, help="Check the spec only, not the policy packs.")
@click.option(
    "--live-quotas",
    is_flag=True,
    help="Read the project's quotas (limit minus usage) from GCP and check against them; "
    "assumes none of the spec's pools exist yet.",
)
def validate(
    spec_files: tuple[str, ...],
    var_pairs: tuple[str, ...],
    var_files: tuple[str, ...],
    fmt: str,
    strict: bool,
    cost: bool,
    no_policies: bool,
    live_quotas: bool,
) -> None:
    """Validate each SPEC (YAML, schema, references, graph) and run its policy packs.

    Several SPECs (as pre-commit passes them) are checked one after the other; the exit code
    is 1 if any fails."""
    from gkeplan.validation.pipeline import validate as run

    for spec_file in spec_files:
        require_file(spec_file)
    variables = parse_vars(var_pairs, var_files)
    results = [
        (
            spec_file,
            run(
                spec_file,
                variables,
                policies=not no_policies,
                environment=selected_env(),
                facts=_live_facts(spec_file, variables) if live_quotas and not no_policies else {},
            ),
        )
        for spec_file in spec_files
    ]
    if fmt == "json":
        from gkeplan.cli.validate_output import json_report

        reports = [json_report(f, r, strict, cost) for f, r in results]
        click.echo(json.dumps(reports[0] if len(reports) == 1 else reports, indent=2))
    elif fmt == "sarif":
        from gkeplan.policy.render import render_sarif

        findings = [f for _, r in results if r.policy for f in r.policy.findings]
        diagnostics = [d for _, r in results for d in r.diagnostics]
        rules = {k: v for _, r in results if r.policy for k, v in r.policy.rules.items()}
        click.echo(render_sarif(findings, diagnostics, rules, os.getcwd()))
    else:
        for spec_file, result in results:
            _print_text(spec_file, result, strict, cost)
    passed = all(r.passed(strict) for _, r in results)
    sys.exit(0 if passed else EXIT_INVALID)


def _live_facts(spec_file: str, variables: dict[str, str]) -> dict[str, Any]:
    """What is left of each quota of the spec's regions, read from GCP with your credentials."""
    from gkeplan.gcp import quotas
    from gkeplan.run.preflight import regions_of
    from gkeplan.run.target import Target, connect
    from gkeplan.validation.pipeline import validate as run

    first = run(spec_file, variables, policies=False)
    if first.spec is None or not first.valid:
        return {}
    with connect(first.spec, Target()) as conn:
        live = quotas.read(conn, regions_of(first.spec))
    return {"liveQuotas": {key: q.headroom for key, q in live.items()}}


def _print_text(spec_file: str, result: Any, strict: bool, cost: bool) -> None:
    print_diagnostics(result.diagnostics)
    findings = result.policy.findings if result.policy else []
    if findings:
        from gkeplan.policy.render import render_text

        click.echo(render_text(findings, result.policy.rules))
    click.echo(_summary(spec_file, result, strict))
    if cost and result.policy is not None:
        from gkeplan.policy.cost import estimate

        click.echo(estimate(result.policy.context).render())


def _summary(spec_file: str, result: Any, strict: bool = False) -> str:
    if result.graph is None:
        count = len(result.errors)
        return f"{spec_file}: invalid ({count} error{'s' if count != 1 else ''})"
    counts = {"error": 0, "warning": 0, "info": 0}
    for d in result.diagnostics:  # the spec's own warnings (an unknown zone) count too
        counts[d.severity.value] += 1
    waived = 0
    for f in result.policy.findings if result.policy else []:
        if f.waived:
            waived += 1
        else:
            counts[f.severity.value] += 1
    n = result.graph.number_of_nodes()
    if counts["error"]:
        verdict = "refused"
    elif strict and counts["warning"]:
        verdict = "refused by --strict (warnings fail)"
    else:
        verdict = "valid"
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
    """Print the dependency graph of SPEC (errors go to stderr, so `> g.dot` stays clean).

    Variables without a value are filled with a placeholder: which resources exist and what
    they depend on does not depend on, say, the project id."""
    from gkeplan.graph.render import render
    from gkeplan.spec.variables import unset
    from gkeplan.validation.pipeline import validate as run

    require_file(spec_file)
    variables = parse_vars(var_pairs, var_files)
    filled = {name: name.lower().replace("_", "-") for name in unset(spec_file, variables)}
    result = run(spec_file, {**filled, **variables}, policies=False, environment=selected_env())
    if result.graph is None:
        print_diagnostics(result.diagnostics, err=True)
        if filled:
            names = ", ".join(f"{k}={v}" for k, v in filled.items())
            click.echo(f"(placeholders used for variables without a value: {names})", err=True)
        sys.exit(EXIT_INVALID)
    click.echo(render(result.graph, fmt))
