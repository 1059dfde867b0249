"""IAM admin v1 over gRPC (the client has no REST transport): service accounts, their IAM
policies, and predefined roles from the emulator's data."""

from __future__ import annotations

import hashlib
import re
import threading
from typing import TYPE_CHECKING, Any

import grpc
from google.cloud.iam_admin_v1.types import iam as iam_types
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf import empty_pb2, json_format

from gkeplan_emulator import facts, grpcserver
from gkeplan_emulator.authz import project_resource, sa_resource
from gkeplan_emulator.errors import already_exists, invalid_argument, not_found
from gkeplan_emulator.service import ServiceSpec

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

_ACCOUNT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]\Z")
_SA_NAME = re.compile(r"projects/(?P<project>[^/]+)/serviceAccounts/(?P<account>[^/]+)\Z")
SA_DOMAIN = ".iam.gserviceaccount.com"


def project_of(email: str, default: str) -> str:
    """The project a user-managed account's email names (others: `default`)."""
    domain = email.rpartition("@")[2]
    return domain[: -len(SA_DOMAIN)] if domain.endswith(SA_DOMAIN) else default


def _unique_id(seed: int, serial: int, email: str) -> str:
    """21 digits starting with 1, like Google's; stable for a seed, distinct per account."""
    digest = hashlib.sha256(f"{seed}:{serial}:{email}".encode()).digest()
    return "1" + f"{serial % 100_000:05d}" + f"{int.from_bytes(digest[:8], 'big') % 10**15:015d}"


class IamModel:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.accounts: dict[str, dict[str, Any]] = {}  # email -> fields
        self._lock = threading.Lock()
        self._serial = 0

    # -- service accounts ---------------------------------------------------------------
    def create(
        self, principal: str, project: str, account_id: str, display_name: str, description: str
    ) -> dict[str, Any]:
        self.backend.authz.require(
            principal,
            "iam.serviceAccounts.create",
            project_resource(project),
            project=project,
            shown=f"projects/{project}",
        )
        # IAM's own wording for each rule (length first, then the RFC 1035 shape).
        if not 6 <= len(account_id) <= 30:
            raise invalid_argument(
                f'The account ID "{account_id}" does not have a length between 6 and 30.'
            )
        if not _ACCOUNT_ID.match(account_id):
            raise invalid_argument(
                f"{account_id} does not match [a-zA-Z][a-zA-Z\\d\\-]*[a-zA-Z\\d]."
            )
        email = f"{account_id}@{project}{SA_DOMAIN}"
        with self._lock:
            if email in self.accounts:
                raise already_exists(
                    f"Service account {account_id} already exists within project "
                    f"projects/{project}."
                )
            self._serial += 1
            unique = _unique_id(self.backend.config.seed, self._serial, email)
            sa = {
                "name": f"projects/{project}/serviceAccounts/{email}",
                "projectId": project,
                "uniqueId": unique,
                "email": email,
                "displayName": display_name,
                "description": description,
                "oauth2ClientId": unique,
                "disabled": False,
                "createdAt": self.backend.clock.now(),
            }
            self.accounts[email] = sa
        return sa

    def resolve(self, name: str) -> tuple[str, dict[str, Any] | None]:
        m = _SA_NAME.match(name)
        if not m:
            raise invalid_argument(f"Invalid service account name {name}.")
        account = m.group("account")
        with self._lock:
            if "@" in account:
                return account, self.accounts.get(account)
            for email, sa in self.accounts.items():  # a unique id works too
                if sa["uniqueId"] == account:
                    return email, sa
        return account, None

    def get(
        self, principal: str, name: str, permission: str = "iam.serviceAccounts.get"
    ) -> dict[str, Any]:
        email, sa = self.resolve(name)
        project = project_of(email, self.backend.config.project)
        self.backend.authz.require(
            principal, permission, sa_resource(project, email), project=project, shown=name
        )
        if sa is None:
            raise not_found(f"Service account {email} does not exist.")
        return sa

    def account(self, email: str) -> dict[str, Any] | None:
        """The account by email, or None (for other services; no permission check)."""
        with self._lock:
            return self.accounts.get(email)

    def usable(self, email: str) -> bool:
        """A new account is visible to other services only after it propagates."""
        sa = self.accounts.get(email)
        return sa is not None and (
            sa["createdAt"] + self.backend.config.sa_propagation_delay_s <= self.backend.clock.now()
        )

    def list(self, principal: str, project: str) -> list[dict[str, Any]]:
        self.backend.authz.require(
            principal,
            "iam.serviceAccounts.list",
            project_resource(project),
            project=project,
            shown=f"projects/{project}",
        )
        with self._lock:
            return [sa for sa in self.accounts.values() if sa["projectId"] == project]

    def patch(self, principal: str, name: str, fields: dict[str, str]) -> dict[str, Any]:
        sa = self.get(principal, name, "iam.serviceAccounts.update")
        with self._lock:
            sa.update(fields)
        return sa

    def delete(self, principal: str, name: str) -> None:
        sa = self.get(principal, name, "iam.serviceAccounts.delete")
        with self._lock:
            self.accounts.pop(sa["email"], None)
        self.backend.policies.delete(sa_resource(sa["projectId"], sa["email"]))

    def check_members(self, policy: dict[str, Any]) -> None:
        """Reject grants to accounts of this project that do not exist (yet), as IAM does."""
        suffix = f"@{self.backend.config.project}{SA_DOMAIN}"
        for binding in policy.get("bindings") or []:
            role = binding.get("role", "")
            if role.startswith("roles/") and role not in facts.role_names():
                raise invalid_argument(f"Role {role} is not supported for this resource.")
            for member in binding.get("members") or []:
                if member.startswith("serviceAccount:") and member.endswith(suffix):
                    email = member.split(":", 1)[1]
                    if not self.usable(email):
                        raise invalid_argument(f"Service account {email} does not exist.")

    def dump(self) -> dict[str, Any]:
        return {"accounts": self.accounts, "serial": self._serial}

    def load(self, data: dict[str, Any]) -> None:
        self.accounts = dict(data.get("accounts") or {})
        self._serial = int(data.get("serial") or 0)


def _to_proto(sa: dict[str, Any]) -> iam_types.ServiceAccount:
    return iam_types.ServiceAccount(
        name=sa["name"],
        project_id=sa["projectId"],
        unique_id=sa["uniqueId"],
        email=sa["email"],
        display_name=sa["displayName"],
        description=sa["description"],
        oauth2_client_id=sa["oauth2ClientId"],
        disabled=sa["disabled"],
    )


class IamRpcs:
    """IAM admin's gRPC method bodies, one per row of RPCS: (request, caller) -> reply."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.model: IamModel = self.backend.models["iam"]

    def create(self, req: iam_types.CreateServiceAccountRequest, who: str) -> Any:
        project = req.name.split("/", 1)[1]
        sa = self.model.create(
            who,
            project,
            req.account_id,
            req.service_account.display_name,
            req.service_account.description,
        )
        return _to_proto(sa)

    def get(self, req: iam_types.GetServiceAccountRequest, who: str) -> Any:
        return _to_proto(self.model.get(who, req.name))

    def list_(self, req: iam_types.ListServiceAccountsRequest, who: str) -> Any:
        accounts = sorted(self.model.list(who, req.name.split("/", 1)[1]), key=lambda a: a["email"])
        size = req.page_size or 100
        start = int(req.page_token or 0)
        page = accounts[start : start + size]
        token = str(start + size) if start + size < len(accounts) else ""
        return iam_types.ListServiceAccountsResponse(
            accounts=[_to_proto(a) for a in page], next_page_token=token
        )

    def patch(self, req: iam_types.PatchServiceAccountRequest, who: str) -> Any:
        fields = {}
        for path in req.update_mask.paths:
            if path == "display_name":
                fields["displayName"] = req.service_account.display_name
            elif path == "description":
                fields["description"] = req.service_account.description
            else:
                raise invalid_argument(f"Cannot update field {path}.")
        return _to_proto(self.model.patch(who, req.service_account.name, fields))

    def delete(self, req: iam_types.DeleteServiceAccountRequest, who: str) -> Any:
        self.model.delete(who, req.name)
        return empty_pb2.Empty()

    def get_policy(self, req: iam_policy_pb2.GetIamPolicyRequest, who: str) -> Any:
        sa = self.model.get(who, req.resource, "iam.serviceAccounts.getIamPolicy")
        stored = self.backend.policies.get(sa_resource(sa["projectId"], sa["email"]))
        return json_format.ParseDict(stored.to_json(), policy_pb2.Policy())

    def set_policy(self, req: iam_policy_pb2.SetIamPolicyRequest, who: str) -> Any:
        sa = self.model.get(who, req.resource, "iam.serviceAccounts.setIamPolicy")
        data = json_format.MessageToDict(req.policy)
        self.model.check_members(data)
        stored = self.backend.policies.set(
            sa_resource(sa["projectId"], sa["email"]),
            data,
            self.backend.clock.now(),
            self.backend.config.propagation_delay_s,
            req.policy.etag or None,
        )
        return json_format.ParseDict(stored.to_json(), policy_pb2.Policy())

    def get_role(self, req: iam_types.GetRoleRequest, who: str) -> Any:
        if req.name not in facts.role_names():
            raise not_found(f"The role named {req.name} was not found.")
        return iam_types.Role(
            name=req.name,
            title=req.name.split("/", 1)[1],
            included_permissions=sorted(facts.role_permissions(req.name)),
            stage=iam_types.Role.RoleLaunchStage.GA,
        )

    def list_roles(self, req: iam_types.ListRolesRequest, who: str) -> Any:
        names = sorted(facts.role_names())
        size = req.page_size or 300
        start = int(req.page_token or 0)
        page = names[start : start + size]
        full = req.view == iam_types.RoleView.FULL
        roles = [
            iam_types.Role(
                name=n,
                title=n.split("/", 1)[1],
                included_permissions=sorted(facts.role_permissions(n)) if full else [],
            )
            for n in page
        ]
        token = str(start + size) if start + size < len(names) else ""
        return iam_types.ListRolesResponse(roles=roles, next_page_token=token)


# gRPC method of google.iam.admin.v1.IAM -> (handler of an IamRpcs, our method name, request type)
RPCS: dict[str, tuple[str, str, Any]] = {
    "CreateServiceAccount": (
        "create",
        "iam.createServiceAccount",
        iam_types.CreateServiceAccountRequest,
    ),
    "GetServiceAccount": ("get", "iam.getServiceAccount", iam_types.GetServiceAccountRequest),
    "ListServiceAccounts": (
        "list_",
        "iam.listServiceAccounts",
        iam_types.ListServiceAccountsRequest,
    ),
    "PatchServiceAccount": (
        "patch",
        "iam.patchServiceAccount",
        iam_types.PatchServiceAccountRequest,
    ),
    "DeleteServiceAccount": (
        "delete",
        "iam.deleteServiceAccount",
        iam_types.DeleteServiceAccountRequest,
    ),
    "GetIamPolicy": ("get_policy", "iam.getIamPolicy", iam_policy_pb2.GetIamPolicyRequest),
    "SetIamPolicy": ("set_policy", "iam.setIamPolicy", iam_policy_pb2.SetIamPolicyRequest),
    "GetRole": ("get_role", "iam.getRole", iam_types.GetRoleRequest),
    "ListRoles": ("list_roles", "iam.listRoles", iam_types.ListRolesRequest),
}


def register_grpc(server: grpc.Server, backend: Backend) -> None:
    rpcs = IamRpcs(backend)
    handlers = {
        method: grpcserver.unary(backend, name, getattr(rpcs, attr), request_type)
        for method, (attr, name, request_type) in RPCS.items()
    }
    server.add_generic_rpc_handlers(
        (grpc.method_handlers_generic_handler("google.iam.admin.v1.IAM", handlers),)
    )


SERVICE = ServiceSpec("iam", IamModel, None, register_grpc, grpc_names=("google.iam.admin.v1.IAM",))
