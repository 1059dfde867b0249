"""Faults, lost responses, IAM propagation and kill -9: apply still converges, never twice."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from gkeplan_emulator import Emulator, EmulatorConfig, FaultRule

from .conftest import EXAMPLE, Harness, apply_command


def _assert_exactly_once(emu: Emulator) -> None:
    conn = emu.clients()
    emails = sorted(a.email for a in conn.iam().list_service_accounts(name="projects/demo-project"))
    assert emails == [
        "gke-admin@demo-project.iam.gserviceaccount.com",
        "gke-node@demo-project.iam.gserviceaccount.com",
    ]
    clusters = conn.container().list_clusters(parent="projects/demo-project/locations/-").clusters
    assert [(c.name, [p.name for p in c.node_pools]) for c in clusters] == [
        ("sd-cluster", ["sd-node-pool"])
    ]
    assert [b.name for b in conn.storage().list_buckets()] == ["demo-project-models"]
    policy = conn.projects().get_iam_policy(request={"resource": "projects/demo-project"})
    for binding in policy.bindings:
        assert len(binding.members) == len(set(binding.members))


@pytest.mark.parametrize("kind,status", [("status", 503), ("status", 429), ("lost_response", 503)])
def test_injected_faults_still_converge(tmp_path: Path, kind: str, status: int) -> None:
    rules = (FaultRule("*", kind=kind, status=status, probability=0.3),)
    with Emulator(EmulatorConfig(faults=rules, seed=7)) as emu:
        h = Harness(emu, tmp_path)
        spec = h.spec()
        for _ in range(3):  # a change whose retries ran out is finished by the next apply
            if h.apply(spec).ok:
                break
        emu.backend.faults.set_rules([])
        assert not h.plan(spec).has_changes
        _assert_exactly_once(emu)
        injected = [e for e in emu.requests if e.status == status]
        assert injected, "the fault rule never fired"


def test_stale_etag_on_a_service_account_policy_over_grpc_is_reread_not_resent(
    tmp_path: Path,
) -> None:
    """IAM's setIamPolicy answers ABORTED to a write whose etag is stale; gkeplan reads the
    policy again and merges, as for the project (REST), instead of resending the same write."""
    rules = (FaultRule("iam.setIamPolicy", kind="status", status=409, count=3),)
    with Emulator(EmulatorConfig(faults=rules)) as emu:
        h = Harness(emu, tmp_path)
        # One service account policy to write (gke-node's), so its calls are the log's story.
        text = EXAMPLE.read_text().replace('    impersonators: ["user:${USER_EMAIL}"]\n', "")
        spec = h.spec(text.replace("    createAs: gke-admin\n", ""))
        result = h.apply(spec)
        assert result.ok, result.walk.errors
        policy_calls = ("iam.getIamPolicy", "iam.setIamPolicy")
        calls = [(e.method, e.status) for e in emu.requests if e.method in policy_calls]
        refused = [i for i, c in enumerate(calls) if c == ("iam.setIamPolicy", 409)]
        assert len(refused) == 3, "the fault never fired; the test proves nothing"
        for i in refused:  # each refusal is followed by a fresh read, never the same write
            assert calls[i + 1][0] == "iam.getIamPolicy"
        assert not h.plan(spec).has_changes
        _assert_exactly_once(emu)


def test_iam_propagation_delay_is_absorbed_by_retries(tmp_path: Path) -> None:
    config = EmulatorConfig(propagation_delay_s=0.6, sa_propagation_delay_s=0.3)
    with Emulator(config) as emu:
        h = Harness(emu, tmp_path)
        spec = h.spec()
        result = h.apply(spec)
        assert result.ok, result.walk.errors
        denied = [e for e in emu.requests if e.status in (400, 403)]
        assert denied, "nothing had to wait for propagation; the test proves nothing"
        assert not h.plan(spec).has_changes


def test_kill_9_at_random_points_then_rerun_converges(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text())
    state = tmp_path / "state.json"
    config = EmulatorConfig(
        call_latency_s=0.01,
        operation_s={
            "createCluster": 0.6,
            "deleteCluster": 0.2,
            "createNodePool": 0.3,
            "deleteNodePool": 0.2,
            "updateCluster": 0.1,
            "updateNodePool": 0.1,
        },
    )
    env = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}
    rng = random.Random(2026)
    with Emulator(config) as emu:
        for _ in range(3):
            proc = subprocess.Popen(
                apply_command(emu.endpoints.http, spec, state, "--parallelism", "4"),
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(rng.uniform(0.6, 1.8))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        final = subprocess.run(
            apply_command(emu.endpoints.http, spec, state, "--parallelism", "4"),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert final.returncode == 0, final.stdout + final.stderr
        h = Harness(emu, tmp_path)
        assert not h.plan(h.spec()).has_changes
        _assert_exactly_once(emu)


def test_failed_cluster_operation_is_replaced_by_the_next_apply(tmp_path: Path) -> None:
    rules = (FaultRule("container.createCluster", kind="operation_error", count=1),)
    with Emulator(EmulatorConfig(faults=rules)) as emu:
        h = Harness(emu, tmp_path)
        spec = h.spec()
        first = h.apply(spec)
        assert not first.ok
        assert "does not have enough resources" in str(first.walk.errors["cluster.sd-cluster"])
        plan = h.plan(spec)
        cluster = next(c for c in plan.changes if c.address == "cluster.sd-cluster")
        assert cluster.action.value == "replace"
        assert cluster.reason is not None and cluster.reason.startswith("GKE reports it in ERROR")
        assert h.apply(spec).ok
        assert not h.plan(spec).has_changes
        _assert_exactly_once(emu)


def test_ctrl_c_finishes_calls_in_flight_records_them_and_exits(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(EXAMPLE.read_text())
    state = tmp_path / "state.json"
    config = EmulatorConfig(
        operation_s={
            "createCluster": 1.5,
            "createNodePool": 0.5,
            "deleteCluster": 0.2,
            "deleteNodePool": 0.2,
        }
    )
    env = {**os.environ, "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true"}
    with Emulator(config) as emu:
        proc = subprocess.Popen(
            apply_command(emu.endpoints.http, spec, state, "--parallelism", "4"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert proc.stdout is not None
        for line in proc.stdout:  # interrupt while the cluster is being created
            if "cluster.sd-cluster: create started" in line:
                proc.send_signal(signal.SIGINT)
                break
        rest = proc.stdout.read()
        proc.stdout.close()
        assert proc.wait(timeout=60) == 130
        assert "Interrupted: finishing the calls in flight" in rest
        assert "cluster.sd-cluster: create done" in rest  # the call in flight was finished
        from gkeplan.state.local import LocalStateStore

        doc = LocalStateStore(state).read()
        assert doc is not None
        assert doc.resources["cluster.sd-cluster"].status == "ok"
        # never started, but journaled by the cluster's create, whose request made it
        assert doc.resources["nodePool.sd-cluster.sd-node-pool"].status == "pending-create"
        final = subprocess.run(
            apply_command(emu.endpoints.http, spec, state, "--parallelism", "4"),
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert final.returncode == 0, final.stdout + final.stderr
        _assert_exactly_once(emu)
