"""Custom roles in project scope through IAM admin v1 on both transports: create, get, list,
update with a field mask, soft delete and undelete, etags, and their use in grants and in
permission checks."""

from __future__ import annotations

import pytest

from gkeplan_emulator import Emulator, EmulatorConfig, ManualClock
from gkeplan_emulator.clientfactory import ClientFactory

from .iam_transports import TRANSPORTS, Failure, Iam

P = "demo-project"
ROLE = f"projects/{P}/roles/model_reader"


@pytest.fixture(params=sorted(TRANSPORTS))
def iam(request: pytest.FixtureRequest, clients: ClientFactory) -> Iam:
    client: Iam = TRANSPORTS[request.param](clients)
    return client


def _make(iam: Iam, role_id: str = "model_reader", **role: object) -> dict[str, object]:
    body = {"title": "Model reader", "includedPermissions": ["storage.objects.get"], **role}
    return iam.create_role(P, role_id, body)


def test_create_get_and_list_a_custom_role(iam: Iam) -> None:
    made = _make(iam, description="reads models")
    assert made["name"] == ROLE
    assert made["includedPermissions"] == ["storage.objects.get"]
    assert made["etag"] and "deleted" not in made
    assert made.get("stage", "ALPHA") == "ALPHA"  # the enum's zero value: what GCP defaults to
    assert iam.get_role(ROLE) == made
    basic = iam.list_roles(f"projects/{P}")
    assert [r["name"] for r in basic] == [ROLE]
    assert "includedPermissions" not in basic[0]  # BASIC view leaves permissions out
    assert iam.list_roles(f"projects/{P}", full=True)[0]["includedPermissions"] == [
        "storage.objects.get"
    ]


@pytest.mark.parametrize("role_id", ["ab", "a" * 65, "has-dash", "spa ce"])
def test_role_ids_follow_gcp_rules(iam: Iam, role_id: str) -> None:
    with pytest.raises(Failure) as info:
        _make(iam, role_id)
    assert info.value.status == 400


def test_unknown_permission_is_refused_with_gcps_message(iam: Iam) -> None:
    with pytest.raises(Failure) as info:
        _make(iam, includedPermissions=["storage.objects.teleport"])
    assert (info.value.status, info.value.message) == (
        400,
        "Permission storage.objects.teleport is not valid.",
    )


def test_duplicate_is_already_exists_and_missing_is_not_found(iam: Iam) -> None:
    _make(iam)
    with pytest.raises(Failure) as info:
        _make(iam)
    assert info.value.status == 409
    with pytest.raises(Failure) as missing:
        iam.get_role(f"projects/{P}/roles/nope_nope")
    assert missing.value.status == 404


def test_update_honours_the_field_mask_and_the_etag(iam: Iam) -> None:
    made = _make(iam, description="first")
    changed = iam.update_role(
        ROLE, {"title": "Renamed", "description": "ignored", "etag": made["etag"]}, ["title"]
    )
    assert (changed["title"], changed["description"]) == ("Renamed", "first")
    assert changed["etag"] != made["etag"]
    with pytest.raises(Failure) as stale:
        iam.update_role(ROLE, {"title": "Again", "etag": made["etag"]}, ["title"])
    assert stale.value.status == 409
    disabled = iam.update_role(ROLE, {"stage": "DISABLED"}, ["stage"])
    assert disabled["stage"] == "DISABLED"


def test_delete_is_soft_and_undelete_restores(iam: Iam) -> None:
    _make(iam)
    gone = iam.delete_role(ROLE)
    assert gone["deleted"] is True
    assert iam.get_role(ROLE)["deleted"] is True
    assert iam.list_roles(f"projects/{P}") == []
    assert [r["name"] for r in iam.list_roles(f"projects/{P}", show_deleted=True)] == [ROLE]
    with pytest.raises(Failure) as again:
        iam.delete_role(ROLE)
    assert again.value.status == 400  # FAILED_PRECONDITION, as Google's samples expect
    with pytest.raises(Failure) as recreate:
        _make(iam)
    assert recreate.value.status == 400
    back = iam.undelete_role(ROLE)
    assert "deleted" not in back
    with pytest.raises(Failure) as live:
        iam.undelete_role(ROLE)
    assert live.value.status == 400


def test_undelete_window_is_seven_days() -> None:
    clock = ManualClock()
    with Emulator(EmulatorConfig(), clock=clock) as emu:
        iam = TRANSPORTS["rest"](emu.clients())
        _make(iam)
        iam.delete_role(ROLE)
        clock.advance(7 * 24 * 3600 - 1)
        iam = TRANSPORTS["rest"](emu.clients())
        assert iam.get_role(ROLE)["deleted"] is True
        clock.advance(2)
        iam = TRANSPORTS["rest"](emu.clients())  # a week outlives the applier's token
        with pytest.raises(Failure) as info:
            iam.undelete_role(ROLE)
        assert info.value.status == 404


def test_predefined_roles_are_listed_and_got(iam: Iam) -> None:
    viewer = iam.get_role("roles/viewer")
    assert (
        viewer["name"] == "roles/viewer"
        and "resourcemanager.projects.get" in (viewer["includedPermissions"])
    )
    assert "roles/storage.objectViewer" in {r["name"] for r in iam.list_roles()}


def test_custom_role_grants_its_permissions(emulator: Emulator, clients: ClientFactory) -> None:
    iam = TRANSPORTS["rest"](clients)
    _make(iam, includedPermissions=["resourcemanager.projects.get"])
    projects = clients.projects()
    policy = projects.get_iam_policy(resource=f"projects/{P}")
    policy.bindings.add(role=ROLE, members=["user:reader@example.com"])
    projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
    reader = emulator.clients(emulator.credentials_for("user:reader@example.com")).projects()
    asked = ["resourcemanager.projects.get", "resourcemanager.projects.delete"]
    held = reader.test_iam_permissions(resource=f"projects/{P}", permissions=asked)
    assert list(held.permissions) == ["resourcemanager.projects.get"]
    iam.update_role(ROLE, {"stage": "DISABLED"}, ["stage"])  # a DISABLED role grants nothing
    held = reader.test_iam_permissions(resource=f"projects/{P}", permissions=asked)
    assert list(held.permissions) == []


def test_grants_of_unknown_or_deleted_custom_roles_are_refused(clients: ClientFactory) -> None:
    iam = TRANSPORTS["rest"](clients)
    projects = clients.projects()
    _make(iam)
    iam.delete_role(ROLE)
    for role in (ROLE, f"projects/{P}/roles/never_made"):
        policy = projects.get_iam_policy(resource=f"projects/{P}")
        policy.bindings.add(role=role, members=["user:reader@example.com"])
        with pytest.raises(Exception) as info:
            projects.set_iam_policy(request={"resource": f"projects/{P}", "policy": policy})
        assert f"Role ({role}) does not exist in the resource's hierarchy." in str(info.value)


def test_unknown_fields_are_refused_as_gcp_refuses_them(clients: ClientFactory) -> None:
    # Only REST can carry a field the API lacks (a gRPC message cannot).
    iam = TRANSPORTS["rest"](clients)
    with pytest.raises(Failure) as nested:
        iam.create_role(P, "model_reader", {"title": "x", "colour": "red"})
    assert (nested.value.status, nested.value.message) == (
        400,
        "Invalid JSON payload received. Unknown name \"colour\" at 'role': Cannot find field.",
    )
    _make(iam)
    with pytest.raises(Failure) as top:
        iam.update_role(ROLE, {"title": "y", "permissions": ["a.b.c"]}, ["title"])
    assert top.value.message == (
        'Invalid JSON payload received. Unknown name "permissions": Cannot find field.'
    )
    assert iam.get_role(ROLE)["title"] == "Model reader"
