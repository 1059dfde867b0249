"""Emulator overhead: 1,000 service accounts (IAM admin, gRPC), Kubernetes Engine and Resource
Manager calls on both transports (REST and gRPC), and 1,000 buckets (Cloud Storage, REST), all
through Google's unmodified clients on loopback. Target: < 5 ms per call.

Prints one JSON line per measurement. The storage part is skipped, with a line saying so,
when the emulator serves no bucket routes.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")

from gkeplan_emulator import Emulator, EmulatorConfig

N = int(os.environ.get("BENCH_EMULATOR_N", "1000"))
TARGET_MS = 5.0
PROJECT = "demo-project"


def _timed(n: int, call: Callable[[int], object]) -> list[float]:
    samples = []
    for i in range(n):
        start = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _report(call: str, transport: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    print(
        json.dumps(
            {
                "bench": "emulator",
                "call": call,
                "transport": transport,
                "calls": len(samples),
                "ms_per_call": round(statistics.fmean(samples), 3),
                "p50_ms": round(ordered[len(ordered) // 2], 3),
                "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1], 3),
                "target_ms": TARGET_MS,
                "within_target": statistics.fmean(samples) < TARGET_MS,
            }
        ),
        flush=True,
    )


def _container_and_projects(clients: Any) -> None:
    """Reads and a policy write, each on REST and gRPC, against one running cluster."""
    from google.cloud import container_v1 as gke

    zone = f"projects/{PROJECT}/locations/us-central1-c"
    pool = gke.NodePool(
        name="pool", initial_node_count=1, config=gke.NodeConfig(machine_type="e2-standard-2")
    )
    clients.container().create_cluster(
        parent=zone, cluster=gke.Cluster(name="bench", node_pools=[pool])
    )
    for transport in ("rest", "grpc"):
        container = clients.container() if transport == "rest" else clients.container_grpc()
        projects = clients.projects() if transport == "rest" else clients.projects_grpc()
        _one_transport(transport, container, projects, zone)


def _one_transport(transport: str, container: Any, projects: Any, zone: str) -> None:
    cluster = f"{zone}/clusters/bench"
    project = f"projects/{PROJECT}"
    container.get_cluster(name=cluster)  # connect before timing
    _report(
        "container.getCluster", transport, _timed(N, lambda i: container.get_cluster(name=cluster))
    )
    _report(
        "container.listClusters",
        transport,
        _timed(N, lambda i: container.list_clusters(parent=zone)),
    )
    _report(
        "resourcemanager.projects.get",
        transport,
        _timed(N, lambda i: projects.get_project(name=project)),
    )
    policy = projects.get_iam_policy(request={"resource": project})

    def write(i: int) -> None:
        nonlocal policy
        policy = projects.set_iam_policy(request={"resource": project, "policy": policy})

    _report("resourcemanager.projects.setIamPolicy", transport, _timed(N, write))


def main() -> None:
    with Emulator(EmulatorConfig(quota_profile="unlimited")) as emu:
        clients = emu.clients()
        iam = clients.iam_admin()
        iam.list_service_accounts(name=f"projects/{PROJECT}")  # connect before timing
        samples = _timed(
            N,
            lambda i: iam.create_service_account(
                request={"name": f"projects/{PROJECT}", "account_id": f"bench-{i:05d}"}
            ),
        )
        _report("iam.createServiceAccount", "grpc", samples)
        _container_and_projects(clients)

        if not emu.serves("storage.buckets.insert"):
            skipped = {"bench": "emulator", "call": "storage.buckets.insert", "skipped": True}
            print(json.dumps({**skipped, "why": "the emulator serves no bucket routes yet"}))
            return
        gcs = clients.storage()
        gcs.list_buckets(max_results=1)
        samples = _timed(
            N, lambda i: gcs.create_bucket(f"{PROJECT}-bench-{i:05d}", location="us-central1")
        )
        _report("storage.buckets.insert", "rest", samples)


if __name__ == "__main__":
    main()
