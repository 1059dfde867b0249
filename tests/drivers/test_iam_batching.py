"""IAM members of one policy arriving together share a few policy writes, through the driver
interface the executor uses."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor

from gkeplan.gcp.sandbox import connection_for
from gkeplan.kinds import BY_NAME
from gkeplan.kinds.driver import CallContext, load_driver
from gkeplan.plan.model import Action, Change
from gkeplan.run.target import sandbox_timeouts
from gkeplan_emulator import Emulator, EmulatorConfig

os.environ.setdefault("DISABLE_GCS_PYTHON_CLIENT_OTEL_BUCKET_METADATA", "true")


def _grant(i: int) -> Change:
    member = f"user:u{i}@example.com"
    resource = "projects/demo-project"
    return Change(
        f"iamMember.project/roles/viewer/{member}",
        "iamMember",
        f"{resource}|roles/viewer|{member}|",
        Action.CREATE,
        after={"resource": resource, "role": "roles/viewer", "member": member, "condition": None},
    )


def test_many_members_of_one_policy_share_few_writes() -> None:
    with Emulator(EmulatorConfig(call_latency_s=0.005)) as emu:
        conn = connection_for(emu)
        conn.timeouts = sandbox_timeouts()
        ctx = CallContext("demo-project", conn)
        driver = load_driver(BY_NAME["iamMember"].driver)

        def arrive(i: int) -> None:
            # Changes reach the driver spread out, each behind its own state write.
            time.sleep(0.002)
            driver.create(ctx, _grant(i))

        with ThreadPoolExecutor(32) as pool:
            list(pool.map(arrive, range(200)))
        writes = [e for e in emu.requests if e.method == "resourcemanager.projects.setIamPolicy"]
        assert len(writes) <= 40, f"{len(writes)} writes for 200 members: writes are not merged"
        policy = conn.projects().get_iam_policy(request={"resource": "projects/demo-project"})
        viewers = {m for b in policy.bindings if b.role == "roles/viewer" for m in b.members}
        assert viewers == {f"user:u{i}@example.com" for i in range(200)}
