"""Apply as users feel it, and an honest bound for the scheduler.

1. The tutorial: its own Terraform sequence as a plain Terraform-like walk (benchmarks/tf_walk.py:
   cluster with its default pool, default pool deleted, own pool created, a fixed 60 s sleep for
   IAM, parallelism 10) next to `gkeplan apply examples/stable-diffusion.yaml` (whole process,
   through the CLI) on the same infrastructure, in the same run, each against a fresh emulator
   with EmulatorConfig.realistic() latencies x BENCH_APPLY_SCALE (0.05 by default: a 300 s
   cluster create takes 15 s, the 60 s sleep 3 s). The walk's time has no process start-up,
   no refresh and no plan; gkeplan's whole-process time has all of them.
2. Deep chains (generate.deep_chains: 6 clusters x 3 pools, each with its own createAs admin,
   node account and grants, plus 300 buckets with a grant each): gkeplan's apply window next to
   a bound built from the CONFIGURED latencies (calls x call latency + operation seconds +
   propagation delays along each dependency chain; and total work / parallelism), never from
   durations measured in the run it judges. Run at parallelism 10 (the longest chain bounds
   it) and 3 (six 15 s cluster creates queue for three slots: the order of work decides).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # the walk's gRPC channel, at emulator exit

from apply_common import configured_bound, emulator, gkeplan_apply, graph_json
from generate import deep_chains, to_yaml
from measure import ROOT, emit, table
from tf_walk import run_walk

SCALE = float(os.environ.get("BENCH_APPLY_SCALE", "0.05"))
PARALLELISM = 10
CHAIN_PARALLELISM = (10, 3)
TARGET_BOUND_RATIO = 1.3


def tutorial(tmp: Path) -> list[list[object]]:
    example = ROOT / "examples" / "stable-diffusion.yaml"
    variables = ("--var", "PROJECT_ID=demo-project")
    with emulator(scale=SCALE, project="demo-project") as info:
        walk = run_walk(info["http"], SCALE, PARALLELISM)
        latencies = info["config"]
    with emulator(scale=SCALE, project="demo-project") as info:
        gk = gkeplan_apply(example, info["http"], tmp / "tutorial.json", *variables)
    bound = configured_bound(graph_json(example, *variables), latencies, PARALLELISM)
    unscaled = 1 / SCALE
    emit(
        {
            "bench": "apply_tutorial",
            "latency_scale": SCALE,
            "terraform_walk_s": round(walk.wall_s, 2),
            "terraform_walk_retries": walk.retries,
            "gkeplan_process_s": gk.process_s,
            "gkeplan_apply_s": gk.apply_s,
            "ratio_walk_over_gkeplan_process": round(walk.wall_s / gk.process_s, 2),
            "ratio_walk_over_gkeplan_apply": round(walk.wall_s / gk.apply_s, 2),
            "gkeplan_bound_s": bound["bound_s"],
            "gkeplan_apply_over_bound": round(gk.apply_s / bound["bound_s"], 2),
            "at_real_latencies_estimate": {
                "terraform_walk_s": round(walk.wall_s * unscaled),
                "gkeplan_apply_s": round(gk.apply_s * unscaled),
            },
        }
    )
    return [
        ["Terraform-like walk (tutorial)", round(walk.wall_s, 2), "", "", ""],
        [
            "gkeplan apply (whole process)",
            gk.process_s,
            gk.apply_s,
            bound["bound_s"],
            f"{walk.wall_s / gk.process_s:.2f}x",
        ],
    ]


def chains(tmp: Path, parallelism: int) -> list[object]:
    spec = deep_chains()
    path = tmp / "chains.yaml"
    path.write_text(to_yaml(spec))
    with emulator(scale=SCALE, project=spec.project) as info:
        gk = gkeplan_apply(
            path, info["http"], tmp / f"chains-{parallelism}.json", parallelism=parallelism
        )
        latencies = info["config"]
    bound = configured_bound(graph_json(path), latencies, parallelism)
    ratio = round(gk.apply_s / bound["bound_s"], 2)
    emit(
        {
            "bench": "apply_chains",
            "latency_scale": SCALE,
            "resources": spec.resources(),
            "clusters": len(spec.clusters),
            "parallelism": parallelism,
            "gkeplan_process_s": gk.process_s,
            "gkeplan_apply_s": gk.apply_s,
            **bound,
            "measured_over_bound": ratio,
            "target_ratio": TARGET_BOUND_RATIO,
            "bound_from": "configured latencies",
        }
    )
    return [
        f"deep chains ({spec.resources()} resources)",
        parallelism,
        gk.process_s,
        gk.apply_s,
        bound["bound_s"],
        f"{ratio}x",
    ]


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        rows = tutorial(Path(tmp))
        # at 10 the longest chain is the bound; at 3 the clusters queue for slots and which
        # work starts first decides the time
        chain_rows = [chains(Path(tmp), p) for p in CHAIN_PARALLELISM]
    print(
        table(
            f"apply under realistic latencies x {SCALE} (seconds); tutorial ratio = walk / "
            "gkeplan whole process",
            ["run", "process s", "apply s", "bound s", "ratio"],
            rows,
        )
    )
    print(
        table(
            "scheduler vs a bound from configured latencies; "
            f"target: apply / bound <= {TARGET_BOUND_RATIO}",
            ["spec", "parallelism", "process s", "apply s", "bound s", "apply/bound"],
            chain_rows,
        )
    )
    print(f"(bench_apply took {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
