"""The tutorial's own Terraform sequence as a plain Terraform-like walk over Google's clients
(no gkeplan code): what `terraform apply` does for the "Stable Diffusion on GKE" setup, with the
least-privilege grants of examples/stable-diffusion.yaml so that both sides build the same
infrastructure.

- google_service_account gke-admin, gke-node; google_service_account_iam_member (the user may
  impersonate gke-admin; gke-admin may act as gke-node); google_project_iam_member
  (clusterAdmin for gke-admin, defaultNodeServiceAccount for gke-node); google_storage_bucket
  and its google_storage_bucket_iam_member; each IAM member is a read-modify-write of its
  policy under a per-policy mutex, as the google provider does, retrying "member does not
  exist yet" (the provider's IamMemberMissing predicate).
- time_sleep of 60 s after the grants (x the latency scale).
- google_container_cluster as gke-admin (impersonated) with its default pool (it runs as
  gke-node, so the same grants suffice), then, because remove_default_node_pool is true,
  the default pool deleted; then google_container_node_pool created.
- Operations polled like the provider's StateChangeConf: waits of 2 s growing to 10 s, x scale.
- Terraform's dependency order with -parallelism=10.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Any

PROJECT = "demo-project"
ZONE = "us-central1-c"
USER = "user:you@example.com"
BUCKET = f"{PROJECT}-models"
CLUSTER = "sd-cluster"
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"


def email(account: str) -> str:
    return f"{account}@{PROJECT}.iam.gserviceaccount.com"


@dataclass
class WalkResult:
    wall_s: float
    durations: dict[str, float] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)
    calls: int = 0


class Clients:
    """Google's clients bound to the emulator at `http`/`grpc` with the applier's token."""

    def __init__(self, http: str) -> None:
        import google.oauth2.credentials

        info = _admin(http, "/_emulator/info")
        self.http, self.grpc = info["http"], info["grpc"]
        token = _admin(http, "/_emulator/token", {})["token"]
        self.creds = google.oauth2.credentials.Credentials(token)  # type: ignore[no-untyped-call]
        self._lock = threading.Lock()
        self._cache: dict[str, Any] = {}
        self.calls = 0

    def count(self, n: int = 1) -> None:
        with self._lock:
            self.calls += n

    def _once(self, key: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key not in self._cache:
                self._cache[key] = build()
            return self._cache[key]

    def _options(self) -> Any:
        from google.api_core.client_options import ClientOptions

        return ClientOptions(api_endpoint=self.http)

    def container(self, as_account: str | None = None) -> Any:
        from google.cloud import container_v1

        creds = self.creds if as_account is None else self.impersonated(as_account)
        return self._once(
            f"container:{as_account}",
            lambda: container_v1.ClusterManagerClient(
                credentials=creds, transport="rest", client_options=self._options()
            ),
        )

    def projects(self) -> Any:
        from google.cloud import resourcemanager_v3

        return self._once(
            "projects",
            lambda: resourcemanager_v3.ProjectsClient(
                credentials=self.creds, transport="rest", client_options=self._options()
            ),
        )

    def storage(self) -> Any:
        from google.cloud import storage  # type: ignore[attr-defined]

        return self._once(
            "storage",
            lambda: storage.Client(
                project=PROJECT, credentials=self.creds, client_options=self._options()
            ),
        )

    def iam(self) -> Any:
        def build() -> Any:
            import grpc
            from google.auth.transport import grpc as auth_grpc
            from google.auth.transport import requests as auth_requests
            from google.cloud import iam_admin_v1
            from google.cloud.iam_admin_v1.services.iam.transports import IAMGrpcTransport

            plugin = auth_grpc.AuthMetadataPlugin(self.creds, auth_requests.Request())  # type: ignore[no-untyped-call]
            channel = grpc.secure_channel(
                self.grpc,
                grpc.composite_channel_credentials(
                    grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
                    grpc.metadata_call_credentials(plugin),
                ),
            )
            return iam_admin_v1.IAMClient(transport=IAMGrpcTransport(channel=channel))

        return self._once("iam", build)

    def impersonated(self, account: str) -> Any:
        from google.auth import impersonated_credentials

        target = email(account)
        return impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=self.creds,
            target_principal=target,
            target_scopes=[CLOUD_PLATFORM],
            lifetime=3600,
            iam_endpoint_override=f"{self.http}/v1/projects/-/serviceAccounts/{target}:generateAccessToken",
        )


def _admin(url: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        url.rstrip("/") + path,
        data=data,
        method="POST" if data else "GET",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        result: dict[str, Any] = json.loads(resp.read())
        return result


class Walk:
    """The tutorial's resources, their Terraform dependencies, and what creating each does."""

    def __init__(self, clients: Clients, scale: float, parallelism: int = 10) -> None:
        self.c = clients
        self.scale = scale
        self.parallelism = parallelism
        self.mutex: dict[str, threading.Lock] = {}
        self.mutex_lock = threading.Lock()
        self.retries: dict[str, int] = {}
        grants = {
            "sa_iam.gke_admin_token_creator": (
                ["sa.gke-admin"],
                lambda: self.sa_member("gke-admin", "roles/iam.serviceAccountTokenCreator", USER),
            ),
            "sa_iam.gke_node_user": (
                ["sa.gke-admin", "sa.gke-node"],
                lambda: self.sa_member(
                    "gke-node",
                    "roles/iam.serviceAccountUser",
                    f"serviceAccount:{email('gke-admin')}",
                ),
            ),
            "project_iam.gke_admin_cluster_admin": (
                ["sa.gke-admin"],
                lambda: self.project_member(
                    "roles/container.clusterAdmin", f"serviceAccount:{email('gke-admin')}"
                ),
            ),
            "project_iam.gke_node_role": (
                ["sa.gke-node"],
                lambda: self.project_member(
                    "roles/container.defaultNodeServiceAccount",
                    f"serviceAccount:{email('gke-node')}",
                ),
            ),
            "bucket_iam.models_viewer": (
                ["bucket.models", "sa.gke-node"],
                lambda: self.bucket_member(
                    "roles/storage.objectViewer", f"serviceAccount:{email('gke-node')}"
                ),
            ),
        }
        self.nodes: dict[str, tuple[list[str], Callable[[], None]]] = {
            "sa.gke-admin": (
                [],
                lambda: self.service_account("gke-admin", "GKE Service Account (Admin)"),
            ),
            "sa.gke-node": (
                [],
                lambda: self.service_account("gke-node", "GKE Node Service Account"),
            ),
            "bucket.models": ([], self.bucket),
            **grants,
            "time_sleep.iam_60s": (list(grants), lambda: time.sleep(60 * self.scale)),
            "cluster.sd-cluster": (["time_sleep.iam_60s", "sa.gke-node"], self.cluster),
            "node_pool.sd-node-pool": (["cluster.sd-cluster", "sa.gke-node"], self.node_pool),
        }

    # -- the walk --------------------------------------------------------------------------
    def run(self) -> WalkResult:
        done: set[str] = set()
        durations: dict[str, float] = {}
        running: dict[Future[float], str] = {}
        start = time.perf_counter()
        with ThreadPoolExecutor(self.parallelism) as pool:
            while len(done) < len(self.nodes):
                for name, (deps, _) in self.nodes.items():
                    if (
                        name not in done
                        and name not in running.values()
                        and all(d in done for d in deps)
                        and len(running) < self.parallelism
                    ):
                        running[pool.submit(self._timed, self.nodes[name][1])] = name
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in finished:
                    name = running.pop(fut)
                    durations[name] = fut.result()  # a failure ends the walk, as in Terraform
                    done.add(name)
        return WalkResult(time.perf_counter() - start, durations, self.retries, self.c.calls)

    @staticmethod
    def _timed(fn: Callable[[], None]) -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    def _lock_for(self, key: str) -> threading.Lock:
        with self.mutex_lock:
            return self.mutex.setdefault(key, threading.Lock())

    def _retry_missing(self, what: str, fn: Callable[[], None]) -> None:
        """The provider retries a grant whose new member is not visible yet."""
        from google.api_core import exceptions as gexc

        delay = 0.5 * self.scale
        for _ in range(60):
            try:
                fn()
                return
            except gexc.BadRequest as exc:
                if "does not exist" not in str(exc):
                    raise
                self.retries[what] = self.retries.get(what, 0) + 1
                time.sleep(delay)
                delay = min(delay * 2, 10 * self.scale)
        fn()

    def _wait(self, client: Any, op: Any) -> None:
        """Poll a GKE operation like the provider: 2 s, then growing to 10 s (x scale)."""
        name = f"projects/{PROJECT}/locations/{ZONE}/operations/{op.name}"
        wait_s = 0.1
        while True:
            wait_s = min(10.0, max(2.0, wait_s * 2))
            time.sleep(wait_s * self.scale)
            self.c.count()
            got = client.get_operation(name=name)
            if got.status.name == "DONE":
                if got.error and got.error.message:
                    raise RuntimeError(got.error.message)
                return

    # -- resources -------------------------------------------------------------------------
    def service_account(self, account_id: str, display: str) -> None:
        self.c.count()
        self.c.iam().create_service_account(
            request={
                "name": f"projects/{PROJECT}",
                "account_id": account_id,
                "service_account": {"display_name": display},
            }
        )

    def sa_member(self, account: str, role: str, member: str) -> None:
        resource = f"projects/{PROJECT}/serviceAccounts/{email(account)}"

        def once() -> None:
            iam = self.c.iam()
            self.c.count(2)
            policy = iam.get_iam_policy(request={"resource": resource})
            _add(policy, role, member)
            iam.set_iam_policy(request={"resource": resource, "policy": policy})

        with self._lock_for(resource):
            self._retry_missing(f"sa_iam {role}", once)

    def project_member(self, role: str, member: str) -> None:
        resource = f"projects/{PROJECT}"

        def once() -> None:
            projects = self.c.projects()
            self.c.count(2)
            policy = projects.get_iam_policy(request={"resource": resource})
            _add(policy, role, member)
            projects.set_iam_policy(request={"resource": resource, "policy": policy})

        with self._lock_for(resource):
            self._retry_missing(f"project_iam {role}", once)

    def bucket(self) -> None:
        client = self.c.storage()
        bucket = client.bucket(BUCKET)
        bucket.iam_configuration.uniform_bucket_level_access_enabled = True
        bucket.iam_configuration.public_access_prevention = "enforced"
        self.c.count()
        client.create_bucket(bucket, location="us-central1")

    def bucket_member(self, role: str, member: str) -> None:
        def once() -> None:
            bucket = self.c.storage().bucket(BUCKET)
            self.c.count(2)
            policy = bucket.get_iam_policy(requested_policy_version=3)
            policy.bindings.append({"role": role, "members": {member}})
            bucket.set_iam_policy(policy)

        with self._lock_for(f"bucket/{BUCKET}"):
            self._retry_missing(f"bucket_iam {role}", once)

    def cluster(self) -> None:
        gke = self.c.container("gke-admin")
        parent = f"projects/{PROJECT}/locations/{ZONE}"
        self.c.count(2)  # the impersonated token, then the create
        op = gke.create_cluster(
            request={
                "parent": parent,
                "cluster": {
                    "name": CLUSTER,
                    "initial_node_count": 1,
                    "node_config": {
                        "service_account": email("gke-node"),
                        "oauth_scopes": [CLOUD_PLATFORM],
                    },
                    "release_channel": {"channel": "REGULAR"},
                    "workload_identity_config": {"workload_pool": f"{PROJECT}.svc.id.goog"},
                },
            }
        )
        self._wait(gke, op)
        # remove_default_node_pool = true: the provider deletes it inside the cluster's create
        self.c.count()
        op = gke.delete_node_pool(name=f"{parent}/clusters/{CLUSTER}/nodePools/default-pool")
        self._wait(gke, op)

    def node_pool(self) -> None:
        gke = self.c.container("gke-admin")
        self.c.count()
        op = gke.create_node_pool(
            request={
                "parent": f"projects/{PROJECT}/locations/{ZONE}/clusters/{CLUSTER}",
                "node_pool": {
                    "name": "sd-node-pool",
                    "initial_node_count": 1,
                    "autoscaling": {"enabled": True, "min_node_count": 1, "max_node_count": 2},
                    "config": {
                        "machine_type": "n2-standard-4",
                        "preemptible": True,
                        "disk_size_gb": 50,
                        "service_account": email("gke-node"),
                        "oauth_scopes": [CLOUD_PLATFORM],
                    },
                    "upgrade_settings": {"max_surge": 0, "max_unavailable": 1},
                    "management": {"auto_repair": True, "auto_upgrade": True},
                },
            }
        )
        self._wait(gke, op)


def _add(policy: Any, role: str, member: str) -> None:
    for binding in policy.bindings:
        if binding.role == role and not binding.condition.expression:
            if member not in binding.members:
                binding.members.append(member)
            return
    policy.bindings.add(role=role, members=[member])


def run_walk(http: str, scale: float, parallelism: int = 10) -> WalkResult:
    clients = Clients(http)
    return Walk(clients, scale, parallelism).run()
