"""`environments:` and --env NAME through the CLI against `gkeplan sandbox serve`: each
environment's variables and state, its name in the plan header and the state, a state of one
environment refused for another, and --env's mistakes at the flag or file:line:col."""

from __future__ import annotations

from pathlib import Path

from .cli_sandbox import User, server, user

__all__ = ["server", "user"]

SPEC = """\
version: 1
project: ${PROJECT_ID}
region: us-central1
variables:
  PROJECT_ID:
    description: GCP project
  SUFFIX:
    default: base
environments:
  dev:
    default: true
    variables: {PROJECT_ID: demo-project, SUFFIX: dev}
  prod:
    variables: {PROJECT_ID: demo-project, SUFFIX: prod}
buckets:
  models:
    name: ${PROJECT_ID}-models-${SUFFIX}
    location: us-central1
    forceDestroy: true
"""


def _write(user: User, text: str = SPEC) -> str:
    return str(user.write(text))


def test_each_environment_has_its_own_variables_state_and_header(user: User) -> None:
    spec = _write(user)
    prod = user.run("apply", spec, "--env", "prod", "--auto-approve", state=False)
    assert prod.exit_code == 0, prod.output
    assert prod.output.startswith("Environment: prod (project demo-project, state ")
    assert 'name = "demo-project-models-prod"' in prod.output
    dev = user.run("apply", spec, "--auto-approve", state=False)  # dev is the default
    assert dev.exit_code == 0, dev.output
    assert "Environment: dev" in dev.output and "demo-project-models-dev" in dev.output
    out = user.run("output", spec, "--env", "prod", state=False)
    assert out.output.strip() == "bucket.models.url = gs://demo-project-models-prod"
    # --var beats the environment's value
    plan = user.run("plan", spec, "--env", "prod", "--var", "SUFFIX=x", state=False)
    assert '"demo-project-models-prod" -> "demo-project-models-x"' in plan.output
    assert "--env prod" in plan.output  # the command it suggests keeps the environment


def test_a_state_of_one_environment_is_refused_for_another(user: User, tmp_path: Path) -> None:
    spec = _write(user)
    assert user.run("apply", spec, "--env", "prod", "--auto-approve").exit_code == 0
    other = user.run("plan", spec, "--env", "dev")
    assert other.exit_code == 1
    assert "was written for environment prod, and this run is for --env dev" in other.output


def test_an_unknown_env_names_the_declared_ones(user: User) -> None:
    spec = _write(user)
    res = user.run("validate", spec, "--env", "prd", state=False, endpoint=False)
    assert res.exit_code == 1
    assert "--env prd: no such environment; the spec declares dev, prod" in res.output
    assert "did you mean --env prod?" in res.output


def test_without_a_default_env_is_required_and_a_bad_block_is_located(user: User) -> None:
    spec = _write(user, SPEC.replace("    default: true\n", ""))
    res = user.run("validate", spec, state=False, endpoint=False)
    assert "the spec declares environments dev, prod: give --env NAME" in res.output
    bad = SPEC.replace("    variables: {PROJECT_ID: demo-project, SUFFIX: prod}", "    projct: x")
    res = user.run(
        "validate",
        _write(user, bad),
        "--env",
        "prod",
        "--var",
        "PROJECT_ID=p",
        state=False,
        endpoint=False,
    )
    assert res.exit_code == 1
    assert "spec.yaml:14:5: error: environments.prod.projct" in res.output


def test_the_plan_json_markdown_and_saved_plan_name_the_environment(user: User) -> None:
    import json

    spec = _write(user)
    as_json = user.run("plan", spec, "--env", "prod", "--format", "json", state=False)
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["environment"] == "prod"
    markdown = user.run("plan", spec, "--env", "prod", "--format", "markdown", state=False)
    assert markdown.stdout.startswith(
        "### gkeplan plan for `demo-project` (environment `prod`): 1 to add"
    ), markdown.stdout
    saved = user.tmp / "prod.plan.json"
    made = user.run("plan", spec, "--env", "prod", "--out", str(saved), state=False)
    assert made.exit_code == 0, made.output
    shown = user.run("show", str(saved), state=False, endpoint=False)
    assert shown.output.startswith("Environment: prod (project demo-project)\n"), shown.output
    assert json.loads(saved.read_text())["environment"] == "prod"
    applied = user.run("apply", spec, "--env", "prod", "--plan", str(saved), state=False)
    assert applied.exit_code == 0, applied.output
