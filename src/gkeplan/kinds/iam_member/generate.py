"""iamMember for `import --generate`: every member of the IAM policies of the project and of
every resource whose kind's grant target says how its listed resources' policies are named
(`GrantTarget.listed`, `written_on`: service accounts, buckets, repositories, secrets), one
`iam:` entry each; GCP's own grants (to service agents and default accounts, the project's
owners, a bucket's convenience values) are left out."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from gkeplan.kinds import base
from gkeplan.kinds import generating as gen
from gkeplan.kinds.driver import CallContext
from gkeplan.kinds.iam_member import PROJECT_API, IamGrant
from gkeplan.spec.refs import parse_member

DRIVER = "gkeplan.kinds.iam_member.driver:IamMemberDriver"
OWNER = "roles/owner"
# projects.setIamPolicy: "A user cannot be granted the owner role using `setIamPolicy()`. The
# user must be granted the owner role using the Cloud Platform Console and must explicitly
# accept the invitation." and "If the project is not part of an organization, there must be at
# least one owner who has accepted the Terms of Service" (cloudresourcemanager v3 discovery
# document, shipped in google-api-python-client). gkeplan could not grant an owner again once
# a destroy of the adopted grant removed it: the project's owners stay outside gkeplan.
OWNER_DOC = "https://cloud.google.com/resource-manager/reference/rest/v3/projects/setIamPolicy"
# A new bucket's policy names the project's owners, editors and viewers on the legacy roles
# as the members projectOwner:, projectEditor: and projectViewer: (Cloud Storage's
# convenience values, https://cloud.google.com/storage/docs/access-control/iam; the sandbox
# does the same): Cloud Storage's own grants to the project.
CONVENIENCE = ("projectOwner:", "projectEditor:", "projectViewer:")
CONVENIENCE_DOC = "https://cloud.google.com/storage/docs/access-control/iam"


def _targets() -> dict[str, base.GrantTarget]:
    """The grant targets whose grants are generated, by kind (the registry's)."""
    from gkeplan.kinds import KINDS  # the registry is built over this kind: read it late

    return {
        k.name: k.grant_target
        for k in KINDS
        if k.grant_target is not None and k.grant_target.listed is not None
    }


class IamMemberGenerator(gen.Global):
    kind = "iamMember"
    holds: tuple[str, ...] = ()
    apis: tuple[str, ...] = (PROJECT_API,)

    @property
    def reads(self) -> tuple[str, ...]:
        return tuple(_targets())

    def list(self, ctx: CallContext, listing: gen.Listing) -> list[gen.Found]:
        """One policy read per resource that has one (read concurrently by the driver)."""
        resources = [f"projects/{ctx.project}"]
        for kind, target in _targets().items():
            assert target.listed is not None
            resources += [target.listed(ctx.project, f.id) for f in listing.found.get(kind, [])]
        return gen.list_with(DRIVER, ctx, [f"{r}|-|-|" for r in resources], self.kind)

    def write(self, found: gen.Found, listing: gen.Listing) -> gen.Written:
        a = found.attributes
        member, resource, role = a["member"], a["resource"], a["role"]
        left = _gcps_own(found.id, member, resource, role, listing)
        if left is not None:
            return left
        on = _target(resource, listing)
        if on is None:
            return gen.LeftOut(
                self.kind,
                found.id,
                f"it is on {resource}, which is not generated, and a grant on it outside the "
                "spec cannot be written; generate the resource with it",
                managed=False,
            )
        if parse_member(member) is None:
            return gen.LeftOut(
                self.kind,
                found.id,
                f"the member {member} is not one a spec can name (a deleted principal?)",
                managed=False,
            )
        data: dict[str, Any] = {"member": _member(member, listing), "role": role}
        if on != "project":
            data["on"] = on
        if a["condition"]:
            data["condition"] = a["condition"]
        try:
            value = gen.compact(IamGrant, data)
        except ValidationError as exc:
            return gen.inexpressible(self.kind, found.id, exc)
        return gen.Entry("iam", None, {"member": value.pop("member"), "role": role, **value}, found)


def _gcps_own(
    rid: str, member: str, resource: str, role: str, listing: gen.Listing
) -> gen.LeftOut | None:
    kind, _, value = member.partition(":")
    if kind == "serviceAccount":
        managed = gen.google_managed_account(value)
        if managed is not None:
            return gen.LeftOut("iamMember", rid, f"a grant to {managed.why}", managed.source)
    if "/serviceAccounts/" in resource:
        managed = gen.google_managed_account(resource.rsplit("/", 1)[1])
        if managed is not None:
            return gen.LeftOut("iamMember", rid, f"a grant on {managed.why}", managed.source)
    if resource == f"projects/{listing.project}" and role == OWNER:
        return gen.LeftOut(
            "iamMember",
            rid,
            "an owner of the project: owners are granted through the console's invitation, "
            "never setIamPolicy, so a destroy of the adopted grant could not be undone",
            OWNER_DOC,
        )
    if member.startswith(CONVENIENCE):
        return gen.LeftOut(
            "iamMember",
            rid,
            "a convenience value of the bucket's policy (Cloud Storage's own grant to the "
            "project's owners, editors or viewers)",
            CONVENIENCE_DOC,
        )
    return None


def _target(resource: str, listing: gen.Listing) -> str | None:
    """The grant's `on:` for the policy of `resource`; None when the spec cannot name it."""
    if resource == f"projects/{listing.project}":
        return "project"
    for target in _targets().values():
        if target.written_on is not None and re.match(target.pattern, resource):
            return target.written_on(resource, listing)
    return None


def _member(member: str, listing: gen.Listing) -> str:
    """The spec's own accounts by key; everything else as GCP writes it."""
    kind, _, value = member.partition(":")
    if kind == "serviceAccount" and ("serviceAccount", value) in listing.keys:
        return f"serviceAccount:{listing.keys['serviceAccount', value]}"
    return member


GENERATOR = IamMemberGenerator()
