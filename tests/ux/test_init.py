"""`gkeplan init`: a starter spec that validates, from flags or gcloud's configuration."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from click.testing import CliRunner

from gkeplan.cli import cli

from .helpers import EXAMPLE, EXAMPLES, ROOT

TEMPLATES = ROOT / "src" / "gkeplan" / "init"


def test_templates_are_the_examples() -> None:
    assert (TEMPLATES / "stable-diffusion.yaml").read_text() == EXAMPLE.read_text()
    workflow = (EXAMPLES / "ci" / "github-actions.yml").read_text()
    assert (TEMPLATES / "github-actions.yml").read_text() == workflow


def test_init_from_flags_writes_a_spec_that_validates(tmp_path: Path) -> None:
    env = {"CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud")}
    result = CliRunner().invoke(
        cli,
        [
            "init",
            str(tmp_path),
            "--project",
            "my-ml-proj",
            "--region",
            "europe-west4",
            "--email",
            "ana@example.org",
        ],
        env=env,
    )
    assert result.exit_code == 0, result.output
    spec = (tmp_path / "gkeplan.yaml").read_text()
    assert spec.startswith("# yaml-language-server: $schema=gkeplan.schema.json\n")
    data = yaml.safe_load(spec)
    assert data["variables"]["PROJECT_ID"]["default"] == "my-ml-proj"
    assert data["variables"]["USER_EMAIL"]["default"] == "ana@example.org"
    assert data["region"] == "europe-west4"
    assert data["clusters"]["sd-cluster"]["location"].startswith("europe-west4-")
    assert (tmp_path / "gkeplan.schema.json").exists()
    hook = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    assert hook["repos"][0]["hooks"][0]["id"] == "gkeplan-validate"
    workflow = (tmp_path / ".github" / "workflows" / "gkeplan.yml").read_text()
    assert "SPEC: gkeplan.yaml" in workflow and "FILL IN" in workflow
    # no --var needed: the project is the variable's default now
    valid = CliRunner().invoke(cli, ["validate", str(tmp_path / "gkeplan.yaml")], env=env)
    assert valid.exit_code == 0, valid.output
    again = CliRunner().invoke(cli, ["init", str(tmp_path), "--project", "my-ml-proj"], env=env)
    assert again.exit_code == 1
    assert "already exist" in again.output and "nothing was written" in again.output


def test_init_reads_gcloud_configuration(tmp_path: Path) -> None:
    config = tmp_path / "gcloud"
    (config / "configurations").mkdir(parents=True)
    (config / "active_config").write_text("work\n")
    (config / "configurations" / "config_work").write_text(
        "[core]\nproject = from-gcloud-1\naccount = dev@example.com\n[compute]\nregion = us-east1\n"
    )
    out = tmp_path / "infra"
    result = CliRunner().invoke(cli, ["init", str(out)], env={"CLOUDSDK_CONFIG": str(config)})
    assert result.exit_code == 0, result.output
    data = yaml.safe_load((out / "gkeplan.yaml").read_text())
    assert data["variables"]["PROJECT_ID"]["default"] == "from-gcloud-1"
    assert data["variables"]["USER_EMAIL"]["default"] == "dev@example.com"
    assert data["region"] == "us-east1"


def test_init_without_a_project_says_how_to_give_one(tmp_path: Path) -> None:
    env = {"CLOUDSDK_CONFIG": str(tmp_path / "none"), "CLOUDSDK_CORE_PROJECT": ""}
    result = CliRunner().invoke(cli, ["init", str(tmp_path)], env=env)
    assert result.exit_code == 2
    assert "pass --project" in result.output
    bad = CliRunner().invoke(cli, ["init", str(tmp_path), "--project", "x"], env=env)
    assert bad.exit_code == 2 and "not a valid project id" in bad.output
    region = CliRunner().invoke(
        cli,
        ["init", str(tmp_path), "--project", "my-ml-proj", "--region", "us-central"],
        env=env,
    )
    assert region.exit_code == 2 and "did you mean" in region.output


def _git_repo(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    return path


def _hook_files(hook_id: str, paths: list[str]) -> list[str]:
    """The files pre-commit passes the hook: `files` and `exclude` of .pre-commit-hooks.yaml
    searched in each path, as pre-commit's filename filter does (re.search)."""
    (hook,) = [
        h
        for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
        if h["id"] == hook_id
    ]
    return [
        p
        for p in paths
        if re.search(hook["files"], p) and not re.search(hook.get("exclude", "^$"), p)
    ]


def test_init_in_a_subdirectory_writes_the_ci_files_at_the_repository_root(
    tmp_path: Path,
) -> None:
    repo = _git_repo(tmp_path / "project")
    env = {"CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud")}
    result = CliRunner().invoke(
        cli, ["init", str(repo / "infra"), "--project", "my-ml-proj"], env=env
    )
    assert result.exit_code == 0, result.output
    files = (p.relative_to(repo).as_posix() for p in repo.rglob("*") if p.is_file())
    written = sorted(f for f in files if not f.startswith(".git/"))
    assert written == [
        ".github/workflows/gkeplan.yml",
        ".pre-commit-config.yaml",
        "infra/.gitignore",
        "infra/gkeplan.schema.json",
        "infra/gkeplan.yaml",
    ]
    assert (repo / "infra" / ".gitignore").read_text().splitlines()[-1] == ".gkeplan/"
    workflow = yaml.safe_load((repo / ".github" / "workflows" / "gkeplan.yml").read_text())
    assert workflow["env"]["SPEC"] == "infra/gkeplan.yaml"
    # PyYAML reads the key `on` as True (YAML 1.1)
    assert workflow[True]["pull_request"]["paths"] == ["infra/gkeplan.yaml"]
    version = CliRunner().invoke(cli, ["--version"]).output.split()[-1]
    assert workflow["env"]["GKEPLAN_PACKAGE"].endswith(f"@v{version}")
    config = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["rev"] == f"v{version}"
    assert [h["id"] for h in config["repos"][0]["hooks"]] == ["gkeplan-validate", "gkeplan-fmt"]
    # the hooks it configures take the spec and leave the workflow alone
    for hook_id in ("gkeplan-validate", "gkeplan-fmt"):
        assert _hook_files(hook_id, written) == ["infra/gkeplan.yaml"], hook_id
    # the written workflow passes actionlint (a dev dependency, its binary beside Python)
    actionlint = Path(sys.executable).with_name("actionlint")
    linted = subprocess.run(
        [str(actionlint), "-no-color", ".github/workflows/gkeplan.yml"],
        cwd=repo,
        capture_output=True,
        text=True,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr
    spec = repo / "infra" / "gkeplan.yaml"
    formatted = CliRunner().invoke(cli, ["fmt", "--check", str(spec)], env=env)
    assert formatted.exit_code == 0, formatted.output
    # the gcs state block, uncommented, is a state the spec accepts
    text = spec.read_text()
    assert "#   bucket: my-ml-proj-gkeplan-state\n" in text
    spec.write_text(
        re.sub(r"^# (state:|  (?:backend|bucket|prefix): .*)$", r"\1", text, flags=re.M)
    )
    data = yaml.safe_load(spec.read_text())
    assert data["state"] == {
        "backend": "gcs",
        "bucket": "my-ml-proj-gkeplan-state",
        "prefix": "gkeplan",
    }
    valid = CliRunner().invoke(cli, ["validate", str(spec)], env=env)
    assert valid.exit_code == 0, valid.output


def test_init_merges_its_hooks_into_an_existing_pre_commit_config(tmp_path: Path) -> None:
    repo = _git_repo(tmp_path / "project")
    mine = (
        "# the team's hooks\n"
        "repos:\n"
        "  - repo: https://github.com/pre-commit/pre-commit-hooks\n"
        "    rev: v5.0.0  # pinned\n"
        "    hooks:\n"
        "      - id: check-yaml\n"
    )
    (repo / ".pre-commit-config.yaml").write_text(mine)
    (repo / "infra").mkdir()
    (repo / "infra" / ".gitignore").write_text("*.tfplan")
    env = {"CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud")}
    args = ["init", str(repo / "infra"), "--project", "my-ml-proj"]
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    merged = (repo / ".pre-commit-config.yaml").read_text()
    assert merged.startswith(mine)  # its comments and layout kept, ours appended
    assert merged[len(mine) :].startswith("  # >>> FILL IN: where you host gkeplan")
    ids = [h["id"] for r in yaml.safe_load(merged)["repos"] for h in r["hooks"]]
    assert ids == ["check-yaml", "gkeplan-validate", "gkeplan-fmt"]
    assert (repo / "infra" / ".gitignore").read_text() == "*.tfplan\n.gkeplan/\n"
    # a second init (--force for the spec) adds neither the hooks nor the line again
    again = CliRunner().invoke(cli, [*args, "--force"], env=env)
    assert again.exit_code == 0, again.output
    assert (repo / ".pre-commit-config.yaml").read_text() == merged
    assert (repo / "infra" / ".gitignore").read_text() == "*.tfplan\n.gkeplan/\n"


def test_init_project_id_is_an_alias_of_project_with_a_warning(tmp_path: Path) -> None:
    env = {"CLOUDSDK_CONFIG": str(tmp_path / "no-gcloud")}
    result = CliRunner().invoke(cli, ["init", str(tmp_path), "--project-id", "my-ml-proj"], env=env)
    assert result.exit_code == 0, result.output
    assert "Warning: --project-id is now spelled --project" in result.stderr
    data = yaml.safe_load((tmp_path / "gkeplan.yaml").read_text())
    assert data["variables"]["PROJECT_ID"]["default"] == "my-ml-proj"
