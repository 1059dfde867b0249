"""`make bench-peers`: gkeplan validate (all three packs) next to checkov on the same
infrastructure, side by side in one run, at 10, 100, 1,000 and 10,000 resources.

For each size, benchmarks/generate.py writes a gkeplan spec and its Terraform equivalent
(google_service_account, google_project_iam_member, google_storage_bucket_iam_member,
google_service_account_iam_member, google_container_cluster with remove_default_node_pool and
google_container_node_pool, google_storage_bucket, and per cluster google_compute_network,
google_compute_subnetwork, google_compute_router with google_compute_router_nat and
google_compute_firewall; gkeplan's defaults written out). Both run as whole processes
(gkeplan's bytecode cached, as on users' machines), best of 3 (fewer when one checkov run
takes longer than BENCH_PEERS_SLOW_S, 120 s by default: the line says how many), the two
alternating so that both see the same machine, with peak RSS and CPU seconds per process.
The ratio is of wall times; the CPU ratio is printed beside it (on a loaded machine it is the
steadier of the two, though checkov's CPU counts only the worker processes it waits for).

checkov runs as `checkov -d DIR --quiet --compact --framework terraform` with BC_SKIP_MAPPING
set: only the Terraform framework (what gkeplan checks too) and no attempt to download its
guideline mappings, which is the fastest checkov can be here. Usage:
`python benchmarks/bench_peers.py --checkov .bench/checkov-venv/bin/checkov [--sizes 10,100]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from generate import infra, to_terraform, to_yaml
from measure import (
    HAS_GNU_TIME,
    ROOT,
    Run,
    alternate,
    cache_bytecode,
    emit,
    gkeplan_bin,
    table,
    write_jsonl_to,
)

SIZES = (10, 100, 1_000, 10_000)
TARGET_RATIO = 10.0
CHECKOV_ENV = {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}


def side_by_side(
    gk_cmd: list[str], ck_cmd: list[str], runs: int, slow_s: float
) -> tuple[Run, Run, int]:
    """Alternate the two (gkeplan, checkov, gkeplan, ...) so both see the same machine, and
    keep each one's fastest run; peak RSS is the largest seen. Exit 1 is a full run for both:
    gkeplan refusing on a policy finding, checkov reporting failed checks."""
    (gk, ck), rounds = alternate(
        [(gk_cmd, None), (ck_cmd, CHECKOV_ENV)], runs, ok=(0, 1), slow_s=slow_s
    )
    return gk, ck, rounds


def checkov_version(checkov: str) -> str:
    proc = subprocess.run(
        [checkov, "--version"], capture_output=True, text=True, check=True, env=_env()
    )
    return proc.stdout.strip().splitlines()[-1]


def _env() -> dict[str, str]:
    return {**os.environ, **CHECKOV_ENV}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkov", default=".bench/checkov-venv/bin/checkov")
    parser.add_argument("--sizes", default=",".join(str(s) for s in SIZES))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="Also write the JSON lines to OUT.")
    args = parser.parse_args()
    if args.out:
        write_jsonl_to(args.out)
    slow_s = float(os.environ.get("BENCH_PEERS_SLOW_S", "120"))
    tutorial = ROOT / "examples" / "stable-diffusion.yaml"
    cache_bytecode([gkeplan_bin(), "validate", str(tutorial), "--var", "PROJECT_ID=demo-project"])
    version = checkov_version(args.checkov)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in (int(s) for s in args.sizes.split(",")):
            spec = infra(n, all_packs=True)
            yaml_path = Path(tmp) / f"spec-{n}.yaml"
            yaml_path.write_text(to_yaml(spec))
            tf_dir = Path(tmp) / f"tf-{n}"
            tf_dir.mkdir()
            (tf_dir / "main.tf").write_text(to_terraform(spec))
            # exit 1 is a refusal by a policy pack (the generated specs have findings): a full run
            gk_cmd = [gkeplan_bin(), "validate", str(yaml_path)]
            ck_cmd = [args.checkov, "-d", str(tf_dir), "--quiet", "--compact"]
            ck_cmd += ["--framework", "terraform"]
            gk, ck, runs = side_by_side(gk_cmd, ck_cmd, args.runs, slow_s)
            gk_runs = ck_runs = runs
            ratio = round(ck.wall_s / gk.wall_s, 1)
            cpu_ratio = round(ck.cpu_s / gk.cpu_s, 1)
            emit(
                {
                    "bench": "peers",
                    "resources": spec.resources(),
                    "gkeplan_s": gk.wall_s,
                    "gkeplan_cpu_s": gk.cpu_s,
                    "gkeplan_peak_mb": gk.peak_mb,
                    "gkeplan_runs": gk_runs,
                    "checkov_s": ck.wall_s,
                    "checkov_cpu_s": ck.cpu_s,
                    "checkov_peak_mb": ck.peak_mb,
                    "checkov_runs": ck_runs,
                    "checkov_version": version,
                    "ratio": ratio,
                    "cpu_ratio": cpu_ratio,
                    "target_ratio": TARGET_RATIO,
                    "meets_target": ratio >= TARGET_RATIO,
                    "peak_rss_from": "/usr/bin/time" if HAS_GNU_TIME else "getrusage",
                }
            )
            rows.append(
                [
                    spec.resources(),
                    gk.wall_s,
                    ck.wall_s,
                    f"{ratio}x",
                    f"{cpu_ratio}x",
                    gk.peak_mb,
                    ck.peak_mb,
                    ck_runs,
                    "yes" if ratio >= TARGET_RATIO else "NO",
                ]
            )
    print(
        table(
            f"gkeplan validate (all packs) vs checkov {version} (terraform framework), whole "
            f"process, best of runs; target: ratio >= {TARGET_RATIO:.0f}x at every size",
            [
                "size",
                "gkeplan s",
                "checkov s",
                "ratio",
                "cpu ratio",
                "gkeplan MB",
                "checkov MB",
                "runs",
                ">=10x",
            ],
            rows,
        )
    )


if __name__ == "__main__":
    main()
