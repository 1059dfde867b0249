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

# Families whose vCPUs count only against the regional CPUS quota; others have their own
# `<FAMILY>_CPUS` metric (Compute API Quota.Metric enum: N2_CPUS, C3_CPUS, ...).
CPUS_ONLY = ("n1", "e2", "f1", "g1")

# Permissions of the services gkeplan manages or checks; the rest of a role is irrelevant here.
PERMISSION_PREFIXES = (
    "container.", "iam.", "storage.", "resourcemanager.", "compute.", "serviceusage.",
    "logging.", "monitoring.", "autoscaling.", "artifactregistry.", "stackdriver.",
    "opsconfigmonitoring.", "cloudnotifications.", "orgpolicy.",
)  # fmt: skip

# Roles Google documents as deprecated (still grantable), with their successor and source.
# A role absent from the current dataset is only "unknown" (a waivable finding): the dataset
# dropping it is no source for "removed by Google".
DEPRECATED = {
    "roles/container.nodeServiceAccount": (
        "roles/container.defaultNodeServiceAccount",
        # terraform-google-kubernetes-engine docs/upgrading_to_v30.0.md: "the deprecated
        # Kubernetes Engine Node Service Account role"; commit 46ae290 (2024-01-13): "deprecated
        # now and it is replaced with new roles/container.defaultNodeServiceAccount".
        "terraform-google-kubernetes-engine upgrading_to_v30.0.md",
    ),
}

# GPUs that come with accelerator-optimised machine types ("For the A and G series
# accelerator-optimized machine types, the specified GPU model automatically attaches to the
# instance": cloud.google.com/compute/docs/gpus). G2 counts from the same page's G2 table.
G2_GPUS = {4: 1, 8: 1, 12: 1, 16: 1, 32: 1, 24: 2, 48: 4, 96: 8}
# G4 (RTX PRO 6000): g4-standard-48 has 1, -96 2, -192 4, -384 8 (the G4 table of the same
# page). The smaller g4-standard-6/12/24 hold a fraction of one GPU: not counted as GPUs here.
G4_GPUS = {48: 1, 96: 2, 192: 4, 384: 8}
BUILT_IN = {  # machine-type prefix -> GPU type; the count is the type's "-Ng" suffix
    "a2-highgpu": "nvidia-tesla-a100",
    "a2-megagpu": "nvidia-tesla-a100",
    "a2-ultragpu": "nvidia-a100-80gb",
    "a3-highgpu": "nvidia-h100-80gb",
    "a3-edgegpu": "nvidia-h100-80gb",
    "a3-megagpu": "nvidia-h100-mega-80gb",
    "a3-ultragpu": "nvidia-h200-141gb",
    # A4 (B200) and A4X (GB200 Superchips, 4 B200 GPUs: "A4X is available in the
    # a4x-highgpu-4g machine type", same page); the accelerator types are the Compute Engine
    # names in acceleratortyperegion.csv, in the same regions as the machine types. (A4X Max's
    # GPU type is not sourced here: a4x-maxgpu-4g-metal counts no GPUs.)
    "a4-highgpu": "nvidia-b200",
    "a4x-highgpu": "nvidia-gb200",
}
ACCELERATORS = {
    # name: regional quota metric (Compute Engine "GPU quota" documentation, metric names).
    # Types missing here count only against GPUS_ALL_REGIONS: their metric is unsourced.
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
# Series whose boot disk must be Hyperdisk: "The new C4, C4A, C4D, N4, N4A, and N4D families
# do not support pd-balanced disks" (nextflow-io/nextflow#6841, 2026); the Google provider's
# node_config.boot_disk.disk_type "Defaults to hyperdisk-balanced if hyperdisk-balanced is
# supported and pd-balanced is not supported for the machine type".
# Also A4X: "pd-balanced disk type cannot be used by a4x-highgpu-4g machine type" (Compute
# Engine's refusal, quoted in NVIDIA/aicr#2338).
HYPERDISK_ONLY = ("c4", "c4a", "c4d", "n4", "n4a", "n4d", "a4x")
# Hyperdisk-only by Google's defaults, without a refusal quoted in a public issue: "For other
# third-generation machine series like A3, H3, Z3, all fourth-generation types like C4, N4, M4,
# and newer machine series, the default is Hyperdisk Balanced" (compute v1
# AttachedDiskInitializeParams.diskType); G4's "pd-balanced disk type cannot be used by
# g4-standard-48" is quoted only in a script of an unnamed public repository. A pd-* boot disk
# on these warns, never refuses.
HYPERDISK_LIKELY = ("g4", "m4", "a4")
# Series that refuse pd-standard: "pd-standard disk type cannot be used by c3d-standard-90
# machine type., badRequest" (Compute Engine, quoted by docs.cast.ai "Pod startup failures with
# PD Standard on C3/C3D nodes"; "C3 and C3D machine types support only pd-balanced, pd-ssd, and
# pd-extreme"); A3 "doesn't support pd-standard" (skypilot-org/skypilot#5351).
NO_PD_STANDARD = ("c3", "c3d", "a3")
# H3 defaults to Hyperdisk Balanced (the same diskType text) and has no refusal of pd-standard
# quoted anywhere found: a warning.
NO_PD_STANDARD_LIKELY = ("h3",)
# Series that refuse Hyperdisk: "hyperdisk-balanced disk type cannot be used by n1-standard-1
# machine type., badRequest" (Compute Engine, GoogleCloudPlatform/cloud-image-tests#229);
# "N1, N2, and N2D do not support Hyperdisk types" and "the only family that do not support
# either hyperdisk or local-ssd is E2" (nextflow-io/nextflow#6841, citing Google's Hyperdisk
# Balanced page).
NO_HYPERDISK = ("n1", "n2", "n2d", "e2")
# Families that attach GPUs through `accelerators` (N1: "GPUs ... attach to N1 general-purpose
# machine types", cloud.google.com/compute/docs/gpus); E2 refuses them: "[e2-standard-2,
# nvidia-tesla-t4] features are not compatible for creating instance." (Compute Engine,
# kubernetes/test-infra#35205) and GKE's "Cannot use default machine type (e2-medium) with
# GPUs; choose a different machine type., badRequest" (hashicorp/terraform-provider-google#8387).
GPU_ATTACH = ("n1",)
NO_GPUS = ("e2",)

DISKS = {"pd-balanced": "balanced", "pd-ssd": "ssd", "pd-standard": "hdd", "pd-extreme": "extreme"}
STORAGE = {
    "STANDARD": "standard",
    "NEARLINE": "nearline",
    "COLDLINE": "coldline",
    "ARCHIVE": "archiv",
}


def _gpus(name: str) -> tuple[int, str | None]:
    # "-nolssd" (A3 Edge and Ultra without local SSD) names the same GPUs
    m = re.match(r"(a\d+x?-\w+gpu)-(\d+)g(-nolssd)?$", name)
    if m and m.group(1) in BUILT_IN:
        return int(m.group(2)), BUILT_IN[m.group(1)]
    m = re.match(r"g2-standard-(\d+)$", name)
    if m:
        return G2_GPUS.get(int(m.group(1)), 1), "nvidia-l4"
    m = re.match(r"g4-standard-(\d+)$", name)
    if m and int(m.group(1)) in G4_GPUS:
        return G4_GPUS[int(m.group(1))], "nvidia-rtx-pro-6000"
    return 0, None


def build_roles(ref: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    roles = json.loads((ref / "gcp-iam-roles" / "roles.json").read_text())
    stale = json.loads((ref / "gcp-iam-roles" / "roles_stale_extra.json").read_text())
    # A deprecated role still grants what it did: its permissions come from the older dataset.
    every = {**{r: stale[r] for r in DEPRECATED if r in stale}, **roles}
    perms = {
        name: sorted(p for p in ps if p.startswith(PERMISSION_PREFIXES))
        for name, ps in every.items()
    }
    source = (
        "github.com/iann0036/iam-dataset gcp/roles, commit 2073fa52ac00 "
        "(via ../shared/reference/gcp-iam-roles)"
    )
    names = {
        "_source": source,
        "_date": "2026-08-22",
        # what roles.list returns (the dataset is read from it); deprecated roles are hidden
        # there but still grantable, so they live under "deprecated" with their permissions
        "roles": sorted(roles),
        "deprecated": {
            name: {"successor": successor, "source": src}
            for name, (successor, src) in sorted(DEPRECATED.items())
        },
    }
    permissions = {
        "_source": source + "; permissions filtered to prefixes " + ", ".join(PERMISSION_PREFIXES),
        "_date": "2026-08-22",
        "sizes": {name: len(ps) for name, ps in sorted(every.items())},
        "permissions": {name: ps for name, ps in sorted(perms.items()) if ps},
    }
    return names, permissions


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def build_machines(ref: Path) -> dict[str, Any]:
    """Machine types and where they are offered, per region.

    The per-region file is current (2026-08-17); the per-zone file is from 2023 and only
    names the zones of the regions it knew: a hint for choosing zones, never a reason to
    refuse one. A zone is valid when its region is.
    """
    base = ref / "gcp-machine-types"
    types: dict[str, dict[str, Any]] = {}
    for row in _rows(base / "machinetypes.csv"):
        if row["DEPRECATED"]:
            continue
        entry: dict[str, Any] = {
            "vcpus": int(row["CPUS"]),
            "memoryGb": float(row["MEMORY_GB"]),
            "sharedCore": row["SHARED_CPU"] == "True",
            "regions": set(),
        }
        gpus, gpu_type = _gpus(row["NAME"])
        if gpus:
            entry["gpus"], entry["gpuType"] = gpus, gpu_type
        types[row["NAME"]] = entry
    for row in _rows(base / "machinetyperegion.csv"):
        if row["NAME"] in types:
            types[row["NAME"]]["regions"].add(row["ZONE"])  # the column holds the region
    types = {name: e for name, e in types.items() if e["regions"]}
    regions = sorted({r for e in types.values() for r in e["regions"]})
    for e in types.values():
        e["regions"] = sorted(e["regions"])
    zones: dict[str, set[str]] = {r: set() for r in regions}
    for row in _rows(base / "machinetypezone.csv"):
        region = row["ZONE"].rsplit("-", 1)[0]
        if region in zones:
            zones[region].add(row["ZONE"])
    accelerators: dict[str, dict[str, Any]] = {}
    for row in _rows(base / "acceleratortyperegion.csv"):
        acc = accelerators.setdefault(
            row["NAME"], {"quotaMetric": ACCELERATORS.get(row["NAME"]), "regions": []}
        )
        acc["regions"].append(row["ZONE"])
    families = sorted({name.split("-")[0] for name in types})
    return {
        "_source": "github.com/Cyclenerd/google-cloud-pricing-cost-calculator tools/ "
        "(read from the Compute Engine API): machinetypes.csv 8c32d22 (2026-07-01), "
        "machinetyperegion.csv 8bf3293 (2026-08-17), acceleratortyperegion.csv 1c13e28 "
        "(2026-08-10); zones from machinetypezone.csv 4ed73c6 (2023-05-02, a hint only); "
        "via ../shared/reference/gcp-machine-types",
        "_date": "2026-08-17",
        "cpuQuota": {f: "CPUS" if f in CPUS_ONLY else f"{f.upper()}_CPUS" for f in families},
        "hyperdiskOnly": list(HYPERDISK_ONLY),
        "hyperdiskLikely": list(HYPERDISK_LIKELY),
        "noPdStandard": list(NO_PD_STANDARD),
        "noPdStandardLikely": list(NO_PD_STANDARD_LIKELY),
        "noHyperdisk": list(NO_HYPERDISK),
        "gpuAttach": list(GPU_ATTACH),
        "noGpus": list(NO_GPUS),
        "accelerators": {
            n: {**a, "regions": sorted(a["regions"])} for n, a in sorted(accelerators.items())
        },
        "regions": {r: sorted(z) for r, z in sorted(zones.items())},
        "machineTypes": dict(sorted(types.items())),
    }


# Attachable GPUs: the extract of skypilot-org/skypilot-catalog's GCP accelerator prices kept in
# sources/ (its header names the commit); their names there -> Compute Engine's.
GPU_PRICES = Path(__file__).parent / "sources" / "gcp-attached-gpus.csv"
GPU_NAMES = {
    "T4": "nvidia-tesla-t4",
    "L4": "nvidia-l4",
    "P4": "nvidia-tesla-p4",
    "P100": "nvidia-tesla-p100",
    "V100": "nvidia-tesla-v100",
}


def build_gpu_prices(path: Path = GPU_PRICES) -> dict[str, dict[str, list[float]]]:
    lines = [ln for ln in path.read_text().splitlines() if ln and not ln.startswith("#")]
    out: dict[str, dict[str, list[float]]] = {}
    for row in csv.DictReader(lines):
        name = GPU_NAMES[row["AcceleratorName"]]
        out.setdefault(name, {})[row["Region"]] = [float(row["Price"]), float(row["SpotPrice"])]
    return {name: dict(sorted(regions.items())) for name, regions in sorted(out.items())}


# Prices the Billing Catalog extract does not hold in a shape gkeplan reads, from Google's
# pricing pages (each entry names its page and the day it was read).
SERVICE_PRICES: dict[str, Any] = {
    "natGateway": {
        "_source": "https://cloud.google.com/nat/pricing (Public NAT), read 2026-12-07: "
        "$0.0014 per hour per VM instance using the gateway, capped at 32 VMs ($0.044/hour); "
        "$0.045 per GiB processed, inbound and outbound, the same in every region",
        "vmHour": 0.0014,
        "maxHour": 0.044,
        "cappedVms": 32,
        "dataGib": 0.045,
    },
    "artifactRegistryStorage": {
        "_source": "https://cloud.google.com/artifact-registry/pricing, read 2026-12-07: "
        "storage up to 0.5 GB free (per billing account), over 0.5 GB $0.10 per GB-month, "
        "the same for regional and multi-regional repositories",
        "gbMonth": 0.1,
        "freeGb": 0.5,
    },
}


def build_prices(ref: Path, machine_types: list[str]) -> dict[str, Any]:
    raw = yaml.load((ref / "gcp-pricing" / "pricing.yml").read_text(), Loader=yaml.CSafeLoader)
    instances = raw["compute"]["instance"]
    machines = {
        name: {r: [c.get("hour"), c.get("hour_spot")] for r, c in instances[name]["cost"].items()}
        for name in machine_types
        if "cost" in instances.get(name, {})
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
        "GKE fee from cloud.google.com/kubernetes-engine/pricing; attachable GPUs (gpuHourly) "
        "from github.com/skypilot-org/skypilot-catalog catalogs/v8/gcp/vms.csv commit 006059e, "
        "read 2026-12-06 (sources/gcp-attached-gpus.csv); Cloud NAT from "
        "cloud.google.com/nat/pricing and Artifact Registry storage from "
        "cloud.google.com/artifact-registry/pricing, read 2026-12-07",
        "_date": "2026-07-30",
        "currency": "USD",
        "gkeClusterHour": 0.10,
        "gkeFreeTierMonthlyCredit": 74.40,
        "machineHourly": machines,
        "diskGbMonth": disks,
        "storageGbMonth": storage,
        "gpuHourly": build_gpu_prices(),
        **SERVICE_PRICES,
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
