"""Emulator overhead: 1,000 service accounts and 1,000 buckets created through Google's clients."""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")

from gkeplan.emulator import Emulator, EmulatorConfig

N = 1_000


def main() -> None:
    with Emulator(EmulatorConfig(quota_profile="unlimited")) as emu:
        conn = emu.clients()
        iam = conn.iam()
        start = time.perf_counter()
        for i in range(N):
            iam.create_service_account(
                request={"name": "projects/demo-project", "account_id": f"bench-{i:05d}"}
            )
        sa = (time.perf_counter() - start) / N * 1000
        storage = conn.storage()
        start = time.perf_counter()
        for i in range(N):
            storage.create_bucket(f"demo-project-bench-{i:05d}", location="us-central1")
        bucket = (time.perf_counter() - start) / N * 1000
    for kind, ms in (
        ("iam.createServiceAccount (gRPC)", sa),
        ("storage.buckets.insert (REST)", bucket),
    ):
        print(
            json.dumps(
                {
                    "bench": "emulator",
                    "call": kind,
                    "calls": N,
                    "ms_per_call": round(ms, 2),
                    "target_ms": 5.0,
                }
            )
        )


if __name__ == "__main__":
    main()
