"""iamMember.<target>/<role>/<member>: one non-authoritative member of one role binding.

gkeplan adds and removes only the members it manages; other members of the same role stay.
Grants come from the spec's `iam:` list and from shorthands on other kinds (a service
account's `impersonators` and `workloadIdentityUsers`, a repository's `readers` and
`writers`). A grant may be on a bucket or service account the spec does not create
(`bucket:gs://NAME`, an outside email): gkeplan manages only the member, and the plan checks
first that the resource exists (`external`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from pydantic import Field, model_validator

from gkeplan.errors import Path, Severity
from gkeplan.kinds import artifact_repository as repos_kind
from gkeplan.kinds import bucket as buckets_kind
from gkeplan.kinds import service_account as sa
from gkeplan.kinds.base import (
    Action,
    Dep,
    DesiredState,
    ExternalRef,
    Kind,
    Node,
    Permission,
    Section,
    explicit_deps,
)
from gkeplan.kinds.gke.models import clusters, metadata_mode
from gkeplan.spec import names, strings
from gkeplan.spec.base import Document, Model, Name, Resource
from gkeplan.spec.checks import Checker
from gkeplan.spec.refs import (
    GS_PREFIX,
    SA_EMAIL_SUFFIX,
    WI_POOL_SUFFIX,
    Member,
    Target,
    k8s_namespace_problem,
    k8s_service_account_problem,
    looks_like_workload_identity,
    parse_member,
    parse_target,
    workload_identity,
    workload_identity_structure,
)

TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"
# What lets a Kubernetes service account act as an IAM service account through Workload
# Identity: `gcloud iam service-accounts add-iam-policy-binding --role
# roles/iam.workloadIdentityUser --member "serviceAccount:$PROJECT_ID.svc.id.goog[NS/KSA]" GSA`
# (GoogleCloudPlatform/terraform-example-foundation-app#46; the same binding in
# terraform-google-modules/terraform-google-iam#105).
WORKLOAD_IDENTITY_USER = "roles/iam.workloadIdentityUser"
# GCP's answer to a grant to PROJECT.svc.id.goog[...] before any cluster of PROJECT has
# Workload Identity on: "Error 400: Identity Pool does not exist (<project_id>.svc.id.goog).
# Please check that you specified a valid resource name as returned in the `name` attribute in
# the configuration API., badRequest" (terraform-google-modules/terraform-google-kubernetes-
# engine#916; "Identity namespace does not exist" in 2020, jenkins-x/terraform-google-jx#74).
# Terraform users meet it on a first apply that grants before the cluster exists
# (googleforgames/global-multiplayer-demo#39): gkeplan's grants wait for the spec's clusters
# with Workload Identity.
POOL_MISSING = "Identity Pool does not exist ({pool})"


class Condition(Model):
    title: Name
    expression: Name
    description: str | None = None


class IamGrant(Resource):
    member: str | None = None
    members: list[str] | None = None
    role: str | None = None
    roles: list[str] | None = None
    on: str = Field(
        "project",
        description="project (default), serviceAccount:NAME or EMAIL, bucket:NAME (a bucket of "
        "the spec), bucket:gs://NAME (one outside it, which must exist) or "
        "artifactRepository:KEY.",
    )
    condition: Condition | None = None

    @model_validator(mode="after")
    def _one_of_each(self) -> IamGrant:
        if (self.member is None) == (self.members is None):
            raise ValueError("give exactly one of 'member' or 'members'")
        if (self.role is None) == (self.roles is None):
            raise ValueError("give exactly one of 'role' or 'roles'")
        if self.members == [] or self.roles == []:
            raise ValueError("'members' and 'roles' must not be empty")
        return self


def grants(spec: Document) -> list[IamGrant]:
    return cast(list[IamGrant], spec.section("iam"))


@dataclass(frozen=True)
class IamMember:
    target: Target
    role: str
    member: Member
    condition: Condition | None
    member_path: Path
    target_path: Path
    # the grant it comes from (adopt, lifecycle); None: a shorthand (impersonators, readers)
    grant: IamGrant | None = None


def address(target: Target, role: str, member: Member, condition: Condition | None) -> str:
    suffix = f"#{condition.title}" if condition else ""
    return f"iamMember.{target.address}/{role}/{member}{suffix}"


def target_of(spec: Document, text: str) -> Target | None:
    """The target `text` names; bucket:gs://NAME of one of the spec's own buckets is that
    bucket (as an email of one of its accounts is that account)."""
    target = parse_target(text)
    if target is None or not target.external:
        return target
    by_name = spec.memo(
        "bucket.by_name",
        lambda: {buckets_kind.bucket_name(spec, k): k for k in buckets_kind.buckets(spec)},
    )
    own = by_name.get(target.name)
    return Target("bucket", own) if own is not None else target


def member_of(spec: Document, text: str) -> Member | None:
    """The member `text` names, resolved against the spec's own accounts."""
    member = parse_member(text)
    return sa.resolve(spec, member) if member is not None else None


def _expand(spec: Document) -> Iterable[Node]:
    for i, grant in enumerate(grants(spec)):
        path: Path = ("iam", i)
        target = target_of(spec, grant.on)
        if target is None:
            continue
        member_paths = (
            [((*path, "member"), grant.member)]
            if grant.member is not None
            else [((*path, "members", j), m) for j, m in enumerate(grant.members or [])]
        )
        role_paths = (
            [((*path, "role"), grant.role)]
            if grant.role is not None
            else [((*path, "roles", j), r) for j, r in enumerate(grant.roles or [])]
        )
        for mpath, text in member_paths:
            member = member_of(spec, text)
            if member is None:
                continue
            for rpath, role in role_paths:
                cfg = IamMember(target, role, member, grant.condition, mpath, (*path, "on"), grant)
                yield Node(
                    address(target, role, member, grant.condition),
                    "iamMember",
                    rpath,
                    cfg,
                    tuple(explicit_deps(path, grant.depends_on)),
                )
    for name, account in sa.accounts(spec).items():
        target = Target("serviceAccount", name)
        for j, text in enumerate(account.impersonators):
            member = member_of(spec, text)
            if member is None:
                continue
            imp_path: Path = ("serviceAccounts", name, "impersonators", j)
            cfg = IamMember(
                target, TOKEN_CREATOR, member, None, imp_path, ("serviceAccounts", name)
            )
            yield Node(address(target, TOKEN_CREATOR, member, None), "iamMember", imp_path, cfg)
        for j, user in enumerate(account.workload_identity_users):
            member = wi_user_member(spec, user)
            wi_path: Path = ("serviceAccounts", name, "workloadIdentityUsers", j)
            role = WORKLOAD_IDENTITY_USER
            cfg = IamMember(target, role, member, None, wi_path, ("serviceAccounts", name))
            yield Node(address(target, role, member, None), "iamMember", wi_path, cfg)
    for key, repo in repos_kind.repositories(spec).items():
        target = Target("artifactRepository", key)
        for field, role, texts in (
            ("readers", repos_kind.READER, repo.readers),
            ("writers", repos_kind.WRITER, repo.writers),
        ):
            for j, text in enumerate(texts):
                member = member_of(spec, text)
                if member is None:
                    continue
                where: Path = ("artifactRepositories", key, field, j)
                cfg = IamMember(target, role, member, None, where, ("artifactRepositories", key))
                yield Node(address(target, role, member, None), "iamMember", where, cfg)


def wi_user_member(spec: Document, user: str) -> Member:
    """`workloadIdentityUsers: [NAMESPACE/KSA]` -> serviceAccount:PROJECT.svc.id.goog[NS/KSA]."""
    return Member("serviceAccount", f"{spec.project}{WI_POOL_SUFFIX}[{user}]")


def _wi_clusters(spec: Document, nodes: Mapping[str, Node]) -> list[str]:
    """The spec's clusters that make the project's workload identity pool."""
    return [
        f"cluster.{key}"
        for key, c in clusters(spec).items()
        if c.workload_identity and f"cluster.{key}" in nodes
    ]


def _link(spec: Document, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    cfg: IamMember = node.config
    if cfg.member.account is not None:
        yield Dep(f"serviceAccount.{cfg.member.account}", "member account", cfg.member_path)
    own = None
    if cfg.target.kind == "serviceAccount":
        own = sa.own_account(spec, cfg.target.name)
        if own is not None:
            yield Dep(f"serviceAccount.{own}", "grant target", cfg.target_path)
    elif (
        cfg.target.kind == "bucket"
        and not cfg.target.external
        and f"bucket.{cfg.target.name}" in nodes
    ):
        yield Dep(f"bucket.{cfg.target.name}", "grant target", cfg.target_path)
    elif cfg.target.kind == "artifactRepository" and cfg.target.address in nodes:
        yield Dep(cfg.target.address, "grant target", cfg.target_path)
    wi = workload_identity(cfg.member)
    if wi is not None and wi.project == spec.project:
        # The pool exists once a cluster with Workload Identity does: GCP refuses a grant on
        # a service account to its members before (POOL_MISSING), and grants elsewhere mean
        # nothing before either, so every grant to the pool waits for those clusters.
        # A cluster created as the target account waits for grants on that account: no edge
        # back to it, or the two would wait for each other.
        for address_ in _wi_clusters(spec, nodes):
            creator = clusters(spec)[address_.split(".", 1)[1]].create_as
            if own is not None and creator and sa.own_account(spec, creator) == own:
                continue
            yield Dep(address_, "workload identity pool", cfg.member_path)


_POLICY_PERMISSIONS = {
    "project": "resourcemanager.projects",
    "serviceAccount": "iam.serviceAccounts",
    "bucket": "storage.buckets",
    # artifactregistry.repositories.getIamPolicy / setIamPolicy (roles/artifactregistry.admin
    # in shared/reference/gcp-iam-roles)
    "artifactRepository": "artifactregistry.repositories",
}


def target_address(spec: Document, target: Target) -> str:
    """Where GCP checks permissions for this target: a spec address, an outside email or an
    outside bucket's gs:// URL."""
    if target.kind == "serviceAccount":
        own = sa.own_account(spec, target.name)
        return f"serviceAccount.{own}" if own else target.name
    if target.external:
        return f"{GS_PREFIX}{target.name}"
    return target.address


def _needs(spec: Document, node: Node, action: Action) -> tuple[Permission, ...]:
    cfg: IamMember = node.config
    prefix = _POLICY_PERMISSIONS[cfg.target.kind]
    on = target_address(spec, cfg.target)
    # Adding or removing one member is a read-modify-write of the whole policy.
    names = ("getIamPolicy",) if action == "read" else ("getIamPolicy", "setIamPolicy")
    return tuple(Permission(f"{prefix}.{n}", on) for n in names)


def resource_name(spec: Document, target: Target) -> str:
    """The name GCP's IAM calls use for the target of a grant."""
    if target.kind == "project":
        return f"projects/{spec.project}"
    if target.kind == "serviceAccount":
        email = sa.email_of(spec, target.name)
        return f"projects/{sa_project(spec, email)}/serviceAccounts/{email}"
    if target.kind == "artifactRepository":
        return repos_kind.resource_name(spec, target.name)
    if target.external:
        return f"buckets/{target.name}"
    return f"buckets/{buckets_kind.bucket_name(spec, target.name)}"


def sa_project(spec: Document, email: str) -> str:
    """The project part of an account's resource name: the spec's project for its own
    accounts, else "-" ("Using - as a wildcard for the PROJECT_ID will infer the project from
    the account", https://cloud.google.com/python/docs/reference/iam/latest/
    google.cloud.iam_admin_v1.types.GetServiceAccountRequest)."""
    return spec.project if email.endswith(f"@{spec.project}{SA_EMAIL_SUFFIX}") else "-"


def external(spec: Document) -> Iterable[ExternalRef]:
    """What the grants are on that the spec does not create: it must exist at plan time."""
    for i, grant in enumerate(grants(spec)):
        target = target_of(spec, grant.on)
        if target is None:
            continue
        path: Path = ("iam", i, "on")
        if target.external:
            yield ExternalRef("bucket", target.name, path, f"bucket {GS_PREFIX}{target.name}")
        elif target.kind == "serviceAccount" and sa.own_account(spec, target.name) is None:
            email = target.name
            name = f"projects/{sa_project(spec, email)}/serviceAccounts/{email}"
            yield ExternalRef("serviceAccount", name, path, f"service account {email}")


def member_string(spec: Document, member: Member) -> str:
    """The member as GCP writes it: the spec's own accounts become their emails."""
    if member.account is not None:
        return f"serviceAccount:{sa.account_email(spec, member.account)}"
    return str(member)


def _desired(spec: Document, node: Node) -> DesiredState:
    cfg: IamMember = node.config
    condition = (
        cfg.condition.model_dump(by_alias=True, exclude_none=True) if cfg.condition else None
    )
    resource = resource_name(spec, cfg.target)
    member = member_string(spec, cfg.member)
    title = cfg.condition.title if cfg.condition else ""
    return DesiredState(
        f"{resource}|{cfg.role}|{member}|{title}",
        {"resource": resource, "role": cfg.role, "member": member, "condition": condition},
    )


def check_member(c: Checker, path: Path, text: str) -> None:
    member = member_of(c.spec, text)
    if member is None:
        c.error(
            path,
            f"'{text}' is not an IAM member",
            "write KIND:VALUE, e.g. user:ada@example.com or serviceAccount:gke-node",
        )
    elif workload_identity(member) is not None:
        check_workload_identity(c, path, member)
    elif looks_like_workload_identity(member):
        c.error(
            path,
            f"'{text}' is not a Workload Identity member",
            "write serviceAccount:PROJECT_ID.svc.id.goog[NAMESPACE/KSA_NAME]",
        )
    elif member.kind in ("user", "group") and "@" not in member.value:
        c.error(path, f"'{text}' needs an email after '{member.kind}:'")
    elif (problem := strings.member_problem(member.kind, member.value)) is not None:
        c.error(path, f"'{member.kind}:...' member: {problem}")
    elif member.kind == "serviceAccount" and member.account is None:
        sa.check_ref(c, path, member.value, "member")


def check_workload_identity(c: Checker, path: Path, member: Member) -> None:
    """The pieces of a Workload Identity member: the pool's project id (a pool of a project
    that cannot exist is one GCP refuses, POOL_MISSING), the shape of principal:// forms, and
    the Kubernetes names (a warning: no pod can ever have a malformed name, so the grant is
    dead, but no GCP refusal of it is on record)."""
    wi = workload_identity(member)
    assert wi is not None
    # A project id "Must be 6 to 30 characters in length. Can only contain lowercase letters,
    # numbers, and hyphens. Must start with a letter. Cannot end with a hyphen."
    # (https://cloud.google.com/resource-manager/docs/creating-managing-projects, as quoted by
    # https://docs.rs/firestore-path/0.5.0/src/firestore_path/project_id.rs.html); legacy
    # domain-scoped ids (DOMAIN:ID) are left to GCP.
    problem = None if ":" in wi.project else names.project_id(wi.project)
    if problem:
        c.error(
            path,
            f"{problem}: GCP refuses the grant ({POOL_MISSING.format(pool=wi.pool)})",
            "the pool is PROJECT_ID.svc.id.goog, e.g. ${PROJECT_ID}.svc.id.goog[NS/KSA]",
        )
        return
    shape = workload_identity_structure(member, wi)
    if shape:
        c.error(path, shape)
        return
    if member.kind == "principalSet":
        return
    for what in (k8s_namespace_problem(wi.namespace), k8s_service_account_problem(wi.ksa)):
        if what:
            c.error(
                path,
                f"{what}: no pod can run as it, so the grant would never be used",
                severity=Severity.WARNING,
            )


def _check_wi_user(c: Checker, path: Path, user: str) -> None:
    _ns, sep, ksa = user.partition("/")
    if not sep or "/" in ksa:
        c.error(path, f"'{user}' is not NAMESPACE/KSA_NAME", "e.g. serving/tf-serving")
        return
    check_workload_identity(c, path, wi_user_member(c.spec, user))


def _wi_members(spec: Document) -> list[tuple[Path, Member]]:
    """Every Workload Identity member of the spec's own project, with where it is written."""
    out: list[tuple[Path, Member]] = []
    for key, account in sa.accounts(spec).items():
        for j, user in enumerate(account.workload_identity_users):
            path: Path = ("serviceAccounts", key, "workloadIdentityUsers", j)
            out.append((path, wi_user_member(spec, user)))
    for i, grant in enumerate(grants(spec)):
        texts = (
            [(("iam", i, "member"), grant.member)]
            if grant.member is not None
            else [(("iam", i, "members", j), m) for j, m in enumerate(grant.members or [])]
        )
        for mpath, text in texts:
            member = parse_member(text)
            if member is None:
                continue
            wi = workload_identity(member)
            if wi is not None and wi.project == spec.project:
                out.append((mpath, member))
    return out


def _check_pool_exists(spec: Document, c: Checker) -> None:
    """Grants to the project's Kubernetes service accounts need a cluster with Workload
    Identity, and pods get those identities only on nodes with the GKE metadata server.
    Warnings: a cluster outside the spec may make the pool and run the pods."""
    members = _wi_members(spec)
    if not members:
        return
    path, member = members[0]
    pool = f"{spec.project}{WI_POOL_SUFFIX}"
    wi_clusters = {k: cl for k, cl in clusters(spec).items() if cl.workload_identity}
    if not wi_clusters:
        c.error(
            path,
            f"{member} is in the pool {pool}, but no cluster of this spec has "
            f"workloadIdentity: true: unless a cluster outside the spec has it, the pool does "
            f"not exist and GCP refuses grants on service accounts to its members "
            f"({POOL_MISSING.format(pool=pool)})",
            "set workloadIdentity: true on the cluster that runs these pods",
            severity=Severity.WARNING,
        )
        return
    if not any(
        metadata_mode(cl, p) == "GKE_METADATA"
        for cl in wi_clusters.values()
        for p in cl.node_pools.values()
    ) and any(cl.node_pools for cl in wi_clusters.values()):
        c.error(
            path,
            f"{member} is a Kubernetes service account, but every node pool of the clusters "
            "with Workload Identity uses GCE_METADATA: pods get the node's identity, not this one",
            "workloadMetadata: GKE_METADATA   # on the node pools that run these pods",
            severity=Severity.WARNING,
        )


def _check(spec: Document, c: Checker) -> None:
    for key, account in sa.accounts(spec).items():
        for i, text in enumerate(account.impersonators):
            check_member(c, ("serviceAccounts", key, "impersonators", i), text)
        for i, user in enumerate(account.workload_identity_users):
            _check_wi_user(c, ("serviceAccounts", key, "workloadIdentityUsers", i), user)
    _check_pool_exists(spec, c)
    for key, repo in repos_kind.repositories(spec).items():
        for field, texts in (("readers", repo.readers), ("writers", repo.writers)):
            for i, text in enumerate(texts):
                check_member(c, ("artifactRepositories", key, field, i), text)
    repos = repos_kind.repositories(spec)
    buckets = buckets_kind.buckets(spec)
    for i, grant in enumerate(grants(spec)):
        path: Path = ("iam", i)
        if grant.member is not None:
            check_member(c, (*path, "member"), grant.member)
        for j, m in enumerate(grant.members or []):
            check_member(c, (*path, "members", j), m)
        if grant.role is not None:
            c.role((*path, "role"), grant.role)
        for j, r in enumerate(grant.roles or []):
            c.role((*path, "roles", j), r)
        target = target_of(spec, grant.on)
        if target is None:
            c.error(
                (*path, "on"),
                f"'{grant.on}' is not a grant target",
                "write project, serviceAccount:NAME, bucket:NAME, bucket:gs://NAME or "
                "artifactRepository:KEY",
            )
        elif target.kind == "serviceAccount":
            sa.check_ref(c, (*path, "on"), target.name, "target")
        elif target.external:
            c.check_name((*path, "on"), names.bucket_name(target.name))
        elif target.kind == "bucket" and target.name not in buckets:
            c.error(
                (*path, "on"),
                f"target bucket '{target.name}' is not a bucket of this spec",
                c.hint(target.name, buckets)
                or f"for a bucket the spec does not create, write bucket:{GS_PREFIX}NAME",
            )
        elif target.kind == "artifactRepository" and target.name not in repos:
            c.error(
                (*path, "on"),
                f"target repository '{target.name}' is not an artifactRepository of this spec",
                c.hint(target.name, repos),
            )
        c.depends_on(path, grant)


# A member is written into the IAM policy of what it is on, through that resource's API.
TARGET_APIS = {
    "project": "cloudresourcemanager.googleapis.com",
    "serviceAccount": sa.IAM_API,
    "bucket": buckets_kind.STORAGE_API,
    "artifactRepository": repos_kind.ARTIFACT_REGISTRY_API,
}


def _apis(spec: Document, node: Node) -> tuple[str, ...]:
    return (TARGET_APIS.get(node.config.target.kind, TARGET_APIS["project"]),)


KIND = Kind(
    "iamMember",
    Section(
        "iam",
        list[IamGrant],
        list,
        "IAM grants: members, roles and the resource they are granted on.",
    ),
    _expand,
    _needs,
    _desired,
    driver="gkeplan.kinds.iam_member.driver:IamMemberDriver",
    generate="gkeplan.kinds.iam_member.generate:GENERATOR",
    apis=_apis,
    link=_link,
    check=_check,
    external=external,
    updatable=False,
    merged=True,
)
