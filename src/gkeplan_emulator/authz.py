"""Permission checks: a principal's roles on a resource and on its project, through the role
catalog (and custom roles), as GCP evaluates allow policies."""

from __future__ import annotations

from collections.abc import Callable

from gkeplan_emulator import facts
from gkeplan_emulator.clock import Clock
from gkeplan_emulator.errors import permission_denied
from gkeplan_emulator.iampolicy import PolicyStore


def project_resource(project: str) -> str:
    return f"//cloudresourcemanager.googleapis.com/projects/{project}"


def sa_resource(project: str, email: str) -> str:
    return f"//iam.googleapis.com/projects/{project}/serviceAccounts/{email}"


def bucket_resource(bucket: str) -> str:
    return f"//storage.googleapis.com/projects/_/buckets/{bucket}"


class Authorizer:
    def __init__(self, policies: PolicyStore, clock: Clock) -> None:
        self.policies = policies
        self.clock = clock
        # Permissions of custom roles (projects/P/roles/ID), from the IAM service's model.
        self.custom_roles: Callable[[str], frozenset[str]] | None = None

    def role_permissions(self, role: str) -> frozenset[str]:
        if role.startswith("roles/") or self.custom_roles is None:
            return facts.role_permissions(role)
        return self.custom_roles(role)

    def allowed(self, principal: str, permission: str, resource: str, project: str) -> bool:
        now = self.clock.now()
        project_roles = self.policies.roles_of(project_resource(project), principal, now)
        # Bucket policies name project owners/editors/viewers by these convenience values.
        aliases = [principal] + [
            f"{alias}:{project}"
            for role, alias in (
                ("roles/owner", "projectOwner"),
                ("roles/editor", "projectEditor"),
                ("roles/viewer", "projectViewer"),
            )
            if role in project_roles
        ]
        roles = list(project_roles)
        if resource != project_resource(project):
            for who in aliases:
                roles += self.policies.roles_of(resource, who, now)
        return any(permission in self.role_permissions(role) for role in roles)

    def require(
        self,
        principal: str,
        permission: str,
        resource: str,
        *,
        project: str,
        shown: str | None = None,
    ) -> None:
        if not self.allowed(principal, permission, resource, project):
            raise permission_denied(permission, shown or resource)

    def can_act_as(self, principal: str, email: str, project: str) -> bool:
        return self.allowed(
            principal, "iam.serviceAccounts.actAs", sa_resource(project, email), project
        )
