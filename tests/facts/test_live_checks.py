"""Live quotas and the API-enablement preflight, through Google's client libraries against a
fake of Compute Engine and Service Usage at the HTTP seam (fake_google.py): the emulator does
not serve these two APIs yet."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import gkeplan
from gkeplan.errors import PolicyRefused
from gkeplan.gcp import quotas
from gkeplan.run import apply, plan
from gkeplan.run.preflight import ServicesDisabled, check_live_quotas, require_services
from gkeplan.validation.pipeline import validate

from .fake_google import FakeProject, serve
from .helpers import edit

N2_8 = edit("        machineType: e2-standard-2\n", "        machineType: n2-standard-8\n")


def _spec(text: str) -> gkeplan.Spec:
    return gkeplan.load_spec(text, {}, environ={})


def _target(tmp_path: Path) -> gkeplan.Target:
    return gkeplan.Target(sandbox=True, sandbox_dir=tmp_path / "sandbox")


def test_quotas_are_read_with_limit_and_usage() -> None:
    fake = FakeProject(
        regional={"us-central1": {"N2_CPUS": (8, 4)}}, global_={"CPUS_ALL_REGIONS": (12, 4)}
    )
    with serve(fake) as conn:
        live = quotas.read(conn, ["us-central1"])
    assert live[("us-central1", "N2_CPUS")] == quotas.Quota(8.0, 4.0)
    assert live[("us-central1", "N2_CPUS")].headroom == 4.0
    assert live[("", "CPUS_ALL_REGIONS")].headroom == 8.0
    assert fake.calls == [
        "/compute/v1/projects/demo-project",
        "/compute/v1/projects/demo-project/regions/us-central1",
    ]


def test_a_plan_is_checked_against_the_headroom_not_the_limit(tmp_path: Path) -> None:
    spec = _spec(N2_8 + "policy:\n  quotaProfile: default\n")
    state = str(tmp_path / "state.json")
    first = plan(spec, target=_target(tmp_path), state_path=state)
    # 8 N2 vCPUs fit the limit of 8, but 4 are in use by something else
    busy = FakeProject(regional={"us-central1": {"N2_CPUS": (8, 4)}})
    with serve(busy) as conn, pytest.raises(PolicyRefused) as refused:
        check_live_quotas(conn, spec, first)
    assert str(refused.value) == (
        "1 quota error(s) against the project's own quotas; first: [FT001] nodePool.c.p: "
        "creating nodePool.c.p needs 8 N2_CPUS in us-central1; the project has 4 left "
        "(quota 8, in use 4, read from GCP now): GKE refuses the create"
    )
    idle = FakeProject(regional={"us-central1": {"N2_CPUS": (8, 0)}})
    with serve(idle) as conn:
        assert check_live_quotas(conn, spec, first) == []
    # once the pool exists its own nodes are the usage: a plan without creates needs nothing
    assert apply(first, spec, target=_target(tmp_path), state_path=state).ok
    again = plan(spec, target=_target(tmp_path), state_path=state)
    full = FakeProject(regional={"us-central1": {"N2_CPUS": (8, 8)}})
    with serve(full) as conn:
        assert check_live_quotas(conn, spec, again) == []


def test_validate_with_live_quotas_judges_every_moment_against_whats_left(
    tmp_path: Path,
) -> None:
    busy = FakeProject(regional={"us-central1": {"N2_CPUS": (8, 4)}})
    with serve(busy) as conn:
        live = quotas.read(conn, ["us-central1"])
    path = tmp_path / "spec.yaml"
    path.write_text(N2_8 + "policy:\n  quotaProfile: live\n")
    facts = {"liveQuotas": {k: q.headroom for k, q in live.items()}}
    result = validate(path, {}, environ={}, facts=facts)
    assert result.policy is not None
    (row,) = [f for f in result.policy.findings if f.rule == "FT001"]
    assert row.severity.value == "error"
    assert row.message.endswith(
        "= 8 N2 vCPUs; quota N2_CPUS in us-central1 is 4: GKE refuses the create"
    )


def test_a_disabled_api_stops_the_run_with_the_command_to_enable_it() -> None:
    fake = FakeProject(disabled={"container.googleapis.com", "compute.googleapis.com"})
    with serve(fake) as conn, pytest.raises(ServicesDisabled) as stopped:
        require_services(conn, live_quotas=True)
    assert str(stopped.value) == (
        "container.googleapis.com, compute.googleapis.com are not enabled in project "
        "demo-project; enable them with: gcloud services enable container.googleapis.com "
        "compute.googleapis.com --project demo-project"
    )


def test_compute_is_required_only_when_live_quotas_are_read() -> None:
    fake = FakeProject(disabled={"compute.googleapis.com"})
    with serve(fake) as conn:
        require_services(conn, live_quotas=False)
        with pytest.raises(ServicesDisabled, match=r"compute\.googleapis\.com is not enabled"):
            require_services(conn, live_quotas=True)


def test_when_the_check_itself_is_refused_the_run_goes_on_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fake = FakeProject(service_usage_status=403)
    with serve(fake) as conn, caplog.at_level(logging.WARNING, "gkeplan.preflight"):
        require_services(conn)
    assert "could not check which APIs are enabled" in caplog.text


def test_plan_with_live_quotas_in_the_sandbox_refuses_what_does_not_fit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from gkeplan.cli import cli

    monkeypatch.chdir(tmp_path)  # --sandbox keeps its emulator in ./.gkeplan/sandbox: a fresh one

    spec = tmp_path / "spec.yaml"
    # three n2-standard-8 nodes: 24 vCPUs, over the sandbox's 8 N2 and 12 across regions
    spec.write_text(
        N2_8.replace("upgradeSettings", "initialNodeCount: 3\n        upgradeSettings")
        + "policy:\n  quotaProfile: live\n"
    )
    args = ["plan", str(spec), "--sandbox", "--state", str(tmp_path / "s.json")]
    result = CliRunner().invoke(cli, [*args, "--live-quotas"])
    assert result.exit_code == 1, result.output
    assert "3 quota error(s) against the project's own quotas" in result.output
    assert (
        "creating nodePool.c.p needs 24 CPUS_ALL_REGIONS across regions; the project has 12 left"
    ) in result.output
    assert CliRunner().invoke(cli, args).exit_code == 0  # without live quotas: a plan


def test_unreadable_quotas_warn_and_the_plan_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    spec = _spec(N2_8)
    first = plan(spec, target=_target(tmp_path), state_path=str(tmp_path / "state.json"))
    unknown_region = FakeProject(regional={})  # regions.get answers 404
    with serve(unknown_region) as conn, caplog.at_level(logging.WARNING, "gkeplan.preflight"):
        assert check_live_quotas(conn, spec, first) == []
    assert "could not read the project's quotas (404 " in caplog.text
