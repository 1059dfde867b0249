"""Whole-process `gkeplan validate` time and peak memory for 100, 1,000 and 10,000 resources."""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generate import generate

ROOT = Path(__file__).resolve().parent.parent


def measure(spec: Path, *args: str, runs: int = 5) -> dict[str, float]:
    times = []
    peak_kb = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "gkeplan", "validate", str(spec), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        times.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise SystemExit(f"validate failed: {proc.stdout}{proc.stderr}")
        peak_kb = max(peak_kb, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before)
    return {"median_s": round(statistics.median(times), 3), "peak_mb": round(peak_kb / 1024, 1)}


def main() -> None:
    example = ROOT / "examples" / "stable-diffusion.yaml"
    print(
        json.dumps(
            {
                "bench": "validate",
                "spec": "stable-diffusion",
                **measure(example, "--var", "PROJECT_ID=demo-project"),
                "target_s": 0.4,
            }
        )
    )
    with tempfile.TemporaryDirectory() as tmp:
        for n in (100, 1_000, 10_000):
            spec = Path(tmp) / f"spec-{n}.yaml"
            spec.write_text(generate(n))
            print(
                json.dumps(
                    {
                        "bench": "validate",
                        "resources": n,
                        **measure(spec, runs=3),
                        **({"target_s": 2.0, "target_mb": 300} if n == 10_000 else {}),
                    }
                )
            )


if __name__ == "__main__":
    main()
