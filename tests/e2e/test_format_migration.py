"""A state and a saved plan written before lifecycle left `settings` (format version 1), through
the CLI against `gkeplan sandbox serve`: the state is read (its lifecycle keys moved out of
`settings`), plans no change and is written back as version 2; a saved plan of version 1 is
refused with one message, as Terraform refuses a plan file of another format version.

The files in tests/data/format-v1/ are what gkeplan wrote before the change (see the README
there), against the example's resources, which these tests make first."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from .campaign import mutating
from .cli_sandbox import BUCKET, User, server, user
from .conftest import EXAMPLE

__all__ = ["server", "user"]  # the fixtures this module's tests use

V1 = Path(__file__).resolve().parents[1] / "data" / "format-v1"
POOL = "nodePool.sd-cluster.sd-node-pool"
SPOT = EXAMPLE.read_text().replace("preemptible: true", "spot: true")
LIFECYCLE_KEYS = {"keepOnDestroy", "alsoCreates", "renamedFrom", "createBeforeDestroy"}


def _state(user: User) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(user.state.read_text())
    return data


def _v1(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((V1 / name).read_text())
    return data


def test_a_version_1_state_plans_no_change_and_is_written_as_version_2(user: User) -> None:
    assert user.apply().exit_code == 0
    shutil.copy(V1 / "state-v1.json", user.state)
    assert _v1("state-v1.json")["version"] == 1
    planned = user.plan()
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output
    # A replacement planned from the old state (create-before-destroy, named from its lineage
    # and serial) makes the same pool the old gkeplan made from it.
    user.write(SPOT)
    shown = user.plan("--json")
    assert shown.exit_code == 0, shown.output
    changes = {c["address"]: c for c in json.loads(shown.output)["changes"]}
    assert not [a for a, c in changes.items() if "settings" in c]
    assert changes[POOL]["action"] == "replace"
    assert set(changes[POOL]["lifecycle"]) == {"createBeforeDestroy", "specId"}
    assert not LIFECYCLE_KEYS & set(changes[POOL]["inputs"])
    assert changes["bucket.models"]["lifecycle"] == {"keepOnDestroy": True}
    replaced = user.apply()
    assert replaced.exit_code == 0, replaced.output
    state = _state(user)
    assert state["version"] == 2
    old = _v1("state-v1-replaced.json")["resources"]
    pool = state["resources"][POOL]
    assert pool["id"] == old[POOL]["id"] != old[POOL]["settings"]["renamedFrom"]
    assert pool["lifecycle"] == {
        "createBeforeDestroy": True,
        "specId": old[POOL]["settings"]["renamedFrom"],
    }
    assert pool["inputs"] == {
        k: v for k, v in old[POOL]["settings"].items() if k not in LIFECYCLE_KEYS
    }
    assert state["resources"]["bucket.models"]["lifecycle"] == {"keepOnDestroy": True}
    cluster = state["resources"]["cluster.sd-cluster"]
    assert [e["address"] for e in cluster["lifecycle"]["alsoCreates"]] == [POOL]
    assert not LIFECYCLE_KEYS & set(cluster["inputs"])
    assert "No changes." in user.plan().output


def test_a_version_1_state_after_a_rename_keeps_the_renamed_pool_and_the_kept_bucket(
    user: User,
) -> None:
    # the sandbox as the old gkeplan left it: the pool under its create-before-destroy name
    assert user.apply().exit_code == 0
    shutil.copy(V1 / "state-v1.json", user.state)
    user.write(SPOT)
    assert user.apply().exit_code == 0
    shutil.copy(V1 / "state-v1-replaced.json", user.state)
    planned = user.plan()
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output  # renamedFrom read: the pool is not replaced back
    destroyed = user.destroy()
    assert destroyed.exit_code == 0, destroyed.output
    # keepOnDestroy read from the old settings: the bucket stays, kept as gkeplan's
    assert [b.name for b in user.sandbox.conn().storage().list_buckets()] == [BUCKET]
    state = _state(user)
    assert state["version"] == 2
    assert list(state["resources"]) == ["bucket.models"]
    assert state["resources"]["bucket.models"]["status"] == "kept"


def test_a_saved_plan_of_version_1_is_refused_with_one_message(user: User) -> None:
    user.write(SPOT)
    plan = user.tmp / "plan-v1.json"
    shutil.copy(V1 / "plan-v1.json", plan)
    user.sandbox.reset()
    applied = user.run(
        "apply", str(user.spec), "--var", "PROJECT_ID=demo-project", "--plan", str(plan)
    )
    assert applied.exit_code != 0
    assert "Traceback" not in applied.output
    assert f"{plan} was saved by another version of gkeplan" in applied.output
    assert "format version 1" in applied.output and "only version 2" in applied.output
    assert "gkeplan plan --out FILE" in applied.output
    assert not [r for r in user.sandbox.requests() if mutating(r["method"])]
    assert not user.state.exists()
