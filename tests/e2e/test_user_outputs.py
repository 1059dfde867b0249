"""A spec's own `outputs:` through the CLI against `gkeplan sandbox serve`: shown by
`gkeplan output SPEC` next to the kinds' outputs after apply, sensitive ones masked except
with --raw / --json (as Terraform's `output`), a wrong reference refused at file:line:col."""

from __future__ import annotations

import json

from .cli_sandbox import User, server, user

__all__ = ["server", "user"]

SPEC = """\
version: 1
project: demo-project
region: us-central1
buckets:
  models:
    location: us-central1
    forceDestroy: true
outputs:
  models_bucket:
    value: bucket.models.name
    description: Where the model lives
  models_url:
    value: bucket.models.url
    sensitive: true
"""


def test_outputs_are_shown_after_apply_and_sensitive_ones_masked(user: User) -> None:
    spec = str(user.write(SPEC))
    assert user.run("apply", spec, "--auto-approve").exit_code == 0
    listed = user.run("output", spec).output.splitlines()
    assert "models_bucket = models" in listed
    assert "models_url = <sensitive>" in listed
    assert "bucket.models.url = gs://models" in listed
    assert user.run("output", spec, "models_url").output == "models_url = <sensitive>\n"
    raw = user.run("output", spec, "models_url", "--raw").output
    assert raw == "gs://models\n"
    shown = json.loads(user.run("output", spec, "--json").output)
    assert shown["models_url"] == "gs://models"


def test_an_output_naming_an_unknown_attribute_is_refused_where_it_is(user: User) -> None:
    spec = str(user.write(SPEC.replace("bucket.models.name", "bucket.models.nme")))
    res = user.run("validate", spec, state=False, endpoint=False)
    assert res.exit_code == 1
    assert "spec.yaml:10:12: error: outputs.models_bucket.value: bucket.models.nme: " in res.output
    assert "did you mean bucket.models.name?" in res.output
    spec = str(user.write(SPEC.replace("bucket.models.name", "bucket.modls.name")))
    res = user.run("validate", spec, state=False, endpoint=False)
    assert "bucket.modls is not a resource of this spec" in res.output
