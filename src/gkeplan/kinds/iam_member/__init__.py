"""iamMember.<target>/<role>/<member>: one non-authoritative member of one role binding.

gkeplan adds and removes only the members it manages; other members of the same role stay.
Grants come from the spec's `iam:` list and from shorthands on other kinds (a service
account's `impersonators`, a repository's `readers` and `writers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import cast

from pydantic import Field, model_validator

from gkeplan.errors import Path
from gkeplan.kinds import artifact_repository as repos_kind
from gkeplan.kinds import bucket as buckets_kind
from gkeplan.kinds import service_account as sa
from gkeplan.kinds.base import (
    Action,
    Dep,
    DesiredState,
    Kind,
    Node,
    Permission,
    Section,
    explicit_deps,
)
from gkeplan.spec import strings
from gkeplan.spec.base import Document, Model, Name, Resource
from gkeplan.spec.checks import Checker
from gkeplan.spec.refs import Member, Target, parse_member, parse_target

TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"


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
        description="project (default), serviceAccount:NAME, bucket:NAME or "
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


def member_of(spec: Document, text: str) -> Member | None:
    """The member `text` names, resolved against the spec's own accounts."""
    member = parse_member(text)
    return sa.resolve(spec, member) if member is not None else None


def _expand(spec: Document) -> Iterable[Node]:
    for i, grant in enumerate(grants(spec)):
        path: Path = ("iam", i)
        target = parse_target(grant.on)
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


def _link(spec: Document, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    cfg: IamMember = node.config
    if cfg.member.account is not None:
        yield Dep(f"serviceAccount.{cfg.member.account}", "member account", cfg.member_path)
    if cfg.target.kind == "serviceAccount":
        own = sa.own_account(spec, cfg.target.name)
        if own is not None:
            yield Dep(f"serviceAccount.{own}", "grant target", cfg.target_path)
    elif cfg.target.kind == "bucket" and f"bucket.{cfg.target.name}" in nodes:
        yield Dep(f"bucket.{cfg.target.name}", "grant target", cfg.target_path)
    elif cfg.target.kind == "artifactRepository" and cfg.target.address in nodes:
        yield Dep(cfg.target.address, "grant target", cfg.target_path)


_POLICY_PERMISSIONS = {
    "project": "resourcemanager.projects",
    "serviceAccount": "iam.serviceAccounts",
    "bucket": "storage.buckets",
    # artifactregistry.repositories.getIamPolicy / setIamPolicy (roles/artifactregistry.admin
    # in shared/reference/gcp-iam-roles)
    "artifactRepository": "artifactregistry.repositories",
}


def target_address(spec: Document, target: Target) -> str:
    """Where GCP checks permissions for this target: a spec address or an outside email."""
    if target.kind == "serviceAccount":
        own = sa.own_account(spec, target.name)
        return f"serviceAccount.{own}" if own else target.name
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
        return f"projects/{spec.project}/serviceAccounts/{sa.email_of(spec, target.name)}"
    if target.kind == "artifactRepository":
        return repos_kind.resource_name(spec, target.name)
    return f"buckets/{buckets_kind.bucket_name(spec, target.name)}"


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
    elif member.kind in ("user", "group") and "@" not in member.value:
        c.error(path, f"'{text}' needs an email after '{member.kind}:'")
    elif (problem := strings.member_problem(member.kind, member.value)) is not None:
        c.error(path, f"'{member.kind}:...' member: {problem}")
    elif member.kind == "serviceAccount" and member.account is None:
        sa.check_ref(c, path, member.value, "member")


def _check(spec: Document, c: Checker) -> None:
    for key, account in sa.accounts(spec).items():
        for i, text in enumerate(account.impersonators):
            check_member(c, ("serviceAccounts", key, "impersonators", i), text)
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
        target = parse_target(grant.on)
        if target is None:
            c.error(
                (*path, "on"),
                f"'{grant.on}' is not a grant target",
                "write project, serviceAccount:NAME, bucket:NAME or artifactRepository:KEY",
            )
        elif target.kind == "serviceAccount":
            sa.check_ref(c, (*path, "on"), target.name, "target")
        elif target.kind == "bucket" and target.name not in buckets:
            c.error(
                (*path, "on"),
                f"target bucket '{target.name}' is not a bucket of this spec",
                c.hint(target.name, buckets),
            )
        elif target.kind == "artifactRepository" and target.name not in repos:
            c.error(
                (*path, "on"),
                f"target repository '{target.name}' is not an artifactRepository of this spec",
                c.hint(target.name, repos),
            )
        c.depends_on(path, grant)


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
    link=_link,
    check=_check,
    updatable=False,
    merged=True,
)
