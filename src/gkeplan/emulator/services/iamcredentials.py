"""IAM Credentials generateAccessToken: short-lived tokens bound to a service account, for
google.auth.impersonated_credentials (through its iam_endpoint_override)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from gkeplan.emulator.authz import sa_resource
from gkeplan.emulator.errors import ApiError
from gkeplan.emulator.http import Request, Response, Router
from gkeplan.emulator.services import ServiceSpec

if TYPE_CHECKING:
    from gkeplan.emulator.backend import Backend


def register(router: Router, backend: Backend) -> None:
    def generate(req: Request) -> Response:
        assert req.principal
        email = req.params["email"]
        project = backend.config.project
        resource = sa_resource(project, email)
        backend.authz.require(
            req.principal,
            "iam.serviceAccounts.getAccessToken",
            resource,
            project=project,
            shown=f"projects/-/serviceAccounts/{email}",
        )
        if not backend.models["iam"].usable(email):
            raise ApiError(
                "NOT_FOUND",
                f"Service account {email} does not exist.",
                reason="IAM_PERMISSION_DENIED",
            )
        lifetime = str(req.json().get("lifetime") or "3600s").rstrip("s")
        expires = int(backend.clock.now() + min(float(lifetime), 3600.0))
        token = backend.identity.issue(f"serviceAccount:{email}", expires)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
        return Response(body={"accessToken": token, "expireTime": stamp})

    router.add(
        "POST",
        r"/v1/projects/-/serviceAccounts/(?P<email>[^/:]+):generateAccessToken",
        generate,
        "iamcredentials.generateAccessToken",
        mutating=False,
    )


SERVICE = ServiceSpec("iamcredentials", None, register)
