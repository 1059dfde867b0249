"""IAM admin v1, one implementation behind REST (iam.googleapis.com/v1, as the discovery document
names its paths) and gRPC (google.iam.admin.v1.IAM, transcoded to the same routes): service
accounts (with disable/enable), their keys, their IAM policies, predefined roles from the
emulator's data and custom roles in project scope."""

from __future__ import annotations

import hashlib
import re
import threading
from typing import TYPE_CHECKING, Any

from gkeplan_emulator import facts
from gkeplan_emulator.authz import project_resource, sa_resource
from gkeplan_emulator.errors import already_exists, invalid_argument, not_found
from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.services.iam.grpc import GRPC
from gkeplan_emulator.services.iam.keys import KeyStore
from gkeplan_emulator.services.iam.roles import CUSTOM_ROLE, CustomRoles
from gkeplan_emulator.services.iam.routes import routes

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

# accountId: "must be 6-30 characters long, and match the regular expression
# `[a-z]([-a-z0-9]*[a-z0-9])` to comply with RFC1035" (iam v1 discovery document)
_ACCOUNT_ID = re.compile(r"[a-z][a-z0-9-]{4,28}[a-z0-9]\Z")
# A grant on a service account to a Kubernetes service account of a project whose workload
# identity pool does not exist yet (no cluster has made it): "Error 400: Identity Pool does not
# exist (<project_id>.svc.id.goog). Please check that you specified a valid resource name as
# returned in the `name` attribute in the configuration API., badRequest" (terraform-google-
# modules/terraform-google-kubernetes-engine#916, googleforgames/global-multiplayer-demo#39;
# worded "Identity namespace does not exist (P.svc.id.goog)." in 2020, jenkins-x/terraform-
# google-jx#74).
POOL_MISSING = (
    "Identity Pool does not exist ({pool}). Please check that you specified a valid resource "
    "name as returned in the `name` attribute in the configuration API."
)
_WI_POOL = re.compile(r"serviceAccount:(?P<pool>[^\[]+\.svc\.id\.goog)\[")
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
        self.roles = CustomRoles(backend)
        self.keys = KeyStore(backend)
        # Custom roles grant their permissions in every permission check, and a disabled
        # account's tokens stop working ("Existing access tokens for the service account are
        # rejected", https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable).
        backend.authz.custom_roles = self.roles.permissions
        backend.identity.rejects = self.is_disabled

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
        self.keys.drop_account(sa["email"])
        self.backend.policies.delete(sa_resource(sa["projectId"], sa["email"]))

    def set_disabled(self, principal: str, name: str, disabled: bool) -> None:
        permission = "iam.serviceAccounts." + ("disable" if disabled else "enable")
        sa = self.get(principal, name, permission)
        with self._lock:
            sa["disabled"] = disabled

    def is_disabled(self, principal: str) -> bool:
        """Whether `principal` is a service account of this emulator that is disabled."""
        if not principal.startswith("serviceAccount:"):
            return False
        with self._lock:
            sa = self.accounts.get(principal.split(":", 1)[1])
        return bool(sa and sa["disabled"])

    def check_members(self, policy: dict[str, Any]) -> None:
        """Reject grants to accounts of this project that do not exist (yet), as IAM does."""
        suffix = f"@{self.backend.config.project}{SA_DOMAIN}"
        for binding in policy.get("bindings") or []:
            role = binding.get("role", "")
            known = role in facts.role_names() or role in facts.DEPRECATED_GRANTABLE
            if role.startswith("roles/") and not known:
                raise invalid_argument(f"Role {role} is not supported for this resource.")
            custom = CUSTOM_ROLE.match(role)
            if custom and (
                custom["project"] != self.backend.config.project or not self.roles.grantable(role)
            ):
                # Error 400 ... "Role (organizations/59485982875/roles/FortigateSdnViewer) does
                # not exist in the resource's hierarchy." (GoogleCloudPlatform/
                # pubsec-declarative-toolkit#608); a deleted custom role cannot be bound either.
                raise invalid_argument(f"Role ({role}) does not exist in the resource's hierarchy.")
            for member in binding.get("members") or []:
                if member.startswith("serviceAccount:") and member.endswith(suffix):
                    email = member.split(":", 1)[1]
                    if not self.usable(email):
                        raise invalid_argument(f"Service account {email} does not exist.")

    def check_pools(self, policy: dict[str, Any]) -> None:
        """A service account's policy may name Kubernetes service accounts only of a pool that
        exists (every public report of POOL_MISSING is of a service account's setIamPolicy)."""
        for binding in policy.get("bindings") or []:
            for member in binding.get("members") or []:
                pool = _WI_POOL.match(member)
                if pool and not self._pool_exists(pool.group("pool")):
                    raise invalid_argument(POOL_MISSING.format(pool=pool.group("pool")))

    def _pool_exists(self, pool: str) -> bool:
        """GKE's pool PROJECT.svc.id.goog exists once a cluster of PROJECT has Workload
        Identity on; the emulator serves one project, so other projects' pools are taken as
        they come."""
        if pool != f"{self.backend.config.project}.svc.id.goog":
            return True
        container = self.backend.models.get("container")
        return container is not None and pool in container.workload_pools()

    def dump(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts,
            "serial": self._serial,
            "roles": self.roles.dump(),
            "keys": self.keys.dump(),
        }

    def load(self, data: dict[str, Any]) -> None:
        self.accounts = dict(data.get("accounts") or {})
        self._serial = int(data.get("serial") or 0)
        self.roles.load(data.get("roles") or {})
        self.keys.load(data.get("keys") or {})


SERVICE = ServiceSpec(
    "iam",
    IamModel,
    routes,
    transcoded=GRPC,
    api="iam.googleapis.com",
    # gcloud default https://iam.googleapis.com/; Terraform IAMBasePathKey ".../v1/"
    endpoint=ClientEndpoint("iam", "iam", "/", (("iam_custom_endpoint", "/v1/"),)),
)
