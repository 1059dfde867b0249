"""The grammar of references: IAM members and grant targets, as text.

Which of them name the spec's own service accounts is resolved by the serviceAccount kind
(`gkeplan.kinds.service_account`); this module only reads the syntax, including the
Workload Identity members of GKE (a Kubernetes service account as an IAM principal).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Member:
    """An IAM member; `account` is set when it is one of the spec's own service accounts."""

    kind: str
    value: str
    account: str | None = None

    def __str__(self) -> str:
        return self.kind if self.kind in PUBLIC_MEMBERS else f"{self.kind}:{self.value}"


@dataclass(frozen=True)
class TargetRef:
    """What a grant's `on:` names: `project`, or `KIND:NAME` of a kind that offers grants.

    Which kinds offer grants, and what their names mean, is each kind's (`Kind.grant_target`);
    this is the syntax only. `external`: the resource is outside the spec (bucket:gs://NAME),
    and `name` is as written.
    """

    kind: str
    name: str = ""
    external: bool = False

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


def parse_target(text: str) -> TargetRef | None:
    """`project` or `KIND:NAME`; None when `text` is neither."""
    if text == "project":
        return TargetRef("project")
    kind, sep, name = text.partition(":")
    if sep and name and kind.isidentifier():
        return TargetRef(kind, name)
    return None


# --- Workload Identity -----------------------------------------------------------------------
# GKE's workload identity pool is PROJECT_ID.svc.id.goog, one per project, and a Kubernetes
# service account is the principal serviceAccount:PROJECT_ID.svc.id.goog[KSA_NAMESPACE/KSA_NAME]
# (https://cloud.google.com/kubernetes-engine/multi-cloud/docs/attached/aks/concepts/
# workload-identity: "This workload identity pool ... is named PROJECT_ID.svc.id.goog" and
# "serviceAccount:WORKLOAD_IDENTITY_POOL_NAME[KSA_NAMESPACE/KSA_NAME]"). The same account as an
# IAM principal identifier is principal://iam.googleapis.com/projects/PROJECT_NUMBER/locations/
# global/workloadIdentityPools/PROJECT_ID.svc.id.goog/subject/ns/NAMESPACE/sa/KSA_NAME (the
# format "principal://iam.googleapis.com/{identity pool name}/subject/{subject}" of Security
# Command Center's principalSubject, https://pub.dev/documentation/googleapis/13.1.0/
# securitycenter_v1/Access/principalSubject.html; the full GKE form, subject ns/NAMESPACE/sa/
# KSA_NAME, as a platform's public guide grants it: https://us1-01.gap-docs.gap.cloud.sap.
# emarsys.net/Platform-features/workload-identity/). The principalSet:// forms of the pool
# are read only as far as the pool's project (their attributes are not checked here).
WI_POOL_SUFFIX = ".svc.id.goog"
_WI_MEMBER = re.compile(
    r"(?P<project>[^\[\]/]*)\.svc\.id\.goog\[(?P<ns>[^/\]]*)/(?P<ksa>[^\]]*)\]\Z"
)
_WI_PRINCIPAL = re.compile(
    r"//iam\.googleapis\.com/projects/(?P<number>[^/]+)/locations/global/workloadIdentityPools/"
    r"(?P<project>[^/]*)\.svc\.id\.goog/(?P<rest>.*)\Z"
)
_WI_SUBJECT = re.compile(r"subject/ns/(?P<ns>[^/]*)/sa/(?P<ksa>[^/]*)\Z")


@dataclass(frozen=True)
class WorkloadIdentity:
    """A member naming GKE's workload identity pool of `project`: one Kubernetes service
    account (`namespace`, `ksa`), or for principalSet:// a set of them (both empty)."""

    project: str
    namespace: str = ""
    ksa: str = ""
    number: str = ""  # the project number of a principal:// form

    @property
    def pool(self) -> str:
        return f"{self.project}{WI_POOL_SUFFIX}"


def workload_identity(member: Member) -> WorkloadIdentity | None:
    """The GKE pool a member names, or None when it is not a Workload Identity member.

    Malformed pieces are kept as written: the iamMember kind's checks say what is wrong."""
    if member.kind == "serviceAccount" and "@" not in member.value:
        m = _WI_MEMBER.match(member.value)
        if m:
            return WorkloadIdentity(m["project"], m["ns"], m["ksa"])
        return None
    if member.kind in ("principal", "principalSet"):
        m = _WI_PRINCIPAL.match(member.value)
        if m is None:
            return None
        if member.kind == "principalSet":
            return WorkloadIdentity(m["project"], number=m["number"])
        sub = _WI_SUBJECT.match(m["rest"])
        if sub is None:
            return WorkloadIdentity(m["project"], "", "", m["number"])
        return WorkloadIdentity(m["project"], sub["ns"], sub["ksa"], m["number"])
    return None


def looks_like_workload_identity(member: Member) -> bool:
    """serviceAccount:...svc.id.goog... that does not parse: a misspelt Workload Identity."""
    return (
        member.kind == "serviceAccount"
        and WI_POOL_SUFFIX in member.value
        and workload_identity(member) is None
    )


# Kubernetes names (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/):
# a namespace is an RFC 1123 label name: "at most 63 characters", "only lowercase alphanumeric
# characters or '-'", starting and ending with an alphanumeric character; a ServiceAccount is a
# DNS subdomain name: "no more than 253 characters", "only lowercase alphanumeric characters,
# '-' or '.'", starting and ending with an alphanumeric character.
_K8S_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\Z")
_K8S_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?\Z")
MAX_K8S_SUBDOMAIN = 253


def k8s_namespace_problem(value: str) -> str | None:
    if _K8S_LABEL.match(value):
        return None
    return (
        f"'{value}' is not a Kubernetes namespace name: at most 63 characters, lowercase "
        "letters, digits and '-', starting and ending with a letter or digit"
    )


def k8s_service_account_problem(value: str) -> str | None:
    if len(value) <= MAX_K8S_SUBDOMAIN and _K8S_SUBDOMAIN.match(value):
        return None
    return (
        f"'{value}' is not a Kubernetes service account name: at most 253 characters, "
        "lowercase letters, digits, '-' and '.', starting and ending with a letter or digit"
    )


_NUMBER = re.compile(r"[1-9][0-9]*\Z")


def workload_identity_structure(member: Member, wi: WorkloadIdentity) -> str | None:
    """What makes the member's shape wrong (GCP cannot read it as a pool member), or None."""
    if wi.number and not _NUMBER.match(wi.number):
        return (
            f"'{wi.number}' is not a project number: principal:// and principalSet:// name "
            "the pool's project by its number (gcloud projects describe PROJECT)"
        )
    if member.kind == "principal" and not (wi.namespace or wi.ksa):
        return (
            "a principal:// in a GKE pool names one Kubernetes service account: "
            ".../workloadIdentityPools/PROJECT_ID.svc.id.goog/subject/ns/NAMESPACE/sa/KSA"
        )
    return None
