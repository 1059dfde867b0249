"""Resource Manager, IAM admin (gRPC) and IAM Credentials through Google's own clients."""

from __future__ import annotations

import pytest
from google.api_core import exceptions as gexc
from google.auth import impersonated_credentials

from gkeplan.gcp.connection import Connection
from gkeplan_emulator import Emulator

P = "demo-project"


def test_project_policy_has_the_applier_as_owner(conn: Connection) -> None:
    project = conn.projects().get_project(name=f"projects/{P}")
    assert project.project_id == P
    policy = conn.projects().get_iam_policy(request={"resource": f"projects/{P}"})
    assert [(b.role, list(b.members)) for b in policy.bindings] == [
        ("roles/owner", ["user:you@example.com"])
    ]


def test_stale_etag_is_aborted(conn: Connection) -> None:
    client = conn.projects()
    first = client.get_iam_policy(request={"resource": f"projects/{P}"})
    first.bindings.add(role="roles/viewer", members=["user:a@example.com"])
    client.set_iam_policy(request={"resource": f"projects/{P}", "policy": first})
    first.bindings.add(role="roles/viewer", members=["user:b@example.com"])
    with pytest.raises(gexc.Conflict, match="There were concurrent policy changes"):
        client.set_iam_policy(request={"resource": f"projects/{P}", "policy": first})


def test_the_second_of_two_writers_from_one_read_is_refused_then_lands(
    conn: Connection,
) -> None:
    client = conn.projects()
    first = client.get_iam_policy(request={"resource": f"projects/{P}"})
    second = client.get_iam_policy(request={"resource": f"projects/{P}"})
    assert first.etag == second.etag
    first.bindings.add(role="roles/viewer", members=["user:u1@example.com"])
    client.set_iam_policy(request={"resource": f"projects/{P}", "policy": first})
    second.bindings.add(role="roles/viewer", members=["user:u2@example.com"])
    with pytest.raises(gexc.Conflict):  # over REST the 409 ABORTED arrives as Conflict
        client.set_iam_policy(request={"resource": f"projects/{P}", "policy": second})
    again = client.get_iam_policy(request={"resource": f"projects/{P}"})  # read, merge, write
    again.bindings.add(role="roles/viewer", members=["user:u2@example.com"])
    client.set_iam_policy(request={"resource": f"projects/{P}", "policy": again})
    pol = client.get_iam_policy(request={"resource": f"projects/{P}"})
    members = {m for b in pol.bindings if b.role == "roles/viewer" for m in b.members}
    assert members == {"user:u1@example.com", "user:u2@example.com"}


def test_service_account_lifecycle(conn: Connection) -> None:
    iam = conn.iam()
    sa = iam.create_service_account(
        request={
            "name": f"projects/{P}",
            "account_id": "gke-node",
            "service_account": {"display_name": "nodes"},
        }
    )
    assert sa.email == f"gke-node@{P}.iam.gserviceaccount.com"
    assert len(sa.unique_id) == 21 and sa.unique_id.isdigit()
    with pytest.raises(gexc.AlreadyExists, match="Service account gke-node already exists"):
        iam.create_service_account(request={"name": f"projects/{P}", "account_id": "gke-node"})
    assert [a.email for a in iam.list_service_accounts(name=f"projects/{P}")] == [sa.email]
    iam.delete_service_account(name=sa.name)
    with pytest.raises(gexc.NotFound):
        iam.get_service_account(name=sa.name)


def test_permission_denied_names_the_permission(emulator: Emulator) -> None:
    stranger = emulator.clients(emulator.credentials_for("user:stranger@example.com"))
    with pytest.raises(gexc.PermissionDenied) as info:
        stranger.iam().create_service_account(
            request={"name": f"projects/{P}", "account_id": "sneaky-one"}
        )
    assert "Permission 'iam.serviceAccounts.create' denied on resource" in str(info.value)


def test_unauthenticated_calls_are_refused(emulator: Emulator) -> None:
    import requests

    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        resp = requests.get(
            f"{emulator.endpoints.http}/v3/projects/{P}", headers=headers, timeout=5
        )
        assert resp.status_code == 401
        assert resp.json()["error"]["status"] == "UNAUTHENTICATED"


def test_impersonation_mints_a_token_for_the_account(emulator: Emulator, conn: Connection) -> None:
    iam = conn.iam()
    sa = iam.create_service_account(request={"name": f"projects/{P}", "account_id": "gke-admin"})
    creds = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
        source_credentials=emulator.credentials_for("user:dev@example.com"),
        target_principal=sa.email,
        target_scopes=["https://www.googleapis.com/auth/cloud-platform"],
        iam_endpoint_override=f"{emulator.endpoints.http}/v1/projects/-/serviceAccounts/"
        f"{sa.email}:generateAccessToken",
    )
    as_sa = emulator.clients(creds)
    with pytest.raises(Exception, match="getAccessToken"):
        as_sa.projects().get_project(name=f"projects/{P}")
    pol = iam.get_iam_policy(request={"resource": sa.name})
    pol.bindings.add(role="roles/iam.serviceAccountTokenCreator", members=["user:dev@example.com"])
    iam.set_iam_policy(request={"resource": sa.name, "policy": pol})
    # The account has no role on the project yet: the call is made as the account and denied.
    with pytest.raises(gexc.Forbidden, match=r"resourcemanager\.projects\.get"):
        as_sa.projects().get_project(name=f"projects/{P}")


def test_grants_take_effect_after_the_propagation_delay() -> None:
    from gkeplan_emulator import EmulatorConfig, ManualClock

    clock = ManualClock()
    with Emulator(EmulatorConfig(propagation_delay_s=60), clock=clock) as emu:
        owner = emu.clients()
        pol = owner.projects().get_iam_policy(request={"resource": f"projects/{P}"})
        pol.bindings.add(role="roles/viewer", members=["user:late@example.com"])
        owner.projects().set_iam_policy(request={"resource": f"projects/{P}", "policy": pol})
        late = emu.clients(emu.credentials_for("user:late@example.com"))
        with pytest.raises(gexc.Forbidden):
            late.projects().get_project(name=f"projects/{P}")
        clock.advance(61)
        assert late.projects().get_project(name=f"projects/{P}").project_id == P


def test_injected_fault_then_success(emulator: Emulator, conn: Connection) -> None:
    from gkeplan_emulator import FaultRule

    emulator.backend.faults.set_rules([FaultRule("iam.listServiceAccounts", status=503, count=1)])
    with pytest.raises(gexc.ServiceUnavailable):
        list(conn.iam().list_service_accounts(request={"name": f"projects/{P}"}, retry=None))
    assert list(conn.iam().list_service_accounts(name=f"projects/{P}")) == []
