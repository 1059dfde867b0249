"""Regenerate the emulator's data files (data/*.json) from a dated reference snapshot.

    python -m gkeplan_emulator.build_data --reference ../shared/reference
    python -m gkeplan_emulator.build_data --iam-dataset CHECKOUT  # role titles only

CHECKOUT: github.com/iann0036/iam-dataset at commit 2073fa52ac008a45477aa0b1b4580cd99135bf60,
the commit the reference's roles.json was assembled from.

The emulator reads only the small files in data/; each notes its `_source` and `_date`.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent / "data"

# Compute Engine "CPU quota" documentation: E2, N1, F1 and G1 vCPUs count against the regional
# CPUS metric; every other family has its own <FAMILY>_CPUS metric.
CPUS_ONLY_FAMILIES = ("e2", "n1", "f1", "g1")

# Compute Engine "GPU quota" documentation: the regional quota metric of each GPU model.
GPU_METRICS = {
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

# Compute Engine "GPU machine types" documentation: GPUs attached to accelerator-optimised types.
_G2_GPUS = {4: 1, 8: 1, 12: 1, 16: 1, 24: 2, 32: 1, 48: 4, 96: 8}


# The same page: G4 (RTX PRO 6000) g4-standard-48/96/192/384 hold 1/2/4/8 GPUs (the smaller
# types a fraction of one: none counted); A4 holds B200s and A4X GB200s, "-Ng" of them.
_G4_GPUS = {48: 1, 96: 2, 192: 4, 384: 8}


def _builtin_gpus(name: str) -> tuple[int, str | None]:
    if m := re.fullmatch(r"a2-(highgpu|megagpu|ultragpu)-(\d+)g", name):
        return int(m[2]), "nvidia-a100-80gb" if m[1] == "ultragpu" else "nvidia-tesla-a100"
    # "-nolssd" (A3 Edge and Ultra without local SSD) holds the same GPUs
    if m := re.fullmatch(r"a3-\w+-(\d+)g(-nolssd)?", name):
        return int(m[1]), "nvidia-h100-80gb"
    if m := re.fullmatch(r"a4-highgpu-(\d+)g", name):
        return int(m[1]), "nvidia-b200"
    if m := re.fullmatch(r"a4x-highgpu-(\d+)g", name):
        return int(m[1]), "nvidia-gb200"
    if m := re.fullmatch(r"g2-standard-(\d+)", name):
        return _G2_GPUS.get(int(m[1]), 1), "nvidia-l4"
    if (m := re.fullmatch(r"g4-standard-(\d+)", name)) and int(m[1]) in _G4_GPUS:
        return _G4_GPUS[int(m[1])], "nvidia-rtx-pro-6000"
    return 0, None


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open() as fh:
        return [row for row in csv.DictReader(fh, delimiter=";") if not row["DEPRECATED"]]


def build_roles(ref: Path) -> dict[str, Any]:
    roles: dict[str, list[str]] = json.loads((ref / "gcp-iam-roles" / "roles.json").read_text())
    wanted = sorted({p for ps in roles.values() for p in ps})
    index = {p: i for i, p in enumerate(wanted)}
    return {
        "_source": "github.com/iann0036/iam-dataset gcp/roles, commit 2073fa52ac00 (via "
        "shared/reference/gcp-iam-roles/roles.json): every predefined role with all its "
        "permissions, stored as indexes into `permissions`",
        "_date": "2026-08-22",
        "permissions": wanted,
        "roles": {name: sorted(index[p] for p in ps) for name, ps in sorted(roles.items())},
    }


def build_machines(ref: Path) -> dict[str, Any]:
    machines: dict[str, dict[str, Any]] = {}
    for row in _rows(ref / "gcp-machine-types" / "machinetypes.csv"):
        entry: dict[str, Any] = {"vcpus": int(row["CPUS"]), "regions": []}
        gpus, gpu_type = _builtin_gpus(row["NAME"])
        if gpus:
            entry["gpus"], entry["gpuType"] = gpus, gpu_type
        machines[row["NAME"]] = entry
    for row in _rows(ref / "gcp-machine-types" / "machinetyperegion.csv"):
        if row["NAME"] in machines:
            machines[row["NAME"]]["regions"].append(row["ZONE"])
    zones: dict[str, set[str]] = {}
    for row in _rows(ref / "gcp-machine-types" / "machinetypezone.csv"):
        zones.setdefault(row["ZONE"].rsplit("-", 1)[0], set()).add(row["ZONE"])
    for entry in machines.values():
        entry["regions"] = sorted(set(entry["regions"]))
    families = {name.split("-")[0] for name in machines}
    return {
        "_source": "github.com/Cyclenerd/google-cloud-pricing-cost-calculator tools/ at commit "
        "dac3128 (via shared/reference/gcp-machine-types): vCPUs from machinetypes.csv "
        "(2026-07-01), regions offering each type from machinetyperegion.csv (2026-08-17), zones "
        "of each region from machinetypezone.csv (2023-05-02); built-in GPUs and quota metrics "
        "from Compute Engine's GPU and quota documentation",
        "_date": "2026-08-20",
        "cpuMetrics": {
            f: "CPUS" if f in CPUS_ONLY_FAMILIES else f"{f.upper()}_CPUS" for f in sorted(families)
        },
        "gpuMetrics": GPU_METRICS,
        "zones": {region: sorted(z) for region, z in sorted(zones.items())},
        "machineTypes": dict(sorted(machines.items())),
    }


def build_role_titles(dataset: Path) -> dict[str, Any]:
    """Each predefined role's title, description and stage, as IAM's roles.get answers them
    (the dataset's gcp/roles/*.json are roles.get answers)."""
    roles = {}
    for path in sorted((dataset / "gcp" / "roles").glob("*.json")):
        role = json.loads(path.read_text())
        roles[role["name"]] = [role.get("title", ""), role.get("description", ""), role["stage"]]
    return {
        "_source": "github.com/iann0036/iam-dataset gcp/roles/*.json (title, description, "
        "stage), commit 2073fa52ac00, the commit roles.json's permissions come from",
        "_date": "2026-08-22",
        "roles": roles,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference", type=Path)
    parser.add_argument("--iam-dataset", type=Path)
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    built: list[tuple[str, dict[str, Any]]] = []
    if args.reference:
        built += [("roles.json", build_roles(args.reference))]
        built += [("machines.json", build_machines(args.reference))]
    if args.iam_dataset:
        built.append(("role-titles.json", build_role_titles(args.iam_dataset)))
    if not built:
        parser.error("give --reference, --iam-dataset or both")
    for name, data in built:
        (DATA / name).write_text(json.dumps(data, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
