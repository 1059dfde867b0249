"""Whole-process `gkeplan validate` with ALL policy packs: the tutorial's spec, then generated
specs of 1,000, 10,000 and 100,000 resources. Time (best of runs) and peak RSS of that one
process (never the maximum over earlier children).

Targets: 10,000 resources < 1 s and < 150 MB; 100,000 < 10 s; growth O(n log n) or better
(t(10n)/t(n) at most 10 x log(10n)/log(n), printed next to the measured ratio).
BENCH_VALIDATE_SIZES=1000,10000 skips the largest size.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

from generate import generate
from measure import ROOT, best_of, emit, gkeplan_bin, table

SIZES = tuple(
    int(s) for s in os.environ.get("BENCH_VALIDATE_SIZES", "1000,10000,100000").split(",")
)
RUNS = {1_000: 3, 10_000: 3, 100_000: 1}
TARGETS = {10_000: {"target_s": 1.0, "target_mb": 150}, 100_000: {"target_s": 10.0}}


def nlogn_ratio(n: int) -> float:
    """t(10n)/t(n) for an O(n log n) stage."""
    return 10 * math.log(10 * n) / math.log(n)


def main() -> None:
    gk = gkeplan_bin()
    example = ROOT / "examples" / "stable-diffusion.yaml"
    run, runs = best_of([gk, "validate", str(example), "--var", "PROJECT_ID=demo-project"], 5)
    emit(
        {
            "bench": "validate",
            "spec": "stable-diffusion",
            "packs": "all",
            "wall_s": run.wall_s,
            "cpu_s": run.cpu_s,
            "peak_mb": run.peak_mb,
            "runs": runs,
            "target_s": 0.4,
        }
    )
    rows: list[list[object]] = [
        ["stable-diffusion", run.wall_s, run.cpu_s, "< 0.4", run.peak_mb, "", "", ""]
    ]
    previous: tuple[int, float, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            spec = Path(tmp) / f"spec-{n}.yaml"
            spec.write_text(generate(n, all_packs=True))
            # exit 1: refused by a policy pack (the generated specs have findings), a full run
            run, runs = best_of([gk, "validate", str(spec)], RUNS.get(n, 1), ok=(0, 1))
            growth = round(run.wall_s / previous[1], 1) if previous else None
            growth_cpu = round(run.cpu_s / previous[2], 1) if previous else None
            limit = round(nlogn_ratio(previous[0]), 1) if previous else None
            target = TARGETS.get(n, {})
            emit(
                {
                    "bench": "validate",
                    "resources": n,
                    "packs": "all",
                    "wall_s": run.wall_s,
                    "cpu_s": run.cpu_s,
                    "peak_mb": run.peak_mb,
                    "runs": runs,
                    "growth_vs_previous": growth,
                    "growth_cpu_vs_previous": growth_cpu,
                    "growth_nlogn_limit": limit,
                    **target,
                }
            )
            rows.append(
                [
                    n,
                    run.wall_s,
                    run.cpu_s,
                    f"< {target['target_s']}" if "target_s" in target else "",
                    run.peak_mb,
                    f"< {target['target_mb']}" if "target_mb" in target else "",
                    f"{growth}x (cpu {growth_cpu}x)" if growth else "",
                    f"<= {limit}x" if limit else "",
                ]
            )
            previous = (n, run.wall_s, run.cpu_s)
    print(
        table(
            "whole-process gkeplan validate, all packs (best of runs; peak RSS of that process)",
            ["spec", "s", "cpu s", "target s", "MB", "target MB", "t(10n)/t(n)", "n log n"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
