"""Service account keys and disabled accounts through IAM admin v1 on both transports."""

from __future__ import annotations

import json

import pytest
from google.api_core import exceptions as gexc
from google.auth.exceptions import RefreshError
from google.auth.transport.requests import Request
from google.oauth2 import service_account

from gkeplan_emulator import Emulator
from gkeplan_emulator.clientfactory import ClientFactory

from .iam_transports import TRANSPORTS, Failure, Iam

P = "demo-project"


@pytest.fixture(params=sorted(TRANSPORTS))
def iam(request: pytest.FixtureRequest, clients: ClientFactory) -> Iam:
    client: Iam = TRANSPORTS[request.param](clients)
    return client


def _account(iam: Iam, account_id: str = "key-holder") -> str:
    return str(iam.create_sa(P, account_id)["name"])


def test_a_key_is_returned_once_as_a_usable_key_file(iam: Iam, emulator: Emulator) -> None:
    sa = _account(iam)
    key = iam.create_key(sa)
    key_id = str(key["name"]).rsplit("/", 1)[1]
    assert len(key_id) == 40 and int(key_id, 16) >= 0
    info = key["keyFile"]
    assert (info["type"], info["private_key_id"]) == ("service_account", key_id)
    assert info["client_email"] == f"key-holder@{P}.iam.gserviceaccount.com"
    # A real RSA key: google-auth loads the file and signs with it.
    creds = service_account.Credentials.from_service_account_info(info)  # type: ignore[no-untyped-call]
    assert creds.signer.sign(b"payload")
    (listed,) = iam.list_keys(sa)
    assert listed["name"] == key["name"] and listed["keyType"] == "USER_MANAGED"
    assert "privateKeyData" not in listed
    got = iam.get_key(str(key["name"]), public=True)
    assert "privateKeyData" not in got and got["publicKeyData"]
    # Nothing the emulator keeps (state file, memory dump) holds the private key.
    state = json.dumps(emulator.backend.models["iam"].dump())
    assert info["private_key"].splitlines()[1] not in state


def test_delete_and_disable_a_key(iam: Iam) -> None:
    sa = _account(iam)
    first, second = iam.create_key(sa), iam.create_key(sa)
    iam.disable_key(str(second["name"]))
    assert iam.get_key(str(second["name"]))["disabled"] is True
    iam.delete_key(str(first["name"]))
    assert [k["name"] for k in iam.list_keys(sa)] == [second["name"]]
    with pytest.raises(Failure) as info:
        iam.delete_key(str(first["name"]))
    assert info.value.status == 404


def test_an_account_holds_at_most_ten_keys(iam: Iam) -> None:
    sa = _account(iam)
    for _ in range(10):
        iam.create_key(sa)
    with pytest.raises(Failure) as info:
        iam.create_key(sa)
    assert (info.value.status, info.value.message) == (400, "Precondition check failed.")


def test_disable_and_enable_an_account(iam: Iam) -> None:
    sa = _account(iam)
    assert not iam.get_sa(sa).get("disabled", False)
    iam.disable_sa(sa)
    assert iam.get_sa(sa)["disabled"] is True
    iam.enable_sa(sa)
    assert not iam.get_sa(sa).get("disabled", False)


def test_a_disabled_accounts_tokens_stop_working(
    emulator: Emulator, clients: ClientFactory
) -> None:
    iam = clients.iam_admin()
    sa = iam.create_service_account(request={"name": f"projects/{P}", "account_id": "gets-off"})
    projects = clients.projects()
    policy = projects.get_iam_policy(resource=f"projects/{P}")
    policy.bindings.add(role="roles/viewer", members=[f"serviceAccount:{sa.email}"])
    # Owners may not mint tokens: the Token Creator role holds getAccessToken.
    applier = emulator.config.applier
    policy.bindings.add(role="roles/iam.serviceAccountTokenCreator", members=[applier])
    projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
    as_sa = emulator.clients(emulator.credentials_for(f"serviceAccount:{sa.email}")).projects()
    assert as_sa.get_project(name=f"projects/{P}").project_id == P
    iam.disable_service_account(request={"name": sa.name})
    # The 401 makes google-auth try a refresh, which a bare token cannot do.
    with pytest.raises((gexc.Unauthenticated, RefreshError)):
        as_sa.get_project(name=f"projects/{P}")
    assert emulator.requests[-1].status == 401
    with pytest.raises(RefreshError, match=f"Service account {sa.email} is disabled"):
        clients.impersonated(sa.email).refresh(Request())
    iam.enable_service_account(request={"name": sa.name})
    assert as_sa.get_project(name=f"projects/{P}").project_id == P


def test_policies_are_stored_one_binding_per_role_and_condition(iam: Iam) -> None:
    sa = _account(iam, "policy-holder")
    stored = iam.set_policy(
        sa,
        {
            "bindings": [
                {"role": "roles/iam.serviceAccountUser", "members": ["user:b@example.com"]},
                {"role": "roles/iam.serviceAccountTokenCreator", "members": ["user:c@example.com"]},
                {
                    "role": "roles/iam.serviceAccountUser",
                    "members": ["user:a@example.com", "user:b@example.com"],
                },
            ]
        },
    )
    assert stored["bindings"] == [
        {
            "role": "roles/iam.serviceAccountUser",
            "members": ["user:a@example.com", "user:b@example.com"],
        },
        {"role": "roles/iam.serviceAccountTokenCreator", "members": ["user:c@example.com"]},
    ]
    assert iam.get_policy(sa)["bindings"] == stored["bindings"]


def test_keys_of_a_missing_account_are_not_found(iam: Iam) -> None:
    with pytest.raises(Failure) as info:
        iam.list_keys(f"projects/{P}/serviceAccounts/nobody@{P}.iam.gserviceaccount.com")
    assert info.value.status == 404


def test_listing_by_key_type(clients: ClientFactory) -> None:
    iam = clients.iam_admin()
    sa = iam.create_service_account(request={"name": f"projects/{P}", "account_id": "typed-keys"})
    iam.create_service_account_key(request={"name": sa.name})
    user = iam.list_service_account_keys(request={"name": sa.name, "key_types": ["USER_MANAGED"]})
    system = iam.list_service_account_keys(
        request={"name": sa.name, "key_types": ["SYSTEM_MANAGED"]}
    )
    assert (len(user.keys), len(system.keys)) == (1, 0)
    rest = clients.iam_rest().projects().serviceAccounts().keys()
    listed = rest.list(name=sa.name, keyTypes="SYSTEM_MANAGED").execute()
    assert listed.get("keys", []) == []
