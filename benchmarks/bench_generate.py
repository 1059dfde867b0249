"""`gkeplan import --generate` of a 1,000-resource sandbox project: how long it takes to list
everything and write it back as a spec (with --write, adopted into a state of its own), the
API calls it makes, and whether the next `gkeplan plan` of the generated spec says
"No changes." (its time too).

The project is seeded as bench_refresh's is: generate(1000, clusters=2) applied through the
CLI to a fresh `gkeplan sandbox serve` (no latency), with a state the generated spec does not
use. Measured only: nothing here changes how gkeplan generates.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from apply_common import QUIET_ENV, api_calls, emulator, gkeplan_apply
from generate import infra, to_yaml
from measure import emit, gkeplan_bin, table

N = 1_000
CLUSTERS = 2
TARGET_S = 30.0  # a budget for 1,000 resources against a local sandbox, not a GCP figure
_SUMMARY = re.compile(r"(\d+) resources generated, (\d+) left out")


def _timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, env={**os.environ, **QUIET_ENV}, check=False
    )
    wall = time.perf_counter() - start
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:3])} exited {proc.returncode}: {proc.stderr[-1500:]}")
    return round(wall, 2), proc.stdout + proc.stderr


def main() -> None:
    spec = infra(N, clusters=CLUSTERS)
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        seed = tmp / "seed.yaml"
        seed.write_text(to_yaml(spec))
        generated, state = tmp / "generated.yaml", tmp / "adopted.json"
        with emulator(scale=None, project=spec.project) as info:
            http = info["http"]
            gkeplan_apply(seed, http, tmp / "seed-state.json")
            before = api_calls(http)
            wall, output = _timed(
                [
                    gkeplan_bin(),
                    "import",
                    "--generate",
                    "--project",
                    spec.project,
                    "--endpoint",
                    http,
                    "--out",
                    str(generated),
                    "--write",
                    "--state",
                    str(state),
                ]
            )
            calls = api_calls(http) - before
            found = _SUMMARY.search(output)
            if found is None:
                raise SystemExit(
                    f"no summary in the output of import --generate:\n{output[-1500:]}"
                )
            made, left = int(found[1]), int(found[2])
            plan_s, plan_out = _timed(
                [
                    gkeplan_bin(),
                    "plan",
                    str(generated),
                    "--endpoint",
                    http,
                    "--state",
                    str(state),
                    "--detailed-exitcode",
                ]
            )
    no_changes = "No changes." in plan_out
    emit(
        {
            "bench": "import_generate",
            "generator": f"generate({N}, clusters={CLUSTERS})",
            "resources_seeded": spec.resources(),
            "resources_generated": made,
            "left_out": left,
            "generate_s": wall,
            "api_calls": calls,
            "plan_after_s": plan_s,
            "plan_no_changes": no_changes,
            "target_s": TARGET_S,
        }
    )
    print(
        table(
            "gkeplan import --generate --write of a sandbox project (then plan of the spec)",
            ["seeded", "generated", "left out", "API calls", "generate s", "plan s", "No changes."],
            [[spec.resources(), made, left, calls, wall, plan_s, no_changes]],
        )
    )
    if not no_changes:
        raise SystemExit("the plan of the generated spec is not 'No changes.'")


if __name__ == "__main__":
    main()
