"""Permission checks: a principal's roles on a resource and on its project, through the role
catalog, exactly as GCP evaluates allow policies (minus conditions)."""

from __future__ import annotations

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
        return any(permission in facts.role_permissions(role) for role in roles)

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
