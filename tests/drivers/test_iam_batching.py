"""Concurrent changes to one IAM policy are written together, not one read-modify-write each."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from gkeplan import load_spec
from gkeplan.emulator import Emulator, EmulatorConfig
from gkeplan.kinds.driver import Context
from gkeplan.kinds.iam_member.driver import IamMemberDriver, _Op
from gkeplan.run.target import sandbox_timeouts

os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "stable-diffusion.yaml"


def test_many_members_of_one_policy_share_few_writes() -> None:
    with Emulator(EmulatorConfig(call_latency_s=0.005)) as emu:
        spec = load_spec(EXAMPLE, {"PROJECT_ID": "demo-project"}, environ={})
        conn = emu.clients().connection()
        conn.timeouts = sandbox_timeouts()
        ctx = Context(spec, conn)
        driver = IamMemberDriver()

        def grant(i: int) -> None:
            time.sleep(0.002)  # arrivals spread out, as they are behind state writes
            op = _Op(True, "roles/viewer", f"user:u{i}@example.com", None)
            driver._submit(ctx, "projects/demo-project", op)

        with ThreadPoolExecutor(32) as pool:
            list(pool.map(grant, range(200)))
        writes = [e for e in emu.requests if e.method == "resourcemanager.projects.setIamPolicy"]
        assert len(writes) <= 40, f"{len(writes)} writes for 200 members: writes are not merged"
        policy = conn.projects().get_iam_policy(request={"resource": "projects/demo-project"})
        viewers = {m for b in policy.bindings if b.role == "roles/viewer" for m in b.members}
        assert viewers == {f"user:u{i}@example.com" for i in range(200)}
