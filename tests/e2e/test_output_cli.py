"""`gkeplan output SPEC --var ...` reads the spec's own state backend, as `state list SPEC`
does: a spec whose state is in GCS has its outputs found there."""

from __future__ import annotations

from .cli_sandbox import User, server, use_gcs_state, user

__all__ = ["server", "user"]

VARS = ("--var", "PROJECT_ID=demo-project")


def _gcs_spec(user: User) -> None:
    use_gcs_state(user)
    applied = user.run("apply", str(user.spec), *VARS, "--auto-approve", state=False)
    assert applied.exit_code == 0, applied.output


def test_output_spec_reads_the_specs_gcs_state(user: User) -> None:
    _gcs_spec(user)
    listing = user.run("output", str(user.spec), *VARS, state=False)
    assert listing.exit_code == 0, listing.output
    assert "bucket.models.url = gs://demo-project-models" in listing.output.splitlines()
    one = user.run("output", str(user.spec), "bucket.models.url", *VARS, state=False)
    assert one.exit_code == 0, one.output
    assert one.output == "gs://demo-project-models\n"
    # without SPEC there is no gcs backend to read: the default local state, which is empty
    bare = user.run("output", "bucket.models.url", state=False)
    assert bare.exit_code == 1
    assert "there is no state yet" in bare.output


def test_output_takes_at_most_spec_and_name(user: User) -> None:
    result = user.run("output", str(user.spec), "a.b.c", "d.e.f", state=False)
    assert result.exit_code == 2
    assert "expected at most SPEC and NAME, got 3 words" in result.output
    missing = user.run("output", "nothere.yaml", *VARS, state=False)
    assert missing.exit_code == 2 and "no such file: nothere.yaml" in missing.output
