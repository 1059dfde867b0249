"""google.iam.admin.v1.IAM over gRPC: each method's HTTP mapping (google/iam/admin/v1/iam.proto,
the same paths the iam v1 discovery document lists), so gRPC calls run the REST handlers."""

from __future__ import annotations

from google.cloud.iam_admin_v1.types import iam as t
from google.iam.v1 import iam_policy_pb2, policy_pb2
from google.protobuf import empty_pb2

from gkeplan_emulator.service import GrpcService, Rpc

_SA = "/v1/{name}"
_EMPTY = empty_pb2.Empty

GRPC = GrpcService(
    "google.iam.admin.v1.IAM",
    {
        "CreateServiceAccount": Rpc(
            "POST", "/v1/{name}/serviceAccounts", t.CreateServiceAccountRequest, t.ServiceAccount
        ),
        "ListServiceAccounts": Rpc(
            "GET",
            "/v1/{name}/serviceAccounts",
            t.ListServiceAccountsRequest,
            t.ListServiceAccountsResponse,
            body="",
        ),
        "GetServiceAccount": Rpc("GET", _SA, t.GetServiceAccountRequest, t.ServiceAccount),
        "PatchServiceAccount": Rpc(
            "PATCH", "/v1/{service_account.name}", t.PatchServiceAccountRequest, t.ServiceAccount
        ),
        "DeleteServiceAccount": Rpc("DELETE", _SA, t.DeleteServiceAccountRequest, _EMPTY),
        "DisableServiceAccount": Rpc(
            "POST", _SA + ":disable", t.DisableServiceAccountRequest, _EMPTY
        ),
        "EnableServiceAccount": Rpc("POST", _SA + ":enable", t.EnableServiceAccountRequest, _EMPTY),
        "GetIamPolicy": Rpc(
            "POST",
            "/v1/{resource}:getIamPolicy",
            iam_policy_pb2.GetIamPolicyRequest,
            policy_pb2.Policy,
        ),
        "SetIamPolicy": Rpc(
            "POST",
            "/v1/{resource}:setIamPolicy",
            iam_policy_pb2.SetIamPolicyRequest,
            policy_pb2.Policy,
        ),
        "CreateServiceAccountKey": Rpc(
            "POST", _SA + "/keys", t.CreateServiceAccountKeyRequest, t.ServiceAccountKey
        ),
        "ListServiceAccountKeys": Rpc(
            "GET",
            _SA + "/keys",
            t.ListServiceAccountKeysRequest,
            t.ListServiceAccountKeysResponse,
            body="",
        ),
        "GetServiceAccountKey": Rpc(
            "GET", _SA, t.GetServiceAccountKeyRequest, t.ServiceAccountKey, body=""
        ),
        "DeleteServiceAccountKey": Rpc("DELETE", _SA, t.DeleteServiceAccountKeyRequest, _EMPTY),
        "DisableServiceAccountKey": Rpc(
            "POST", _SA + ":disable", t.DisableServiceAccountKeyRequest, _EMPTY
        ),
        "EnableServiceAccountKey": Rpc(
            "POST", _SA + ":enable", t.EnableServiceAccountKeyRequest, _EMPTY
        ),
        # GET /v1/roles with `parent` as a query parameter covers both bindings of ListRoles.
        "ListRoles": Rpc("GET", "/v1/roles", t.ListRolesRequest, t.ListRolesResponse, body=""),
        "GetRole": Rpc("GET", "/v1/{name}", t.GetRoleRequest, t.Role),
        "CreateRole": Rpc("POST", "/v1/{parent}/roles", t.CreateRoleRequest, t.Role),
        "UpdateRole": Rpc("PATCH", "/v1/{name}", t.UpdateRoleRequest, t.Role, body="role"),
        "DeleteRole": Rpc("DELETE", "/v1/{name}", t.DeleteRoleRequest, t.Role, body=""),
        "UndeleteRole": Rpc("POST", "/v1/{name}:undelete", t.UndeleteRoleRequest, t.Role),
    },
)
