"""Fault injection per method name, seeded: latency, 429/500/503, and lost responses."""

from __future__ import annotations

import time

import pytest
import requests
from google.api_core import exceptions as gexc

from gkeplan_emulator import Emulator, EmulatorConfig, FaultRule
from gkeplan_emulator.clientfactory import ClientFactory
from gkeplan_emulator.faults import FaultInjector

P = "demo-project"
RES = f"projects/{P}"


@pytest.mark.parametrize(
    ("status", "exc"),
    [
        (429, gexc.TooManyRequests),
        (500, gexc.InternalServerError),
        (503, gexc.ServiceUnavailable),
    ],
)
def test_status_faults_over_rest(
    emulator: Emulator, clients: ClientFactory, status: int, exc: type[Exception]
) -> None:
    emulator.backend.faults.set_rules([FaultRule("resourcemanager.projects.get", status=status)])
    with pytest.raises(exc):
        clients.projects().get_project(name=RES, retry=None)
    # Other methods are untouched by a rule for one method.
    assert clients.projects().get_iam_policy(request={"resource": RES}).bindings


def test_status_fault_over_grpc_then_success(emulator: Emulator, clients: ClientFactory) -> None:
    emulator.backend.faults.set_rules([FaultRule("iam.list*", status=503, count=1)])
    iam = clients.iam_admin()
    with pytest.raises(gexc.ServiceUnavailable):
        list(iam.list_service_accounts(request={"name": RES}, retry=None))
    assert list(iam.list_service_accounts(request={"name": RES}, retry=None)) == []


def test_lost_response_commits_but_the_client_sees_an_error(
    emulator: Emulator, clients: ClientFactory
) -> None:
    emulator.backend.faults.set_rules(
        [FaultRule("iam.createServiceAccount", kind="lost_response", status=503, count=1)]
    )
    iam = clients.iam_admin()
    with pytest.raises(gexc.ServiceUnavailable):
        iam.create_service_account(request={"name": RES, "account_id": "half-made"}, retry=None)
    # A naive retry now collides with what the lost call created.
    with pytest.raises(gexc.AlreadyExists):
        iam.create_service_account(request={"name": RES, "account_id": "half-made"})
    email = f"half-made@{P}.iam.gserviceaccount.com"
    assert iam.get_service_account(name=f"{RES}/serviceAccounts/{email}").email == email


def test_lost_response_on_set_iam_policy_over_rest(
    emulator: Emulator, clients: ClientFactory
) -> None:
    emulator.backend.faults.set_rules(
        [FaultRule("resourcemanager.projects.setIamPolicy", kind="lost_response", status=500)]
    )
    projects = clients.projects()
    policy = projects.get_iam_policy(request={"resource": RES})
    policy.bindings.add(role="roles/viewer", members=["user:lost@example.com"])
    with pytest.raises(gexc.InternalServerError):
        projects.set_iam_policy(request={"resource": RES, "policy": policy})
    got = projects.get_iam_policy(request={"resource": RES})
    assert any("user:lost@example.com" in b.members for b in got.bindings)


def test_latency_is_added_to_matching_calls_only(
    emulator: Emulator, clients: ClientFactory
) -> None:
    emulator.backend.faults.set_rules(
        [FaultRule("resourcemanager.projects.get", kind="latency", latency_s=0.3)]
    )
    started = time.monotonic()
    clients.projects().get_project(name=RES)
    slow = time.monotonic() - started
    started = time.monotonic()
    clients.projects().get_iam_policy(request={"resource": RES})
    fast = time.monotonic() - started
    assert slow >= 0.3 > fast


def test_skip_and_count_bound_a_rule(emulator: Emulator, clients: ClientFactory) -> None:
    emulator.backend.faults.set_rules(
        [FaultRule("resourcemanager.projects.get", status=503, skip=1, count=1)]
    )
    outcomes = []
    for _ in range(3):
        try:
            clients.projects().get_project(name=RES, retry=None)
            outcomes.append("ok")
        except gexc.ServiceUnavailable:
            outcomes.append("503")
    assert outcomes == ["ok", "503", "ok"]


def _pattern(seed: int) -> list[bool]:
    faults = FaultInjector([FaultRule("x.*", status=503, probability=0.5)], seed)
    return [faults.decide("x.call").fail_before is not None for _ in range(40)]


def test_probabilistic_faults_are_reproducible_from_the_seed() -> None:
    assert _pattern(7) == _pattern(7)
    assert _pattern(7) != _pattern(8)
    assert 5 < sum(_pattern(7)) < 35


def test_faults_from_config_apply_from_the_start() -> None:
    config = EmulatorConfig(faults=(FaultRule("resourcemanager.projects.get", status=429),))
    with Emulator(config) as emu:
        with pytest.raises(gexc.TooManyRequests):
            emu.clients().projects().get_project(name=RES, retry=None)
        assert [(e.method, e.status) for e in emu.requests] == [
            ("resourcemanager.projects.get", 429)
        ]


def test_reset_restores_the_configured_faults() -> None:
    config = EmulatorConfig(faults=(FaultRule("iam.getRole", status=500),))
    with Emulator(config) as emu:
        emu.backend.faults.set_rules([])
        emu.reset()
        with pytest.raises(gexc.InternalServerError):
            emu.clients().iam_admin().get_role(request={"name": "roles/viewer"}, retry=None)


def _post_faults(emulator: Emulator, rules: object) -> requests.Response:
    return requests.post(f"{emulator.endpoints.http}/_emulator/faults", json={"rules": rules})


def test_admin_faults_refuse_an_unknown_key_naming_it(emulator: Emulator) -> None:
    resp = _post_faults(emulator, [{"method": "iam.getRole", "statuss": 500}])
    assert resp.status_code == 400
    assert resp.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert '"statuss"' in resp.json()["error"]["message"]
    assert emulator.backend.faults.rules == []


def test_admin_faults_refuse_a_method_no_route_or_rpc_has(emulator: Emulator) -> None:
    resp = _post_faults(emulator, [{"method": "storage.bucket.insert", "status": 503}])
    assert resp.status_code == 400
    assert '"storage.bucket.insert"' in resp.json()["error"]["message"]
    assert emulator.backend.faults.rules == []


def test_admin_faults_accept_rest_and_grpc_names_and_globs(emulator: Emulator) -> None:
    rules = [
        {"method": "storage.buckets.insert", "status": 403},
        {"method": "iam.createServiceAccount", "kind": "lost_response", "status": 500},
        {"method": "container.*", "kind": "latency", "latency_s": 0.0},
    ]
    resp = _post_faults(emulator, rules)
    assert resp.status_code == 200
    assert [r["method"] for r in resp.json()["rules"]] == [r["method"] for r in rules]
    with pytest.raises(gexc.Forbidden):  # a 403: storage's default retry would wait out a 503
        emulator.clients().storage().create_bucket("refused-by-fault")


def test_admin_faults_refuse_a_bad_value(emulator: Emulator) -> None:
    resp = _post_faults(emulator, [{"method": "iam.getRole", "status": "five hundred"}])
    assert resp.status_code == 400
    assert '"status"' in resp.json()["error"]["message"]


def test_admin_faults_with_a_seed_start_the_draws_again(emulator: Emulator) -> None:
    rules = [{"method": "iam.getRole", "status": 503, "probability": 0.5}]

    def pattern() -> list[bool]:
        faults = emulator.backend.faults
        return [faults.decide("iam.getRole").fail_before is not None for _ in range(40)]

    assert _post_faults_seeded(emulator, rules, 3).status_code == 200
    first = pattern()
    assert _post_faults_seeded(emulator, rules, 3).status_code == 200
    assert pattern() == first  # whatever was drawn in between
    assert _post_faults_seeded(emulator, rules, 4).status_code == 200
    assert pattern() != first
    assert _post_faults_seeded(emulator, rules, True).status_code == 400


def _post_faults_seeded(emulator: Emulator, rules: object, seed: object) -> requests.Response:
    return requests.post(
        f"{emulator.endpoints.http}/_emulator/faults", json={"rules": rules, "seed": seed}
    )
