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

GITIGNORE_PATH = ".gitignore"
# The local state, its lock and the sandbox's files (gkeplan.run.target): never committed.
GITIGNORE_LINE = ".gkeplan/"


def tag() -> str:
    """The tag of the gkeplan that runs init: what the written files pin (the README says to
    tag that commit in the clone you host)."""
    from gkeplan import __version__

    return f"v{__version__}"


def render_pre_commit() -> str:
    return f"""\
# gkeplan validates and checks the format of every *gkeplan.yaml on commit (pre-commit.com).
repos:
  # >>> FILL IN: where you host gkeplan (a clone of its repository, with the tag {tag()}).
  - repo: https://github.com/YOUR-ORG/gkeplan
    rev: {tag()}
    hooks:
      - id: gkeplan-validate
      - id: gkeplan-fmt
"""


@dataclass(frozen=True)
class Answers:
    project: str
    region: str
    email: str


def _template(name: str) -> str:
    return resources.files("gkeplan.init").joinpath(name).read_text(encoding="utf-8")


def _replaced(text: str, replacements: list[tuple[str, str]], template: str, count: int = 1) -> str:
    """The first `count` occurrences (-1: all) of each replaced; a template that lost one is
    a bug of gkeplan's."""
    for old, new in replacements:
        if old not in text:
            raise AssertionError(f"the init template {template} no longer contains {old!r}")
        text = text.replace(old, new, count)
    return text


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


def _state_block(answers: Answers) -> str:
    """The gcs state, commented out: the bucket must exist before a run can use it (and the
    sandbox, the first run, has none), so it is the person's step, named here. The gcloud
    commands' flags are those of `gcloud storage buckets create --help` / `update --help`
    (--location, --uniform-bucket-level-access, --versioning)."""
    bucket = f"{answers.project}-gkeplan-state"
    return (
        "# >>> FILL IN before CI: state in Cloud Storage, shared by every runner and you\n"
        "# (one apply at a time). Make a versioned bucket, then uncomment:\n"
        f"#   gcloud storage buckets create gs://{bucket} --location={answers.region} "
        "--uniform-bucket-level-access\n"
        f"#   gcloud storage buckets update gs://{bucket} --versioning\n"
        "# state:\n"
        "#   backend: gcs\n"
        f"#   bucket: {bucket}\n"
        "#   prefix: gkeplan\n"
    )


def render_spec(answers: Answers) -> str:
    """The example with the project id, region (and a zone of it) and email filled in, and
    the gcs state ready to fill."""
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
        ("region: us-central1\n", f"region: {answers.region}\n{_state_block(answers)}"),
        ("    location: us-central1-c\n", f"    location: {zone}\n"),
        ("    location: us-central1\n", f"    location: {answers.region}\n"),
    ]
    text = _replaced(text, replacements, "stable-diffusion.yaml")
    from gkeplan.validation.fmt import format_spec

    # in canonical form, so that the gkeplan-fmt hook it configures passes on it
    return format_spec(text, SPEC_NAME)


def render_workflow(spec: str) -> str:
    """The example workflow for the spec at `spec` (relative to the repository's root)."""
    text = _template("github-actions.yml")
    replacements = [
        ("SPEC: infra/stable-diffusion.yaml", f"SPEC: {spec}"),
        ('paths: ["infra/**"]', f'paths: ["{spec}"]'),
        ("gkeplan@v0.1.0", f"gkeplan@{tag()}"),
    ]
    return _replaced(text, replacements, "github-actions.yml", count=-1)


def render_schema() -> str:
    from gkeplan.validation.schema import render

    return render()


def files(answers: Answers, spec: str = SPEC_NAME) -> dict[str, str]:
    """Relative path -> content, in the order they are reported: the spec and its schema
    (for DIR), then the CI files (for the repository's root; `spec` is the spec's path from
    there)."""
    return {
        SPEC_NAME: render_spec(answers),
        SCHEMA_NAME: render_schema(),
        WORKFLOW_PATH: render_workflow(spec),
        PRE_COMMIT_PATH: render_pre_commit(),
    }
