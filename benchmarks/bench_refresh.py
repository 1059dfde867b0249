"""How many API calls `gkeplan plan` makes to refresh an applied spec, counted by the emulator
(its request log, admin routes left out), for two shapes of generate(1000, clusters=2):

- the generator's default split: half the grants on buckets (one IAM policy per bucket);
- the same size with only 10 bucket grants (the rest on the project).

Each shape is applied through the CLI to a fresh `gkeplan sandbox serve` (no latency), then
`gkeplan plan` runs once and the calls it made are counted, next to the floor GCP allows:
one list per kind (service accounts, 100 to a page; buckets; clusters with their pools;
networks, subnetworks, routers, firewalls), the
project policy, and one policy read per bucket or account granted on (neither GCS nor IAM has
a batch getIamPolicy; gkeplan reads those policies concurrently).
Measured only: nothing here changes how gkeplan refreshes.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from apply_common import QUIET_ENV, api_calls, emulator, gkeplan_apply
from generate import infra, to_yaml
from measure import emit, gkeplan_bin, table

N = 1_000
CLUSTERS = 2
SHAPES = {"default split": None, "10 bucket grants": 10}


def refresh_calls(tmp: Path, label: str, bucket_grants: int | None) -> list[object]:
    spec = infra(N, clusters=CLUSTERS, bucket_grants=bucket_grants)
    path = tmp / f"spec-{bucket_grants}.yaml"
    path.write_text(to_yaml(spec))
    state = tmp / f"state-{bucket_grants}.json"
    with emulator(scale=None, project=spec.project) as info:
        gkeplan_apply(path, info["http"], state)
        before = api_calls(info["http"])
        plan = subprocess.run(
            [
                gkeplan_bin(),
                "plan",
                str(path),
                "--endpoint",
                info["http"],
                "--state",
                str(state),
                "--detailed-exitcode",
            ],
            capture_output=True,
            text=True,
            env={**os.environ, **QUIET_ENV},
            check=False,
        )
        if plan.returncode != 0:  # 2 would mean changes right after an apply
            raise SystemExit(
                f"plan after apply exited {plan.returncode}: "
                f"{plan.stdout[-500:]}{plan.stderr[-500:]}"
            )
        calls = api_calls(info["http"]) - before
    policies = len({g.on for g in spec.grants if g.on.startswith("bucket:")})
    accounts = len({g.on for g in spec.grants if g.on.startswith("serviceAccount:")})
    account_pages = -(-len(spec.accounts) // 100)  # gkeplan lists accounts 100 to a page
    # one list per network kind (networks, firewalls; subnetworks and routers aggregated)
    vpc_lists = 4 if any(c.vpc is not None for c in spec.clusters) else 0
    floor = account_pages + 2 + 1 + policies + accounts + vpc_lists
    emit(
        {
            "bench": "refresh_calls",
            "shape": label,
            "generator": f"generate({N}, clusters={CLUSTERS}, bucket_grants={bucket_grants})",
            "resources": spec.resources(),
            "buckets_with_grants": policies,
            "refresh_calls": calls,
            "floor_calls": floor,
        }
    )
    return [label, spec.resources(), policies, calls, floor]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rows = [refresh_calls(Path(tmp), label, grants) for label, grants in SHAPES.items()]
    print(
        table(
            "API calls of one `gkeplan plan` refresh after apply (counted by the emulator)",
            ["shape", "resources", "buckets with grants", "refresh calls", "floor"],
            rows,
        )
    )


if __name__ == "__main__":
    main()
