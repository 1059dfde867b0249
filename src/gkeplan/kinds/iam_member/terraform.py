"""The Google provider's IAM resources (`_member`, `_binding`, `_policy` on a project, a service
account, a bucket or an Artifact Registry repository) as gkeplan member grants.

gkeplan's grants are never authoritative: it adds and removes only the members it manages.
A `_binding` (authoritative for its role) or `_policy` (for the whole policy) therefore
becomes the same members granted, and the report names each, since members that Terraform
would have removed stay.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from gkeplan.convert import api
from gkeplan.kinds.iam_member import WORKLOAD_IDENTITY_USER
from gkeplan.kinds.service_account import TOKEN_CREATOR

SA_TYPE = "google_service_account"
_WI = re.compile(r"serviceAccount:(?P<project>[^\[\]]+)\.svc\.id\.goog\[(?P<user>[^\]]+)\]\Z")


def _member(res: api.TfResource, out: api.Output, value: Any) -> str | None:
    text = res.render(value)
    if not isinstance(text, str):
        res.leave("member", f"the member cannot be read: {text.why}", "write it in the spec")
        return None
    key = out.account_key(text) if text.startswith("serviceAccount:") else None
    return f"serviceAccount:{key}" if key else text


def _members(res: api.TfResource, out: api.Output) -> list[str]:
    if res.has("member"):
        found = [_member(res, out, res.raw("member"))]
    else:
        value = res.raw("members")
        items = value if isinstance(value, list) else []
        found = [_member(res, out, v) for v in items]
    return [m for m in found if m]


def _condition(res: api.TfResource) -> dict[str, Any] | None:
    block = res.block("condition")
    if block is None:
        return None
    return api.compact(
        {
            "title": block.text("title"),
            "expression": block.text("expression"),
            "description": block.text("description"),
        }
    )


def _project_target(res: api.TfResource, out: api.Output) -> str | None:
    api.same_project(res)
    return "project"


def _sa_target(res: api.TfResource, out: api.Output) -> str | None:
    key = res.ref_key("service_account_id", [SA_TYPE])
    if key is not None:
        res.skip("service_account_id")
        return f"serviceAccount:{key}"
    text = res.text("service_account_id")
    if text is None:
        return None
    email = text.rsplit("/", 1)[-1]
    own = out.account_key(email)
    return f"serviceAccount:{own or email}"


def _bucket_target(res: api.TfResource, out: api.Output) -> str | None:
    key = res.ref_key("bucket", ["google_storage_bucket"])
    if key is not None:
        res.skip("bucket")
        return f"bucket:{key}"
    text = res.text("bucket")
    return f"bucket:gs://{text.removeprefix('b/')}" if text else None


def _repository_target(res: api.TfResource, out: api.Output) -> str | None:
    key = res.ref_key("repository", ["google_artifact_registry_repository"])
    res.skip("location")
    api.same_project(res)
    if key is not None:
        res.skip("repository")
        return f"artifactRepository:{key}"
    res.leave(
        "repository",
        "gkeplan grants on the spec's own repositories only",
        "declare the repository in the spec (and adopt it), or keep this grant in Terraform",
    )
    return None


def _secret_target(res: api.TfResource, out: api.Output) -> str | None:
    # secret_id of google_secret_manager_(regional_)secret_iam_*: the secret (and its
    # location for a regional one) (magic-modules Secret.yaml / RegionalSecret.yaml iam_policy)
    types = ["google_secret_manager_secret", "google_secret_manager_regional_secret"]
    key = res.ref_key("secret_id", types)
    res.skip("location")
    api.same_project(res)
    if key is not None:
        res.skip("secret_id")
        return f"secret:{key}"
    res.leave(
        "secret_id",
        "gkeplan grants on the spec's own secrets only",
        "declare the secret in the spec (and adopt it), or keep this grant in Terraform",
    )
    return None


# how one Terraform IAM resource names its grant target, as the spec writes it (None: not one)
TargetOfBlock = Callable[[api.TfResource, api.Output], "str | None"]


def _grant(
    res: api.TfResource,
    out: api.Output,
    on: str,
    role: str,
    members: list[str],
    condition: dict[str, Any] | None,
) -> None:
    account = on.removeprefix("serviceAccount:") if on.startswith("serviceAccount:") else None
    if account is not None and condition is None and "@" not in account:
        if role == TOKEN_CREATOR and out.extend(
            ("serviceAccounts", account, "impersonators"), members, res
        ):
            return
        users = [m for m in members if (wi := _WI.match(m)) and wi["project"] == out.project]
        if role == WORKLOAD_IDENTITY_USER and len(users) == len(members):
            path = ("serviceAccounts", account, "workloadIdentityUsers")
            if out.extend(path, [_WI.match(m)["user"] for m in users], res):  # type: ignore[index]
                return
    body: dict[str, Any] = {"member": members[0]} if len(members) == 1 else {"members": members}
    body["role"] = role
    if on != "project":
        body["on"] = on
    if condition:
        body["condition"] = condition
    out.append("iam", body, res)


def _translator(target: TargetOfBlock, style: str) -> Callable[[api.TfResource, api.Output], None]:
    def translate(res: api.TfResource, out: api.Output) -> None:
        on = target(res, out)
        if style == "policy":
            _policy(res, out, on)
            return
        role = res.text("role")
        members = _members(res, out)
        condition = _condition(res)
        if style == "binding":
            res.note(
                "members",
                f"authoritative for {role} in Terraform; gkeplan grants these members and leaves "
                "any others that hold the role",
                "remove members gkeplan does not manage by hand if they should go",
            )
        if on is None or role is None or not members:
            return
        _grant(res, out, on, role, members, condition)

    return translate


def _policy(res: api.TfResource, out: api.Output, on: str | None) -> None:
    res.note(
        "policy_data",
        "authoritative for the whole policy in Terraform; gkeplan grants these members and "
        "leaves every other grant in place",
        "remove what gkeplan does not manage by hand if it should go",
    )
    data = res.peek("policy_data")
    source = out.resource_of(data)
    res.skip("policy_data", "etag")
    if source is None or on is None:
        res.leave(
            "policy_data",
            "the policy does not come from a google_iam_policy data source of this configuration",
            "write its bindings as iam grants",
        )
        return
    for binding in source.blocks("binding"):
        role = binding.text("role")
        members = [m for m in (_member(binding, out, v) for v in binding.raw("members") or []) if m]
        if role and members:
            _grant(res, out, on, role, members, _condition(binding))


def _ids(
    resource: Callable[[dict[str, Any]], str | None], style: str
) -> Callable[[dict[str, Any]], list[str]]:
    def ids(attrs: dict[str, Any]) -> list[str]:
        name = resource(attrs)
        if name is None:
            return []
        if style == "policy":
            try:
                bindings = json.loads(attrs.get("policy_data") or "{}").get("bindings", [])
            except ValueError:
                return []
            return [
                f"{name}|{b['role']}|{m}|{(b.get('condition') or {}).get('title', '')}"
                for b in bindings
                for m in b.get("members", [])
            ]
        members = [attrs["member"]] if style == "member" else list(attrs.get("members") or [])
        condition = attrs.get("condition") or []
        title = condition[0].get("title", "") if condition else ""
        return [f"{name}|{attrs.get('role')}|{m}|{title}" for m in members]

    return ids


def _project_name(attrs: dict[str, Any]) -> str | None:
    return f"projects/{attrs['project']}" if attrs.get("project") else None


def _sa_name(attrs: dict[str, Any]) -> str | None:
    value = attrs.get("service_account_id")
    return str(value) if value else None


def _bucket_name(attrs: dict[str, Any]) -> str | None:
    value = attrs.get("bucket")
    return f"buckets/{str(value).removeprefix('b/')}" if value else None


def _repository_name(attrs: dict[str, Any]) -> str | None:
    value = str(attrs.get("repository") or "")
    if value.startswith("projects/"):
        return value
    if value and attrs.get("project") and attrs.get("location"):
        return f"projects/{attrs['project']}/locations/{attrs['location']}/repositories/{value}"
    return None


def _secret_name(attrs: dict[str, Any]) -> str | None:
    value = str(attrs.get("secret_id") or "")
    if value.startswith("projects/"):
        return value
    if value and attrs.get("project"):
        where = f"locations/{attrs['location']}/" if attrs.get("location") else ""
        return f"projects/{attrs['project']}/{where}secrets/{value}"
    return None


_TARGETS: tuple[tuple[str, TargetOfBlock, Callable[[dict[str, Any]], str | None]], ...] = (
    ("google_project_iam", _project_target, _project_name),
    ("google_service_account_iam", _sa_target, _sa_name),
    ("google_storage_bucket_iam", _bucket_target, _bucket_name),
    ("google_artifact_registry_repository_iam", _repository_target, _repository_name),
    ("google_secret_manager_secret_iam", _secret_target, _secret_name),
    ("google_secret_manager_regional_secret_iam", _secret_target, _secret_name),
)

MAPPINGS = tuple(
    api.Mapping(
        f"{prefix}_{style}",
        "iamMember",
        _translator(target, style),
        None,
        _ids(name, style),
        order=90,
    )
    for prefix, target, name in _TARGETS
    for style in ("member", "binding", "policy")
)
