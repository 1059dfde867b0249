"""IAM Credentials generateAccessToken: short-lived tokens bound to a service account, for
google.auth.impersonated_credentials (through its iam_endpoint_override)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from gkeplan_emulator.authz import sa_resource
from gkeplan_emulator.calls import Request, Response, Route
from gkeplan_emulator.errors import ApiError, failed_precondition, invalid_argument, not_found
from gkeplan_emulator.mappings import Serve, gapic, routes_for
from gkeplan_emulator.service import ClientEndpoint, ServiceSpec
from gkeplan_emulator.services.iam import project_of

if TYPE_CHECKING:
    from gkeplan_emulator.backend import Backend

PERMISSION = "iam.serviceAccounts.getAccessToken"
MAX_LIFETIME_S = 3600  # without the org policy that raises it to 12 hours


def _lifetime(text: str) -> int:
    try:
        seconds = float(text.removesuffix("s"))
    except ValueError:
        raise invalid_argument(f"Invalid value at 'lifetime' ({text}).") from None
    if seconds > MAX_LIFETIME_S:
        raise invalid_argument(
            "The lifetime of the token is greater than the maximum allowed lifetime of "
            f"{MAX_LIFETIME_S}s."
        )
    return int(seconds)


def routes(backend: Backend) -> list[Route]:
    def generate(req: Request) -> Response:
        assert req.principal
        email = req.params["email"]
        body = req.json()
        project = project_of(email, backend.config.project)
        # IAM Credentials does not name the resource it denies, unlike most APIs.
        if not backend.authz.allowed(
            req.principal, PERMISSION, sa_resource(project, email), project
        ):
            raise ApiError(
                "PERMISSION_DENIED",
                f"Permission '{PERMISSION}' denied on resource (or it may not exist).",
                reason="IAM_PERMISSION_DENIED",
                domain="iam.googleapis.com",
                metadata={"permission": PERMISSION},
            )
        if not backend.services["iam"].usable(email):  # a new account is not visible at once
            raise not_found(f"Not found; Gaia id not found for email {email}")
        if backend.services["iam"].is_disabled(f"serviceAccount:{email}"):
            # "requests for new access tokens will fail" for a disabled account
            # (https://cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts/disable);
            # the status and wording of that failure are not sourced.
            raise failed_precondition(f"Service account {email} is disabled.")
        if not body.get("scope"):
            raise invalid_argument("Scope required.")
        lifetime = _lifetime(str(body.get("lifetime") or f"{MAX_LIFETIME_S}s"))
        # Whole seconds: google.auth parses expireTime without fractions.
        token, expiry = backend.identity.issue_token(f"serviceAccount:{email}", lifetime)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(expiry)))
        return Response(body={"accessToken": token, "expireTime": stamp})

    # The reference writes the name projects/-/serviceAccounts/EMAIL ("The - wildcard
    # character is required; replacing it with a project ID is invalid."); what GCP answers
    # for a project id there is not documented, so the binding's any-project form is served.
    methods = gapic(
        "google.cloud.iam_credentials_v1.services.iam_credentials.transports.rest:"
        "IAMCredentialsRestTransport"
    )
    row = Serve(
        "GenerateAccessToken",
        generate,
        "iamcredentials.generateAccessToken",
        names={"serviceAccount": "email"},
        mutating=True,  # the token's hash joins the state, so a restart keeps it valid
    )
    return routes_for(methods, [row])


SERVICE = ServiceSpec(
    "iamcredentials",
    None,
    routes,
    api="iamcredentials.googleapis.com",
    # gcloud https://iamcredentials.googleapis.com/; Terraform IamCredentialsBasePathKey
    # ".../v1/"
    endpoint=ClientEndpoint(
        "iamcredentials", "iamcredentials", "/", (("iam_credentials_custom_endpoint", "/v1/"),)
    ),
)
