from __future__ import annotations

from pathlib import Path

from gkeplan import load_spec

from .helpers import rendered

SPEC = """\
version: 1
project: ${PROJECT_ID}
region: us-central1
variables:
  PROJECT_ID: {description: the project}
  SUFFIX: {default: models}
buckets:
  models:
    name: ${PROJECT_ID}-${SUFFIX}
    labels: {note: $${literal}}
"""


def _load(tmp_path: Path, variables: dict[str, str], environ: dict[str, str]) -> object:
    path = tmp_path / "s.yaml"
    path.write_text(SPEC.replace("$${literal}", "x"))
    return load_spec(path, variables, environ=environ)


def test_precedence_var_then_env_then_default(tmp_path: Path) -> None:
    env = {"GKEPLAN_VAR_PROJECT_ID": "env-project", "GKEPLAN_VAR_SUFFIX": "env-suffix"}
    spec = _load(tmp_path, {"PROJECT_ID": "cli-project"}, env)
    assert spec.project == "cli-project"  # type: ignore[attr-defined]
    assert spec.buckets["models"].name == "cli-project-env-suffix"  # type: ignore[attr-defined]
    spec = _load(tmp_path, {}, {"GKEPLAN_VAR_PROJECT_ID": "env-project"})
    assert spec.buckets["models"].name == "env-project-models"  # type: ignore[attr-defined]


def test_missing_variable_names_every_use(tmp_path: Path) -> None:
    assert rendered(tmp_path, SPEC.replace("$${literal}", "x")) == [
        "2:10: project: variable 'PROJECT_ID' has no value; it is used at "
        f"{tmp_path / 'spec.yaml'}:2:10, {tmp_path / 'spec.yaml'}:9:11"
    ]


def test_escape_gives_a_literal(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        SPEC.replace("$${literal}", "'a$${b}'").replace("labels: {note:", "description_x: {note:")
    )
    text = SPEC.replace("    labels: {note: $${literal}}\n", "")
    text = text.replace("region: us-central1", "region: us-central1\nstate: {path: 'a$${b}'}")
    path.write_text(text)
    spec = load_spec(path, {"PROJECT_ID": "demo-project"}, environ={})
    assert spec.state.path == "a${b}"


def test_undeclared_variable_suggests_the_declared_one(tmp_path: Path) -> None:
    text = SPEC.replace("${PROJECT_ID}-", "${PROJECT_IDS}-").replace("$${literal}", "x")
    assert rendered(tmp_path, text, PROJECT_ID="demo-project") == [
        "9:11: buckets.models.name: undeclared variable 'PROJECT_IDS'"
    ]


def test_unknown_var_on_command_line(tmp_path: Path) -> None:
    text = SPEC.replace("$${literal}", "x")
    assert rendered(tmp_path, text, PROJECT_ID="demo-project", SUFIX="x") == [
        "4:1: variables: --var SUFIX: the spec declares no variable 'SUFIX'"
    ]
