"""Resource Manager v3 over REST through resourcemanager_v3.ProjectsClient(transport="rest")."""

from __future__ import annotations

import base64
import threading

import pytest
import requests
from google.api_core import exceptions as gexc
from google.iam.v1 import policy_pb2

from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock
from gkeplan_emulator.clientfactory import ClientFactory

from .errors import error_info

P = "demo-project"
RES = f"projects/{P}"


def test_get_project_by_id_and_by_number(clients: ClientFactory) -> None:
    by_id = clients.projects().get_project(name=RES)
    by_number = clients.projects().get_project(name=by_id.name)
    assert by_id.project_id == by_number.project_id == P
    assert by_id.state.name == "ACTIVE"


def test_unknown_project_is_denied_not_missing(clients: ClientFactory) -> None:
    with pytest.raises(gexc.Forbidden) as info:
        clients.projects().get_project(name="projects/no-such-project")
    assert (
        "Permission 'resourcemanager.projects.get' denied on resource "
        "'//cloudresourcemanager.googleapis.com/projects/no-such-project' (or it may not exist)."
    ) in info.value.message
    assert error_info(info.value)["reason"] == "IAM_PERMISSION_DENIED"


def test_stranger_is_denied_with_the_permission_and_reason(emulator: Emulator) -> None:
    stranger = emulator.clients(emulator.credentials_for("user:stranger@example.com")).projects()
    with pytest.raises(gexc.Forbidden) as got:
        stranger.get_project(name=RES)
    with pytest.raises(gexc.Forbidden) as sett:
        stranger.set_iam_policy(request={"resource": RES, "policy": policy_pb2.Policy()})
    for info, permission in (
        (got, "resourcemanager.projects.get"),
        (sett, "resourcemanager.projects.setIamPolicy"),
    ):
        assert info.value.message.endswith(
            f"Permission '{permission}' denied on resource "
            f"'//cloudresourcemanager.googleapis.com/{RES}' (or it may not exist)."
        )
        assert error_info(info.value)["reason"] == "IAM_PERMISSION_DENIED"
        assert error_info(info.value)["domain"] == "iam.googleapis.com"
        assert error_info(info.value)["metadata"]["permission"] == permission


def test_viewer_reads_the_policy_but_cannot_set_it(emulator: Emulator) -> None:
    owner = emulator.clients().projects()
    policy = owner.get_iam_policy(request={"resource": RES})
    policy.bindings.add(role="roles/viewer", members=["user:v@example.com"])
    owner.set_iam_policy(request={"resource": RES, "policy": policy})
    viewer = emulator.clients(emulator.credentials_for("user:v@example.com")).projects()
    seen = viewer.get_iam_policy(request={"resource": RES})
    with pytest.raises(gexc.Forbidden) as info:
        viewer.set_iam_policy(request={"resource": RES, "policy": seen})
    assert "Permission 'resourcemanager.projects.setIamPolicy' denied" in info.value.message


def test_applier_is_owner_and_etag_is_canonical_base64(emulator: Emulator) -> None:
    token = emulator.issue_token(emulator.config.applier)
    resp = requests.post(
        f"{emulator.endpoints.http}/v3/{RES}:getIamPolicy",
        json={},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    body = resp.json()
    assert body["bindings"] == [{"role": "roles/owner", "members": [emulator.config.applier]}]
    etag = body["etag"]
    assert base64.b64encode(base64.b64decode(etag, validate=True)).decode() == etag


def test_version_3_policy_with_a_condition_round_trips(clients: ClientFactory) -> None:
    client = clients.projects()
    policy = client.get_iam_policy(
        request={"resource": RES, "options": {"requested_policy_version": 3}}
    )
    policy.version = 3
    policy.bindings.add(
        role="roles/viewer",
        members=["user:temp@example.com"],
        condition={
            "title": "until 2030",
            "expression": 'request.time < timestamp("2030-01-01T00:00:00Z")',
        },
    )
    stored = client.set_iam_policy(request={"resource": RES, "policy": policy})
    assert stored.version == 3
    assert stored.etag != policy.etag
    got = client.get_iam_policy(
        request={"resource": RES, "options": {"requested_policy_version": 3}}
    )
    conditional = [b for b in got.bindings if b.role == "roles/viewer"]
    assert conditional[0].condition.title == "until 2030"
    assert list(conditional[0].members) == ["user:temp@example.com"]
    assert got.etag == stored.etag


def test_a_condition_needs_policy_version_3(clients: ClientFactory) -> None:
    client = clients.projects()
    policy = client.get_iam_policy(request={"resource": RES})
    policy.bindings.add(
        role="roles/viewer",
        members=["user:x@example.com"],
        condition={"title": "t", "expression": "true"},
    )
    with pytest.raises(gexc.BadRequest, match="policies with conditions must use policy version 3"):
        client.set_iam_policy(request={"resource": RES, "policy": policy})


def test_stale_etag_is_409_aborted(clients: ClientFactory) -> None:
    client = clients.projects()
    first = client.get_iam_policy(request={"resource": RES})
    first.bindings.add(role="roles/viewer", members=["user:a@example.com"])
    client.set_iam_policy(request={"resource": RES, "policy": first})
    first.bindings.add(role="roles/viewer", members=["user:b@example.com"])
    with pytest.raises(gexc.Conflict) as info:  # REST: the class follows HTTP 409
        client.set_iam_policy(request={"resource": RES, "policy": first})
    assert "There were concurrent policy changes" in info.value.message
    assert info.value.response.json()["error"]["status"] == "ABORTED"


def test_two_racing_writers_both_land_only_through_etag_retry(emulator: Emulator) -> None:
    barrier = threading.Barrier(2)
    conflicts: list[str] = []

    def add(member: str) -> None:
        client = emulator.clients(emulator.credentials_for(emulator.config.applier)).projects()
        first = True
        while True:
            policy = client.get_iam_policy(request={"resource": RES})
            if first:  # both read the same etag before either writes
                barrier.wait(timeout=10)
                first = False
            policy.bindings.add(role="roles/viewer", members=[member])
            try:
                client.set_iam_policy(request={"resource": RES, "policy": policy})
                return
            except gexc.Conflict:
                conflicts.append(member)

    threads = [threading.Thread(target=add, args=(f"user:r{i}@example.com",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    final = emulator.clients().projects().get_iam_policy(request={"resource": RES})
    viewers = {m for b in final.bindings if b.role == "roles/viewer" for m in b.members}
    assert viewers == {"user:r0@example.com", "user:r1@example.com"}
    assert len(conflicts) >= 1  # one writer lost the race and had to re-read


def test_test_iam_permissions_returns_the_held_subset(emulator: Emulator) -> None:
    asked = ["resourcemanager.projects.get", "resourcemanager.projects.setIamPolicy"]
    owner = emulator.clients().projects()
    held = owner.test_iam_permissions(request={"resource": RES, "permissions": asked})
    assert list(held.permissions) == asked
    stranger = emulator.clients(emulator.credentials_for("user:s@example.com")).projects()
    assert (
        list(
            stranger.test_iam_permissions(
                request={"resource": RES, "permissions": asked}
            ).permissions
        )
        == []
    )


def test_grant_counts_only_after_the_propagation_delay() -> None:
    clock = ManualClock()
    with Emulator(EmulatorConfig(propagation_delay_s=60), clock=clock) as emu:
        owner = emu.clients().projects()
        policy = owner.get_iam_policy(request={"resource": RES})
        policy.bindings.add(role="roles/viewer", members=["user:late@example.com"])
        owner.set_iam_policy(request={"resource": RES, "policy": policy})
        late = emu.clients(emu.credentials_for("user:late@example.com")).projects()
        clock.advance(59)
        with pytest.raises(gexc.Forbidden):
            late.get_project(name=RES)
        clock.advance(1)
        assert late.get_project(name=RES).project_id == P


def test_with_zero_delay_a_grant_counts_at_once(emulator: Emulator) -> None:
    owner = emulator.clients().projects()
    policy = owner.get_iam_policy(request={"resource": RES})
    policy.bindings.add(role="roles/viewer", members=["user:now@example.com"])
    owner.set_iam_policy(request={"resource": RES, "policy": policy})
    now = emulator.clients(emulator.credentials_for("user:now@example.com")).projects()
    assert now.get_project(name=RES).project_id == P


def test_a_time_bound_condition_grants_until_its_timestamp() -> None:
    clock = ManualClock(1_800_000_000.0)  # 2027-01-15T08:00:00Z
    with Emulator(EmulatorConfig(), clock=clock) as emu:
        owner = emu.clients().projects()
        policy = owner.get_iam_policy(request={"resource": RES})
        policy.version = 3
        policy.bindings.add(
            role="roles/viewer",
            members=["user:contractor@example.com"],
            condition={
                "title": "until 08:10",
                "expression": 'request.time < timestamp("2027-01-15T08:10:00Z")',
            },
        )
        owner.set_iam_policy(request={"resource": RES, "policy": policy})
        contractor = emu.clients(emu.credentials_for("user:contractor@example.com")).projects()
        assert contractor.get_project(name=RES).project_id == P
        clock.advance(600)
        with pytest.raises(gexc.Forbidden):
            contractor.get_project(name=RES)


def test_a_condition_the_emulator_cannot_evaluate_grants_nothing() -> None:
    with Emulator(EmulatorConfig()) as emu:
        owner = emu.clients().projects()
        policy = owner.get_iam_policy(request={"resource": RES})
        policy.version = 3
        policy.bindings.add(
            role="roles/viewer",
            members=["user:tagged@example.com"],
            condition={"title": "by tag", "expression": 'resource.matchTag("env", "dev")'},
        )
        owner.set_iam_policy(request={"resource": RES, "policy": policy})
        tagged = emu.clients(emu.credentials_for("user:tagged@example.com")).projects()
        with pytest.raises(gexc.Forbidden):
            tagged.get_project(name=RES)
