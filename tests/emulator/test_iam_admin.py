"""IAM admin v1 over gRPC through iam_admin_v1.IAMClient (it has no REST transport), with the
caller's bearer token carried over local channel credentials."""

from __future__ import annotations

import re

import pytest
from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials
from google.cloud.iam_admin_v1 import types

from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock
from gkeplan_emulator.clientfactory import ClientFactory

P = "demo-project"


def _create(clients: ClientFactory, account_id: str) -> types.ServiceAccount:
    sa: types.ServiceAccount = clients.iam_admin().create_service_account(
        request={
            "name": f"projects/{P}",
            "account_id": account_id,
            "service_account": {"display_name": "Nodes", "description": "runs nodes"},
        }
    )
    return sa


def test_create_get_list_delete(clients: ClientFactory) -> None:
    iam = clients.iam_admin()
    sa = _create(clients, "gke-nodes")
    email = f"gke-nodes@{P}.iam.gserviceaccount.com"
    assert sa.email == email
    assert sa.name == f"projects/{P}/serviceAccounts/{email}"
    assert sa.project_id == P
    assert len(sa.unique_id) == 21 and sa.unique_id.isdigit()
    assert (sa.display_name, sa.description) == ("Nodes", "runs nodes")
    assert iam.get_service_account(name=sa.name) == sa
    by_id = iam.get_service_account(name=f"projects/{P}/serviceAccounts/{sa.unique_id}")
    assert by_id.email == email
    other = _create(clients, "gke-admin")
    assert [a.email for a in iam.list_service_accounts(name=f"projects/{P}")] == [
        other.email,
        email,
    ]
    iam.delete_service_account(name=sa.name)
    with pytest.raises(gexc.NotFound, match=f"Service account {email} does not exist."):
        iam.get_service_account(name=sa.name)
    with pytest.raises(gexc.NotFound):
        iam.delete_service_account(name=sa.name)


def test_list_pages_through_every_account(clients: ClientFactory) -> None:
    for i in range(7):
        _create(clients, f"paged-{i:02d}")
    pager = clients.iam_admin().list_service_accounts(
        request={"name": f"projects/{P}", "page_size": 3}
    )
    assert [a.email.split("@")[0] for a in pager] == [f"paged-{i:02d}" for i in range(7)]


def test_duplicate_account_is_already_exists(clients: ClientFactory) -> None:
    _create(clients, "twice-made")
    with pytest.raises(gexc.AlreadyExists) as info:
        _create(clients, "twice-made")
    assert info.value.message == (
        f"Service account twice-made already exists within project projects/{P}."
    )


@pytest.mark.parametrize(
    ("account_id", "message"),
    [
        ("short", 'The account ID "short" does not have a length between 6 and 30.'),
        ("a" * 31, f'The account ID "{"a" * 31}" does not have a length between 6 and 30.'),
        ("Upper-case", r"Upper-case does not match [a-zA-Z][a-zA-Z\d\-]*[a-zA-Z\d]."),
        ("ends-with-", r"ends-with- does not match [a-zA-Z][a-zA-Z\d\-]*[a-zA-Z\d]."),
        ("9starts-digit", r"9starts-digit does not match [a-zA-Z][a-zA-Z\d\-]*[a-zA-Z\d]."),
    ],
)
def test_account_ids_follow_gcp_rules(
    clients: ClientFactory, account_id: str, message: str
) -> None:
    with pytest.raises(gexc.InvalidArgument) as info:
        _create(clients, account_id)
    assert info.value.message == message


def test_stranger_is_denied_with_iam_permission_denied(emulator: Emulator) -> None:
    stranger = emulator.clients(emulator.credentials_for("user:stranger@example.com"))
    with pytest.raises(gexc.PermissionDenied) as info:
        stranger.iam_admin().create_service_account(
            request={"name": f"projects/{P}", "account_id": "sneaky-one"}
        )
    assert info.value.message == (
        f"Permission 'iam.serviceAccounts.create' denied on resource 'projects/{P}' "
        "(or it may not exist)."
    )
    assert info.value.reason == "IAM_PERMISSION_DENIED"
    assert info.value.domain == "iam.googleapis.com"
    with pytest.raises(gexc.PermissionDenied, match=r"iam\.serviceAccounts\.list"):
        list(stranger.iam_admin().list_service_accounts(name=f"projects/{P}"))


def test_a_call_without_a_token_is_unauthenticated(emulator: Emulator) -> None:
    anonymous = emulator.clients(AnonymousCredentials())  # type: ignore[no-untyped-call]
    with pytest.raises(gexc.Unauthenticated, match="invalid authentication credentials"):
        list(anonymous.iam_admin().list_service_accounts(name=f"projects/{P}"))


def test_service_account_policy_etag_version_and_stale_write(clients: ClientFactory) -> None:
    iam = clients.iam_admin()
    sa = _create(clients, "policy-sa")
    policy = iam.get_iam_policy(request={"resource": sa.name})
    assert list(policy.bindings) == [] and policy.etag
    policy.bindings.add(role="roles/iam.serviceAccountUser", members=["user:dev@example.com"])
    stored = iam.set_iam_policy(request={"resource": sa.name, "policy": policy})
    assert stored.version == 1 and stored.etag != policy.etag
    assert iam.get_iam_policy(request={"resource": sa.name}) == stored
    with pytest.raises(gexc.Aborted, match="There were concurrent policy changes"):
        iam.set_iam_policy(request={"resource": sa.name, "policy": policy})


def test_granting_a_role_that_does_not_exist_is_refused(clients: ClientFactory) -> None:
    iam = clients.iam_admin()
    sa = _create(clients, "policy-sa2")
    policy = iam.get_iam_policy(request={"resource": sa.name})
    policy.bindings.add(role="roles/iam.notARole", members=["user:dev@example.com"])
    with pytest.raises(gexc.InvalidArgument, match=r"Role roles/iam\.notARole is not supported"):
        iam.set_iam_policy(request={"resource": sa.name, "policy": policy})


def test_roles_get_and_list_come_from_the_catalog(clients: ClientFactory) -> None:
    from gkeplan import catalog

    iam = clients.iam_admin()
    role = iam.get_role(request={"name": "roles/container.defaultNodeServiceAccount"})
    # the whole role (gkeplan's catalog keeps only the services it checks)
    assert set(catalog.role_permissions("roles/container.defaultNodeServiceAccount")) <= set(
        role.included_permissions
    )
    assert "logging.logEntries.create" in role.included_permissions
    with pytest.raises(gexc.NotFound, match=r"The role named roles/nope\.nope was not found\."):
        iam.get_role(request={"name": "roles/nope.nope"})
    names = [r.name for r in iam.list_roles(request={"page_size": 40})]
    assert names == sorted(catalog.role_names())
    full = iam.list_roles(request={"page_size": 5, "view": types.RoleView.FULL})
    assert all(r.included_permissions for r in full.roles)


def test_a_new_account_is_usable_by_others_only_after_it_propagates() -> None:
    clock = ManualClock()
    with Emulator(EmulatorConfig(sa_propagation_delay_s=5), clock=clock) as emu:
        clients = emu.clients()
        sa = _create(clients, "fresh-account")
        # IAM itself sees it at once...
        assert clients.iam_admin().get_service_account(name=sa.name).email == sa.email
        # ...but granting it a role on the project fails until it has propagated.
        projects = clients.projects()
        policy = projects.get_iam_policy(request={"resource": f"projects/{P}"})
        policy.bindings.add(role="roles/viewer", members=[f"serviceAccount:{sa.email}"])
        with pytest.raises(gexc.BadRequest, match=f"Service account {sa.email} does not exist"):
            projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
        clock.advance(5)
        stored = projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
        assert any(f"serviceAccount:{sa.email}" in b.members for b in stored.bindings)


def test_a_kubernetes_member_needs_the_projects_workload_identity_pool(
    clients: ClientFactory,
) -> None:
    from google.cloud import container_v1 as gke

    sa = _create(clients, "model-reader")
    iam = clients.iam_admin()
    policy = iam.get_iam_policy(request={"resource": sa.name})
    ksa = f"serviceAccount:{P}.svc.id.goog[serving/tf-serving]"
    policy.bindings.add(role="roles/iam.workloadIdentityUser", members=[ksa])
    # as GCP answers before any cluster of the project has Workload Identity on
    with pytest.raises(
        gexc.BadRequest, match=re.escape(f"Identity Pool does not exist ({P}.svc.id.goog).")
    ):
        iam.set_iam_policy(request={"resource": sa.name, "policy": policy})
    clients.container().create_cluster(
        parent=f"projects/{P}/locations/us-central1-c",
        cluster=gke.Cluster(
            name="c1",
            node_pools=[gke.NodePool(name="p", initial_node_count=1)],
            workload_identity_config=gke.WorkloadIdentityConfig(workload_pool=f"{P}.svc.id.goog"),
        ),
    )
    stored = iam.set_iam_policy(request={"resource": sa.name, "policy": policy})
    assert [list(b.members) for b in stored.bindings] == [[ksa]]
    # another project's pool is not the emulator's to know: taken as it comes
    policy.bindings.add(
        role="roles/iam.workloadIdentityUser",
        members=["serviceAccount:other-project.svc.id.goog[ns/ksa]"],
    )
    policy.etag = stored.etag
    iam.set_iam_policy(request={"resource": sa.name, "policy": policy})
