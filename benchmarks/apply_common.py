"""What the apply benchmarks share: an emulator process, `gkeplan apply` through the CLI with
its apply window timed from its progress lines, and the bound built from CONFIGURED latencies.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from measure import gkeplan_bin

HERE = Path(__file__).resolve().parent
QUIET_ENV = {
    "PYTHONUNBUFFERED": "1",
    "GRPC_VERBOSITY": "ERROR",
    "DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA": "true",
}


@contextlib.contextmanager
def emulator(*, scale: float | None, project: str) -> Iterator[dict[str, Any]]:
    """A fresh emulator process: realistic latencies x `scale` (benchmarks/emulator_server.py),
    or, with scale None, `gkeplan sandbox serve` with no latency. Quotas unlimited."""
    if scale is None:
        cmd = [
            gkeplan_bin(),
            "sandbox",
            "serve",
            "--project",
            project,
            "--quota-profile",
            "unlimited",
        ]
    else:
        cmd = [
            sys.executable,
            str(HERE / "emulator_server.py"),
            "--scale",
            str(scale),
            "--project",
            project,
        ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, env={**os.environ, **QUIET_ENV})
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def api_calls(http: str) -> int:
    """Google API calls the emulator has served (its own admin routes left out)."""
    with urllib.request.urlopen(http.rstrip("/") + "/_emulator/requests", timeout=30) as resp:
        entries = json.loads(resp.read())["requests"]
    return sum(1 for e in entries if not str(e["method"]).startswith("admin."))


@dataclass
class CliApply:
    process_s: float  # the whole `gkeplan apply` process: start-up, validate, refresh, apply
    apply_s: float  # first change started -> "Apply complete" (from its progress lines)
    summary: str


def gkeplan_apply(
    spec: Path, http: str, state: Path, *extra: str, parallelism: int = 10
) -> CliApply:
    cmd = [
        gkeplan_bin(),
        "apply",
        str(spec),
        "--endpoint",
        http,
        "--state",
        str(state),
        "--auto-approve",
        "--parallelism",
        str(parallelism),
        *extra,
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **QUIET_ENV},
    )
    assert proc.stdout is not None
    first = last = None
    summary = ""
    for line in proc.stdout:
        now = time.perf_counter()
        if first is None and line.rstrip().endswith(" started"):
            first = now
        if line.startswith("Apply "):
            last, summary = now, line.strip()
    err = proc.stderr.read() if proc.stderr else ""
    rc = proc.wait()
    end = time.perf_counter()
    if rc != 0 or first is None or last is None or "complete!" not in summary:
        raise SystemExit(f"gkeplan apply failed ({rc}): {summary}\n{err[-2000:]}")
    return CliApply(round(end - start, 2), round(last - first, 2), summary)


def graph_json(spec: Path, *variables: str) -> dict[str, Any]:
    out = subprocess.run(
        [gkeplan_bin(), "graph", str(spec), "--format", "json", *variables],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data: dict[str, Any] = json.loads(out)
    return data


# -- the bound from configured latencies -----------------------------------------------------

# Edges after which GCP makes a step wait: a new account is usable only after
# sa_propagation_delay_s, a new grant takes effect only after propagation_delay_s.
_SA_USED = {"member account", "createAs account", "node service account"}
_GRANT_USED = {"role of the createAs account"}
# "lets the caller impersonate the createAs account": the applier owns the project in the
# emulator, so its own token-creator permission never waits for that grant.


def configured_bound(
    graph: dict[str, Any], latencies: dict[str, Any], parallelism: int
) -> dict[str, Any]:
    """No schedule can finish sooner: the longest chain of configured costs (calls x call
    latency + operation seconds + propagation delays along the chain), and the total work
    divided by `parallelism`. Calls per change are the fewest GCP allows: create = 1 call;
    a grant = read + write of its policy; a cluster = its create (+ the createAs token) and
    createCluster seconds; a node pool created with its cluster costs nothing more, or, added
    later, 1 call + createNodePool seconds: the cheaper of the two counts."""
    lat = float(latencies["call_latency_s"])
    ops = latencies["operation_s"]
    kinds = {n["address"]: n["kind"] for n in graph["nodes"]}
    into: dict[str, list[tuple[str, str]]] = {a: [] for a in kinds}
    for e in graph["edges"]:
        into[e["to"]].append((e["from"], e["reason"]))

    def delay(source: str, reason: str) -> float:
        if kinds[source] == "serviceAccount" and reason in _SA_USED:
            return float(latencies["sa_propagation_delay_s"])
        if kinds[source] == "iamMember" and reason in _GRANT_USED:
            return float(latencies["propagation_delay_s"])
        return 0.0

    def cost(address: str) -> float:
        kind = kinds[address]
        if kind == "cluster":
            create_as = any(r == "createAs account" for _, r in into[address])
            return (2 if create_as else 1) * lat + float(ops["createCluster"])
        if kind == "iamMember":
            return 2 * lat
        if kind == "nodePool":
            return 0.0
        return lat

    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}
    ready_at: dict[str, float] = {}
    for address in _topological(kinds, into):
        best, best_dep = 0.0, None
        cluster = None
        for dep, reason in into[address]:
            if kinds[address] == "nodePool" and kinds[dep] == "cluster":
                cluster = dep
                continue
            t = finish[dep] + delay(dep, reason)
            if t > best:
                best, best_dep = t, dep
        ready_at[address] = best
        if kinds[address] == "nodePool" and cluster is not None:
            inline = max(ready_at[cluster], best) + cost(cluster)
            later = max(finish[cluster], best) + lat + float(ops["createNodePool"])
            finish[address] = min(inline, later)
            via[address] = cluster if finish[cluster] >= best else best_dep
        else:
            finish[address] = best + cost(address)
            via[address] = best_dep
    end = max(finish, key=lambda a: finish[a])
    chain = [end]
    while via.get(chain[-1]):
        chain.append(via[chain[-1]])  # type: ignore[arg-type]
    # Work that holds a slot cannot start before its earliest start: for every such start t,
    # t + (the work of what starts at t or later) / parallelism is a bound too. Grants of one
    # policy may share one write and need not hold a slot (gkeplan's walk), so they are left out.
    slotted = sorted((ready_at[a], cost(a)) for a in kinds if kinds[a] != "iamMember")
    work, rest = 0.0, sum(c for _, c in slotted)
    for t, c in slotted:
        work = max(work, t + rest / parallelism)
        rest -= c
    critical = finish[end]
    return {
        "critical_path_s": round(critical, 3),
        "work_bound_s": round(work, 3),
        "bound_s": round(max(critical, work), 3),
        "longest_chain": list(reversed(chain)),
    }


def _topological(kinds: dict[str, str], into: dict[str, list[tuple[str, str]]]) -> list[str]:
    out_edges: dict[str, list[str]] = {a: [] for a in kinds}
    pending = {a: len(into[a]) for a in kinds}
    for a, deps in into.items():
        for dep, _ in deps:
            out_edges[dep].append(a)
    order = [a for a in sorted(kinds) if pending[a] == 0]
    for a in order:  # grows while iterating
        for b in out_edges[a]:
            pending[b] -= 1
            if pending[b] == 0:
                order.append(b)
    return order
