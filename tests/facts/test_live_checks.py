"""Live quotas and the API-enablement preflight, through Google's client libraries against the
emulator's Compute Engine (projects.get, regions.get) and Service Usage (services:batchGet): the
same one fake of Google the rest of the suite uses."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from google.cloud import container_v1 as gke

import gkeplan
from gkeplan.errors import PolicyRefused
from gkeplan.gcp import quotas
from gkeplan.gcp.sandbox import connection_for
from gkeplan.run import apply, plan
from gkeplan.run.preflight import ServicesDisabled, check_live_quotas, require_services
from gkeplan.validation.pipeline import validate
from gkeplan_emulator import Emulator, EmulatorConfig, FaultRule

from .helpers import edit

N2_8 = edit("        machineType: e2-standard-2\n", "        machineType: n2-standard-8\n")
ZONE = "projects/demo-project/locations/us-central1-c"


def _spec(text: str) -> gkeplan.Spec:
    return gkeplan.load_spec(text, {}, environ={})


def _target(tmp_path: Path) -> gkeplan.Target:
    return gkeplan.Target(sandbox=True, sandbox_dir=tmp_path / "sandbox")


def _busy(emu: Emulator, machine_type: str = "n2-standard-4", nodes: int = 1) -> None:
    """Something outside the spec already runs `nodes` nodes of `machine_type`."""
    emu.clients().container().create_cluster(
        parent=ZONE,
        cluster=gke.Cluster(
            name="other",
            node_pools=[
                gke.NodePool(
                    name="p",
                    initial_node_count=nodes,
                    config=gke.NodeConfig(machine_type=machine_type, disk_size_gb=50),
                )
            ],
            private_cluster_config=gke.PrivateClusterConfig(enable_private_nodes=True),
        ),
    )


def _quota_calls(emu: Emulator) -> list[str]:
    return [e.method for e in emu.requests if e.method.startswith("compute.")]


def test_quotas_are_read_with_limit_and_usage_in_two_calls() -> None:
    with Emulator(EmulatorConfig()) as emu:
        _busy(emu)  # 4 of the 8 N2 vCPUs in use, 4 of 12 across regions
        live = quotas.read(connection_for(emu), ["us-central1"])
        calls = _quota_calls(emu)
    assert live[("us-central1", "N2_CPUS")] == quotas.Quota(8.0, 4.0)
    assert live[("us-central1", "N2_CPUS")].headroom == 4.0
    assert live[("us-central1", "SSD_TOTAL_GB")] == quotas.Quota(250.0, 50.0)
    assert live[("", "CPUS_ALL_REGIONS")] == quotas.Quota(12.0, 4.0)
    assert live[("", "CPUS_ALL_REGIONS")].headroom == 8.0
    assert calls == ["compute.projects.get", "compute.regions.get"]


def test_a_plan_is_checked_against_the_headroom_not_the_limit(tmp_path: Path) -> None:
    spec = _spec(N2_8 + "policy:\n  quotaProfile: default\n")
    state = str(tmp_path / "state.json")
    first = plan(spec, target=_target(tmp_path), state_path=state)
    with Emulator(EmulatorConfig()) as emu:
        conn = connection_for(emu)
        assert check_live_quotas(conn, spec, first) == []  # 8 of 8 free: it fits
        _busy(emu)  # 8 N2 vCPUs fit the limit of 8, but 4 are in use by something else
        with pytest.raises(PolicyRefused) as refused:
            check_live_quotas(conn, spec, first)
    assert str(refused.value) == (
        "1 quota error(s) against the project's own quotas; first: [FT001] nodePool.c.p: "
        "creating nodePool.c.p needs 8 N2_CPUS in us-central1; the project has 4 left "
        "(quota 8, in use 4, read from GCP now): GKE refuses the create"
    )
    # once the pool exists its own nodes are the usage: a plan without creates needs nothing
    assert apply(first, spec, target=_target(tmp_path), state_path=state).ok
    again = plan(spec, target=_target(tmp_path), state_path=state)
    with Emulator(EmulatorConfig()) as emu:
        _busy(emu, "n2-standard-8")  # all 8 in use
        assert check_live_quotas(connection_for(emu), spec, again) == []


def test_validate_with_live_quotas_judges_every_moment_against_whats_left(
    tmp_path: Path,
) -> None:
    with Emulator(EmulatorConfig()) as emu:
        _busy(emu)
        live = quotas.read(connection_for(emu), ["us-central1"])
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
    off = frozenset({"container.googleapis.com", "compute.googleapis.com"})
    with (
        Emulator(EmulatorConfig(disabled_services=off)) as emu,
        pytest.raises(ServicesDisabled) as stopped,
    ):
        require_services(connection_for(emu), live_quotas=True)
    assert str(stopped.value) == (
        "container.googleapis.com, compute.googleapis.com are not enabled in project "
        "demo-project; enable them with: gcloud services enable container.googleapis.com "
        "compute.googleapis.com --project demo-project"
    )
    config = EmulatorConfig(disabled_services=frozenset({"container.googleapis.com"}))
    with Emulator(config) as emu, pytest.raises(ServicesDisabled) as one:
        require_services(connection_for(emu))
    assert str(one.value) == (
        "container.googleapis.com is not enabled in project demo-project; enable it with: "
        "gcloud services enable container.googleapis.com --project demo-project"
    )
    with Emulator(EmulatorConfig()) as emu:
        require_services(connection_for(emu), live_quotas=True)  # all enabled: no error


def test_compute_is_required_only_when_live_quotas_are_read() -> None:
    config = EmulatorConfig(disabled_services=frozenset({"compute.googleapis.com"}))
    with Emulator(config) as emu:
        conn = connection_for(emu)
        require_services(conn, live_quotas=False)
        with pytest.raises(ServicesDisabled, match=r"compute\.googleapis\.com is not enabled"):
            require_services(conn, live_quotas=True)


def test_when_the_check_itself_is_refused_the_run_goes_on_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # the caller may not read Service Usage: batchGet answers 403
    denied = FaultRule("serviceusage.services.batchGet", status=403)
    with (
        Emulator(EmulatorConfig(faults=(denied,))) as emu,
        caplog.at_level(logging.WARNING, "gkeplan.preflight"),
    ):
        require_services(connection_for(emu))
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
    unreadable = FaultRule("compute.regions.get", status=404)
    with (
        Emulator(EmulatorConfig(faults=(unreadable,))) as emu,
        caplog.at_level(logging.WARNING, "gkeplan.preflight"),
    ):
        assert check_live_quotas(connection_for(emu), spec, first) == []
    assert "could not read the project's quotas (404 " in caplog.text
