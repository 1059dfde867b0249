"""`gkeplan init [DIR]`: a starter spec, its schema for editors and a .gitignore in DIR; the
CI workflow and a pre-commit config (merged into one that exists) at the repository's root;
the project, region and email from flags or gcloud's configuration."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gkeplan.cli.common import EXIT_INVALID


@click.command()
@click.argument("directory", metavar="[DIR]", default=".", type=click.Path(file_okay=False))
@click.option("--project", metavar="ID", help="GCP project (default: gcloud's core/project).")
@click.option("--project-id", "project_id", metavar="ID", hidden=True)  # the old spelling
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
    directory: str,
    project: str | None,
    project_id: str | None,
    region: str | None,
    email: str | None,
    force: bool,
) -> None:
    """Write a starter spec (the Stable Diffusion example) into DIR, and its CI workflow and
    pre-commit config at the root of the git repository holding DIR."""
    from gkeplan.init import (
        GITIGNORE_LINE,
        GITIGNORE_PATH,
        PRE_COMMIT_PATH,
        SPEC_NAME,
        WORKFLOW_PATH,
        Answers,
        files,
        tag,
    )
    from gkeplan.init.gcloud import read_defaults
    from gkeplan.init.placement import merged_gitignore, merged_pre_commit, place, shown
    from gkeplan.spec.names import project_id as project_problem

    if project_id is not None:
        click.echo("Warning: --project-id is now spelled --project (as everywhere)", err=True)
        project = project or project_id
    found = read_defaults()
    project = project or found.project
    if not project:
        raise click.BadParameter(
            "no project id: pass --project, or set one with `gcloud config set project ID`",
            param_hint="--project",
        )
    problem = project_problem(project)
    if problem:
        raise click.BadParameter(problem, param_hint="--project")
    answers = Answers(
        project,
        region or found.region or "us-central1",
        email or found.account or "you@example.com",
    )
    where = place(Path(directory))
    contents = files(answers, where.spec_path(SPEC_NAME))
    # path -> new text; the pre-commit config and .gitignore are merged into what exists
    out: dict[Path, str] = {}
    kept: list[Path] = []
    for rel, text in contents.items():
        base = where.root if rel in (WORKFLOW_PATH, PRE_COMMIT_PATH) else where.directory
        out[base / rel] = text
    pre_commit = where.root / PRE_COMMIT_PATH
    # merged even with --force: the other hooks there are the team's, not init's to drop
    if pre_commit.exists():
        merged = merged_pre_commit(
            pre_commit.read_text(encoding="utf-8"), out[pre_commit], shown(pre_commit)
        )
        if merged is None:
            kept.append(pre_commit)
            del out[pre_commit]
        else:
            out[pre_commit] = merged
    existing = [p for p in out if p.exists() and p != pre_commit]
    if existing and not force:
        click.echo(
            f"Error: {', '.join(shown(p) for p in existing)} already exist(s); "
            "nothing was written (--force overwrites)",
            err=True,
        )
        sys.exit(EXIT_INVALID)
    gitignore = where.directory / GITIGNORE_PATH
    ignore = merged_gitignore(
        gitignore.read_text(encoding="utf-8") if gitignore.exists() else None, GITIGNORE_LINE
    )
    if ignore is not None:
        out[gitignore] = ignore
    for path, text in out.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {shown(path)}")
    for path in kept:
        click.echo(f"kept {shown(path)} (it runs gkeplan's hooks already)")
    spec = shown(where.directory / SPEC_NAME)
    if not where.in_git:
        click.echo(
            f"\n{shown(where.directory)} is in no git repository: GitHub and pre-commit read "
            f"{WORKFLOW_PATH} and {PRE_COMMIT_PATH} at the repository's root; move them there "
            "(and SPEC in the workflow with them)."
        )
    click.echo(
        f"\nProject {answers.project}, region {answers.region}, impersonation allowed for "
        f"{answers.email}.\nNext:\n"
        f"  gkeplan validate {spec}\n"
        f"  gkeplan plan {spec} --sandbox     # against the built-in emulator first\n"
        f"  gkeplan apply {spec}\n"
        f"Fill in the lines marked FILL IN: the repository you host gkeplan in (tag {tag()} "
        f"there) in {PRE_COMMIT_PATH} and {WORKFLOW_PATH}, and the state bucket in {spec}."
    )
