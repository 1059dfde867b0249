"""A pytest plugin for a *subprocess* running Google's own tests unmodified: it points the
Google clients those tests build with no arguments (IAMClient(), ProjectsClient(), ...) at a
running gkeplan emulator, with credentials that name the emulator's applier.

GAPIC clients read no environment variable for their endpoint, so this is the one seam: their
default constructor. Everything it needs comes from the environment:
GKEPLAN_EMULATOR_HTTP (base URL), GKEPLAN_EMULATOR_GRPC (host:port), GKEPLAN_EMULATOR_TOKEN
(a bearer token), GOOGLE_CLOUD_PROJECT, GKEPLAN_EMULATOR_TRANSPORT ("grpc" or "rest": the
transport clients that have both use; IAMClient has gRPC only).
"""

from __future__ import annotations

import os
from typing import Any


def _channel(target: str, credentials: Any) -> Any:
    import grpc
    from google.auth.transport import grpc as auth_grpc
    from google.auth.transport import requests as auth_requests

    plugin = auth_grpc.AuthMetadataPlugin(credentials, auth_requests.Request())  # type: ignore[no-untyped-call]
    return grpc.secure_channel(
        target,
        grpc.composite_channel_credentials(
            grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
            grpc.metadata_call_credentials(plugin),
        ),
    )


def _redirect(
    cls: Any, grpc_transport: Any, has_rest: bool, env: dict[str, str], creds: Any
) -> None:
    original = cls.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        if not args and not kwargs.get("transport") and not kwargs.get("client_options"):
            if env["transport"] == "rest" and has_rest:
                kwargs.update(
                    transport="rest",
                    credentials=creds,
                    client_options={"api_endpoint": env["http"]},
                )
            else:
                kwargs["transport"] = grpc_transport(channel=_channel(env["grpc"], creds))
        original(self, *args, **kwargs)

    cls.__init__ = init


def install() -> None:
    import google.auth
    import google.oauth2.credentials
    from google.cloud import iam_admin_v1, iam_v2, resourcemanager_v3
    from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport
    from google.cloud.iam_v2.services.policies.transports import PoliciesGrpcTransport
    from google.cloud.resourcemanager_v3.services.projects.transports import (
        ProjectsGrpcTransport,
    )

    env = {
        "http": os.environ["GKEPLAN_EMULATOR_HTTP"],
        "grpc": os.environ["GKEPLAN_EMULATOR_GRPC"],
        "transport": os.environ.get("GKEPLAN_EMULATOR_TRANSPORT", "grpc"),
    }
    creds = google.oauth2.credentials.Credentials(os.environ["GKEPLAN_EMULATOR_TOKEN"])  # type: ignore[no-untyped-call]
    project = os.environ["GOOGLE_CLOUD_PROJECT"]
    google.auth.default = lambda *a, **k: (creds, project)
    _redirect(iam_admin_v1.IAMClient, IAMGrpcTransport, False, env, creds)
    _redirect(resourcemanager_v3.ProjectsClient, ProjectsGrpcTransport, True, env, creds)
    _redirect(iam_v2.PoliciesClient, PoliciesGrpcTransport, True, env, creds)


# At import: `-p` loads this module before pytest imports the suite's conftest, which calls
# google.auth.default() at import time.
if os.environ.get("GKEPLAN_EMULATOR_HTTP"):
    install()
