"""least-privilege: over-broad and public grants, and a permission preflight of the apply."""

from __future__ import annotations

import re
from collections.abc import Iterable

from gkeplan import catalog
from gkeplan.errors import Path, Severity
from gkeplan.kinds import BY_NAME, Permission
from gkeplan.kinds.gke.models import clusters, node_accounts
from gkeplan.kinds.gke.shared import DEFAULT_COMPUTE_SA
from gkeplan.kinds.service_account import own_account
from gkeplan.policy.grants import Grants, granted, grants
from gkeplan.policy.model import Context, Finding, Rule
from gkeplan.spec.refs import PUBLIC_MEMBERS

ACT_AS_ROLES = ("roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator")
NODE_ROLE = "roles/container.defaultNodeServiceAccount"


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
    if target.startswith("gs://"):
        return f"bucket:{target}"
    return (
        target.replace(".", ":", 1) if target.startswith(("serviceAccount.", "bucket.")) else target
    )


class ProjectWideActAs(Rule):
    id = "LP001"
    title = "No project-wide serviceAccountUser or serviceAccountTokenCreator"
    rationale = (
        "At project level these roles let the member act as every service account of "
        "the project, present and future, including ones with more power than it has."
    )
    severity = Severity.ERROR
    checkov = "CKV_GCP_41"

    def check(self, ctx: Context) -> Iterable[Finding]:
        accounts = sorted(
            {ref for c in clusters(ctx.spec).values() for _, ref, _ in node_accounts(c) if ref}
        )
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

    def check(self, ctx: Context) -> Iterable[Finding]:
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


class PublicMembers(Rule):
    id = "LP003"
    title = "Nothing is granted to allUsers or allAuthenticatedUsers"
    rationale = "These members are anyone on the internet, or anyone with a Google account."
    severity = Severity.ERROR
    checkov = "CKV_GCP_28"

    def check(self, ctx: Context) -> Iterable[Finding]:
        for g in grants(ctx.spec, ctx.graph):
            # on a repository it is security-baseline SB022 (checkov CKV_GCP_101)
            if g.member in PUBLIC_MEMBERS and not g.target.startswith("artifactRepository."):
                yield self.finding(
                    ctx,
                    g.address,
                    g.path,
                    f"{g.role} is granted to {g.member} on {g.target}",
                    "grant it to the users or groups that need it",
                )


class DefaultComputeServiceAccount(Rule):
    id = "LP004"
    title = "Nodes do not run as the Compute Engine default service account"
    rationale = (
        "The default account often holds roles/editor; every pod on the node can use its token."
    )
    severity = Severity.ERROR
    # checkov's GKE check is the graph check CKV2_GCP_1 ("Ensure GKE clusters are not running
    # using the Compute Engine default service account"); CKV_GCP_30 covers
    # google_compute_instance and passes instances named gke-* (checkov 03d5fdad).
    checkov = "CKV2_GCP_1"

    def check(self, ctx: Context) -> Iterable[Finding]:
        for cname, cluster in clusters(ctx.spec).items():
            pools = [
                (p, pool) for p, pool in cluster.node_pools.items() if not pool.service_account
            ]
            for pname, _ in pools:
                yield self.finding(
                    ctx,
                    f"nodePool.{cname}.{pname}",
                    ("clusters", cname, "nodePools", pname),
                    f"node pool {pname} runs as the Compute Engine default service account",
                    f"serviceAccount: gke-node   # an account with {NODE_ROLE} only",
                )
            if not cluster.remove_default_node_pool and not cluster.autopilot:
                yield self.finding(
                    ctx,
                    f"cluster.{cname}",
                    ("clusters", cname),
                    f"cluster {cname} keeps GKE's default node pool, which runs "
                    "as the Compute Engine default service account",
                    "removeDefaultNodePool: true",
                )
            nap = cluster.node_auto_provisioning
            if cluster.autopilot and not (nap and nap.auto_provisioning_defaults.service_account):
                # Autopilot nodes run as the account of cluster_autoscaling's
                # auto_provisioning_defaults (GoogleCloudPlatform/magic-modules#6733), the
                # Compute Engine default when none is named
                # (hashicorp/terraform-provider-google#8918: "GKE autopilot is always created
                # with default service account")
                yield self.finding(
                    ctx,
                    f"cluster.{cname}",
                    ("clusters", cname, "autopilot"),
                    f"Autopilot cluster {cname} runs its nodes as the Compute Engine default "
                    "service account",
                    "nodeAutoProvisioning: {autoProvisioningDefaults: {serviceAccount: gke-node}}",
                )
            elif nap and nap.enabled and not nap.auto_provisioning_defaults.service_account:
                # Auto-provisioned nodes run as it too; Google's GKE policy library forbids it
                # (google/gke-policy-automation gke-policies-v2/policy/nap_forbid_default_sa.rego)
                yield self.finding(
                    ctx,
                    f"cluster.{cname}",
                    ("clusters", cname, "nodeAutoProvisioning"),
                    f"node auto-provisioning in {cname} runs nodes as the Compute Engine "
                    "default service account",
                    "autoProvisioningDefaults: {serviceAccount: gke-node}",
                )


def _needs(ctx: Context) -> dict[str, list[tuple[str, Permission, str]]]:
    """member -> [(why, permission, on)] for everything an apply and destroy of the spec do
    (once per spec: three rules read it)."""
    return ctx.spec.memo("policy.needs", lambda: _all_needs(ctx))


def _all_needs(ctx: Context) -> dict[str, list[tuple[str, Permission, str]]]:
    out: dict[str, list[tuple[str, Permission, str]]] = {}
    for address in ctx.graph.nodes:
        node = ctx.graph.nodes[address]["node"]
        if node.kind not in ("cluster", "nodePool"):
            continue
        cname = str(node.path[1])
        creator = clusters(ctx.spec)[cname].create_as
        own = own_account(ctx.spec, creator) if creator else None
        if own is None:
            continue  # the caller creates it: assumed to be a project owner
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

    def check(self, ctx: Context) -> Iterable[Finding]:
        all_grants = grants(ctx.spec, ctx.graph)
        yield from self._creators(ctx, all_grants)
        yield from self._impersonation(ctx, all_grants)
        yield from self._nodes(ctx, all_grants)

    def _creators(self, ctx: Context, all_grants: Grants) -> Iterable[Finding]:
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
                path: Path = ("clusters",)
                for cname, c in clusters(ctx.spec).items():
                    if c.create_as and own_account(ctx.spec, c.create_as) == account:
                        path = ("clusters", cname, "createAs")
                        break
                # GKE refuses a create whose nodes run as an account the caller cannot act
                # as: "Error 400: The user does not have access to service account
                # "default"., badRequest" (rancher/rancher#10553) for the default account.
                target = (
                    f"serviceAccount:{DEFAULT_SA_EMAIL}" if on == DEFAULT_COMPUTE_SA else _on(on)
                )
                yield self.finding(
                    ctx,
                    f"serviceAccount.{account}",
                    path,
                    f"createAs account {account} cannot {first_why[on]}: it lacks "
                    f"{', '.join(perms)} on {on}",
                    _grant_yaml(member, role, target),
                )

    def _impersonation(self, ctx: Context, all_grants: Grants) -> Iterable[Finding]:
        caller = ctx.params.get("caller")
        for cname, cluster in clusters(ctx.spec).items():
            own = own_account(ctx.spec, cluster.create_as) if cluster.create_as else None
            if own is None:
                continue
            target = f"serviceAccount.{own}"
            holders = {
                g.member
                for g in all_grants
                if "iam.serviceAccounts.getAccessToken" in catalog.role_permissions(g.role)
                and g.target in ("project", target)
            }
            if (caller and caller not in holders) or not holders:
                who = caller or "user:YOU@example.com"
                yield self.finding(
                    ctx,
                    f"cluster.{cname}",
                    ("clusters", cname, "createAs"),
                    f"cluster {cname} is created as {own}, but "
                    f"{'the caller ' + caller if caller else 'no one'} may "
                    f"impersonate it (iam.serviceAccounts.getAccessToken)",
                    f'serviceAccounts:\n  {own}:\n    impersonators: ["{who}"]',
                )

    def _nodes(self, ctx: Context, all_grants: Grants) -> Iterable[Finding]:
        needed = sorted(catalog.role_permissions(NODE_ROLE))
        seen: set[str] = set()
        for cname, cluster in clusters(ctx.spec).items():
            for pname, ref, at in node_accounts(cluster):
                own = own_account(ctx.spec, ref) if ref else None
                if own is None or own in seen:
                    continue
                seen.add(own)
                member = f"serviceAccount:{own}"
                missing = [p for p in needed if not granted(all_grants, member, p, "project")]
                if missing:
                    # A warning: GKE's troubleshooting/service-accounts page scopes the need to
                    # "clusters using Kubernetes version 1.33 or earlier", and without it logs,
                    # metrics and the HPA profile degrade ("Grant roles/container.
                    # defaultNodeServiceAccount role to Node service account to allow for
                    # non-degraded operations."); the nodes still run.
                    yield self.finding(
                        ctx,
                        f"serviceAccount.{own}",
                        ("clusters", cname, *at),
                        f"nodes of {cname}/{pname} run as {own}, which lacks "
                        f"{len(missing)} permission(s) nodes need to write logs and metrics "
                        f"({', '.join(missing[:3])}...): on GKE 1.33 and earlier, logging "
                        "and monitoring degrade",
                        _grant_yaml(member, NODE_ROLE),
                        Severity.WARNING,
                    )


class AdminRoleForServiceAccount(Rule):
    id = "LP005"
    title = "Service accounts hold no admin roles at project level unless their work needs it"
    rationale = "An admin role lets a leaked account key or token do far more than its job."
    severity = Severity.WARNING
    checkov = "CKV_GCP_42"

    def check(self, ctx: Context) -> Iterable[Finding]:
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

    def check(self, ctx: Context) -> Iterable[Finding]:
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

    def check(self, ctx: Context) -> Iterable[Finding]:
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

    def check(self, ctx: Context) -> Iterable[Finding]:
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
