"""Per-stage times of validate (YAML, model, semantics, graph, policies with ALL packs) at
1,000, 10,000 and 100,000 resources, and how each stage grows: t(10n)/t(n), next to what
O(n log n) allows (10 x log(10n)/log(n), about 13x).

Neither the CLI nor `gkeplan.validate` reports stage times, so each size runs in a fresh child
process (`bench_policy.py --child N`) that times the stages in-process: the public
`gkeplan.build_graph` and `gkeplan.policy.run_policies`, and the three steps inside
`gkeplan.load_spec` through one adapter (`_load_stages`). Best of 3 (one run at 100,000).
BENCH_POLICY_SIZES=1000,10000 skips the largest size.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generate import generate
from measure import emit, table

HERE = Path(__file__).resolve().parent
SIZES = tuple(int(s) for s in os.environ.get("BENCH_POLICY_SIZES", "1000,10000,100000").split(","))
STAGES = ("yaml", "model", "semantics", "graph", "policies")


def _gc_paused() -> Any:
    """ADAPTER: validate reads and checks a spec with the cyclic GC paused
    (`gkeplan.validation.load.gc_paused`); the stages are timed the same way."""
    from gkeplan.validation.load import gc_paused

    return gc_paused()


def _load_stages() -> tuple[Callable[[Path], Any], Callable[[Any], Any], Callable[[Any], Any]]:
    """ADAPTER (internal gkeplan imports; re-point after the module move): the three steps of
    `gkeplan.load_spec` as validate runs them: read + YAML, variables + pydantic model,
    references + semantics."""
    from gkeplan.spec.yamlsource import load_yaml
    from gkeplan.validation.load import parse_data, read_source, spec_problems

    def yaml_stage(path: Path) -> Any:
        text, file = read_source(path)
        return load_yaml(text, file)

    def model_stage(loaded: Any) -> Any:
        data, smap = loaded
        return parse_data(data, smap, {}, {})

    return yaml_stage, model_stage, spec_problems


class _Clock:
    """Wall and CPU seconds since the last lap (CPU time is less hurt by other work running)."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def lap(self) -> tuple[float, float]:
        wall, cpu = time.perf_counter(), time.process_time()
        out = (wall - self.wall, cpu - self.cpu)
        self.wall, self.cpu = wall, cpu
        return out


def child(n: int, runs: int) -> None:
    """Time each stage of validating a generated spec of n resources, best of `runs`."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "spec.yaml"
        path.write_text(generate(n, all_packs=True))
        best: dict[str, float] = {}
        findings = 0
        try:
            _load_stages()
            split = True
        except ImportError:  # the adapter's modules moved: time load_spec as one stage
            split = False
        for _ in range(runs):
            with _gc_paused():
                findings = _time_stages(path, split, best)
    print(
        json.dumps(
            {"resources": n, "findings": findings, **{k: round(v, 4) for k, v in best.items()}}
        )
    )


def _time_stages(path: Path, split: bool, best: dict[str, float]) -> int:
    """One validate of `path`, stage by stage; the best time of each stage goes in `best`.
    Returns the number of findings."""
    import gkeplan
    from gkeplan.policy import run_policies

    times: dict[str, tuple[float, float]] = {}
    if split:
        yaml_stage, model_stage, semantics_stage = _load_stages()
    clock = _Clock()
    if split:
        loaded = yaml_stage(path)
        times["yaml"] = clock.lap()
        spec = model_stage(loaded)
        times["model"] = clock.lap()
        semantics_stage(spec)
        times["semantics"] = clock.lap()
    else:
        spec = gkeplan.load_spec(path, environ={})
        times["load_spec"] = clock.lap()
    graph = gkeplan.build_graph(spec)
    times["graph"] = clock.lap()
    report = run_policies(spec, graph)
    times["policies"] = clock.lap()
    for stage, (wall, cpu) in times.items():
        best[stage] = min(best.get(stage, math.inf), wall)
        best[f"{stage}_cpu"] = min(best.get(f"{stage}_cpu", math.inf), cpu)
    return len(report.findings)


def nlogn_ratio(n: int) -> float:
    return 10 * math.log(10 * n) / math.log(n)


def main() -> None:
    results: list[dict[str, Any]] = []
    for n in SIZES:
        proc = subprocess.run(
            [sys.executable, str(HERE / "bench_policy.py"), "--child", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        data = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(data)
        previous = results[-2] if len(results) > 1 else None
        growth = {}
        if previous:
            growth = {
                f"growth_{k}": round(data[k] / previous[k], 1)
                for k in data
                if k not in ("resources", "findings") and previous.get(k, 0) > 0
            }
            growth["growth_nlogn_limit"] = round(nlogn_ratio(previous["resources"]), 1)
        stages = [s for s in (*STAGES, "load_spec") if s in data]
        emit(
            {
                "bench": "policy_stages",
                **data,
                "total_s": round(sum(data[s] for s in stages), 3),
                "total_cpu_s": round(sum(data[f"{s}_cpu"] for s in stages), 3),
                **growth,
            }
        )
    stages = [s for s in (*STAGES, "load_spec") if s in results[0]]
    for suffix, what in (("", "wall"), ("_cpu", "CPU")):
        rows = []
        for k, data in enumerate(results):
            row: list[object] = [data["resources"]]
            for s in stages:
                value = data[s + suffix]
                cell = f"{value:.3f}"
                if k and results[k - 1][s + suffix] > 0:
                    cell += f" ({value / results[k - 1][s + suffix]:.1f}x)"
                row.append(cell)
            limit = f"<= {nlogn_ratio(results[k - 1]['resources']):.1f}x" if k else ""
            rows.append([*row, data["findings"], limit])
        print(
            table(
                f"validate stages in-process, all packs, {what} seconds (t(10n)/t(n)); "
                "target: every stage O(n log n) or better",
                ["resources", *stages, "findings", "n log n allows"],
                rows,
            )
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", type=int)
    args = parser.parse_args()
    if args.child:
        sys.path.insert(0, str(HERE))
        child(args.child, 1 if args.child >= 100_000 else 3)
    else:
        main()
