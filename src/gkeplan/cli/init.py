"""`gkeplan init [DIR]`: a starter spec, its schema for editors, a pre-commit config and the
CI workflow, with the project, region and email from flags or gcloud's configuration."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gkeplan.cli.common import EXIT_INVALID


@click.command()
@click.argument("directory", metavar="[DIR]", default=".", type=click.Path(file_okay=False))
@click.option("--project-id", metavar="ID", help="GCP project (default: gcloud's core/project).")
@click.option(
    "--region",
    metavar="REGION",
    help="Region (default: gcloud's compute/region, else us-central1).",
)
@click.option(
    "--email",
    metavar="EMAIL",
    help="Your Google account, allowed to impersonate gke-admin (default: gcloud's account).",
)
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def init(
    directory: str, project_id: str | None, region: str | None, email: str | None, force: bool
) -> None:
    """Write a starter spec (the Stable Diffusion example) and its CI set-up into DIR."""
    from gkeplan.init import Answers, files
    from gkeplan.init.gcloud import read_defaults
    from gkeplan.spec.names import project_id as project_problem

    found = read_defaults()
    project = project_id or found.project
    if not project:
        raise click.BadParameter(
            "no project id: pass --project-id, or set one with `gcloud config set project ID`",
            param_hint="--project-id",
        )
    problem = project_problem(project)
    if problem:
        raise click.BadParameter(problem, param_hint="--project-id")
    answers = Answers(
        project,
        region or found.region or "us-central1",
        email or found.account or "you@example.com",
    )
    root = Path(directory)
    contents = files(answers)
    existing = [p for p in contents if (root / p).exists()]
    if existing and not force:
        click.echo(
            f"Error: {', '.join(str(root / p) for p in existing)} already exist(s); "
            "nothing was written (--force overwrites)",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    for rel, text in contents.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path}")
    spec = root / "gkeplan.yaml"
    click.echo(
        f"\nProject {answers.project}, region {answers.region}, impersonation allowed for "
        f"{answers.email}.\nNext:\n"
        f"  gkeplan validate {spec}\n"
        f"  gkeplan plan {spec} --sandbox     # against the built-in emulator first\n"
        f"  gkeplan apply {spec}\n"
        "Fill in the lines marked FILL IN in .pre-commit-config.yaml and "
        ".github/workflows/gkeplan.yml."
    )
