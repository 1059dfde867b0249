"""Custom roles in project scope: create, get, list, update (field mask), delete (soft, with an
undelete window), undelete; and the permissions a custom role grants to permission checks.

Facts, with their sources:
- role ids: alphanumerics, `_` and `.`, 3 to 64 characters (CreateRoleRequest.role_id,
  https://cloud.google.com/iam/docs/reference/rest/v1/projects.roles/create).
- a deleted role can be undeleted for 7 days, then it is gone; while deleted, principals cannot
  be bound to it and its existing bindings have no effect; list omits it unless showDeleted
  (https://cloud.google.com/iam/docs/reference/rest/v1/projects.roles/delete).
- stage DISABLED "will not contribute permissions to any principals it is granted to in
  policies"; the stage enum's zero value is ALPHA (google.iam.admin.v1 Role.RoleLaunchStage,
  google-cloud-iam types/iam.py).
- create over a deleted role, delete of a deleted role and undelete of a live role answer
  FAILED_PRECONDITION: Google's own samples catch exactly that (python-docs-samples
  iam/cloud-client/snippets create_role.py / delete_role.py, commit 683bf45f).
- an unknown permission: "Permission resourcemanager.projects.list is not valid." (HTTP 400,
  terraform-google-modules/terraform-google-iam#158).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from typing import TYPE_CHECKING, Any

from gkeplan_emulator import facts
from gkeplan_emulator.authz import project_resource
from gkeplan_emulator.errors import (
    aborted,
    already_exists,
    failed_precondition,
    invalid_argument,
    not_found,
)

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

ROLE_ID = re.compile(r"[A-Za-z0-9_.]{3,64}\Z")
CUSTOM_ROLE = re.compile(r"projects/(?P<project>[^/]+)/roles/(?P<role>[^/]+)\Z")
UNDELETE_WINDOW_S = 7 * 24 * 3600.0
# Role.RoleLaunchStage names by number (google.iam.admin.v1; 3 is unused).
STAGES = {0: "ALPHA", 1: "BETA", 2: "GA", 4: "DEPRECATED", 5: "DISABLED", 6: "EAP"}
MUTABLE = {
    "title": "title",
    "description": "description",
    "includedPermissions": "includedPermissions",
    "included_permissions": "includedPermissions",
    "stage": "stage",
}


def stage_name(value: Any) -> str:
    """An enum given by name (REST) or by number (gRPC clients send numbers)."""
    if value in (None, ""):
        return "ALPHA"
    if isinstance(value, int) or str(value).isdigit():
        if int(value) in STAGES:
            return STAGES[int(value)]
    elif str(value) in STAGES.values():
        return str(value)
    raise invalid_argument(f"Invalid value at 'role.stage' ({value}).")


def _known_permissions() -> frozenset[str]:
    return frozenset(p for r in facts.role_names() for p in facts.role_permissions(r))


class CustomRoles:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.roles: dict[str, dict[str, Any]] = {}  # name -> Role JSON (+ deletedAt)
        self._lock = threading.Lock()
        self._known: frozenset[str] | None = None

    # -- the role catalog's view, for permission checks and grants -------------------------
    def permissions(self, name: str) -> frozenset[str]:
        """What a custom role grants: nothing once deleted or DISABLED."""
        role = self._live(name)
        if role is None or role["deleted"] or role["stage"] == "DISABLED":
            return frozenset()
        return frozenset(role["includedPermissions"])

    def grantable(self, name: str) -> bool:
        role = self._live(name)
        return role is not None and not role["deleted"]

    # -- API ---------------------------------------------------------------------------------
    def create(self, who: str, project: str, role_id: str, role: dict[str, Any]) -> dict[str, Any]:
        self._require(who, "iam.roles.create", project)
        if not ROLE_ID.match(role_id or ""):
            raise invalid_argument(
                f"The role id {role_id!r} is invalid: a role ID may contain alphanumeric "
                "characters, underscores and periods, 3 to 64 characters."
            )
        name = f"projects/{project}/roles/{role_id}"
        perms = self._check_permissions(role.get("includedPermissions") or [])
        with self._lock:
            existing = self._live_locked(name)
            if existing is not None and existing["deleted"]:
                raise failed_precondition(
                    f"A role named {role_id} in projects/{project} exists in a deleted state."
                )
            if existing is not None:
                raise already_exists(
                    f"A role named {role_id} in projects/{project} already exists."
                )
            stored = {
                "name": name,
                "title": str(role.get("title") or ""),
                "description": str(role.get("description") or ""),
                "includedPermissions": perms,
                "stage": stage_name(role.get("stage")),
                "deleted": False,
            }
            self._stamp(stored)
            self.roles[name] = stored
            return self.view(stored, full=True)

    def get(self, who: str, name: str) -> dict[str, Any]:
        project = self._project_of(name)
        self._require(who, "iam.roles.get", project)
        return self.view(self._must(name), full=True)

    def list_(self, who: str, project: str, show_deleted: bool, full: bool) -> list[dict[str, Any]]:
        self._require(who, "iam.roles.list", project)
        prefix = f"projects/{project}/roles/"
        with self._lock:
            names = sorted(n for n in self.roles if n.startswith(prefix))
            live = [r for r in (self._live_locked(n) for n in names) if r is not None]
        return [self.view(r, full=full) for r in live if show_deleted or not r["deleted"]]

    def update(self, who: str, name: str, role: dict[str, Any], mask: list[str]) -> dict[str, Any]:
        project = self._project_of(name)
        self._require(who, "iam.roles.update", project)
        paths = mask or ["title", "description", "includedPermissions", "stage"]
        changes: dict[str, Any] = {}
        for path in paths:
            field = MUTABLE.get(path)
            if field is None:
                raise invalid_argument(f"Invalid update_mask path: {path}.")
            if field == "includedPermissions":
                changes[field] = self._check_permissions(role.get(field) or [])
            elif field == "stage":
                changes[field] = stage_name(role.get("stage"))
            else:
                changes[field] = str(role.get(field) or "")
        with self._lock:
            stored = self._must_locked(name)
            self._check_etag(stored, role.get("etag"))
            stored.update(changes)
            self._stamp(stored)
            return self.view(stored, full=True)

    def delete(self, who: str, name: str, etag: str | None) -> dict[str, Any]:
        self._require(who, "iam.roles.delete", self._project_of(name))
        with self._lock:
            stored = self._must_locked(name)
            if stored["deleted"]:
                raise failed_precondition(f"The role {name} is already deleted.")
            self._check_etag(stored, etag)
            stored["deleted"], stored["deletedAt"] = True, self.backend.clock.now()
            self._stamp(stored)
            return self.view(stored, full=True)

    def undelete(self, who: str, name: str, etag: str | None) -> dict[str, Any]:
        self._require(who, "iam.roles.undelete", self._project_of(name))
        with self._lock:
            stored = self._must_locked(name)
            if not stored["deleted"]:
                raise failed_precondition(f"The role {name} is not deleted.")
            self._check_etag(stored, etag)
            stored["deleted"] = False
            stored.pop("deletedAt", None)
            self._stamp(stored)
            return self.view(stored, full=True)

    # -- helpers -------------------------------------------------------------------------
    @staticmethod
    def view(role: dict[str, Any], *, full: bool) -> dict[str, Any]:
        out = {k: v for k, v in role.items() if k != "deletedAt"}
        if not out["deleted"]:
            out.pop("deleted")  # proto3 JSON leaves false out
        if not full:
            out.pop("includedPermissions", None)
        return out

    def _stamp(self, role: dict[str, Any]) -> None:
        raw = json.dumps({k: v for k, v in role.items() if k != "etag"}, sort_keys=True)
        role["etag"] = base64.b64encode(b"BwY" + hashlib.sha256(raw.encode()).digest()[:5]).decode()

    @staticmethod
    def _check_etag(role: dict[str, Any], etag: str | None) -> None:
        if etag and etag != role["etag"]:
            # The snippets retry an edit on ABORTED (test_roles.py's backoff on Aborted).
            raise aborted(
                "There were concurrent policy changes. Please retry the whole read-modify-write "
                "with exponential backoff."
            )

    def _check_permissions(self, perms: list[Any]) -> list[str]:
        if self._known is None:
            self._known = _known_permissions()
        for p in perms:
            if str(p) not in self._known:
                raise invalid_argument(f"Permission {p} is not valid.")
        return sorted({str(p) for p in perms})

    def _project_of(self, name: str) -> str:
        m = CUSTOM_ROLE.match(name)
        if m is None:
            raise invalid_argument(f"Invalid role name {name}.")
        return m["project"]

    def _require(self, who: str, permission: str, project: str) -> None:
        self.backend.authz.require(
            who,
            permission,
            project_resource(project),
            project=project,
            shown=f"projects/{project}",
        )

    def _must(self, name: str) -> dict[str, Any]:
        with self._lock:
            return self._must_locked(name)

    def _must_locked(self, name: str) -> dict[str, Any]:
        role = self._live_locked(name)
        if role is None:
            raise not_found(f"The role named {name} was not found.")
        return role

    def _live(self, name: str) -> dict[str, Any] | None:
        with self._lock:
            return self._live_locked(name)

    def _live_locked(self, name: str) -> dict[str, Any] | None:
        """The role, unless its undelete window has passed (then it is purged)."""
        role = self.roles.get(name)
        if role is None:
            return None
        deleted_at = role.get("deletedAt")
        if deleted_at is not None and self.backend.clock.now() - deleted_at > UNDELETE_WINDOW_S:
            del self.roles[name]
            return None
        return role

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return dict(self.roles)

    def load(self, data: dict[str, Any]) -> None:
        with self._lock:
            self.roles = dict(data or {})
