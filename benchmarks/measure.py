"""Whole-process measurements shared by the benchmarks: wall time, CPU and peak RSS per process.

Peak RSS comes from GNU `/usr/bin/time` when present (the maximum resident set of the process,
or of its largest reaped child); otherwise from a fresh Python child that runs the command and
reads its own RUSAGE_CHILDREN, so each number belongs to that one run and never to an earlier
child of the benchmark.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GNU_TIME = "/usr/bin/time"

# Run in a fresh interpreter: the command's rusage, and nothing else's.
_RUSAGE_CHILD = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode
wall = time.perf_counter() - start
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": rc, "wall": wall, "maxrss_kb": ru.ru_maxrss,
                  "cpu": ru.ru_utime + ru.ru_stime}))
"""


@dataclass
class Run:
    wall_s: float
    cpu_s: float
    peak_mb: float
    returncode: int


def gkeplan_bin() -> str:
    """The project's `gkeplan` entry point (the venv that runs the benchmark)."""
    here = Path(sys.executable).parent / "gkeplan"
    return str(here) if here.exists() else "gkeplan"


def _has_gnu_time() -> bool:
    if not os.path.exists(GNU_TIME):
        return False
    probe = subprocess.run(
        [GNU_TIME, "-f", "%M", "true"], capture_output=True, text=True, check=False
    )
    return probe.returncode == 0 and probe.stderr.strip().isdigit()


HAS_GNU_TIME = _has_gnu_time()


def run_once(
    cmd: Sequence[str], *, env: Mapping[str, str] | None = None, ok: Sequence[int] = (0,)
) -> Run:
    """Run `cmd` once as its own process; its output is discarded."""
    full_env = {**os.environ, **(env or {})}
    if HAS_GNU_TIME:
        with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
            start = time.perf_counter()
            proc = subprocess.run(
                [GNU_TIME, "-o", out.name, "-f", "%M %U %S", *cmd],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=full_env,
                check=False,
            )
            wall = time.perf_counter() - start
            fields = Path(out.name).read_text().split()[-3:]
        maxrss_kb, user, system = int(fields[0]), float(fields[1]), float(fields[2])
        rc, cpu = proc.returncode, user + system
    else:
        child = subprocess.run(
            [sys.executable, "-c", _RUSAGE_CHILD, *cmd],
            capture_output=True,
            text=True,
            env=full_env,
            check=False,
        )
        data = json.loads(child.stdout.strip().splitlines()[-1])
        rc, wall, maxrss_kb, cpu = data["rc"], data["wall"], data["maxrss_kb"], data["cpu"]
    if rc not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {rc}")
    return Run(round(wall, 3), round(cpu, 3), round(maxrss_kb / 1024, 1), rc)


def best_of(
    cmd: Sequence[str],
    runs: int,
    *,
    env: Mapping[str, str] | None = None,
    ok: Sequence[int] = (0,),
    give_up_after_s: float | None = None,
) -> tuple[Run, int]:
    """The fastest of `runs` runs (peak RSS: the largest seen), and how many runs were made.

    With `give_up_after_s`, stop repeating once one run took longer than that.
    """
    done: list[Run] = []
    for _ in range(runs):
        done.append(run_once(cmd, env=env, ok=ok))
        if give_up_after_s is not None and done[-1].wall_s > give_up_after_s:
            break
    return _best(done), len(done)


def alternate(
    commands: Sequence[tuple[Sequence[str], Mapping[str, str] | None]],
    runs: int,
    *,
    ok: Sequence[int] = (0,),
    slow_s: float | None = None,
) -> tuple[list[Run], int]:
    """Run each (command, env) in turn, `runs` rounds (fewer once a round's last command took
    longer than `slow_s`), so that all of them see the same machine; the best of each (peak
    RSS: the largest seen) and the rounds made."""
    done: list[list[Run]] = [[] for _ in commands]
    for _ in range(runs):
        for mine, (cmd, env) in zip(done, commands, strict=True):
            mine.append(run_once(cmd, env=env, ok=ok))
        if slow_s is not None and done[-1][-1].wall_s > slow_s:
            break
    return [_best(mine) for mine in done], len(done[0])


def _best(done: list[Run]) -> Run:
    best = min(done, key=lambda r: r.wall_s)
    return Run(best.wall_s, best.cpu_s, max(r.peak_mb for r in done), best.returncode)


def cache_bytecode(cmd: Sequence[str]) -> None:
    """Time as users' machines run: with bytecode cached. This machine sets
    PYTHONDONTWRITEBYTECODE, which makes every process compile what it imports again; unset it
    for this benchmark's children and run `cmd` once so the cache is written."""
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)


_OUT: list[Path] = []


def write_jsonl_to(path: Path) -> None:
    """Also append every emitted record to `path` (created afresh)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("")
    _OUT[:] = [path]


def load() -> dict[str, object]:
    """The machine's load when a measurement ends: on this 2-core machine, other work running
    at the same time (load above 2) inflates wall times; CPU times are less affected."""
    load1 = os.getloadavg()[0]
    return {
        "load1": round(load1, 2),
        "cores": os.cpu_count(),
        "contended": load1 > (os.cpu_count() or 1),
    }


def emit(record: dict[str, object]) -> None:
    line = json.dumps({**record, **load()})
    print(line, flush=True)
    for path in _OUT:
        with path.open("a") as fh:
            fh.write(line + "\n")


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in header]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = [title]
    for k, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if value < 10 else f"{value:.1f}"
    return str(value)


def which(name: str) -> str | None:
    return shutil.which(name)
