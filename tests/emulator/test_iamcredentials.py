"""IAM Credentials generateAccessToken through google.auth.impersonated_credentials."""

from __future__ import annotations

import json
import re
import time

import pytest
import requests
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc
from google.auth.transport.requests import Request as AuthRequest

from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock
from gkeplan_emulator.clientfactory import ClientFactory

P = "demo-project"
DEV = "user:dev@example.com"
APPLIER = EmulatorConfig().applier
TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"


def _account(clients: ClientFactory, account_id: str) -> str:
    sa = clients.iam_admin().create_service_account(
        request={"name": f"projects/{P}", "account_id": account_id}
    )
    return str(sa.email)


def _grant_on_account(clients: ClientFactory, email: str, role: str, member: str) -> None:
    iam = clients.iam_admin()
    name = f"projects/{P}/serviceAccounts/{email}"
    policy = iam.get_iam_policy(request={"resource": name})
    policy.bindings.add(role=role, members=[member])
    iam.set_iam_policy(request={"resource": name, "policy": policy})


def _grant_on_project(clients: ClientFactory, role: str, member: str) -> None:
    projects = clients.projects()
    policy = projects.get_iam_policy(request={"resource": f"projects/{P}"})
    policy.bindings.add(role=role, members=[member])
    projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})


def test_impersonated_credentials_call_other_apis_as_the_account(
    emulator: Emulator, clients: ClientFactory
) -> None:
    email = _account(clients, "deployer")
    _grant_on_account(clients, email, "roles/iam.serviceAccountTokenCreator", DEV)
    _grant_on_project(clients, "roles/viewer", f"serviceAccount:{email}")
    dev = emulator.clients(emulator.credentials_for(DEV))
    as_sa = emulator.clients(dev.impersonated(email))
    assert as_sa.projects().get_project(name=f"projects/{P}").project_id == P
    last = emulator.requests[-1]
    assert (last.method, last.principal) == (
        "resourcemanager.projects.get",
        f"serviceAccount:{email}",
    )
    # The token is the account's, not the developer's: viewer cannot write the policy.
    with pytest.raises(gexc.Forbidden, match=r"resourcemanager\.projects\.setIamPolicy"):
        policy = as_sa.projects().get_iam_policy(request={"resource": f"projects/{P}"})
        as_sa.projects().set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})


def test_token_creator_on_the_project_is_enough(emulator: Emulator, clients: ClientFactory) -> None:
    email = _account(clients, "deployer2")
    _grant_on_project(clients, "roles/iam.serviceAccountTokenCreator", DEV)
    creds = emulator.clients(emulator.credentials_for(DEV)).impersonated(email)
    creds.refresh(AuthRequest())
    assert creds.token and creds.valid


def test_without_get_access_token_refresh_fails_with_gcp_wording(
    emulator: Emulator, clients: ClientFactory
) -> None:
    email = _account(clients, "guarded-sa")
    creds = emulator.clients(emulator.credentials_for(DEV)).impersonated(email)
    with pytest.raises(auth_exc.RefreshError) as info:
        creds.refresh(AuthRequest())
    error = json.loads(info.value.args[1])["error"]
    assert error["message"] == (
        "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist)."
    )
    assert error["details"][0]["reason"] == "IAM_PERMISSION_DENIED"


def test_project_owner_needs_token_creator_too(clients: ClientFactory) -> None:
    # As on GCP: roles/owner holds actAs but not getAccessToken.
    email = _account(clients, "owners-sa")
    with pytest.raises(auth_exc.RefreshError, match="getAccessToken"):
        clients.impersonated(email).refresh(AuthRequest())
    _grant_on_account(clients, email, TOKEN_CREATOR, APPLIER)
    creds = clients.impersonated(email)
    creds.refresh(AuthRequest())
    assert creds.valid


def test_an_account_that_does_not_exist_is_not_found(clients: ClientFactory) -> None:
    _grant_on_project(clients, TOKEN_CREATOR, APPLIER)
    creds = clients.impersonated(f"ghost-account@{P}.iam.gserviceaccount.com")
    with pytest.raises(auth_exc.RefreshError, match="Gaia id not found for email ghost-account@"):
        creds.refresh(AuthRequest())


def test_a_new_account_can_be_impersonated_only_after_it_propagates() -> None:
    clock = ManualClock(time.time())  # google.auth checks expiry against real time
    with Emulator(EmulatorConfig(sa_propagation_delay_s=7), clock=clock) as emu:
        clients = emu.clients()
        _grant_on_project(clients, TOKEN_CREATOR, APPLIER)
        email = _account(clients, "brand-new-sa")
        with pytest.raises(auth_exc.RefreshError, match="Gaia id not found"):
            clients.impersonated(email).refresh(AuthRequest())
        clock.advance(7)
        creds = clients.impersonated(email)
        creds.refresh(AuthRequest())
        assert creds.valid


def test_reply_has_whole_second_expiry_and_lifetime_is_capped(
    emulator: Emulator, clients: ClientFactory
) -> None:
    email = _account(clients, "raw-http-sa")
    _grant_on_project(clients, TOKEN_CREATOR, APPLIER)
    token = emulator.issue_token(emulator.config.applier)
    url = clients.iam_endpoint(email)
    headers = {"Authorization": f"Bearer {token}"}
    scope = ["https://www.googleapis.com/auth/cloud-platform"]
    ok = requests.post(url, json={"scope": scope, "lifetime": "600s"}, headers=headers, timeout=5)
    assert ok.status_code == 200
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ok.json()["expireTime"])
    too_long = requests.post(
        url, json={"scope": scope, "lifetime": "7200s"}, headers=headers, timeout=5
    )
    assert too_long.status_code == 400
    assert "greater than the maximum allowed lifetime" in too_long.json()["error"]["message"]
    minted = ok.json()["accessToken"]
    assert minted and minted not in str(emulator.backend.dump())  # stored as hashes only


def test_minted_token_expires() -> None:
    clock = ManualClock(time.time())  # google.auth checks expiry against real time
    with Emulator(EmulatorConfig(), clock=clock) as emu:
        clients = emu.clients()
        email = _account(clients, "short-lived")
        _grant_on_project(clients, "roles/viewer", f"serviceAccount:{email}")
        _grant_on_project(clients, TOKEN_CREATOR, APPLIER)
        creds = clients.impersonated(email, lifetime=600)
        creds.refresh(AuthRequest())
        as_sa = emu.clients(emu.credentials_for(f"serviceAccount:{email}", creds.token))
        assert as_sa.projects().get_project(name=f"projects/{P}").project_id == P
        clock.advance(601)
        expired = requests.get(
            f"{emu.endpoints.http}/v3/projects/{P}",
            headers={"Authorization": f"Bearer {creds.token}"},
            timeout=5,
        )
        assert expired.status_code == 401
        assert expired.json()["error"]["status"] == "UNAUTHENTICATED"
