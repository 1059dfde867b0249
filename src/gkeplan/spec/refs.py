"""How the spec refers to things: members, grant targets and service accounts.

`serviceAccount:gke-node` names the spec's own account; a full email names an outside one.
Every later stage (graph, policies, drivers) resolves references through these functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from gkeplan.spec.models import Spec

MEMBER_KINDS = (
    "user",
    "serviceAccount",
    "group",
    "domain",
    "principal",
    "principalSet",
    "deleted",
)
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
SA_EMAIL_SUFFIX = ".iam.gserviceaccount.com"

TargetKind = Literal["project", "serviceAccount", "bucket"]


@dataclass(frozen=True)
class Member:
    """An IAM member; `account` is set when it is one of the spec's own service accounts."""

    kind: str
    value: str
    account: str | None = None

    def __str__(self) -> str:
        return self.kind if self.kind in PUBLIC_MEMBERS else f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class Target:
    kind: TargetKind
    name: str = ""

    @property
    def address(self) -> str:
        return "project" if self.kind == "project" else f"{self.kind}.{self.name}"

    def __str__(self) -> str:
        return "project" if self.kind == "project" else f"{self.kind}:{self.name}"


def account_id(spec: Spec, name: str) -> str:
    return spec.service_accounts[name].account_id or name


def account_email(spec: Spec, name: str) -> str:
    return f"{account_id(spec, name)}@{spec.project}{SA_EMAIL_SUFFIX}"


def own_account(spec: Spec, ref: str) -> str | None:
    """The spec account that `ref` (a name or an email) refers to, if any."""
    if ref in spec.service_accounts:
        return ref
    for name in spec.service_accounts:
        if account_email(spec, name) == ref:
            return name
    return None


def parse_member(spec: Spec, text: str) -> Member | None:
    """None when `text` is not member syntax (KIND:VALUE, allUsers, allAuthenticatedUsers)."""
    if text in PUBLIC_MEMBERS:
        return Member(text, "")
    kind, sep, value = text.partition(":")
    if not sep or kind not in MEMBER_KINDS or not value:
        return None
    if kind == "serviceAccount":
        return Member(kind, value, own_account(spec, value))
    return Member(kind, value)


def parse_target(text: str) -> Target | None:
    if text == "project":
        return Target("project")
    kind, sep, name = text.partition(":")
    if sep and name and kind in ("serviceAccount", "bucket"):
        return Target(kind, name)  # type: ignore[arg-type]
    return None


def member_for_account(spec: Spec, ref: str) -> Member:
    """The member for a createAs / node serviceAccount reference (a spec name or an email)."""
    name = own_account(spec, ref)
    return Member("serviceAccount", ref, name)
