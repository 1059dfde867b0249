"""The grammar of references: IAM members and grant targets, as text.

Which of them name the spec's own service accounts is resolved by the serviceAccount kind
(`gkeplan.kinds.service_account`); this module only reads the syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

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

TargetKind = Literal["project", "serviceAccount", "bucket", "artifactRepository"]


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


def parse_member(text: str) -> Member | None:
    """None when `text` is not member syntax (KIND:VALUE, allUsers, allAuthenticatedUsers)."""
    if text in PUBLIC_MEMBERS:
        return Member(text, "")
    kind, sep, value = text.partition(":")
    if not sep or kind not in MEMBER_KINDS or not value:
        return None
    return Member(kind, value)


def parse_target(text: str) -> Target | None:
    if text == "project":
        return Target("project")
    kind, sep, name = text.partition(":")
    if sep and name and kind in ("serviceAccount", "bucket", "artifactRepository"):
        return Target(kind, name)  # type: ignore[arg-type]
    return None
