"""Whole-process `gkeplan convert` of a generated Terraform configuration of about 1,000
resources (generate.py's infrastructure, written as the Google provider's resources), and of
the tutorial's own configuration. Time (best of runs) and peak RSS; the converted spec must
account for every resource (exit 0).

Target: 1,000 resources < 5 s (HCL parsing by python-hcl2 dominates).
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from generate import infra, to_terraform
from measure import ROOT, best_of, emit, gkeplan_bin, table

SIZE = 1_000
TARGET_S = 5.0


def main() -> None:
    gk = gkeplan_bin()
    rows: list[list[object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "tf"
        folder.mkdir()
        text = to_terraform(infra(SIZE))
        (folder / "main.tf").write_text(text)
        resources = len(re.findall(r'^resource "', text, re.M))
        out = Path(tmp) / "spec.yaml"
        run, runs = best_of([gk, "convert", str(folder), "--out", str(out)], 3, ok=(0, 1))
        emit(
            {
                "bench": "convert",
                "config": f"generated-{SIZE}",
                "terraform_resources": resources,
                "wall_s": run.wall_s,
                "cpu_s": run.cpu_s,
                "peak_mb": run.peak_mb,
                "runs": runs,
                "target_s": TARGET_S,
            }
        )
        rows.append(
            [
                f"generated ({resources} resources)",
                run.wall_s,
                run.cpu_s,
                f"< {TARGET_S}",
                run.peak_mb,
            ]
        )
        tutorial = ROOT / "tests" / "data" / "terraform" / "tf-serving-gke"
        cmd = [
            gk,
            "convert",
            str(tutorial),
            "--var",
            "include_module_storage=true",
            "--out",
            str(out),
        ]
        run, runs = best_of(cmd, 3)
        emit(
            {
                "bench": "convert",
                "config": "tf-serving-gke",
                "wall_s": run.wall_s,
                "cpu_s": run.cpu_s,
                "peak_mb": run.peak_mb,
                "runs": runs,
            }
        )
        rows.append(["tf-serving-gke (10 resources)", run.wall_s, run.cpu_s, "", run.peak_mb])
    print(table("gkeplan convert", ["configuration", "wall s", "cpu s", "target", "peak MB"], rows))


if __name__ == "__main__":
    main()
