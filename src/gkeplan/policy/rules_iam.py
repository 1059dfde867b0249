"""least-privilege: over-broad and public grants, and a permission preflight of the apply."""

from __future__ import annotations

import re
from collections.abc import Iterable

from gkeplan import catalog
from gkeplan.errors import Path, Severity
from gkeplan.kinds import BY_NAME, Permission
from gkeplan.kinds import service_account as sa
from gkeplan.kinds.base import DEFAULT_COMPUTE_SA, Identity
from gkeplan.kinds.service_account import own_account
from gkeplan.policy.grants import Grants, granted, grants
from gkeplan.policy.model import Finding, Rule, RuleContext
from gkeplan.spec.refs import PUBLIC_MEMBERS

ACT_AS_ROLES = ("roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator")


def _grant_yaml(member: str, role: str, on: str = "project") -> str:
    text = f"- member: {member}\n  roles: [{role}]"
    return text if on == "project" else text + f"\n  on: {on}"


# The Compute Engine default service account: PROJECT_NUMBER-compute@developer.gserviceaccount.com
DEFAULT_SA_EMAIL = "PROJECT_NUMBER-compute@developer.gserviceaccount.com"


def _on_default_sa(all_grants: Grants, member: str, permission: str) -> bool:
    """A grant on the default account by its email (the spec cannot know the number)."""
    return any(
        g.target.endswith("-compute@developer.gserviceaccount.com")
        and granted(all_grants, member, permission, g.target)
        for g in all_grants
    )


def _on(target: str) -> str:
    """The `on:` of a grant on what a permission is checked on: a spec address KIND.KEY is
    KIND:KEY; an outside account's email stays as written."""
    kind, sep, key = target.partition(".")
    return f"{kind}:{key}" if sep and kind in BY_NAME else target


class ProjectWideActAs(Rule):
    id = "LP001"
    title = "No project-wide serviceAccountUser or serviceAccountTokenCreator"
    rationale = (
        "At project level these roles let the member act as every service account of "
        "the project, present and future, including ones with more power than it has."
    )
    severity = Severity.ERROR
    checkov = "CKV_GCP_41"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        accounts = sorted({i.ref for _, i in identities(ctx) if i.use == "runsAs" and i.ref})
        for g in grants(ctx.spec, ctx.graph):
            if g.target == "project" and g.role in ACT_AS_ROLES:
                targets = accounts or ["NAME"]
                fix = "\n".join(
                    _grant_yaml(g.member, g.role, f"serviceAccount:{a}") for a in targets
                )
                yield self.finding(
                    ctx,
                    g.address,
                    g.path,
                    f"{g.member} gets {g.role} on the whole project: it can act as "
                    "every service account in it, present and future",
                    f"grant it on the accounts it needs instead:\n{fix}",
                )


class BasicRolesForServiceAccounts(Rule):
    id = "LP002"
    title = "Service accounts get no basic roles (owner, editor, viewer)"
    rationale = "Basic roles grant thousands of permissions across every service."
    severity = Severity.ERROR
    checkov = "CKV_GCP_117"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for g in grants(ctx.spec, ctx.graph):
            if g.member.startswith("serviceAccount:") and catalog.is_basic_role(g.role):
                yield self.finding(
                    ctx,
                    g.address,
                    g.path,
                    f"{g.member} gets the basic role {g.role} "
                    f"({catalog.role_size(g.role)} permissions)",
                    "grant the predefined roles its work needs instead",
                )


def _own_public_rule(kind: str) -> str:
    target = BY_NAME[kind].grant_target if kind in BY_NAME else None
    return target.public_members_rule if target is not None else ""


class PublicMembers(Rule):
    id = "LP003"
    title = "Nothing is granted to allUsers or allAuthenticatedUsers"
    rationale = "These members are anyone on the internet, or anyone with a Google account."
    severity = Severity.ERROR
    checkov = "CKV_GCP_28"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for g in grants(ctx.spec, ctx.graph):
            # where the target's kind has its own rule (a repository's SB022), that one says it
            if g.member in PUBLIC_MEMBERS and not _own_public_rule(g.kind):
                yield self.finding(
                    ctx,
                    g.address,
                    g.path,
                    f"{g.role} is granted to {g.member} on {g.target}",
                    "grant it to the users or groups that need it",
                )


def _needs(ctx: RuleContext) -> dict[str, list[tuple[str, Permission, str]]]:
    """member -> [(why, permission, on)] for everything an apply and destroy of the spec do
    (once per spec: three rules read it)."""
    return ctx.spec.memo("policy.needs", lambda: _all_needs(ctx))


def identities(ctx: RuleContext) -> list[tuple[str, Identity]]:
    """Every account a resource of the spec is made as or runs as (`Kind.identities`), with
    the resource's address, in graph order (once per spec)."""

    def collect() -> list[tuple[str, Identity]]:
        out: list[tuple[str, Identity]] = []
        for address in ctx.graph.nodes:
            node = ctx.graph.nodes[address]["node"]
            out.extend((address, i) for i in BY_NAME[node.kind].identities(ctx.spec, node))
        return out

    return ctx.spec.memo("policy.identities", collect)


def _all_needs(ctx: RuleContext) -> dict[str, list[tuple[str, Permission, str]]]:
    out: dict[str, list[tuple[str, Permission, str]]] = {}
    for address, identity in identities(ctx):
        if identity.use != "createAs" or identity.ref is None:
            continue  # the caller creates it: assumed to be a project owner
        own = own_account(ctx.spec, identity.ref)
        if own is None:
            continue
        node = ctx.graph.nodes[address]["node"]
        member = f"serviceAccount:{own}"
        for action in ("create", "delete"):
            for perm in BY_NAME[node.kind].needs(ctx.spec, node, action):
                out.setdefault(member, []).append((f"{action} {address}", perm, perm.on))
    return out


class PermissionPreflight(Rule):
    id = "LP006"
    title = "Every identity the apply uses holds the permissions its calls need"
    rationale = (
        "Terraform learns of a missing permission from a 403 half-way through an apply; "
        "gkeplan works it out from the spec's grants before calling anything."
    )
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        all_grants = grants(ctx.spec, ctx.graph)
        yield from self._creators(ctx, all_grants)
        yield from self._impersonation(ctx, all_grants)
        yield from self._nodes(ctx, all_grants)

    def _creators(self, ctx: RuleContext, all_grants: Grants) -> Iterable[Finding]:
        for member, needs in sorted(_needs(ctx).items()):
            missing: dict[str, list[str]] = {}
            first_why: dict[str, str] = {}
            for why, perm, on in needs:
                if granted(all_grants, member, perm.name, on) or (
                    on == DEFAULT_COMPUTE_SA and _on_default_sa(all_grants, member, perm.name)
                ):
                    continue
                missing.setdefault(on, [])
                if perm.name not in missing[on]:
                    missing[on].append(perm.name)
                    first_why.setdefault(on, why)
            for on, perms in sorted(missing.items()):
                roles = catalog.roles_granting(perms)
                role = roles[0] if roles else "a role with these permissions"
                account = member.split(":", 1)[1]
                path = next(
                    i.path
                    for _, i in identities(ctx)
                    if i.use == "createAs" and i.ref and own_account(ctx.spec, i.ref) == account
                )
                # GKE refuses a create whose nodes run as an account the caller cannot act
                # as: "Error 400: The user does not have access to service account
                # "default"., badRequest" (rancher/rancher#10553) for the default account.
                target = (
                    f"serviceAccount:{DEFAULT_SA_EMAIL}" if on == DEFAULT_COMPUTE_SA else _on(on)
                )
                yield self.finding(
                    ctx,
                    sa.address(account),
                    path,
                    f"createAs account {account} cannot {first_why[on]}: it lacks "
                    f"{', '.join(perms)} on {on}",
                    _grant_yaml(member, role, target),
                )

    def _impersonation(self, ctx: RuleContext, all_grants: Grants) -> Iterable[Finding]:
        caller = ctx.params.get("caller")
        seen: set[Path] = set()
        for address, identity in identities(ctx):
            if identity.use != "createAs" or identity.ref is None or identity.path in seen:
                continue
            seen.add(identity.path)  # a cluster's pools are made as it is: said once
            own = own_account(ctx.spec, identity.ref)
            if own is None:
                continue
            target = sa.address(own)
            holders = {
                g.member
                for g in all_grants
                if "iam.serviceAccounts.getAccessToken" in catalog.role_permissions(g.role)
                and g.target in ("project", target)
            }
            if (caller and caller not in holders) or not holders:
                who = caller or "user:YOU@example.com"
                whom = f"the caller {caller} cannot" if caller else "no one may"
                yield self.finding(
                    ctx,
                    address,
                    identity.path,
                    f"{identity.holder} is created as {own}, but {whom} impersonate it: "
                    f"that needs iam.serviceAccounts.getAccessToken on {own}, which "
                    "impersonators grants; apply would otherwise retry it for minutes",
                    f'serviceAccounts:\n  {own}:\n    impersonators: ["{who}"]',
                )

    def _nodes(self, ctx: RuleContext, all_grants: Grants) -> Iterable[Finding]:
        seen: set[str] = set()
        for _, identity in identities(ctx):
            if identity.use != "runsAs" or not identity.needs or identity.ref is None:
                continue
            own = own_account(ctx.spec, identity.ref)
            if own is None or own in seen:
                continue
            seen.add(own)
            member = f"serviceAccount:{own}"
            needed = sorted(catalog.role_permissions(identity.needs))
            missing = [p for p in needed if not granted(all_grants, member, p, "project")]
            if missing:
                # A warning: without the role the resource still runs, degraded (the
                # identity's `purpose` says how, from its kind's source).
                purpose, _, consequence = identity.purpose.partition(": ")
                yield self.finding(
                    ctx,
                    sa.address(own),
                    identity.path,
                    f"{identity.holder} run as {own}, which lacks "
                    f"{len(missing)} permission(s) {purpose} "
                    f"({', '.join(missing[:3])}...): {consequence}",
                    _grant_yaml(member, identity.needs),
                    Severity.WARNING,
                )


class AdminRoleForServiceAccount(Rule):
    id = "LP005"
    title = "Service accounts hold no admin roles at project level unless their work needs it"
    rationale = "An admin role lets a leaked account key or token do far more than its job."
    severity = Severity.WARNING
    checkov = "CKV_GCP_42"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        needs = _needs(ctx)
        for g in grants(ctx.spec, ctx.graph):
            if not (g.member.startswith("serviceAccount:") and g.target == "project"):
                continue
            if not g.role.lower().endswith("admin"):
                continue
            used = {perm.name for _, perm, _ in needs.get(g.member, ())}
            if used & catalog.role_permissions(g.role):
                continue  # the preflight shows the account needs this role for its work
            yield self.finding(
                ctx,
                g.address,
                g.path,
                f"{g.member} gets the admin role {g.role} on the whole project, "
                "and nothing gkeplan does as it needs that role",
                "remove the grant, or grant a narrower role on the resource",
            )


class OverBroadGrant(Rule):
    id = "LP007"
    title = "Grants to createAs accounts are no broader than the work needs"
    rationale = "Far more permissions than an account uses is access an attacker gets for free."
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        needs = _needs(ctx)
        for g in grants(ctx.spec, ctx.graph):
            if g.target != "project" or g.member not in needs:
                continue
            used = sorted(
                {perm.name for _, perm, on in needs[g.member] if on == "project"}
                & catalog.role_permissions(g.role)
            )
            if not used:
                continue
            smaller = [r for r in catalog.roles_granting(used) if not catalog.is_basic_role(r)]
            if smaller and catalog.role_size(smaller[0]) * 2 < catalog.role_size(g.role):
                yield self.finding(
                    ctx,
                    g.address,
                    g.path,
                    f"{g.role} grants {catalog.role_size(g.role)} permissions; "
                    f"{smaller[0]} ({catalog.role_size(smaller[0])}) covers what "
                    f"{g.member} uses ({', '.join(used)})",
                    _grant_yaml(g.member, smaller[0]),
                )


# checkov's default-account pattern (checkov/terraform/checks/resource/gcp/
# AbsGoogleIAMMemberDefaultServiceAccount.py, DEFAULT_SA): the Compute Engine default account
# PROJECT_NUMBER-compute@developer.gserviceaccount.com and the App Engine default account
# PROJECT_ID@appspot.gserviceaccount.com.
DEFAULT_ACCOUNT = re.compile(
    r"serviceAccount:(.*-compute@developer\.gserviceaccount\.com|.*@appspot\.gserviceaccount\.com)\Z"
)


class DefaultAccountProjectRoles(Rule):
    id = "LP008"
    title = "Default service accounts get no roles at project level"
    rationale = (
        "Every VM and App Engine app of the project that keeps its default identity runs as "
        "these accounts: a project role given to them is given to all of those workloads."
    )
    severity = Severity.ERROR
    # checkov/terraform/checks/resource/gcp/GoogleProjectMemberDefaultServiceAccount.py
    checkov = "CKV_GCP_46"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for g in grants(ctx.spec, ctx.graph):
            if g.target == "project" and DEFAULT_ACCOUNT.match(g.member):
                yield self.finding(
                    ctx,
                    g.address,
                    g.path,
                    f"{g.role} is granted on the whole project to the default service account "
                    f"{g.member.split(':', 1)[1]}",
                    "create a service account for the workload and grant the role to it:\n"
                    "serviceAccounts:\n  app-runner: {}\niam:\n"
                    + _grant_yaml("serviceAccount:app-runner", g.role),
                )


# checkov's IMPERSONATION_ROLES (checkov/terraform/checks/resource/gcp/
# AbsGoogleImpersonationRoles.py), the roles CKV_GCP_49 refuses at project level
# (GoogleProjectImpersonationRoles.py): each lets its holder act as, or take over, every
# service account of the project.
IMPERSONATION_ROLES = (
    "roles/owner",
    "roles/editor",
    "roles/iam.securityAdmin",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.serviceAccountKeyAdmin",
    "roles/iam.serviceAccountUser",
    "roles/iam.serviceAccountTokenCreator",
    "roles/iam.workloadIdentityUser",
    "roles/dataproc.editor",
    "roles/dataproc.admin",
    "roles/dataflow.developer",
    "roles/resourcemanager.folderAdmin",
    "roles/resourcemanager.folderIamAdmin",
    "roles/resourcemanager.projectIamAdmin",
    "roles/resourcemanager.organizationAdmin",
    "roles/serverless.serviceAgent",
    "roles/dataproc.serviceAgent",
)


class ProjectImpersonationRoles(Rule):
    id = "LP009"
    title = "No role that can impersonate or manage every service account, at project level"
    rationale = (
        "checkov's list of roles that reach every service account of the project when granted "
        "on it; grant them on the accounts, or the resources, the member needs."
    )
    severity = Severity.ERROR
    # checkov/terraform/checks/resource/gcp/GoogleProjectImpersonationRoles.py
    checkov = "CKV_GCP_49"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for g in grants(ctx.spec, ctx.graph):
            # LP001 already reports the two act-as roles at project level, with their fix
            if g.target != "project" or g.role not in IMPERSONATION_ROLES:
                continue
            if g.role in ACT_AS_ROLES:
                continue
            yield self.finding(
                ctx,
                g.address,
                g.path,
                f"{g.member} gets {g.role} on the whole project: with it, it can impersonate "
                "or manage every service account of the project",
                "grant it on the service account (on: serviceAccount:NAME) or the resource the "
                "member needs, or a narrower role",
            )
