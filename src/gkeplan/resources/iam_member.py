"""iamMember.<target>/<role>/<member>: one non-authoritative member of one role binding.

gkeplan adds and removes only the members it manages; other members of the same role stay.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from gkeplan.diagnostics import Path
from gkeplan.resources.base import (
    Action,
    Dep,
    DesiredState,
    Node,
    Permission,
    ResourceKind,
    explicit_deps,
)
from gkeplan.spec.models import Condition, Spec
from gkeplan.spec.refs import (
    Member,
    Target,
    account_email,
    own_account,
    parse_member,
    parse_target,
)

TOKEN_CREATOR = "roles/iam.serviceAccountTokenCreator"


@dataclass(frozen=True)
class IamMember:
    target: Target
    role: str
    member: Member
    condition: Condition | None
    member_path: Path
    target_path: Path


def address(target: Target, role: str, member: Member, condition: Condition | None) -> str:
    suffix = f"#{condition.title}" if condition else ""
    return f"iamMember.{target.address}/{role}/{member}{suffix}"


def _expand(spec: Spec) -> Iterable[Node]:
    for i, grant in enumerate(spec.iam):
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
            member = parse_member(spec, text)
            if member is None:
                continue
            for rpath, role in role_paths:
                cfg = IamMember(target, role, member, grant.condition, mpath, (*path, "on"))
                yield Node(
                    address(target, role, member, grant.condition),
                    "iamMember",
                    rpath,
                    cfg,
                    tuple(explicit_deps(path, grant.depends_on)),
                )
    for name, sa in spec.service_accounts.items():
        target = Target("serviceAccount", name)
        for j, text in enumerate(sa.impersonators):
            member = parse_member(spec, text)
            if member is None:
                continue
            imp_path: Path = ("serviceAccounts", name, "impersonators", j)
            cfg = IamMember(
                target, TOKEN_CREATOR, member, None, imp_path, ("serviceAccounts", name)
            )
            yield Node(address(target, TOKEN_CREATOR, member, None), "iamMember", imp_path, cfg)


def _link(spec: Spec, node: Node, nodes: Mapping[str, Node]) -> Iterable[Dep]:
    cfg: IamMember = node.config
    if cfg.member.account is not None:
        yield Dep(f"serviceAccount.{cfg.member.account}", "member account", cfg.member_path)
    if cfg.target.kind == "serviceAccount":
        own = own_account(spec, cfg.target.name)
        if own is not None:
            yield Dep(f"serviceAccount.{own}", "grant target", cfg.target_path)
    elif cfg.target.kind == "bucket" and cfg.target.name in spec.buckets:
        yield Dep(f"bucket.{cfg.target.name}", "grant target", cfg.target_path)


_POLICY_PERMISSIONS = {
    "project": "resourcemanager.projects",
    "serviceAccount": "iam.serviceAccounts",
    "bucket": "storage.buckets",
}


def target_address(spec: Spec, target: Target) -> str:
    """Where GCP checks permissions for this target: a spec address or an outside email."""
    if target.kind == "serviceAccount":
        own = own_account(spec, target.name)
        return f"serviceAccount.{own}" if own else target.name
    return target.address


def _needs(spec: Spec, node: Node, action: Action) -> tuple[Permission, ...]:
    cfg: IamMember = node.config
    prefix = _POLICY_PERMISSIONS[cfg.target.kind]
    on = target_address(spec, cfg.target)
    # Adding or removing one member is a read-modify-write of the whole policy.
    names = ("getIamPolicy",) if action == "read" else ("getIamPolicy", "setIamPolicy")
    return tuple(Permission(f"{prefix}.{n}", on) for n in names)


def resource_name(spec: Spec, target: Target) -> str:
    """The name GCP's IAM calls use for the target of a grant."""
    if target.kind == "project":
        return f"projects/{spec.project}"
    if target.kind == "serviceAccount":
        own = own_account(spec, target.name)
        email = account_email(spec, own) if own else target.name
        return f"projects/{spec.project}/serviceAccounts/{email}"
    bucket = spec.buckets.get(target.name)
    return f"buckets/{(bucket.name if bucket else None) or target.name}"


def member_string(spec: Spec, member: Member) -> str:
    """The member as GCP writes it: the spec's own accounts become their emails."""
    if member.account is not None:
        return f"serviceAccount:{account_email(spec, member.account)}"
    return str(member)


def _desired(spec: Spec, node: Node) -> DesiredState:
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


KIND = ResourceKind("iamMember", _expand, _link, _needs, _desired, updatable=False)
