"""serviceAccount.NAME: an IAM service account of the spec's project.

Also the one place that resolves references to the spec's own accounts (a key under
`serviceAccounts:` or its email) for every other kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from pydantic import Field

from gkeplan.errors import Path
from gkeplan.kinds import base
from gkeplan.spec import names
from gkeplan.spec.base import Document, Resource
from gkeplan.spec.checks import Checker
from gkeplan.spec.refs import SA_EMAIL_SUFFIX, Member, TargetRef


class ServiceAccount(Resource):
    account_id: str | None = Field(None, description="GCP account id; defaults to the key.")
    display_name: str | None = None
    description: str | None = None
    impersonators: list[str] = Field(
        default_factory=list,
        description="Members granted roles/iam.serviceAccountTokenCreator on this account.",
    )
    workload_identity_users: list[str] = Field(
        default_factory=list,
        description="Kubernetes service accounts (NAMESPACE/KSA_NAME) granted "
        "roles/iam.workloadIdentityUser on this account: as the member "
        "serviceAccount:PROJECT.svc.id.goog[NAMESPACE/KSA_NAME], they act as it.",
    )


def accounts(spec: Document) -> dict[str, ServiceAccount]:
    return cast(dict[str, ServiceAccount], spec.section("service_accounts"))


def account_id(spec: Document, name: str) -> str:
    return accounts(spec)[name].account_id or name


def account_email(spec: Document, name: str) -> str:
    return f"{account_id(spec, name)}@{spec.project}{SA_EMAIL_SUFFIX}"


def own_account(spec: Document, ref: str) -> str | None:
    """The spec account that `ref` (a name or an email) refers to, if any."""
    if ref in accounts(spec):
        return ref
    by_email = spec.memo(
        "serviceAccount.by_email", lambda: {account_email(spec, n): n for n in accounts(spec)}
    )
    return by_email.get(ref)


def address(key: str) -> str:
    """The graph address of the spec's account `key`."""
    return f"serviceAccount.{key}"


def email_of(spec: Document, ref: str) -> str:
    """The email of an account reference: the spec's own account, or an outside email."""
    own = own_account(spec, ref)
    return account_email(spec, own) if own else ref


def resolve(spec: Document, member: Member) -> Member:
    """The member with `account` set when it names one of the spec's own accounts."""
    if member.kind != "serviceAccount":
        return member
    return Member(member.kind, member.value, own_account(spec, member.value))


def check_ref(c: Checker, path: Path, ref: str, what: str) -> None:
    """`ref` must be one of the spec's accounts or an email."""
    own = accounts(c.spec)
    if ref in own or "@" in ref:
        return
    c.error(
        path,
        f"{what} '{ref}' is not a service account of this spec",
        c.hint(ref, own) or "use a name under serviceAccounts or an email",
    )


def _expand(spec: Document) -> Iterable[base.Node]:
    return base.section_nodes("serviceAccount", "serviceAccounts", accounts(spec))


_NEEDS = {
    "read": ("iam.serviceAccounts.get",),
    "create": ("iam.serviceAccounts.create",),
    "update": ("iam.serviceAccounts.update",),
    "delete": ("iam.serviceAccounts.delete",),
}


_needs = base.project_permissions(_NEEDS)


def _desired(spec: Document, node: base.Node) -> base.DesiredState:
    name = node.address.split(".", 1)[1]
    sa: ServiceAccount = node.model
    return base.DesiredState(
        account_email(spec, name),
        {
            "accountId": account_id(spec, name),
            "displayName": sa.display_name or "",
            "description": sa.description or "",
        },
    )


def _check(spec: Document, c: Checker) -> None:
    seen: dict[str, str] = {}
    for key, sa in accounts(spec).items():
        path: Path = ("serviceAccounts", key)
        ident = sa.account_id or key
        id_path = (*path, "accountId") if sa.account_id else path
        c.named(id_path, ident, names.service_account_id(ident), seen, key, "account id")
        c.depends_on(path, sa)


IAM_API = "iam.googleapis.com"  # the service its driver's client calls


def _outputs(id: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {"email": id.rsplit("/", 1)[-1]}  # id: projects/P/serviceAccounts/EMAIL


TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"


def sa_project(spec: Document, email: str) -> str:
    """The project part of an account's resource name: the spec's project for its own
    accounts, else "-" ("Using - as a wildcard for the PROJECT_ID will infer the project from
    the account", https://cloud.google.com/python/docs/reference/iam/latest/
    google.cloud.iam_admin_v1.types.GetServiceAccountRequest)."""
    return spec.project if email.endswith(f"@{spec.project}{SA_EMAIL_SUFFIX}") else "-"


def resource_name(spec: Document, ref: str) -> str:
    """projects/PROJECT/serviceAccounts/EMAIL of a spec account or an outside email."""
    email = email_of(spec, ref)
    return f"projects/{sa_project(spec, email)}/serviceAccounts/{email}"


def _own_target(spec: Document, ref: TargetRef) -> str | None:
    own = own_account(spec, ref.name)
    return f"serviceAccount.{own}" if own else None


def _outside_target(spec: Document, ref: TargetRef, path: Path) -> base.ExternalRef | None:
    if own_account(spec, ref.name) is not None:
        return None
    return base.ExternalRef(
        "serviceAccount", resource_name(spec, ref.name), path, f"service account {ref.name}"
    )


def _impersonators(spec: Document) -> Iterable[base.Shorthand]:
    for name, account in accounts(spec).items():
        for j, text in enumerate(account.impersonators):
            path: Path = ("serviceAccounts", name, "impersonators", j)
            yield base.Shorthand(name, TOKEN_CREATOR, text, path, ("serviceAccounts", name))


def _written_on(resource: str, listing: Any) -> str:
    """A grant on an account: by its spec key when generated, else by its email."""
    email = resource.rsplit("/", 1)[1]
    return f"serviceAccount:{listing.ref('serviceAccount', email, email)}"


GRANTS = base.GrantTarget(
    api=IAM_API,
    permissions="iam.serviceAccounts",
    pattern=r"projects/[^/]+/serviceAccounts/[^/]+\Z",
    policies="gkeplan.kinds.service_account.iam_policy:POLICIES",
    resource_name=lambda spec, ref: resource_name(spec, ref.name),
    check=lambda c, path, ref: check_ref(c, path, ref.name, "target"),
    syntax="serviceAccount:NAME or serviceAccount:EMAIL",
    own=_own_target,
    where=lambda spec, ref: ref.name,  # an outside account: its email
    external=_outside_target,
    shorthands=_impersonators,
    listed=lambda project, email: f"projects/{project}/serviceAccounts/{email}",
    written_on=_written_on,
)


KIND = base.Kind(
    "serviceAccount",
    base.Section(
        "service_accounts",
        dict[str, ServiceAccount],
        dict,
        "Service accounts of the project, by key (the account id unless accountId is set).",
    ),
    _expand,
    _needs,
    _desired,
    apis=base.uses(IAM_API),
    driver="gkeplan.kinds.service_account.driver:ServiceAccountDriver",
    generate="gkeplan.kinds.service_account.generate:GENERATOR",
    check=_check,
    immutable=frozenset({"accountId"}),
    outputs=_outputs,
    grant_target=GRANTS,
)


def member_of(email: str) -> str:
    """The IAM member an account's email is (the caller of --impersonate-service-account)."""
    return f"serviceAccount:{email}"
