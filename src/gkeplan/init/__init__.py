"""`gkeplan init`: the files a new project starts from, rendered from the shipped example.

The templates next to this module are copies of `examples/stable-diffusion.yaml` and
`examples/ci/github-actions.yml` (a test keeps them equal), so what `init` writes is what
the README and the tests exercise.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from gkeplan import catalog
from gkeplan.errors import UsageError

SPEC_NAME = "gkeplan.yaml"
SCHEMA_NAME = "gkeplan.schema.json"
WORKFLOW_PATH = ".github/workflows/gkeplan.yml"
PRE_COMMIT_PATH = ".pre-commit-config.yaml"
# The example's machine type; the zone chosen must offer it.
_MACHINE = "n2-standard-4"

PRE_COMMIT = """\
# gkeplan validates every *gkeplan.yaml on commit (pre-commit.com).
repos:
  # >>> FILL IN: where you host gkeplan (a clone of its repository) and a tag or commit of it.
  - repo: https://github.com/YOUR-ORG/gkeplan
    rev: v0.1.0
    hooks:
      - id: gkeplan-validate
"""


@dataclass(frozen=True)
class Answers:
    project: str
    region: str
    email: str


def _template(name: str) -> str:
    return resources.files("gkeplan.init").joinpath(name).read_text(encoding="utf-8")


def zone_for(region: str) -> str:
    regions = catalog.regions()
    if region not in regions:
        near = catalog.closest(region, regions)
        hint = f"; did you mean {near[0]}?" if near else ""
        raise UsageError(f"unknown region {region!r}{hint}", hint="--region")
    mt = catalog.machine_type(_MACHINE)
    # the catalog offers machine types per region; its zone list is a (dated) hint
    zones = list(regions[region]) if mt is None or region in mt.regions else []
    if not zones:
        raise UsageError(f"no zone of {region} offers {_MACHINE}", hint="--region")
    return sorted(zones)[0]


def render_spec(answers: Answers) -> str:
    """The example with the project id, region (and a zone of it) and email filled in."""
    text = _template("stable-diffusion.yaml")
    zone = zone_for(answers.region)
    replacements = [
        (
            "# yaml-language-server: $schema=../spec/gkeplan.schema.json",
            f"# yaml-language-server: $schema={SCHEMA_NAME}",
        ),
        (
            "    description: GCP project to deploy into\n",
            f"    description: GCP project to deploy into\n    default: {answers.project}\n",
        ),
        ("    default: you@example.com\n", f"    default: {answers.email}\n"),
        ("region: us-central1\n", f"region: {answers.region}\n"),
        ("    location: us-central1-c\n", f"    location: {zone}\n"),
        ("    location: us-central1\n", f"    location: {answers.region}\n"),
    ]
    for old, new in replacements:
        if old not in text:
            raise AssertionError(f"the init template no longer contains {old!r}")
        text = text.replace(old, new, 1)
    return text


def render_workflow() -> str:
    text = _template("github-actions.yml")
    return text.replace("infra/stable-diffusion.yaml", SPEC_NAME).replace(
        'paths: ["infra/**"]', f'paths: ["{SPEC_NAME}"]'
    )


def render_schema() -> str:
    from gkeplan.validation.schema import render

    return render()


def files(answers: Answers) -> dict[str, str]:
    """Relative path -> content, in the order they are reported."""
    return {
        SPEC_NAME: render_spec(answers),
        SCHEMA_NAME: render_schema(),
        PRE_COMMIT_PATH: PRE_COMMIT,
        WORKFLOW_PATH: render_workflow(),
    }
