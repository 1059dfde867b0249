"""`gkeplan init`: a starter spec that validates, from flags or gcloud's configuration."""

from __future__ import annotations

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
            "--project-id",
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
    again = CliRunner().invoke(cli, ["init", str(tmp_path), "--project-id", "my-ml-proj"], env=env)
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
    assert "pass --project-id" in result.output
    bad = CliRunner().invoke(cli, ["init", str(tmp_path), "--project-id", "x"], env=env)
    assert bad.exit_code == 2 and "not a valid project id" in bad.output
    region = CliRunner().invoke(
        cli,
        ["init", str(tmp_path), "--project-id", "my-ml-proj", "--region", "us-central"],
        env=env,
    )
    assert region.exit_code == 2 and "did you mean" in region.output
