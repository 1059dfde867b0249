"""IAM admin v1's REST routes (paths and JSON names from the iam v1 discovery document); the gRPC
methods are transcoded onto these (grpc.py), so both transports run the same handlers."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from google.cloud.iam_admin_v1.types import iam as t
from google.iam.v1 import iam_policy_pb2

from gkeplan_emulator import facts
from gkeplan_emulator.authz import sa_resource
from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.errors import invalid_argument, not_found
from gkeplan_emulator.mappings import Serve, discovered, routes_for
from gkeplan_emulator.services.resourcemanager import decode_etag

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

_SA_FIELDS = {"displayName": "displayName", "display_name": "displayName"}
_SA_FIELDS |= {"description": "description"}


def account_json(sa: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in sa.items() if k != "createdAt"}
    if not out.get("disabled"):
        out.pop("disabled", None)  # proto3 JSON leaves false out
    return out


def _page(req: Request, items: list[Any], default_size: int) -> tuple[list[Any], str]:
    try:
        size = int(req.arg("pageSize") or 0) or default_size
        start = int(req.arg("pageToken") or 0)
    except ValueError:
        raise invalid_argument("Invalid page token.") from None
    token = str(start + size) if start + size < len(items) else ""
    return items[start : start + size], token


def _flag(req: Request, name: str) -> bool:
    return (req.arg(name) or "").lower() in ("true", "1")


def _full_view(req: Request) -> bool:
    return (req.arg("view") or "") in ("FULL", "1")


def _mask(text: Any) -> list[str]:
    if isinstance(text, dict):  # FieldMask as {"paths": [...]}
        return [str(p) for p in text.get("paths") or []]
    return [p.strip() for p in str(text or "").split(",") if p.strip()]


def _descriptor(cls: Any) -> Any:
    return cls.pb().DESCRIPTOR if hasattr(cls, "pb") else cls.DESCRIPTOR


def _unknown(data: Any, descriptor: Any, at: str = "") -> list[str]:
    """The JSON names in `data` that the request message does not have."""
    if not isinstance(data, dict):
        return []
    names = {f.json_name: f for f in descriptor.fields} | {f.name: f for f in descriptor.fields}
    found = []
    for key, value in data.items():
        field = names.get(key)
        if field is None:
            where = f" at '{at}'" if at else ""
            found.append(
                f'Invalid JSON payload received. Unknown name "{key}"{where}: Cannot find field.'
            )
        elif field.message_type is not None and not field.message_type.GetOptions().map_entry:
            inner = f"{at}.{field.name}" if at else field.name
            items = value if isinstance(value, list) else [value]
            for item in items:
                found += _unknown(item, field.message_type, inner)
    return found


def strict_json(req: Request, cls: Any) -> dict[str, Any]:
    """The body, refused if it names a field the request message lacks, in ESF's words:
    400 INVALID_ARGUMENT 'Invalid JSON payload received. Unknown name "thinking": Cannot find
    field.' (decolua/9router#1876; nested fields add " at 'path'", mnfst/llm-gateway#1858)."""
    body = req.json()
    problems = _unknown(body, _descriptor(cls))
    if problems:
        raise invalid_argument("\n".join(problems))
    return body


def _predefined(name: str, full: bool = True) -> dict[str, Any]:
    title, description, stage = facts.role_title(name)
    role: dict[str, Any] = {"name": name, "stage": stage}
    if title:  # Role.title "A human-readable title for the role." (iam v1); never the id
        role["title"] = title
    if description:
        role["description"] = description
    if full:
        role["includedPermissions"] = sorted(facts.role_permissions(name))
    return role


def routes(backend: Backend) -> list[Route]:
    model = backend.models["iam"]  # iam_admin.IamModel (which imports this module)

    def sa_name(req: Request) -> str:
        return f"projects/{req.params['project']}/serviceAccounts/{req.params['account']}"

    def who(req: Request) -> str:
        assert req.principal
        return req.principal

    # -- service accounts ------------------------------------------------------------------
    def create(req: Request) -> Response:
        body = strict_json(req, t.CreateServiceAccountRequest)
        sa = body.get("serviceAccount") or {}
        created = model.create(
            who(req),
            req.params["project"],
            str(body.get("accountId") or ""),
            str(sa.get("displayName") or ""),
            str(sa.get("description") or ""),
        )
        return Response(body=account_json(created))

    def list_accounts(req: Request) -> Response:
        accounts = sorted(model.list(who(req), req.params["project"]), key=lambda a: a["email"])
        page, token = _page(req, accounts, 100)
        out: dict[str, Any] = {"accounts": [account_json(a) for a in page]}
        if token:
            out["nextPageToken"] = token
        return Response(body=out)

    def get(req: Request) -> Response:
        return Response(body=account_json(model.get(who(req), sa_name(req))))

    def patch(req: Request) -> Response:
        body = strict_json(req, t.PatchServiceAccountRequest)
        sa = body.get("serviceAccount") or {}
        fields = {}
        for path in _mask(body.get("updateMask")):
            field = _SA_FIELDS.get(path)
            if field is None:
                raise invalid_argument(f"Cannot update field {path}.")
            fields[field] = str(sa.get(field) or "")
        return Response(body=account_json(model.patch(who(req), sa_name(req), fields)))

    def delete(req: Request) -> Response:
        model.delete(who(req), sa_name(req))
        return Response(body={})

    def disable(req: Request) -> Response:
        model.set_disabled(who(req), sa_name(req), True)
        return Response(body={})

    def enable(req: Request) -> Response:
        model.set_disabled(who(req), sa_name(req), False)
        return Response(body={})

    def get_policy(req: Request) -> Response:
        sa = model.get(who(req), sa_name(req), "iam.serviceAccounts.getIamPolicy")
        stored = backend.policies.get(sa_resource(sa["projectId"], sa["email"]))
        return Response(body=stored.to_json())

    def set_policy(req: Request) -> Response:
        sa = model.get(who(req), sa_name(req), "iam.serviceAccounts.setIamPolicy")
        policy = strict_json(req, iam_policy_pb2.SetIamPolicyRequest).get("policy") or {}
        model.check_members(policy)
        model.check_pools(policy)
        stored = backend.policies.set(
            sa_resource(sa["projectId"], sa["email"]), policy, decode_etag(policy.get("etag"))
        )
        return Response(body=stored.to_json())

    # -- keys --------------------------------------------------------------------------------
    def key_account(req: Request, permission: str) -> dict[str, Any]:
        sa: dict[str, Any] = model.get(who(req), sa_name(req), permission)
        return sa

    def create_key(req: Request) -> Response:
        sa = key_account(req, "iam.serviceAccountKeys.create")
        body = strict_json(req, t.CreateServiceAccountKeyRequest)
        return Response(body=model.keys.create(sa, body))

    def list_keys(req: Request) -> Response:
        sa = key_account(req, "iam.serviceAccountKeys.list")
        wanted = req.query.get("keyTypes") or []
        if wanted and not {"USER_MANAGED", "1"} & set(wanted):
            return Response(body={})  # only user-managed keys exist here
        return Response(body={"keys": model.keys.list_(sa["email"])})

    def get_key(req: Request) -> Response:
        sa = key_account(req, "iam.serviceAccountKeys.get")
        public = req.arg("publicKeyType") in ("TYPE_X509_PEM_FILE", "1")
        return Response(body=model.keys.get(sa["email"], req.params["key"], public))

    def delete_key(req: Request) -> Response:
        sa = key_account(req, "iam.serviceAccountKeys.delete")
        model.keys.delete(sa["email"], req.params["key"])
        return Response(body={})

    def disable_key(req: Request) -> Response:
        sa = key_account(req, "iam.serviceAccountKeys.disable")
        model.keys.set_disabled(sa["email"], req.params["key"], True)
        return Response(body={})

    def enable_key(req: Request) -> Response:
        sa = key_account(req, "iam.serviceAccountKeys.enable")
        model.keys.set_disabled(sa["email"], req.params["key"], False)
        return Response(body={})

    # -- roles -------------------------------------------------------------------------------
    def role_name(req: Request) -> str:
        return f"projects/{req.params['project']}/roles/{req.params['role']}"

    def list_roles(req: Request) -> Response:
        parent = req.arg("parent") or ""
        if parent.startswith("projects/"):
            return list_custom(req, parent.split("/", 1)[1])
        if parent:
            raise invalid_argument(f"Invalid parent {parent}.")
        names = sorted(facts.role_names())
        page, token = _page(req, names, 300)
        out: dict[str, Any] = {"roles": [_predefined(n, _full_view(req)) for n in page]}
        if token:
            out["nextPageToken"] = token
        return Response(body=out)

    def list_custom(req: Request, project: str) -> Response:
        roles = model.roles.list_(who(req), project, _flag(req, "showDeleted"), _full_view(req))
        page, token = _page(req, roles, 300)
        out: dict[str, Any] = {"roles": page}
        if token:
            out["nextPageToken"] = token
        return Response(body=out)

    def get_predefined(req: Request) -> Response:
        name = f"roles/{req.params['role']}"
        if name not in facts.role_names():
            raise not_found(f"The role named {name} was not found.")
        return Response(body=_predefined(name))

    def create_role(req: Request) -> Response:
        body = strict_json(req, t.CreateRoleRequest)
        role = model.roles.create(
            who(req), req.params["project"], str(body.get("roleId") or ""), body.get("role") or {}
        )
        return Response(body=role)

    def get_role(req: Request) -> Response:
        return Response(body=model.roles.get(who(req), role_name(req)))

    def update_role(req: Request) -> Response:
        mask = _mask(req.arg("updateMask"))
        role = strict_json(req, t.Role)
        return Response(body=model.roles.update(who(req), role_name(req), role, mask))

    def delete_role(req: Request) -> Response:
        return Response(body=model.roles.delete(who(req), role_name(req), req.arg("etag")))

    def undelete_role(req: Request) -> Response:
        etag = strict_json(req, t.UndeleteRoleRequest).get("etag")
        return Response(body=model.roles.undelete(who(req), role_name(req), etag))

    sa = "iam.projects.serviceAccounts."
    table = [
        Serve(sa + "create", create, "iam.createServiceAccount"),
        Serve(sa + "list", list_accounts, "iam.listServiceAccounts"),
        Serve(sa + "get", get, "iam.getServiceAccount"),
        Serve(sa + "patch", patch, "iam.patchServiceAccount"),
        Serve(sa + "delete", delete, "iam.deleteServiceAccount"),
        Serve(sa + "disable", disable, "iam.disableServiceAccount"),
        Serve(sa + "enable", enable, "iam.enableServiceAccount"),
        Serve(sa + "getIamPolicy", get_policy, "iam.getIamPolicy", mutating=False),
        Serve(sa + "setIamPolicy", set_policy, "iam.setIamPolicy"),
        Serve(sa + "keys.create", create_key, "iam.createServiceAccountKey"),
        Serve(sa + "keys.list", list_keys, "iam.listServiceAccountKeys"),
        Serve(sa + "keys.get", get_key, "iam.getServiceAccountKey"),
        Serve(sa + "keys.delete", delete_key, "iam.deleteServiceAccountKey"),
        Serve(sa + "keys.disable", disable_key, "iam.disableServiceAccountKey"),
        Serve(sa + "keys.enable", enable_key, "iam.enableServiceAccountKey"),
        Serve("iam.roles.list", list_roles, "iam.listRoles"),
        Serve("iam.roles.get", get_predefined, "iam.getRole"),
        Serve("iam.projects.roles.create", create_role, "iam.createRole"),
        Serve(
            "iam.projects.roles.list",
            lambda r: list_custom(r, r.params["project"]),
            "iam.listRoles",
        ),
        Serve("iam.projects.roles.get", get_role, "iam.getRole"),
        Serve("iam.projects.roles.patch", update_role, "iam.updateRole"),
        Serve("iam.projects.roles.delete", delete_role, "iam.deleteRole"),
        Serve("iam.projects.roles.undelete", undelete_role, "iam.undeleteRole"),
    ]
    methods = discovered("iam", "v1", (row.rpc for row in table))
    return routes_for(methods, (dataclasses.replace(row, names=_NAMES) for row in table))


# the discovery document's flat-path variables, as the handlers read them
_NAMES = {
    "projectsId": "project",
    "serviceAccountsId": "account",
    "keysId": "key",
    "rolesId": "role",
}
