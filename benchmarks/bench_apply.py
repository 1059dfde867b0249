"""Apply a generated 1,000-resource spec against the emulator with GCP-like latencies.

Reports wall time next to the graph's critical-path bound (the longest chain of measured
change durations: no schedule can beat it) and next to the same apply with --parallelism 1,
plus the number of API calls a refresh of the applied spec takes.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")

from generate import generate

from gkeplan import load_spec
from gkeplan.apply.executor import ApplyResult
from gkeplan.run.run import open_run
from gkeplan.run.target import Target

N = 1_000
# GCP-like but scaled down: every call 10 ms, every GKE operation 3 s. The emulator runs as
# its own process (`gkeplan sandbox serve`), as GCP would, so its CPU is not gkeplan's.
SERVE = [
    "--project",
    "bench-project",
    "--quota-profile",
    "unlimited",
    "--call-latency",
    "0.01",
    "--operation-seconds",
    "3",
]


@contextlib.contextmanager
def server() -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "gkeplan", "sandbox", "serve", *SERVE],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())["http"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def critical_path(result: ApplyResult) -> float:
    finish: dict[str, float] = {}
    for address in _topo(result):
        change = result.changes[address]
        before = [finish[d] for d in change.dependencies if d in finish]
        finish[address] = result.durations.get(address, 0.0) + max(before, default=0.0)
    return max(finish.values(), default=0.0)


def _topo(result: ApplyResult) -> list[str]:
    import networkx as nx

    g = nx.DiGraph()
    for address, change in result.changes.items():
        g.add_node(address)
        for dep in change.dependencies:
            if dep in result.changes:
                g.add_edge(dep, address)
    return list(nx.topological_sort(g))


def run(parallelism: int, tmp: Path) -> tuple[float, ApplyResult, int]:
    spec_path = tmp / "spec.yaml"
    spec_path.write_text(generate(N, clusters=2, bucket_grants=10))
    spec = load_spec(spec_path, environ={})
    state = tmp / f"state-{parallelism}.json"
    with server() as endpoint:
        target = Target(endpoint=endpoint)
        with open_run(spec, target=target, state_path=str(state), operation="apply") as r:
            plan = r.plan()
            start = time.perf_counter()
            result = r.apply(plan, parallelism=parallelism)
            wall = time.perf_counter() - start
        with open_run(spec, target=target, state_path=str(state)) as r:
            again = r.plan()
        assert result.ok, list(result.walk.errors.items())[:3]
        assert not again.has_changes
        return wall, result, again.refresh_calls


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wall, result, calls = run(10, Path(tmp))
        bound = critical_path(result)
        serial_wall, _, _ = run(1, Path(tmp))
    print(
        json.dumps(
            {
                "bench": "apply",
                "resources": len(result.changes),
                "parallelism": 10,
                "wall_s": round(wall, 2),
                "critical_path_s": round(bound, 2),
                "ratio": round(wall / bound, 2),
                "target_ratio": 1.3,
                "parallelism_1_wall_s": round(serial_wall, 2),
                "refresh_calls": calls,
                "target_refresh_calls": 60,
            }
        )
    )


if __name__ == "__main__":
    main()
