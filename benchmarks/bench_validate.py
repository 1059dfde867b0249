"""Whole-process `gkeplan validate` with ALL policy packs, bytecode cached as on users'
machines (this machine sets PYTHONDONTWRITEBYTECODE; the benchmark unsets it for its children):

- the tutorial's spec next to checkov on the tutorial's Terraform (tests/data/terraform/
  tf-serving-gke), the two alternating, best of 5; target: checkov / gkeplan >= 15x (issue 23).
  Without checkov's venv (`make bench-peers` makes it, or BENCH_CHECKOV=PATH names a checkov)
  the row says so and is left out;
- the packs' share at 10,000 resources: the same spec with every pack and with none,
  alternating, best of 5; target: packs add <= 15%;
- generated specs of 1,000, 10,000 and 100,000 resources: time (best of runs) and peak RSS of
  that one process (never the maximum over earlier children).

Targets: 10,000 resources < 0.7 s and < 150 MB; 100,000 < 10 s; growth O(n log n) or better
(t(10n)/t(n) at most 10 x log(10n)/log(n), printed next to the measured ratio).
BENCH_VALIDATE_SIZES=1000,10000 skips the largest size.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

from bench_peers import CHECKOV_ENV, checkov_version
from generate import generate
from measure import ROOT, Run, alternate, best_of, cache_bytecode, emit, gkeplan_bin, table

SIZES = tuple(
    int(s) for s in os.environ.get("BENCH_VALIDATE_SIZES", "1000,10000,100000").split(",")
)
RUNS = {1_000: 3, 10_000: 3, 100_000: 1}
TARGETS = {10_000: {"target_s": 0.7, "target_mb": 150}, 100_000: {"target_s": 10.0}}
TARGET_RATIO = 15.0  # checkov / gkeplan on the tutorial
TARGET_PACKS_SHARE = 0.15  # what every pack adds at 10,000 resources
TUTORIAL_TF = ROOT / "tests" / "data" / "terraform" / "tf-serving-gke"


def nlogn_ratio(n: int) -> float:
    """t(10n)/t(n) for an O(n log n) stage."""
    return 10 * math.log(10 * n) / math.log(n)


def checkov_bin() -> str | None:
    """checkov from BENCH_CHECKOV, else the venv `make bench-peers` makes (None: neither)."""
    named = os.environ.get("BENCH_CHECKOV")
    venv = ROOT / ".bench" / "checkov-venv" / "bin" / "checkov"
    for candidate in (Path(named) if named else None, venv):
        if candidate is not None and candidate.exists():
            return str(candidate)
    return None


def tutorial_vs_checkov(gk_cmd: list[str]) -> list[list[object]]:
    """The tutorial's validate next to checkov on its Terraform, alternating, best of 5."""
    checkov = checkov_bin()
    if checkov is None:
        print(
            "checkov row left out: no checkov at .bench/checkov-venv (`make bench-peers` makes "
            "it) nor at BENCH_CHECKOV"
        )
        run, runs = best_of(gk_cmd, 5)
        _emit_tutorial(run, runs, None, None)
        return [["stable-diffusion", run.wall_s, run.cpu_s, "left out", "", "", ""]]
    ck_cmd = [checkov, "-d", str(TUTORIAL_TF), "--quiet", "--compact", "--framework", "terraform"]
    # exit 1 is checkov reporting failed checks: a full run
    (gk, ck), runs = alternate([(gk_cmd, None), (ck_cmd, CHECKOV_ENV)], 5, ok=(0, 1))
    ratio = round(ck.wall_s / gk.wall_s, 1)
    _emit_tutorial(gk, runs, ck, checkov_version(checkov))
    return [
        [
            "stable-diffusion",
            gk.wall_s,
            gk.cpu_s,
            ck.wall_s,
            f"{ratio}x",
            f">= {TARGET_RATIO:.0f}x",
            "yes" if ratio >= TARGET_RATIO else "NO",
        ]
    ]


def _emit_tutorial(gk: Run, runs: int, ck: Run | None, version: str | None) -> None:
    record: dict[str, object] = {
        "bench": "validate",
        "spec": "stable-diffusion",
        "packs": "all",
        "wall_s": gk.wall_s,
        "cpu_s": gk.cpu_s,
        "peak_mb": gk.peak_mb,
        "runs": runs,
        "bytecode_cached": True,
    }
    if ck is not None:
        ratio = round(ck.wall_s / gk.wall_s, 1)
        record |= {
            "checkov_config": "tf-serving-gke",
            "checkov_version": version,
            "checkov_s": ck.wall_s,
            "checkov_cpu_s": ck.cpu_s,
            "ratio": ratio,
            "target_ratio": TARGET_RATIO,
            "meets_target": ratio >= TARGET_RATIO,
        }
    emit(record)


def packs_share(gk: str, tmp: Path, n: int = 10_000) -> list[object]:
    """One spec validated with every pack and with none, alternating, best of 5."""
    every, none = tmp / f"packs-all-{n}.yaml", tmp / f"packs-none-{n}.yaml"
    every.write_text(generate(n, all_packs=True))
    none.write_text(generate(n))
    # exit 1: refused by a policy pack (the generated specs have findings), a full run
    (with_packs, without), runs = alternate(
        [([gk, "validate", str(every)], None), ([gk, "validate", str(none)], None)], 5, ok=(0, 1)
    )
    share = round(with_packs.wall_s / without.wall_s - 1, 3)
    # CPU seconds: the steadier of the two on a shared machine
    cpu_share = round(with_packs.cpu_s / without.cpu_s - 1, 3)
    emit(
        {
            "bench": "validate",
            "resources": n,
            "packs_all_s": with_packs.wall_s,
            "packs_none_s": without.wall_s,
            "packs_all_cpu_s": with_packs.cpu_s,
            "packs_none_cpu_s": without.cpu_s,
            "packs_share": share,
            "packs_share_cpu": cpu_share,
            "target_packs_share": TARGET_PACKS_SHARE,
            "meets_target": share <= TARGET_PACKS_SHARE,
            "runs": runs,
        }
    )
    return [
        n,
        with_packs.wall_s,
        without.wall_s,
        f"{share:+.1%}",
        f"{cpu_share:+.1%}",
        f"<= {TARGET_PACKS_SHARE:.0%}",
        "yes" if share <= TARGET_PACKS_SHARE else "NO",
    ]


def main() -> None:
    gk = gkeplan_bin()
    example = ROOT / "examples" / "stable-diffusion.yaml"
    gk_cmd = [gk, "validate", str(example), "--var", "PROJECT_ID=demo-project"]
    cache_bytecode(gk_cmd)
    tutorial = tutorial_vs_checkov(gk_cmd)
    print(
        table(
            "tutorial: gkeplan validate (all packs) vs checkov (terraform framework) on the "
            "tutorial's Terraform, whole process, alternating, best of 5, bytecode cached",
            ["spec", "gkeplan s", "cpu s", "checkov s", "ratio", "target", "met"],
            tutorial,
        )
    )
    rows: list[list[object]] = []
    previous: tuple[int, float, float] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        share = packs_share(gk, Path(tmp))
        print(
            table(
                "the packs' share: validate with every pack vs with none, whole process, "
                "alternating, best of 5",
                ["resources", "all packs s", "no packs s", "packs add", "cpu", "target", "met"],
                [share],
            )
        )
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
