"""`make bench`: run every in-repo benchmark; each prints JSON lines and a short table.

`python benchmarks/run.py [--out FILE] [bench_validate bench_policy ...]`: with --out, every
JSON line printed is also written to FILE.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
BENCHES = (
    "bench_validate",
    "bench_hostile",
    "bench_policy",
    "bench_emulator",
    "bench_refresh",
    "bench_generate",
    "bench_apply",
)


class _JsonLines:
    """stdout that also keeps the JSON lines in a file."""

    def __init__(self, out: TextIO, file: TextIO) -> None:
        self.out, self.file, self.pending = out, file, ""

    def write(self, text: str) -> int:
        self.out.write(text)
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if line.startswith("{"):
                self.file.write(line + "\n")
                self.file.flush()
        return len(text)

    def flush(self) -> None:
        self.out.flush()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    parser.add_argument("only", nargs="*")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        sys.stdout = _JsonLines(sys.__stdout__, args.out.open("w"))  # type: ignore[assignment]
    for name in BENCHES:
        if args.only and name not in args.only:
            continue
        if (HERE / f"{name}.py").exists():
            sys.argv = [str(HERE / f"{name}.py")]
            runpy.run_path(str(HERE / f"{name}.py"), run_name="__main__")
