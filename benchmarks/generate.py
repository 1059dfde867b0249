"""Generate valid specs of N resources (service accounts, buckets, grants, clusters)."""

from __future__ import annotations

import argparse
from pathlib import Path

PROJECT_ROLES = ("roles/logging.logWriter", "roles/monitoring.metricWriter")


def generate(n: int, *, clusters: int = 1, bucket_grants: int | None = None) -> str:
    """About n resources: a quarter accounts, a quarter buckets, half grants.

    `bucket_grants` caps how many grants target a bucket (each such policy costs one read at
    refresh: GCS has no batch IAM call); the rest are project-level grants.
    """
    accounts = max(1, n // 4)
    buckets = max(1, n // 4)
    grants = max(0, n - accounts - buckets - 2 * clusters)
    on_bucket = grants // 2 if bucket_grants is None else min(bucket_grants, grants)
    lines = [
        "version: 1",
        "project: bench-project",
        "region: us-central1",
        "policy: {packs: []}",
        "serviceAccounts:",
    ]
    for i in range(accounts):
        lines += [f"  sa-{i:05d}:", f"    displayName: Bench account {i}"]
    lines.append("buckets:")
    for i in range(buckets):
        lines += [
            f"  b{i:05d}:",
            f"    name: bench-project-data-{i:05d}",
            "    labels: {team: ml, env: bench}",
        ]
    lines.append("iam:")
    for g in range(grants):
        sa = f"sa-{g % accounts:05d}"
        if g < on_bucket:
            lines += [
                f"  - member: serviceAccount:{sa}",
                "    role: roles/storage.objectViewer",
                f"    on: bucket:b{g % buckets:05d}",
            ]
        else:
            role = PROJECT_ROLES[(g // accounts) % len(PROJECT_ROLES)]
            lines += [f"  - member: serviceAccount:{sa}", f"    role: {role}"]
    lines.append("clusters:")
    for c in range(clusters):
        lines += [
            f"  c{c:03d}:",
            "    location: us-central1-c",
            "    nodePools:",
            "      pool:",
            "        machineType: e2-standard-2",
            "        diskSizeGb: 30",
            f"        serviceAccount: sa-{c % accounts:05d}",
        ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    args.out.write_text(generate(args.n))


if __name__ == "__main__":
    main()
