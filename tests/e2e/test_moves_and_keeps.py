"""Renamed keys, removals and refused plans never lose data (issue 25), through the CLI against
`gkeplan sandbox serve`, with a model object in the bucket: a rename is a move (no call), a
kept resource leaving the spec is forgotten, destroy keeps what keepOnDestroy keeps as
gkeplan's own, a refused plan applies nothing, a saved plan applies as planned, and every
command gkeplan prints pastes into bash as printed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from gkeplan.state.local import LocalStateStore

from .campaign import mutating
from .cli_sandbox import BUCKET, ENV, Sandbox, User, server, user
from .conftest import EXAMPLE

__all__ = ["server", "user"]  # the fixtures this module's tests use

GPU_EXAMPLE = EXAMPLE.parent / "gpu-serving.yaml"
MODEL = "model/saved_model.pb"


def _upload_model(sandbox: Sandbox) -> None:
    sandbox.conn().storage().bucket(BUCKET).blob(MODEL).upload_from_string(b"weights")


def _outside_bucket(sandbox: Sandbox) -> None:
    storage = sandbox.conn().storage()
    bucket = storage.bucket(BUCKET)
    bucket.iam_configuration.uniform_bucket_level_access_enabled = True
    storage.create_bucket(bucket, location="us-central1")


def _objects(sandbox: Sandbox) -> list[str]:
    return [b.name for b in sandbox.conn().storage().list_blobs(BUCKET)]


def _writes(sandbox: Sandbox, since: int) -> list[str]:
    """The mutating calls gkeplan made since log entry `since` (minting a token is a read)."""
    return [e["method"] for e in sandbox.requests()[since:] if mutating(e["method"])]


RENAMED = (
    EXAMPLE.read_text()
    .replace("  models:\n", "  weights:\n")
    .replace("on: bucket:models", "on: bucket:weights")
)


def test_a_renamed_bucket_key_is_a_move_and_the_bucket_and_its_model_stay(user: User) -> None:
    assert user.apply().exit_code == 0
    _upload_model(user.sandbox)
    user.write(RENAMED)
    plan = user.plan("--detailed-exitcode")
    assert plan.exit_code == 2, plan.output  # the state has work to do
    assert "bucket.models has moved to bucket.weights" in plan.output
    assert (
        "iamMember.bucket.models/roles/storage.objectViewer/serviceAccount:gke-node has moved "
        "to iamMember.bucket.weights/roles/storage.objectViewer/serviceAccount:gke-node"
    ) in plan.output
    assert "Plan: 0 to add, 0 to change, 0 to destroy, 2 to move." in plan.output
    assert "refused" not in plan.output and "outside gkeplan" not in plan.output
    before = len(user.sandbox.requests())
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    assert "0 added, 0 changed, 0 destroyed, 2 moved." in applied.output
    assert _writes(user.sandbox, before) == []  # a move calls nothing
    assert _objects(user.sandbox) == [MODEL]
    doc = LocalStateStore(user.state).read()
    assert doc is not None and "bucket.weights" in doc.resources
    assert "bucket.models" not in doc.resources
    assert "No changes." in user.plan().output


def _rename_every_key(text: str) -> tuple[str, int]:
    """gpu-serving.yaml with every resource's key renamed and its GCP name pinned to the old
    key (so every GCP id stays), references following; and how many keys were renamed."""
    data = yaml.safe_load(text.replace("\n    on: ", "\n    'on': "))  # YAML 1.1: on is true
    name_field = {"serviceAccounts": "accountId", "secrets": "secretId"}
    sections = [
        "serviceAccounts",
        "networks",
        "subnetworks",
        "routers",
        "addresses",
        "firewalls",
        "artifactRepositories",
        "clusters",
        "buckets",
        "secrets",
    ]
    keys: dict[str, str] = {}
    for section in sections:
        renamed = {}
        for key, body in data[section].items():
            body.setdefault(name_field.get(section, "name"), key)
            keys[key] = f"r-{key}"
            renamed[f"r-{key}"] = body
            if section == "clusters":
                pools = {}
                for pool_key, pool in body["nodePools"].items():
                    pool.setdefault("name", pool_key)
                    pools[f"r-{pool_key}"] = pool
                body["nodePools"] = pools
        data[section] = renamed
    refs = (
        *("network", "subnetwork", "serviceAccount", "createAs", "member", "on"),
        *("readers", "accessors"),
    )

    def follow(value: Any) -> Any:
        if isinstance(value, list):
            return [follow(v) for v in value]
        kind, sep, key = value.rpartition(":")
        return f"{kind}{sep}{keys.get(key, key)}"

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for field, value in node.items():
                if field in refs:
                    node[field] = follow(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in data.items() if k in (*sections, "iam")})
    return yaml.safe_dump(data, sort_keys=False), len(keys)


def test_every_kind_follows_its_renamed_key_without_a_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the GPU quota the example says was granted (policy.quotas), as `sandbox serve --quota`
    quotas = ("G2_CPUS=8", "NVIDIA_L4_GPUS=1", "GPUS_ALL_REGIONS=1")
    sandbox = Sandbox(*(w for q in quotas for w in ("--quota", q)))
    monkeypatch.chdir(tmp_path)
    try:
        _rename_every_key_round_trip(User(sandbox, tmp_path))
    finally:
        sandbox.stop()


def _rename_every_key_round_trip(user: User) -> None:
    user.write(GPU_EXAMPLE.read_text())
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    managed = LocalStateStore(user.state).read()
    assert managed is not None
    ids = {r.id for r in managed.resources.values()}
    renamed_text, renamed = _rename_every_key(GPU_EXAMPLE.read_text())
    # three accounts, four VPC kinds, an address, a repository, a cluster, a bucket, a secret
    assert renamed == 12
    user.write(renamed_text)
    plan = user.plan("--json")
    assert plan.exit_code == 0, plan.output
    changes = json.loads(plan.output)["changes"]
    moved = {c["moved_from"]: c["address"] for c in changes if c["moved_from"]}
    # every resource moves: grants and the pool follow their resources' new keys (services
    # are a list of API names: they have no key to rename, and stay)
    keyed = {a for a, r in managed.resources.items() if r.kind != "projectService"}
    assert set(moved) == keyed
    assert {c["action"] for c in changes} == {"no-op"}
    kinds = {managed.resources[a].kind for a in moved}
    assert len(kinds) == 12  # every kind of the example, node pools and IAM members included
    before = len(user.sandbox.requests())
    assert user.apply().exit_code == 0
    assert _writes(user.sandbox, before) == []
    after = LocalStateStore(user.state).read()
    assert after is not None and {r.id for r in after.resources.values()} == ids
    assert "No changes." in user.plan().output


def test_a_kept_bucket_leaving_the_spec_is_forgotten_with_its_objects(user: User) -> None:
    assert user.apply().exit_code == 0
    _upload_model(user.sandbox)
    text = EXAMPLE.read_text()
    grant = "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]\n"
    user.write(text.replace(grant + "    on: bucket:models\n", "").split("buckets:")[0])
    plan = user.plan()
    assert plan.exit_code == 0, plan.output
    assert ". bucket.models will no longer be managed by gkeplan (it stays in GCP)" in plan.output
    assert "keepOnDestroy keeps it: left in place, no longer managed" in plan.output
    assert "Plan: 0 to add, 0 to change, 1 to destroy, 1 to forget." in plan.output  # the grant
    before = len(user.sandbox.requests())
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    assert "1 destroyed, 1 forgotten." in applied.output
    assert not [m for m in _writes(user.sandbox, before) if m.startswith("storage.buckets.de")]
    assert _objects(user.sandbox) == [MODEL]
    doc = LocalStateStore(user.state).read()
    assert doc is not None and "bucket.models" not in doc.resources


def test_prevent_destroy_forgets_a_resource_leaving_the_spec(user: User) -> None:
    text = EXAMPLE.read_text().replace(
        "    keepOnDestroy: true\n", "    lifecycle: {preventDestroy: true}\n"
    )
    user.write(text)
    assert user.apply().exit_code == 0
    grant = "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]\n"
    user.write(text.replace(grant + "    on: bucket:models\n", "").split("buckets:")[0])
    plan = user.plan()
    assert "preventDestroy keeps it: left in place, no longer managed" in plan.output
    assert user.apply().exit_code == 0
    assert [b.name for b in user.sandbox.conn().storage().list_buckets()] == [BUCKET]


def test_destroy_then_apply_of_the_example_takes_the_kept_bucket_back(user: User) -> None:
    assert user.apply().exit_code == 0
    _upload_model(user.sandbox)
    destroyed = user.destroy()
    assert destroyed.exit_code == 0, destroyed.output
    assert "bucket.models: keepOnDestroy: left in place, and kept in the state" in (
        destroyed.output
    )
    listed = user.run("state", "list")
    assert listed.output.splitlines() == ["bucket.models  (kept)"]
    before = len(user.sandbox.requests())
    plan = user.plan()
    assert plan.exit_code == 0, plan.output
    assert "refused" not in plan.output and "! bucket.models" not in plan.output
    assert "Plan: 9 to add, 0 to change, 0 to destroy." in plan.output
    again = user.apply()
    assert again.exit_code == 0, again.output
    writes = _writes(user.sandbox, before)
    assert "storage.buckets.insert" not in writes  # nothing created twice
    assert writes.count("iam.createServiceAccount") == 2
    assert writes.count("container.createCluster") == 1
    assert _objects(user.sandbox) == [MODEL]
    doc = LocalStateStore(user.state).read()
    assert doc is not None and doc.resources["bucket.models"].status == "ok"
    assert "No changes." in user.plan().output


def test_a_plan_holding_one_refusal_applies_nothing(user: User) -> None:
    _outside_bucket(user.sandbox)  # someone else's, before gkeplan
    plan = user.plan("--detailed-exitcode")
    assert plan.exit_code == 1, plan.output  # not 2: CI must not read it as one to apply
    assert "1 refused: apply changes nothing while any change is refused." in plan.output
    saved = user.plan("--out", str(user.tmp / "refused.json"))
    assert saved.exit_code == 1 and not (user.tmp / "refused.json").exists()
    before = len(user.sandbox.requests())
    applied = user.apply()
    assert applied.exit_code == 1
    assert "Error: 1 change(s) of this plan are refused; apply changes nothing" in applied.output
    assert "bucket.models: demo-project-models already exists" in applied.output
    assert "run apply again" not in applied.output
    assert _writes(user.sandbox, before) == []
    assert LocalStateStore(user.state).read() is None
    # leaving it out is the person's choice: --target around it applies the rest
    targeted = user.apply("--target", "cluster.sd-cluster")
    assert targeted.exit_code == 0, targeted.output


def test_moved_in_the_spec_names_a_move_the_ids_cannot_show(user: User) -> None:
    assert user.apply().exit_code == 0
    # a new key and a new name: another bucket, unless the spec says it is the same resource
    text = RENAMED.replace("name: ${PROJECT_ID}-models", "name: ${PROJECT_ID}-weights")
    user.write(
        text.replace(
            "policy:\n", "moved:\n  - {from: bucket.models, to: bucket.weights}\n\npolicy:\n", 1
        )
    )
    plan = user.plan()
    assert plan.exit_code == 0, plan.output
    assert "bucket.models has moved to bucket.weights, and must be replaced" in plan.output
    assert "Apply needs --allow-replace bucket.weights" in plan.output
    refused = user.apply()
    assert refused.exit_code == 1 and "--allow-replace bucket.weights" in refused.output
    assert [b.name for b in user.sandbox.conn().storage().list_buckets()] == [BUCKET]


def test_moved_entries_are_checked_at_file_line_col(user: User) -> None:
    user.write(
        EXAMPLE.read_text().replace(
            "policy:\n",
            "moved:\n  - {from: bucket.models, to: bucket.wieghts}\n"
            "  - {from: bucket.old, to: cluster.sd-cluster}\n\npolicy:\n",
            1,
        )
    )
    result = user.run(
        "validate", str(user.spec), "--var", "PROJECT_ID=demo-project", state=False, endpoint=False
    )
    assert result.exit_code == 1
    assert re.search(
        r"spec\.yaml:\d+:\d+: error: moved\[0\]\.to: bucket\.wieghts is not a resource",
        result.output,
    )
    assert "moved[0].from: bucket.models is still declared in the spec" in result.output
    assert "bucket.old and cluster.sd-cluster are resources of different kinds" in result.output
    assert "Traceback" not in result.output


def test_state_mv_renames_an_entry_and_the_next_plan_agrees(user: User) -> None:
    assert user.apply().exit_code == 0
    moved = user.run("state", "mv", "bucket.models", "bucket.weights")
    assert moved.exit_code == 0, moved.output
    assert "Moved bucket.models to bucket.weights; nothing in GCP was changed." in moved.output
    user.write(RENAMED)
    plan = user.plan()
    assert "bucket.models" not in plan.output.replace("iamMember.bucket.models", "")
    assert "Plan: 0 to add, 0 to change, 0 to destroy, 1 to move." in plan.output  # the grant
    unknown = user.run("state", "mv", "bucket.nope", "bucket.x")
    assert unknown.exit_code == 1 and "bucket.nope is not in the state" in unknown.output
    taken = user.run("state", "mv", "cluster.sd-cluster", "bucket.weights")
    assert taken.exit_code == 1 and "bucket.weights is in the state already" in taken.output
    kinds = user.run("state", "mv", "cluster.sd-cluster", "bucket.x")
    assert kinds.exit_code == 1 and "resources of different kinds" in kinds.output


def _apply_saved(user: User, name: str, *plan_flags: str) -> dict[str, Any]:
    """plan --out, then apply --plan of that file; the plan's JSON."""
    path = str(user.tmp / f"{name}.json")
    made = user.plan("--out", path, *plan_flags)
    assert made.exit_code == 0, made.output
    applied = user.run("apply", str(user.spec), "--var", "PROJECT_ID=demo-project", "--plan", path)
    assert applied.exit_code == 0, applied.output
    data: dict[str, Any] = json.loads(Path(path).read_text())
    return data


def test_a_saved_plan_of_every_action_applies_as_planned(user: User) -> None:
    def actions(data: dict[str, Any]) -> set[str]:
        return {c["action"] for c in data["changes"] if c["action"] != "no-op"}

    assert actions(_apply_saved(user, "create")) == {"create"}
    text = EXAMPLE.read_text().replace(
        "    forceDestroy: true\n", "    forceDestroy: true\n    labels: {team: ml}\n"
    )
    user.write(text)
    assert actions(_apply_saved(user, "update")) == {"update"}
    user.write(text.replace("    location: us-central1\n", "    location: us-east1\n"))
    replaced = _apply_saved(user, "delete-then-create", "--allow-replace", "bucket.models")
    assert replaced["allow_replace"] == ["bucket.models"]  # the consent reviewed with the plan
    assert [b.location for b in user.sandbox.conn().storage().list_buckets()] == ["US-EAST1"]
    text = text.replace("    location: us-central1\n", "    location: us-east1\n")
    user.write(text.replace("preemptible: true", "spot: true"))
    cbd = _apply_saved(user, "create-before-destroy")
    pool = next(c for c in cbd["changes"] if c["action"] == "replace")
    assert pool["lifecycle"]["createBeforeDestroy"] is True
    text = text.replace("preemptible: true", "spot: true")
    user.write(
        text.replace("  models:\n", "  weights:\n").replace(
            "on: bucket:models", "on: bucket:weights"
        )
    )
    move = _apply_saved(user, "move")
    assert move["summary"]["move"] == 2
    text = text.replace("  models:\n", "  weights:\n").replace(
        "on: bucket:models", "on: bucket:weights"
    )
    grant = "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]\n"
    user.write(text.replace(grant + "    on: bucket:weights\n", "").split("buckets:")[0])
    assert actions(_apply_saved(user, "delete-and-forget")) == {"delete", "forget"}
    assert "No changes." in user.plan().output
    assert len(list(user.sandbox.conn().storage().list_buckets())) == 1


def test_a_saved_replacement_names_the_same_new_pool_when_planned_again(user: User) -> None:
    assert user.apply().exit_code == 0
    user.write(EXAMPLE.read_text().replace("preemptible: true", "spot: true"))
    names = set()
    for i in range(2):
        out = user.plan("--out", str(user.tmp / f"p{i}.json"))
        names |= set(re.findall(r"the new nodePool (sd-node-pool-[0-9a-f]{4})", out.output))
    assert len(names) == 1


# --- every hint gkeplan prints is a command that pastes as printed -------------------------


def _paste(user: User, line: str) -> subprocess.CompletedProcess[str]:
    """Run the text between the backticks of `line` through bash, as a person pastes it."""
    return _paste_any(user, line)


def _paste_any(user: User, line: str) -> subprocess.CompletedProcess[str]:
    command = re.findall(r"`(gkeplan [^`]+)`", line)
    assert command, line
    bindir = str(Path(sys.executable).parent)
    env = {**ENV, "PATH": bindir + os.pathsep + ENV.get("PATH", "")}
    return subprocess.run(
        ["bash", "-c", command[0]],
        cwd=user.tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_import_hint_of_a_refusal_pastes_and_imports(user: User) -> None:
    _outside_bucket(user.sandbox)
    plan = user.plan()
    line = next(ln for ln in plan.output.splitlines() if "import it (`gkeplan import" in ln)
    pasted = _paste(user, line)
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert "Imported demo-project-models as bucket.models." in pasted.stdout
    assert "! bucket.models is refused" not in user.plan().output


def test_the_import_hint_of_an_outside_grant_pastes_and_imports(user: User) -> None:
    """An IAM member's id holds `|`: the hint quotes what the shell would split."""
    conn = user.sandbox.conn()
    projects = conn.projects()
    iam = conn.iam()
    iam.create_service_account(
        request={
            "name": "projects/demo-project",
            "account_id": "gke-node",
            "service_account": {"display_name": "made by hand"},
        }
    )
    policy = projects.get_iam_policy(request={"resource": "projects/demo-project"})
    email = "serviceAccount:gke-node@demo-project.iam.gserviceaccount.com"
    policy.bindings.add(role="roles/container.defaultNodeServiceAccount", members=[email])
    projects.set_iam_policy(request={"resource": "projects/demo-project", "policy": policy})
    plan = user.plan()
    lines = {
        re.findall(r"`(gkeplan import [^`]+)`", ln)[0]: ln
        for ln in plan.output.splitlines()
        if "import it (`gkeplan import" in ln
    }
    assert len(lines) == 2  # the account and its grant (in the plan, and again in the error)
    assert any("|" in ln for ln in lines.values())  # the grant's id, which the hint leaves out
    for line in lines.values():
        pasted = _paste(user, line)
        assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert "refused" not in user.plan().output


def test_the_import_hint_of_a_wrong_id_pastes(user: User) -> None:
    _outside_bucket(user.sandbox)
    wrong = user.run(
        "import",
        "bucket.models",
        "other",
        "--spec",
        str(user.spec),
        "--var",
        "PROJECT_ID=demo-project",
    )
    assert wrong.exit_code == 1
    pasted = _paste(user, wrong.output)
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr


def test_the_allow_replace_hints_paste_and_apply(user: User) -> None:
    assert user.apply().exit_code == 0
    user.write(
        EXAMPLE.read_text().replace("    location: us-central1\n", "    location: us-east1\n")
    )
    plan = user.plan()
    line = next(ln for ln in plan.output.splitlines() if ln.startswith("Apply needs"))
    assert "--allow-replace bucket.models" in line
    refused = user.apply()
    assert refused.exit_code == 1
    pasted = _paste(user, refused.output.replace("\n", " "))
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert [b.location for b in user.sandbox.conn().storage().list_buckets()] == ["US-EAST1"]


def test_the_saved_plans_apply_hint_pastes(user: User) -> None:
    assert user.apply().exit_code == 0
    user.write(
        EXAMPLE.read_text().replace("    location: us-central1\n", "    location: us-east1\n")
    )
    plan = user.plan("--out", "plan.json")
    line = next(ln for ln in plan.output.splitlines() if ln.startswith("Apply needs"))
    assert "--plan plan.json --allow-replace bucket.models" in line
    pasted = _paste(user, line)
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert [b.location for b in user.sandbox.conn().storage().list_buckets()] == ["US-EAST1"]


def test_importing_a_managed_address_names_the_state_rm_to_paste(user: User) -> None:
    assert user.apply().exit_code == 0
    again = user.run(
        "import", "bucket.models", "--spec", str(user.spec), "--var", "PROJECT_ID=demo-project"
    )
    assert again.exit_code == 1
    assert "bucket.models is already managed; `gkeplan state rm bucket.models " in again.output
    pasted = _paste_any(user, again.output)
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert "Removed bucket.models from the state" in pasted.stdout
    imported = user.run(
        "import", "bucket.models", "--spec", str(user.spec), "--var", "PROJECT_ID=demo-project"
    )
    assert imported.exit_code == 0, imported.output
    pasted = _paste_any(user, imported.output)  # "Run `gkeplan plan ...` to see any difference"
    assert pasted.returncode == 0, pasted.stdout + pasted.stderr
    assert "No changes." in pasted.stdout


def test_a_saved_plan_applies_whichever_way_its_variables_come(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Terraform habit (issue 26): the value from GKEPLAN_VAR_NAME at plan time and from --var
    at apply time is the same value, so the saved plan is still the plan."""
    monkeypatch.setenv("GKEPLAN_VAR_PROJECT_ID", "demo-project")
    plan_file = str(user.tmp / "plan.json")
    made = user.run("plan", str(user.spec), "--out", plan_file)
    assert made.exit_code == 0, made.output
    monkeypatch.delenv("GKEPLAN_VAR_PROJECT_ID")
    applied = user.run(
        "apply", str(user.spec), "--var", "PROJECT_ID=demo-project", "--plan", plan_file
    )
    assert applied.exit_code == 0, applied.output
    assert "Apply complete!" in applied.output
