"""Lock and state writes whose responses are lost, against `gkeplan sandbox serve`: a run never
takes its own lock or its own write for someone else's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from .test_remote_state import Server
from .test_remote_state import server as server


@pytest.fixture(scope="module")
def _server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server for the module; no two runs here need to overlap, so operations are short."""
    s = Server(tmp_path_factory.mktemp("sandbox"), operation_seconds=0.05)
    yield s
    s.close()


OTHERS = ("is locked by", "written by someone else")


def _faults(server: Server, *rules: dict[str, Any]) -> None:
    # seed 0: the draws of a server just started, whatever the module's earlier tests drew
    body = {"rules": list(rules), "seed": 0}
    posted = requests.post(f"{server.http}/_emulator/faults", json=body, timeout=5)
    assert posted.status_code == 200


def _lost(server: Server, method: str) -> int:
    log = requests.get(f"{server.http}/_emulator/requests", timeout=5).json()["requests"]
    return sum(1 for e in log if e["method"] == method and e["status"] == 503)


def _lost_rule(method: str, **extra: Any) -> dict[str, Any]:
    return {"method": method, "kind": "lost_response", "status": 503, **extra}


def _plan_is_clean(server: Server) -> None:
    again = server.run(
        server.cmd(
            "plan", str(server.spec), "--var", "PROJECT_ID=demo-project", "--detailed-exitcode"
        )
    )
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_lost_response_while_taking_the_lock_is_recognised_as_our_lock(server: Server) -> None:
    _faults(server, _lost_rule("storage.objects.insert", count=1))  # the first insert: the lock
    done = server.run(server.apply())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Apply complete!" in done.stdout
    assert _lost(server, "storage.objects.insert") == 1, "the fault never fired"
    _plan_is_clean(server)  # the lock was released: a later run is not blocked


@pytest.mark.parametrize("skip", [1, 4])
def test_a_lost_response_on_a_state_write_is_recognised_as_our_write(
    server: Server, skip: int
) -> None:
    # skip=1: the very first state write (on generation 0); skip=4: one in the middle.
    _faults(server, _lost_rule("storage.objects.insert", count=1, skip=skip))
    done = server.run(server.apply())
    assert done.returncode == 0, done.stdout + done.stderr
    assert not any(text in done.stdout + done.stderr for text in OTHERS)
    assert _lost(server, "storage.objects.insert") == 1, "the fault never fired"
    versions = server.versions()
    serials = [v.serial for v in versions]
    assert serials == sorted(set(serials)), "a write was repeated or lost"
    assert all(r.status == "ok" for r in versions[-1].resources.values())
    _plan_is_clean(server)


def test_a_lost_response_on_releasing_the_lock_leaves_no_lock(server: Server) -> None:
    _faults(server, _lost_rule("storage.objects.delete", count=1))
    assert server.run(server.apply()).returncode == 0
    assert _lost(server, "storage.objects.delete") == 1, "the fault never fired"
    _plan_is_clean(server)


def test_a_real_conflict_is_still_reported_as_one(server: Server) -> None:
    # Someone else's write is not recognised as ours: the object changes, the metadata differs.
    assert server.run(server.apply()).returncode == 0
    store_before = server.versions()[-1]
    rule = {"method": "storage.objects.insert", "kind": "status", "status": 412, "count": 1}
    _faults(server, {**rule, "skip": 1})
    server.spec.write_text(server.spec.read_text().replace("GKE Node Service Account", "Nodes"))
    refused = server.run(server.apply())
    assert refused.returncode == 1
    assert "written by someone else" in refused.stdout + refused.stderr
    assert server.versions()[-1].serial == store_before.serial


@pytest.mark.parametrize(
    "trials", [pytest.param(1, id="one-trial"), pytest.param(8, id="eight", marks=pytest.mark.slow)]
)
def test_campaign_twenty_percent_lost_lock_and_state_writes(server: Server, trials: int) -> None:
    """`trials` trials (8 in `make test-slow`, 1 in `make test`) of apply then destroy, each on
    its own state, with 20% of lock and state writes (and lock releases) losing their
    response: every run completes in one run."""
    if trials == 1:
        # One trial makes too few writes for 20% draws to be sure to fire (how many state writes
        # a run makes varies with its parallel completions): the same kinds of loss, counted, on
        # the second and sixth insert (a lock or a state write) and the first delete (a release).
        _faults(
            server,
            _lost_rule("storage.objects.insert", count=1, skip=1),
            _lost_rule("storage.objects.insert", count=1, skip=5),
            _lost_rule("storage.objects.delete", count=1),
        )
    else:
        _faults(
            server,
            _lost_rule("storage.objects.insert", probability=0.2),
            _lost_rule("storage.objects.delete", probability=0.2),
        )
    # Each trial's destroy must remove the bucket: a kept one is outside the next trial's state.
    server.spec.write_text(server.spec.read_text().replace("    keepOnDestroy: true\n", ""))
    outcomes = []
    for trial in range(trials):
        state = f"gs://demo-project-tfstate/trial-{trial}"
        for verb in ("apply", "destroy"):
            argv = [
                *server.cmd(
                    verb, str(server.spec), "--var", "PROJECT_ID=demo-project", "--auto-approve"
                )[:-2],
                "--state",
                state,
            ]
            result = server.run(argv)
            out = result.stdout + result.stderr
            outcomes.append((trial, verb, result.returncode))
            assert result.returncode == 0, f"trial {trial} {verb}:\n{out}"
            assert not any(text in out for text in OTHERS), out
    lost = _lost(server, "storage.objects.insert") + _lost(server, "storage.objects.delete")
    floor = 3 if trials == 1 else 2 * trials
    assert lost >= floor, f"only {lost} lost responses: the campaign proves little"
    print(f"campaign: {lost} lost responses over {len(outcomes)} runs, all completed")
    assert len(outcomes) == 2 * trials
