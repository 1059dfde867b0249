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
from gkeplan.kinds import base
from gkeplan.kinds import service_account as sa
from gkeplan.kinds.gke.models import clusters, metadata_mode
from gkeplan.spec import names, strings
from gkeplan.spec.base import Document, Model, Name, Resource
from gkeplan.spec.checks import Checker
from gkeplan.spec.refs import (
    WI_POOL_SUFFIX,
    Member,
    TargetRef,
    k8s_namespace_problem,
    k8s_service_account_problem,
    looks_like_workload_identity,
    parse_member,
    parse_target,
    workload_identity,
    workload_identity_structure,
)

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
# Custom roles are named projects/P/roles/R or organizations/O/roles/R (IAM "Understanding
# roles": custom roles), never in the predefined catalog.
CUSTOM_ROLE_PREFIXES = ("projects/", "organizations/")


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
        description="project (default), or KIND:NAME of a resource whose kind takes grants: "
        "e.g. serviceAccount:NAME or EMAIL, bucket:KEY (a bucket of the spec), bucket:gs://NAME "
        "(one outside it, which must exist), artifactRepository:KEY.",
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
    target: TargetRef
    role: str
    member: Member
    condition: Condition | None
    member_path: Path
    target_path: Path
    # the grant it comes from (adopt, lifecycle); None: a shorthand (impersonators, readers)
    grant: IamGrant | None = None
    # where GCP checks the permissions of the grant: "project", a spec address, or what names
    # an outside resource (an email, a gs:// URL)
    where: str = "project"


def address(target: TargetRef, role: str, member: Member, condition: Condition | None) -> str:
    suffix = f"#{condition.title}" if condition else ""
    return f"iamMember.{target.address}/{role}/{member}{suffix}"


def member_of(spec: Document, text: str) -> Member | None:
    """The member `text` names, resolved against the spec's own accounts."""
    member = parse_member(text)
    return sa.resolve(spec, member) if member is not None else None


def wi_user_member(spec: Document, user: str) -> Member:
    """`workloadIdentityUsers: [NAMESPACE/KSA]` -> serviceAccount:PROJECT.svc.id.goog[NS/KSA]."""
    return Member("serviceAccount", f"{spec.project}{WI_POOL_SUFFIX}[{user}]")


def _wi_clusters(spec: Document, nodes: Mapping[str, base.Node]) -> list[str]:
    """The spec's clusters that make the project's workload identity pool."""
    return [
        f"cluster.{key}"
        for key, c in clusters(spec).items()
        if c.workload_identity and f"cluster.{key}" in nodes
    ]


def member_string(spec: Document, member: Member) -> str:
    """The member as GCP writes it: the spec's own accounts become their emails."""
    if member.account is not None:
        return f"serviceAccount:{sa.account_email(spec, member.account)}"
    return str(member)


# The project itself: its policy through Resource Manager (projects.getIamPolicy /
# setIamPolicy), the default target of a grant.
PROJECT_API = "cloudresourcemanager.googleapis.com"
PROJECT_PERMISSIONS = "resourcemanager.projects"


class Members:
    """The iamMember kind over the grant targets its registry's kinds offer
    (`Kind.grant_target`), by kind name."""

    def __init__(self, targets: Mapping[str, base.GrantTarget]) -> None:
        self.targets = dict(targets)

    def target_of(self, spec: Document, text: str) -> TargetRef | None:
        """What `on: text` names, as its kind reads it; None when no kind offers it."""
        ref = parse_target(text)
        if ref is None or ref.kind == "project":
            return ref
        target = self.targets.get(ref.kind)
        return target.resolve(spec, ref) if target is not None else None

    def own(self, spec: Document, ref: TargetRef) -> str | None:
        """The spec address the grant is on, if the spec makes what it is on."""
        if ref.kind == "project":
            return None
        return self.targets[ref.kind].own(spec, ref)

    def where(self, spec: Document, ref: TargetRef) -> str:
        """Where GCP checks permissions for this target: the project, a spec address, or
        what names an outside resource (an email, a gs:// URL)."""
        if ref.kind == "project":
            return "project"
        own = self.own(spec, ref)
        if own is not None:
            return own
        outside = self.targets[ref.kind].where
        return outside(spec, ref) if outside is not None else ref.address

    def resource_name(self, spec: Document, ref: TargetRef) -> str:
        """The name GCP's IAM calls use for the target of a grant."""
        if ref.kind == "project":
            return f"projects/{spec.project}"
        return self.targets[ref.kind].resource_name(spec, ref)

    def _member(
        self,
        spec: Document,
        ref: TargetRef,
        role: str,
        member: Member,
        condition: Condition | None,
        member_path: Path,
        target_path: Path,
        grant: IamGrant | None = None,
    ) -> IamMember:
        return IamMember(
            ref, role, member, condition, member_path, target_path, grant, self.where(spec, ref)
        )

    def expand(self, spec: Document) -> Iterable[base.Node]:
        for i, grant in enumerate(grants(spec)):
            path: Path = ("iam", i)
            target = self.target_of(spec, grant.on)
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
                    cfg = self._member(
                        spec, target, role, member, grant.condition, mpath, (*path, "on"), grant
                    )
                    yield base.Node(
                        address(target, role, member, grant.condition),
                        "iamMember",
                        rpath,
                        cfg,
                        tuple(base.explicit_deps(path, grant.depends_on)),
                    )
        for kind, offered in self.targets.items():
            for short in offered.shorthands(spec):
                member = member_of(spec, short.text)
                if member is None:
                    continue
                ref = TargetRef(kind, short.key)
                cfg = self._member(
                    spec, ref, short.role, member, None, short.path, short.target_path
                )
                yield base.Node(
                    address(ref, short.role, member, None), "iamMember", short.path, cfg
                )
        for name, account in sa.accounts(spec).items():
            ref = TargetRef("serviceAccount", name)
            for j, user in enumerate(account.workload_identity_users):
                member = wi_user_member(spec, user)
                wi_path: Path = ("serviceAccounts", name, "workloadIdentityUsers", j)
                role = WORKLOAD_IDENTITY_USER
                cfg = self._member(
                    spec, ref, role, member, None, wi_path, ("serviceAccounts", name)
                )
                yield base.Node(address(ref, role, member, None), "iamMember", wi_path, cfg)

    def link(
        self, spec: Document, node: base.Node, nodes: Mapping[str, base.Node]
    ) -> Iterable[base.Dep]:
        cfg: IamMember = node.model
        if cfg.member.account is not None:
            yield base.Dep(
                f"serviceAccount.{cfg.member.account}", "member account", cfg.member_path
            )
        own = self.own(spec, cfg.target)
        if own is not None and own in nodes:
            yield base.Dep(own, "grant target", cfg.target_path)
        wi = workload_identity(cfg.member)
        if wi is not None and wi.project == spec.project:
            # The pool exists once a cluster with Workload Identity does: GCP refuses a grant
            # on a service account to its members before (POOL_MISSING), and grants elsewhere
            # mean nothing before either, so every grant to the pool waits for those clusters.
            # A cluster created as the target account waits for grants on that account: no
            # edge back to it, or the two would wait for each other.
            for address_ in _wi_clusters(spec, nodes):
                creator = clusters(spec)[address_.split(".", 1)[1]].create_as
                if (
                    own is not None
                    and creator
                    and f"serviceAccount.{sa.own_account(spec, creator)}" == own
                ):
                    continue
                yield base.Dep(address_, "workload identity pool", cfg.member_path)

    def needs(
        self, spec: Document, node: base.Node, action: base.Verb
    ) -> tuple[base.Permission, ...]:
        cfg: IamMember = node.model
        kind = cfg.target.kind
        prefix = PROJECT_PERMISSIONS if kind == "project" else self.targets[kind].permissions
        # Adding or removing one member is a read-modify-write of the whole policy.
        names_ = ("getIamPolicy",) if action == "read" else ("getIamPolicy", "setIamPolicy")
        return tuple(base.Permission(f"{prefix}.{n}", cfg.where) for n in names_)

    def external(self, spec: Document) -> Iterable[base.ExternalRef]:
        """What the grants are on that the spec does not create: it must exist at plan time."""
        for i, grant in enumerate(grants(spec)):
            target = self.target_of(spec, grant.on)
            if target is None or target.kind == "project":
                continue
            found = self.targets[target.kind].external(spec, target, ("iam", i, "on"))
            if found is not None:
                yield found

    def desired(self, spec: Document, node: base.Node) -> base.DesiredState:
        cfg: IamMember = node.model
        condition = (
            cfg.condition.model_dump(by_alias=True, exclude_none=True) if cfg.condition else None
        )
        resource = self.resource_name(spec, cfg.target)
        member = member_string(spec, cfg.member)
        title = cfg.condition.title if cfg.condition else ""
        return base.DesiredState(
            f"{resource}|{cfg.role}|{member}|{title}",
            {"resource": resource, "role": cfg.role, "member": member, "condition": condition},
        )

    def apis(self, spec: Document, node: base.Node) -> tuple[str, ...]:
        # A member is written into the IAM policy of what it is on, through that resource's API.
        kind = node.model.target.kind
        return (PROJECT_API if kind == "project" else self.targets[kind].api,)

    def check(self, spec: Document, c: Checker) -> None:
        for key, account in sa.accounts(spec).items():
            for i, user in enumerate(account.workload_identity_users):
                _check_wi_user(c, ("serviceAccounts", key, "workloadIdentityUsers", i), user)
        _check_pool_exists(spec, c)
        for offered in self.targets.values():
            for short in offered.shorthands(spec):
                check_member(c, short.path, short.text)
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
            target = self.target_of(spec, grant.on)
            if target is None:
                syntaxes = ", ".join(["project", *(t.syntax for t in self.targets.values())])
                c.error((*path, "on"), f"'{grant.on}' is not a grant target", f"write {syntaxes}")
            elif target.kind != "project":
                self.targets[target.kind].check(c, (*path, "on"), target)
            c.depends_on(path, grant)

    def catalog_names(self, spec: Document, node: base.Node) -> Iterable[base.CatalogName]:
        role: str = node.model.role
        if not role.startswith(CUSTOM_ROLE_PREFIXES):
            yield base.CatalogName("role", role, node.path)

    def kind(self) -> base.Kind:
        return base.Kind(
            "iamMember",
            base.Section(
                "iam",
                list[IamGrant],
                list,
                "IAM grants: members, roles and the resource they are granted on.",
            ),
            self.expand,
            self.needs,
            self.desired,
            driver="gkeplan.kinds.iam_member.driver:IamMemberDriver",
            generate="gkeplan.kinds.iam_member.generate:GENERATOR",
            apis=self.apis,
            link=self.link,
            check=self.check,
            external=self.external,
            catalog_names=self.catalog_names,
            updatable=False,
            merged=True,
        )


def with_members(kinds: Iterable[base.Kind]) -> tuple[base.Kind, ...]:
    """The registry's kinds, and the iamMember kind over the grant targets they offer, after
    the first of them (the member kind reads service accounts, and grants wait for them)."""
    kinds = tuple(kinds)
    members = Members({k.name: k.grant_target for k in kinds if k.grant_target is not None})
    return (kinds[0], members.kind(), *kinds[1:])


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
