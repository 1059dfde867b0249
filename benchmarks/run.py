"""`make bench`: run every benchmark; each prints JSON lines."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    only = sys.argv[1:]
    for name in (
        "bench_validate",
        "bench_hostile",
        "bench_policy",
        "bench_emulator",
        "bench_apply",
    ):
        if only and name not in only:
            continue
        if (HERE / f"{name}.py").exists():
            runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
