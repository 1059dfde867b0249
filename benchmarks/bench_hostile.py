"""Issue 15's time bounds: every hostile case, 20,000 bad dependsOn, 45,000 accounts.

Each case of tests/hostile/cases.py runs in-process through `gkeplan.cli.main` (the tests check
what it prints; this checks how long it takes: at most 2 s each). The big inputs run as whole
`gkeplan validate` processes, like bench_validate: 20,000 dependsOn entries naming nothing
(about a second: suggestions come from an index, not a scan) and a 7 MiB spec of 45,000
service accounts (under 2 s). A FIFO and a symlink to /dev/zero as SPEC must return at once.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile.cases import BASE, all_cases, arguments, materialise  # noqa: E402

CASE_TARGET_S = 2.0


def accounts_spec(n: int = 45_000) -> str:
    lines = [
        "version: 1",
        "project: bench-project",
        "region: us-central1",
        "policy: {packs: []}",
        "serviceAccounts:",
    ]
    for i in range(n):
        lines += [
            f"  sa-{i:05d}:",
            f"    displayName: Bench service account {i:05d} of the hostile-input bench",
            f"    description: Runs nightly batch job {i:05d} for the platform team",
        ]
    return "\n".join(lines) + "\n"


def bad_depends_on_spec(n: int = 20_000) -> str:
    refs = ", ".join(f"bucket.nothing-{i:05d}" for i in range(n))
    anchor = "    name: demo-project-models\n"
    return BASE.replace(anchor, f"{anchor}    dependsOn: [{refs}]\n")


def misspelt_depends_on_spec(n: int = 20_000) -> str:
    """n accounts, each depending on a misspelling of its own address: n suggestions among n."""
    lines = ["version: 1", "project: bench-project", "region: us-central1", "serviceAccounts:"]
    for i in range(n):
        lines += [f"  sa-{i:05d}:", f"    dependsOn: [serviceAccount.sa-{i:05d}x]"]
    return "\n".join(lines) + "\n"


def in_process(main: Callable[[list[str]], None]) -> None:
    cases = all_cases()
    times: list[tuple[float, str]] = []
    for case in cases:
        with tempfile.TemporaryDirectory() as tmp:
            where = Path(tmp)
            spec = materialise(case, where)
            saved = {k: os.environ.get(k) for k in case.env}
            os.environ.update(case.env)
            sink = io.StringIO()
            start = time.perf_counter()
            try:
                with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                    main(arguments(case, spec, where))
            except SystemExit:
                pass
            times.append((time.perf_counter() - start, case.id))
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
    times.sort(reverse=True)
    print(
        json.dumps(
            {
                "bench": "hostile",
                "cases": len(cases),
                "median_s": round(statistics.median(t for t, _ in times), 4),
                "max_s": round(times[0][0], 3),
                "slowest": [f"{name} {t:.3f}s" for t, name in times[:5]],
                "over_target": [name for t, name in times if t > CASE_TARGET_S],
                "target_s": CASE_TARGET_S,
            }
        )
    )


def whole_process(spec: Path, expect: int, runs: int = 3) -> dict[str, float]:
    """Wall time, and CPU time (user + sys of the child: what a loaded machine does not inflate)."""
    times = []
    cpu = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "gkeplan", "validate", str(spec)],
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if proc.returncode != expect:
            raise SystemExit(f"expected exit {expect}, got {proc.returncode}: {proc.stdout}")
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "cpu_min_s": round(min(cpu), 3),
    }


def main() -> None:
    from gkeplan.cli import main as cli_main

    in_process(cli_main)
    with tempfile.TemporaryDirectory() as tmp:
        where = Path(tmp)
        deps = where / "depends-on.yaml"
        deps.write_text(bad_depends_on_spec())
        print(
            json.dumps(
                {
                    "bench": "hostile",
                    "input": "20,000 dependsOn naming nothing, in one resource",
                    **whole_process(deps, 1),
                    "target_s": 1.0,
                }
            )
        )
        misspelt = where / "misspelt.yaml"
        misspelt.write_text(misspelt_depends_on_spec())
        print(
            json.dumps(
                {
                    "bench": "hostile",
                    "input": "20,000 accounts, each dependsOn a misspelt address",
                    **whole_process(misspelt, 1),
                    "target_s": 1.0,
                }
            )
        )
        big = where / "accounts.yaml"
        big.write_text(accounts_spec())
        print(
            json.dumps(
                {
                    "bench": "hostile",
                    "input": "45,000 service accounts",
                    "mib": round(big.stat().st_size / 2**20, 1),
                    **whole_process(big, 0),
                    "target_s": 2.0,
                }
            )
        )
        fifo = where / "fifo.yaml"
        os.mkfifo(fifo)
        zero = where / "zero.yaml"
        zero.symlink_to("/dev/zero")
        for name, path in (("FIFO as SPEC", fifo), ("symlink to /dev/zero as SPEC", zero)):
            print(
                json.dumps(
                    {"bench": "hostile", "input": name, **whole_process(path, 1), "target_s": 2.0}
                )
            )


if __name__ == "__main__":
    main()
