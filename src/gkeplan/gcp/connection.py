"""Build Google's clients for one target: real GCP, the in-process sandbox, or an endpoint.

Container, Resource Manager and Artifact Registry use their REST transports; IAM admin has
none, so it is gRPC (over local channel credentials when the endpoint is a loopback emulator).
Credentials are Application Default Credentials, optionally impersonating a service account,
and per resource the `createAs` account through impersonated credentials.
"""

from __future__ import annotations

import importlib
import os
import threading
from dataclasses import dataclass, field
from typing import Any

import google.auth
import google.auth.credentials
from google.api_core import client_options as client_options_lib
from google.auth import impersonated_credentials

from gkeplan.gcp.transport import bound_connects

# gRPC core logs connection teardown at INFO on stderr; users need errors only.
os.environ.setdefault("GRPC_VERBOSITY", "ERROR")

CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"

# Compute Engine's clients gkeplan uses, by module under google.cloud.compute_v1.services.
COMPUTE_CLIENTS = {
    "networks": "NetworksClient",
    "subnetworks": "SubnetworksClient",
    "routers": "RoutersClient",
    "firewalls": "FirewallsClient",
    "global_operations": "GlobalOperationsClient",
    "region_operations": "RegionOperationsClient",
}


@dataclass(frozen=True)
class Endpoints:
    """Where the APIs are; all None means Google's own endpoints."""

    # REST: container, resource manager, storage, iam credentials, artifact registry
    http: str | None = None
    grpc: str | None = None  # IAM admin


@dataclass(frozen=True)
class Timeouts:
    """Bounds for retries and waits; tests shrink them, GCP needs the defaults."""

    call_deadline_s: float = 120.0  # retrying one call on 429/5xx/ABORTED
    initial_backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    operation_deadline_s: float = 45 * 60.0  # a GKE create can take 10-40 minutes
    operation_poll_s: float = 5.0
    # IAM grants / new accounts becoming visible: changes "typically propagate in 2 minutes,
    # but could potentially take 7 minutes or longer" (IAM docs, "Access change propagation").
    propagation_window_s: float = 600.0
    change_budget_s: float | None = None  # every retry of one change shares this (--retry-timeout)
    progress_interval_s: float = 30.0  # a line per in-flight long operation this often
    connect_timeout_s: float = 10.0  # one TCP connect to an API endpoint


@dataclass
class Connection:
    project: str
    endpoints: Endpoints = field(default_factory=Endpoints)
    credentials: google.auth.credentials.Credentials | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)
    # set (by a second Ctrl-C) to stop waiting for long-running operations at once
    stop_waiting: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _cache: dict[tuple[str, int], Any] = field(default_factory=dict, repr=False)

    def base_credentials(self) -> google.auth.credentials.Credentials:
        with self._lock:
            if self.credentials is None:
                creds, _ = google.auth.default(scopes=[CLOUD_PLATFORM])
                self.credentials = creds
            return self.credentials

    def impersonate(self, email: str) -> google.auth.credentials.Credentials:
        """Credentials of `email`, minted with the caller's iam.serviceAccounts.getAccessToken."""
        key = ("impersonate:" + email, 0)
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        kwargs: dict[str, Any] = {}
        if self.endpoints.http:
            kwargs["iam_endpoint_override"] = (
                f"{self.endpoints.http}/v1/projects/-/serviceAccounts/{email}:generateAccessToken"
            )
        creds = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=self.base_credentials(),
            target_principal=email,
            target_scopes=[CLOUD_PLATFORM],
            lifetime=3600,
            **kwargs,
        )
        with self._lock:
            self._cache[key] = creds
        return creds

    def _client(self, name: str, creds: google.auth.credentials.Credentials | None) -> Any:
        creds = creds or self.base_credentials()
        key = (name, id(creds))
        with self._lock:
            client = self._cache.get(key)
            if client is None:
                client = self._build(name, creds)
                self._cache[key] = client
            return client

    def _options(self) -> client_options_lib.ClientOptions | None:
        if self.endpoints.http is None:
            return None
        return client_options_lib.ClientOptions(api_endpoint=self.endpoints.http)

    def _build(self, name: str, creds: google.auth.credentials.Credentials) -> Any:
        if name == "container":
            from google.cloud import container_v1

            return self._bounded(
                container_v1.ClusterManagerClient(
                    credentials=creds, transport="rest", client_options=self._options()
                )
            )
        if name == "projects":
            from google.cloud import resourcemanager_v3

            return self._bounded(
                resourcemanager_v3.ProjectsClient(
                    credentials=creds, transport="rest", client_options=self._options()
                )
            )
        if name == "storage":
            from google.cloud import storage  # type: ignore[attr-defined,unused-ignore]

            client = storage.Client(
                project=self.project, credentials=creds, client_options=self._options()
            )
            bound_connects(client._http, self.timeouts.connect_timeout_s)
            return client
        if name == "iam":
            return self._iam_client(creds)
        if name == "artifact_registry":
            from google.cloud import artifactregistry_v1

            return self._bounded(
                artifactregistry_v1.ArtifactRegistryClient(
                    credentials=creds, transport="rest", client_options=self._options()
                )
            )
        if name == "regions":
            # this module alone (gkeplan.lazy_compute): compute_v1 whole costs seconds
            from google.cloud.compute_v1.services.regions import RegionsClient

            return RegionsClient(
                credentials=creds, transport="rest", client_options=self._options()
            )
        if name == "compute_projects":
            from google.cloud.compute_v1.services.projects import ProjectsClient

            return ProjectsClient(
                credentials=creds, transport="rest", client_options=self._options()
            )
        if name in COMPUTE_CLIENTS:
            # one service module each (gkeplan.lazy_compute): all of them cost seconds
            import importlib

            module = importlib.import_module(f"google.cloud.compute_v1.services.{name}")
            return self._bounded(
                getattr(module, COMPUTE_CLIENTS[name])(
                    credentials=creds, transport="rest", client_options=self._options()
                )
            )
        if name == "service_usage":
            from google.cloud import service_usage_v1

            return service_usage_v1.ServiceUsageClient(
                credentials=creds, transport="rest", client_options=self._options()
            )
        if ":" in name:
            import importlib

            module_name, _, cls = name.partition(":")
            return self._bounded(
                getattr(importlib.import_module(module_name), cls)(
                    credentials=creds, transport="rest", client_options=self._options()
                )
            )
        raise ValueError(name)

    def _bounded(self, client: Any) -> Any:
        # The REST transport's requests session: where a connect timeout can be mounted.
        bound_connects(client.transport._session, self.timeouts.connect_timeout_s)
        return client

    def _iam_client(self, creds: google.auth.credentials.Credentials) -> Any:
        from google.cloud import iam_admin_v1
        from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport

        if self.endpoints.grpc is None:
            return iam_admin_v1.IAMClient(credentials=creds)
        import grpc
        from google.auth.transport import grpc as auth_grpc
        from google.auth.transport import requests as auth_requests

        # Local channel credentials carry the bearer token over loopback only: the token
        # reaches the emulator, which checks it, exactly as GCP checks a real one.
        call_creds = grpc.metadata_call_credentials(
            auth_grpc.AuthMetadataPlugin(creds, auth_requests.Request())  # type: ignore[no-untyped-call]
        )
        channel_creds = grpc.composite_channel_credentials(
            grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP), call_creds
        )
        channel = grpc.secure_channel(self.endpoints.grpc, channel_creds)
        return iam_admin_v1.IAMClient(transport=IAMGrpcTransport(channel=channel))

    def container(self, creds: google.auth.credentials.Credentials | None = None) -> Any:
        return self._client("container", creds)

    def projects(self, creds: google.auth.credentials.Credentials | None = None) -> Any:
        return self._client("projects", creds)

    def storage(self, creds: google.auth.credentials.Credentials | None = None) -> Any:
        return self._client("storage", creds)

    def iam(self, creds: google.auth.credentials.Credentials | None = None) -> Any:
        return self._client("iam", creds)

    def artifact_registry(self, creds: google.auth.credentials.Credentials | None = None) -> Any:
        return self._client("artifact_registry", creds)

    def regions(self) -> Any:
        return self._client("regions", None)

    def compute_projects(self) -> Any:
        return self._client("compute_projects", None)

    def compute(self, name: str) -> Any:
        """A Compute Engine client over REST: networks, subnetworks, routers, firewalls,
        global_operations or region_operations."""
        return self._client(name, None)

    def service_usage(self) -> Any:
        return self._client("service_usage", None)

    def rest_client(
        self,
        path: str,
        creds: google.auth.credentials.Credentials | None = None,
        google_endpoint: str | None = None,
    ) -> Any:
        """Any generated (GAPIC) client, "module:Class", over REST at this target's endpoint:
        a kind's driver names its own client, so a new kind edits nothing here.
        `google_endpoint` is the host the client calls on Google (a regional endpoint, e.g.
        secretmanager.us-central1.rep.googleapis.com); a sandbox serves every one at its host."""
        if google_endpoint is None or self.endpoints.http is not None:
            return self._client(path, creds)
        creds = creds or self.base_credentials()
        key = (f"{path}@{google_endpoint}", id(creds))
        with self._lock:
            client = self._cache.get(key)
            if client is None:
                module_name, _, cls = path.partition(":")
                client = self._bounded(
                    getattr(importlib.import_module(module_name), cls)(
                        credentials=creds,
                        transport="rest",
                        client_options=client_options_lib.ClientOptions(
                            api_endpoint=google_endpoint
                        ),
                    )
                )
                self._cache[key] = client
            return client
