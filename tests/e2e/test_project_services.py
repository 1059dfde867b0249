"""`services:` (issue 24): the APIs a spec enables, before what calls them; never disabled unless
the entry says so; and the sandbox refusing an API that is off the way GCP does."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.api_core import exceptions as gexc
from google.cloud import storage  # type: ignore[attr-defined,unused-ignore]

from gkeplan.cli import cli
from gkeplan.gcp.sandbox import connection_for
from gkeplan.plan.model import Action
from gkeplan.run.preflight import ServicesDisabled
from gkeplan_emulator import Emulator, EmulatorConfig

from .conftest import Harness
from .test_network import HEAD

STORAGE = "storage.googleapis.com"
BUCKET = "buckets:\n  b:\n    name: ${PROJECT_ID}-b\n"


def _state_of(emu: Emulator, api: str) -> str:
    client = connection_for(emu).service_usage()
    got = client.get_service(request={"name": f"projects/demo-project/services/{api}"})
    return str(got.state.name)


def test_a_call_to_an_api_that_is_off_is_refused_as_gcp_refuses_it() -> None:
    with Emulator(EmulatorConfig(disabled_services=frozenset({STORAGE}))) as emu:
        client = connection_for(emu).storage()
        with pytest.raises(gexc.Forbidden) as err:
            client.create_bucket("demo-project-x")
        # GCP's text (google-gemini/gemini-cli#1343; GoogleCloudPlatform/community#884)
        message = str(err.value)
        assert "Cloud Storage API has not been used in project" in message
        assert (
            "before or it is disabled. Enable it by visiting https://console.developers" in message
        )
        assert f"/apis/api/{STORAGE}/overview?project=" in message


def test_a_spec_that_enables_the_api_it_needs_is_not_stopped_and_enables_it_first(
    tmp_path: Path,
) -> None:
    with Emulator(EmulatorConfig(disabled_services=frozenset({STORAGE}))) as emu:
        h = Harness(emu, tmp_path)
        # without the service the run stops with the enable line, as before
        with pytest.raises(ServicesDisabled, match=r"storage\.googleapis\.com is not enabled"):
            h.plan(h.spec(HEAD + BUCKET))
        spec = h.spec(HEAD + f"services: [{STORAGE}]\n" + BUCKET)
        plan = h.plan(spec)
        actions = {c.address: c.action for c in plan.changes}
        assert actions == {f"projectService.{STORAGE}": Action.CREATE, "bucket.b": Action.CREATE}
        before = len(emu.requests)
        h.apply(spec)
        methods = [e.method for e in emu.requests[before:]]
        enable = methods.index("serviceusage.services.enable")
        assert enable < methods.index("storage.buckets.insert")
        assert _state_of(emu, STORAGE) == "ENABLED"
        assert not h.plan(spec).has_changes


def test_an_enabled_api_is_taken_over_as_it_is_and_leaving_the_spec_never_disables_it(
    tmp_path: Path,
) -> None:
    with Emulator(EmulatorConfig()) as emu:
        h = Harness(emu, tmp_path)
        spec = h.spec(HEAD + f"services: [{STORAGE}, compute.googleapis.com]\n")
        plan = h.plan(spec)
        # enabling an enabled API changes nothing: adopted, never refused as outside gkeplan's
        assert {c.action for c in plan.changes} == {Action.ADOPT}
        assert not any(c.refused for c in plan.changes)
        h.apply(spec)
        assert not h.plan(spec).has_changes
        before = len(emu.requests)
        h.apply(h.spec(HEAD + "services: [compute.googleapis.com]\n"))
        methods = [e.method for e in emu.requests[before:]]
        assert "serviceusage.services.disable" not in methods
        assert _state_of(emu, STORAGE) == "ENABLED"


def test_disable_on_destroy_disables_it_on_destroy(tmp_path: Path) -> None:
    with Emulator(EmulatorConfig(disabled_services=frozenset({STORAGE}))) as emu:
        h = Harness(emu, tmp_path)
        spec = h.spec(HEAD + f"services:\n  - {{name: {STORAGE}, disableOnDestroy: true}}\n")
        h.apply(spec)
        assert _state_of(emu, STORAGE) == "ENABLED"
        h.apply(spec, destroy=True)
        assert _state_of(emu, STORAGE) == "DISABLED"


@pytest.mark.parametrize(
    ("entry", "line", "message"),
    [
        ("[container.googleapis.com, container.googleapis.com]", 7, "listed twice"),
        ("[not an api]", 7, "is not an API's service name"),
    ],
)
def test_a_wrong_entry_is_named_at_its_line(
    tmp_path: Path, entry: str, line: int, message: str
) -> None:
    from click.testing import CliRunner

    spec = tmp_path / "spec.yaml"
    spec.write_text(HEAD + f"services: {entry}\n")
    got = CliRunner().invoke(cli, ["validate", str(spec), "--var", "PROJECT_ID=demo-project"])
    assert got.exit_code == 1, got.output
    assert f"spec.yaml:{line}:" in got.output and message in got.output
    assert "Traceback" not in got.output


def test_the_python_client_sees_the_api_it_enabled(tmp_path: Path) -> None:
    """Through Google's own client: a bucket can be made once the spec's apply enabled it."""
    with Emulator(EmulatorConfig(disabled_services=frozenset({STORAGE}))) as emu:
        h = Harness(emu, tmp_path)
        h.apply(h.spec(HEAD + f"services: [{STORAGE}]\n"))
        client: storage.Client = connection_for(emu).storage()
        assert client.create_bucket("demo-project-after").name == "demo-project-after"


def test_an_api_that_was_on_before_is_never_disabled_even_with_disable_on_destroy(
    tmp_path: Path,
) -> None:
    """gkeplan took it over as it was found; no one adopted it, so it is not gkeplan's to turn
    off: destroy forgets it."""
    with Emulator(EmulatorConfig()) as emu:
        h = Harness(emu, tmp_path)
        spec = h.spec(HEAD + f"services:\n  - {{name: {STORAGE}, disableOnDestroy: true}}\n")
        assert {c.action for c in h.plan(spec).changes} == {Action.ADOPT}
        h.apply(spec)
        destroy = h.plan(spec, destroy=True)
        assert [c.action for c in destroy.changes] == [Action.FORGET]
        before = len(emu.requests)
        h.apply(spec, destroy=True)
        methods = [e.method for e in emu.requests[before:]]
        assert "serviceusage.services.disable" not in methods
        assert _state_of(emu, STORAGE) == "ENABLED"
