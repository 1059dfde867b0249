"""Google's real, unmodified clients bound to a running emulator, for tests and benchmarks."""

from __future__ import annotations

import threading
from typing import Any


class ClientFactory:
    """Builds each client once per factory, all acting with one set of credentials.

    container()/projects() use the REST transports; iam_admin() is gRPC over local channel
    credentials (the bearer token reaches the emulator over loopback only), iam_rest() the
    discovery-based REST client of the same API; storage(project)
    is google-cloud-storage with `api_endpoint`. `iam_endpoint(email)` is the URL to give
    google.auth.impersonated_credentials as `iam_endpoint_override`.
    """

    def __init__(self, http: str, grpc_target: str, project: str, credentials: Any) -> None:
        self.http = http
        self.grpc_target = grpc_target
        self.project = project
        self.credentials = credentials
        self._cache: dict[str, Any] = {}
        self._lock = threading.Lock()

    def _once(self, key: str, build: Any) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def _options(self) -> Any:
        from google.api_core.client_options import ClientOptions

        return ClientOptions(api_endpoint=self.http)

    def container(self) -> Any:
        from google.cloud import container_v1

        return self._once(
            "container",
            lambda: container_v1.ClusterManagerClient(
                credentials=self.credentials, transport="rest", client_options=self._options()
            ),
        )

    def artifact_registry(self) -> Any:
        from google.cloud import artifactregistry_v1

        return self._once(
            "artifact_registry",
            lambda: artifactregistry_v1.ArtifactRegistryClient(
                credentials=self.credentials, transport="rest", client_options=self._options()
            ),
        )

    def projects(self) -> Any:
        from google.cloud import resourcemanager_v3

        return self._once(
            "projects",
            lambda: resourcemanager_v3.ProjectsClient(
                credentials=self.credentials, transport="rest", client_options=self._options()
            ),
        )

    def storage(self, project: str | None = None) -> Any:
        from google.cloud import storage  # type: ignore[attr-defined,unused-ignore]

        name = project or self.project
        return self._once(
            "storage:" + name,
            lambda: storage.Client(
                project=name, credentials=self.credentials, client_options=self._options()
            ),
        )

    def iam_admin(self) -> Any:
        return self._once("iam", self._build_iam)

    iam = iam_admin  # the name Connection-like callers use

    def container_grpc(self) -> Any:
        """ClusterManagerClient over gRPC (the emulator serves Kubernetes Engine both ways)."""
        from google.cloud import container_v1
        from google.cloud.container_v1.services.cluster_manager.transports import (
            ClusterManagerGrpcTransport,
        )

        return self._once(
            "container-grpc",
            lambda: container_v1.ClusterManagerClient(
                transport=ClusterManagerGrpcTransport(channel=self.channel())
            ),
        )

    def projects_grpc(self) -> Any:
        """Resource Manager v3 ProjectsClient over gRPC."""
        from google.cloud import resourcemanager_v3
        from google.cloud.resourcemanager_v3.services.projects.transports import (
            ProjectsGrpcTransport,
        )

        return self._once(
            "projects-grpc",
            lambda: resourcemanager_v3.ProjectsClient(
                transport=ProjectsGrpcTransport(channel=self.channel())
            ),
        )

    def channel(self) -> Any:
        """A gRPC channel to the emulator: local channel credentials plus the bearer token."""
        import grpc
        from google.auth.transport import grpc as auth_grpc
        from google.auth.transport import requests as auth_requests

        plugin = auth_grpc.AuthMetadataPlugin(  # type: ignore[no-untyped-call]
            self.credentials, auth_requests.Request()
        )
        channel_creds = grpc.composite_channel_credentials(
            grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
            grpc.metadata_call_credentials(plugin),
        )
        return grpc.secure_channel(self.grpc_target, channel_creds)

    def _build_iam(self) -> Any:
        from google.cloud import iam_admin_v1
        from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport

        return iam_admin_v1.IAMClient(transport=IAMGrpcTransport(channel=self.channel()))

    def iam_rest(self) -> Any:
        """IAM admin v1 over REST: google-api-python-client's discovery client for iam v1 (the
        google-cloud-iam IAMClient has no REST transport)."""
        from googleapiclient.discovery import build

        return self._once(
            "iam-rest",
            lambda: build(
                "iam",
                "v1",
                credentials=self.credentials,
                client_options={"api_endpoint": self.http},
                static_discovery=True,
                cache_discovery=False,
            ),
        )

    def iam_endpoint(self, email: str) -> str:
        return f"{self.http}/v1/projects/-/serviceAccounts/{email}:generateAccessToken"

    def impersonated(self, email: str, lifetime: int = 3600) -> Any:
        """Credentials of `email`, minted through the emulator's generateAccessToken."""
        from google.auth import impersonated_credentials

        return impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=self.credentials,
            target_principal=email,
            target_scopes=["https://www.googleapis.com/auth/cloud-platform"],
            lifetime=lifetime,
            iam_endpoint_override=self.iam_endpoint(email),
        )
