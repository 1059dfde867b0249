"""IAM admin v1 through Google's two clients, behind one small dict-in/dict-out shape so each
contract test runs on both transports: google-cloud-iam's IAMClient (gRPC) and
google-api-python-client's iam v1 discovery client (REST). JSON names are the API's (camelCase);
failures come back as Failure(http status, message) from either client's exception."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

from google.api_core import exceptions as gexc
from google.cloud.iam_admin_v1 import types as t
from google.protobuf import json_format
from googleapiclient.errors import HttpError

from gkeplan_emulator.clientfactory import ClientFactory


@dataclass
class Failure(Exception):
    status: int
    message: str


def _dict(msg: Any) -> dict[str, Any]:
    pb = type(msg).pb(msg) if hasattr(type(msg), "pb") else msg
    out: dict[str, Any] = json_format.MessageToDict(pb)
    return out


class Iam:
    """One transport's client; subclasses implement `_call` and the methods."""

    transport = ""

    def __init__(self, clients: ClientFactory) -> None:
        self.clients = clients

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gexc.GoogleAPICallError as err:
            raise Failure(int(err.code or 0), err.message) from None
        except HttpError as err:
            body = json.loads(err.content or b"{}")
            raise Failure(err.status_code, body.get("error", {}).get("message", "")) from None

    def create_sa(self, project: str, account_id: str) -> dict[str, Any]:
        raise NotImplementedError

    def get_sa(self, name: str) -> dict[str, Any]:
        raise NotImplementedError

    def disable_sa(self, name: str) -> None:
        raise NotImplementedError

    def enable_sa(self, name: str) -> None:
        raise NotImplementedError

    def create_key(self, sa: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        raise NotImplementedError

    def list_keys(self, sa: str) -> list[dict[str, Any]]:
        raise NotImplementedError

    def get_key(self, name: str, public: bool = False) -> dict[str, Any]:
        raise NotImplementedError

    def delete_key(self, name: str) -> None:
        raise NotImplementedError

    def disable_key(self, name: str) -> None:
        raise NotImplementedError

    def create_role(self, project: str, role_id: str, role: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def get_role(self, name: str) -> dict[str, Any]:
        raise NotImplementedError

    def list_roles(
        self, parent: str = "", show_deleted: bool = False, full: bool = False
    ) -> list[dict[str, Any]]:
        raise NotImplementedError

    def update_role(
        self, name: str, role: dict[str, Any], mask: list[str] | None = None
    ) -> dict[str, Any]:
        raise NotImplementedError

    def delete_role(self, name: str, etag: str = "") -> dict[str, Any]:
        raise NotImplementedError

    def undelete_role(self, name: str) -> dict[str, Any]:
        raise NotImplementedError

    def get_policy(self, resource: str) -> dict[str, Any]:
        raise NotImplementedError

    def set_policy(self, resource: str, policy: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError


class GrpcIam(Iam):
    transport = "grpc"

    def __init__(self, clients: ClientFactory) -> None:
        super().__init__(clients)
        self.c = clients.iam_admin()

    def call(self, method: str, request: dict[str, Any], typ: Any) -> dict[str, Any]:
        req = typ.from_json(json.dumps(request))
        return _dict(self.run(getattr(self.c, method), request=req))

    def create_sa(self, project: str, account_id: str) -> dict[str, Any]:
        body = {"name": f"projects/{project}", "accountId": account_id}
        return self.call("create_service_account", body, t.CreateServiceAccountRequest)

    def get_sa(self, name: str) -> dict[str, Any]:
        return self.call("get_service_account", {"name": name}, t.GetServiceAccountRequest)

    def disable_sa(self, name: str) -> None:
        self.run(self.c.disable_service_account, request={"name": name})

    def enable_sa(self, name: str) -> None:
        self.run(self.c.enable_service_account, request={"name": name})

    def create_key(self, sa: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        key = self.run(
            self.c.create_service_account_key,
            request=t.CreateServiceAccountKeyRequest.from_json(
                json.dumps({"name": sa, **(body or {})})
            ),
        )
        out = _dict(key)
        out["keyFile"] = json.loads(key.private_key_data)  # bytes over gRPC: the file itself
        return out

    def list_keys(self, sa: str) -> list[dict[str, Any]]:
        resp = self.run(self.c.list_service_account_keys, request={"name": sa})
        return [_dict(k) for k in resp.keys]

    def get_key(self, name: str, public: bool = False) -> dict[str, Any]:
        req: dict[str, Any] = {"name": name}
        if public:
            req["publicKeyType"] = "TYPE_X509_PEM_FILE"
        return self.call("get_service_account_key", req, t.GetServiceAccountKeyRequest)

    def delete_key(self, name: str) -> None:
        self.run(self.c.delete_service_account_key, request={"name": name})

    def disable_key(self, name: str) -> None:
        self.run(self.c.disable_service_account_key, request={"name": name})

    def create_role(self, project: str, role_id: str, role: dict[str, Any]) -> dict[str, Any]:
        body = {"parent": f"projects/{project}", "roleId": role_id, "role": role}
        return self.call("create_role", body, t.CreateRoleRequest)

    def get_role(self, name: str) -> dict[str, Any]:
        return self.call("get_role", {"name": name}, t.GetRoleRequest)

    def list_roles(
        self, parent: str = "", show_deleted: bool = False, full: bool = False
    ) -> list[dict[str, Any]]:
        req = t.ListRolesRequest(
            parent=parent, show_deleted=show_deleted, view=t.RoleView.FULL if full else 0
        )
        return [_dict(r) for r in self.run(self.c.list_roles, request=req)]

    def update_role(
        self, name: str, role: dict[str, Any], mask: list[str] | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "role": role}
        if mask:
            body["updateMask"] = ",".join(mask)
        return self.call("update_role", body, t.UpdateRoleRequest)

    def delete_role(self, name: str, etag: str = "") -> dict[str, Any]:
        body = {"name": name, "etag": etag} if etag else {"name": name}
        return self.call("delete_role", body, t.DeleteRoleRequest)

    def undelete_role(self, name: str) -> dict[str, Any]:
        return self.call("undelete_role", {"name": name}, t.UndeleteRoleRequest)

    def get_policy(self, resource: str) -> dict[str, Any]:
        return _dict(self.run(self.c.get_iam_policy, request={"resource": resource}))

    def set_policy(self, resource: str, policy: dict[str, Any]) -> dict[str, Any]:
        from google.iam.v1 import iam_policy_pb2

        req = json_format.ParseDict(
            {"resource": resource, "policy": policy}, iam_policy_pb2.SetIamPolicyRequest()
        )
        return _dict(self.run(self.c.set_iam_policy, request=req))


class RestIam(Iam):
    transport = "rest"

    def __init__(self, clients: ClientFactory) -> None:
        super().__init__(clients)
        self.c = clients.iam_rest()

    def exec(self, request: Any) -> Any:
        return self.run(request.execute, num_retries=0)

    def sas(self) -> Any:
        return self.c.projects().serviceAccounts()

    def roles(self) -> Any:
        return self.c.projects().roles()

    def create_sa(self, project: str, account_id: str) -> dict[str, Any]:
        body = {"accountId": account_id}
        return dict(self.exec(self.sas().create(name=f"projects/{project}", body=body)))

    def get_sa(self, name: str) -> dict[str, Any]:
        return dict(self.exec(self.sas().get(name=name)))

    def disable_sa(self, name: str) -> None:
        self.exec(self.sas().disable(name=name, body={}))

    def enable_sa(self, name: str) -> None:
        self.exec(self.sas().enable(name=name, body={}))

    def create_key(self, sa: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        key = dict(self.exec(self.sas().keys().create(name=sa, body=body or {})))
        key["keyFile"] = json.loads(base64.b64decode(key["privateKeyData"]))
        return key

    def list_keys(self, sa: str) -> list[dict[str, Any]]:
        return list(self.exec(self.sas().keys().list(name=sa)).get("keys", []))

    def get_key(self, name: str, public: bool = False) -> dict[str, Any]:
        kind = {"publicKeyType": "TYPE_X509_PEM_FILE"} if public else {}
        return dict(self.exec(self.sas().keys().get(name=name, **kind)))

    def delete_key(self, name: str) -> None:
        self.exec(self.sas().keys().delete(name=name))

    def disable_key(self, name: str) -> None:
        self.exec(self.sas().keys().disable(name=name, body={}))

    def create_role(self, project: str, role_id: str, role: dict[str, Any]) -> dict[str, Any]:
        body = {"roleId": role_id, "role": role}
        return dict(self.exec(self.roles().create(parent=f"projects/{project}", body=body)))

    def get_role(self, name: str) -> dict[str, Any]:
        if name.startswith("roles/"):
            return dict(self.exec(self.c.roles().get(name=name)))
        return dict(self.exec(self.roles().get(name=name)))

    def list_roles(
        self, parent: str = "", show_deleted: bool = False, full: bool = False
    ) -> list[dict[str, Any]]:
        view = "FULL" if full else "BASIC"
        out: list[dict[str, Any]] = []
        token = None
        while True:
            if parent:
                req = self.roles().list(
                    parent=parent, showDeleted=show_deleted, view=view, pageToken=token
                )
            else:
                req = self.c.roles().list(view=view, pageToken=token)
            page = self.exec(req)
            out += page.get("roles", [])
            token = page.get("nextPageToken")
            if not token:
                return out

    def update_role(
        self, name: str, role: dict[str, Any], mask: list[str] | None = None
    ) -> dict[str, Any]:
        kw = {"updateMask": ",".join(mask)} if mask else {}
        return dict(self.exec(self.roles().patch(name=name, body=role, **kw)))

    def delete_role(self, name: str, etag: str = "") -> dict[str, Any]:
        kw = {"etag": etag} if etag else {}
        return dict(self.exec(self.roles().delete(name=name, **kw)))

    def undelete_role(self, name: str) -> dict[str, Any]:
        return dict(self.exec(self.roles().undelete(name=name, body={})))

    def get_policy(self, resource: str) -> dict[str, Any]:
        return dict(self.exec(self.sas().getIamPolicy(resource=resource)))

    def set_policy(self, resource: str, policy: dict[str, Any]) -> dict[str, Any]:
        body = {"policy": policy}
        return dict(self.exec(self.sas().setIamPolicy(resource=resource, body=body)))


TRANSPORTS = {"grpc": GrpcIam, "rest": RestIam}
