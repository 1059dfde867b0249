"""Regenerate the catalog data files from the reference snapshot in ../shared/reference.

    python -m gkeplan.catalog.build --reference ../shared/reference

Run by hand when the snapshot is refreshed; gkeplan itself only reads the small files in data/.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).parent / "data"

FAMILIES = (
    "e2", "n1", "n2", "n2d", "n4", "c2", "c2d", "c3", "c3d", "c4", "t2d", "t2a",
    "a2", "a3", "g2", "m1", "m3", "f1", "g1",
)  # fmt: skip

# Permissions of the services gkeplan manages or checks; the rest of a role is irrelevant here.
PERMISSION_PREFIXES = (
    "container.", "iam.", "storage.", "resourcemanager.", "compute.", "serviceusage.",
    "logging.", "monitoring.", "autoscaling.", "artifactregistry.", "stackdriver.",
    "opsconfigmonitoring.", "cloudnotifications.", "orgpolicy.",
)  # fmt: skip

# Successors of removed roles, from Google's GKE and IAM documentation (checked 2026-11-28):
# "roles/container.nodeServiceAccount ... replaced by roles/container.defaultNodeServiceAccount".
SUCCESSORS = {"roles/container.nodeServiceAccount": "roles/container.defaultNodeServiceAccount"}

# Built-in GPUs of accelerator-optimised types (Compute Engine GPU machine types documentation).
G2_GPUS = {4: 1, 8: 1, 12: 1, 16: 1, 32: 1, 24: 2, 48: 4, 96: 8}
ACCELERATORS = {
    # name: quota metric (Compute Engine "GPU quota" documentation, metric names)
    "nvidia-tesla-t4": "NVIDIA_T4_GPUS",
    "nvidia-tesla-v100": "NVIDIA_V100_GPUS",
    "nvidia-tesla-p100": "NVIDIA_P100_GPUS",
    "nvidia-tesla-p4": "NVIDIA_P4_GPUS",
    "nvidia-tesla-k80": "NVIDIA_K80_GPUS",
    "nvidia-tesla-a100": "NVIDIA_A100_GPUS",
    "nvidia-a100-80gb": "NVIDIA_A100_80GB_GPUS",
    "nvidia-l4": "NVIDIA_L4_GPUS",
    "nvidia-h100-80gb": "NVIDIA_H100_GPUS",
}
# Families whose vCPUs count only against the regional CPUS quota; others have their own.
CPUS_ONLY = ("n1", "e2", "f1", "g1")

DISKS = {"pd-balanced": "balanced", "pd-ssd": "ssd", "pd-standard": "hdd", "pd-extreme": "extreme"}
STORAGE = {
    "STANDARD": "standard",
    "NEARLINE": "nearline",
    "COLDLINE": "coldline",
    "ARCHIVE": "archiv",
}


def _gpus(name: str) -> tuple[int, str | None]:
    m = re.match(r"a2-(highgpu|megagpu|ultragpu)-(\d+)g$", name)
    if m:
        return int(m.group(2)), "nvidia-a100-80gb" if m.group(
            1
        ) == "ultragpu" else "nvidia-tesla-a100"
    m = re.match(r"a3-\w+-(\d+)g$", name)
    if m:
        return int(m.group(1)), "nvidia-h100-80gb"
    m = re.match(r"g2-standard-(\d+)$", name)
    if m:
        return G2_GPUS.get(int(m.group(1)), 1), "nvidia-l4"
    return 0, None


def build_roles(ref: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    roles = json.loads((ref / "gcp-iam-roles" / "roles.json").read_text())
    stale = json.loads((ref / "gcp-iam-roles" / "roles_stale_extra.json").read_text())
    perms = {
        name: sorted(p for p in ps if p.startswith(PERMISSION_PREFIXES))
        for name, ps in roles.items()
    }
    source = (
        "github.com/iann0036/iam-dataset gcp/roles, commit 2073fa52ac00 "
        "(via ../shared/reference/gcp-iam-roles)"
    )
    names = {
        "_source": source,
        "_date": "2026-08-22",
        "roles": sorted(roles),
        "removed": {name: SUCCESSORS.get(name, "") for name in sorted(stale)},
    }
    permissions = {
        "_source": source + "; permissions filtered to prefixes " + ", ".join(PERMISSION_PREFIXES),
        "_date": "2026-08-22",
        "sizes": {name: len(ps) for name, ps in sorted(roles.items())},
        "permissions": {name: ps for name, ps in sorted(perms.items()) if ps},
    }
    return names, permissions


def build_machines(ref: Path) -> dict[str, Any]:
    types: dict[str, dict[str, Any]] = {}
    with (ref / "gcp-machine-types" / "machinetypezone.csv").open() as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            name = row["NAME"]
            family = name.split("-")[0]
            if family not in FAMILIES or row["DEPRECATED"]:
                continue
            entry = types.setdefault(
                name,
                {
                    "vcpus": int(row["CPUS"]),
                    "memoryGb": float(row["MEMORY_GB"]),
                    "sharedCore": row["SHARED_CPU"] == "True",
                    "zones": [],
                },
            )
            entry["zones"].append(row["ZONE"])
    for name, entry in types.items():
        entry["zones"] = sorted(set(entry["zones"]))
        gpus, gpu_type = _gpus(name)
        if gpus:
            entry["gpus"], entry["gpuType"] = gpus, gpu_type
    regions: dict[str, set[str]] = {}
    for entry in types.values():
        for zone in entry["zones"]:
            regions.setdefault(zone.rsplit("-", 1)[0], set()).add(zone)
    return {
        "_source": "github.com/Cyclenerd/google-cloud-pricing-cost-calculator tools/ commit "
        "dac3128 (read from the Compute Engine API), via ../shared/reference/gcp-machine-types",
        "_date": "2026-08-20",
        "cpuQuota": {f: "CPUS" if f in CPUS_ONLY else f"{f.upper()}_CPUS" for f in FAMILIES},
        "accelerators": ACCELERATORS,
        "regions": {r: sorted(z) for r, z in sorted(regions.items())},
        "machineTypes": dict(sorted(types.items())),
    }


def build_prices(ref: Path, machine_types: list[str]) -> dict[str, Any]:
    raw = yaml.load((ref / "gcp-pricing" / "pricing.yml").read_text(), Loader=yaml.CSafeLoader)
    instances = raw["compute"]["instance"]
    machines = {
        name: {r: [c.get("hour"), c.get("hour_spot")] for r, c in instances[name]["cost"].items()}
        for name in machine_types
        if name in instances
    }
    disks = {
        ours: {r: c["month"] for r, c in raw["compute"]["storage"][theirs]["cost"].items()}
        for ours, theirs in DISKS.items()
    }
    buckets = raw["storage"]["bucket"]
    storage = {
        ours: {r: c["month"] for r, c in buckets[theirs]["cost"].items()}
        for ours, theirs in STORAGE.items()
        if theirs in buckets
    }
    return {
        "_source": "Google Cloud Billing Catalog via github.com/Cyclenerd/"
        "google-cloud-pricing-cost-calculator commit fd66b26 (../shared/reference/gcp-pricing); "
        "GKE fee from cloud.google.com/kubernetes-engine/pricing",
        "_date": "2026-07-30",
        "currency": "USD",
        "gkeClusterHour": 0.10,
        "gkeFreeTierMonthlyCredit": 74.40,
        "machineHourly": machines,
        "diskGbMonth": disks,
        "storageGbMonth": storage,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path, required=True)
    ref = parser.parse_args().reference
    DATA.mkdir(exist_ok=True)
    machines = build_machines(ref)
    roles, permissions = build_roles(ref)
    outputs = {
        "roles.json": roles,
        "role-permissions.json": permissions,
        "machines.json": machines,
        "prices.json": build_prices(ref, list(machines["machineTypes"])),
    }
    for name, data in outputs.items():
        (DATA / name).write_text(json.dumps(data, separators=(",", ":"), sort_keys=False) + "\n")


if __name__ == "__main__":
    main()
