"""gkeplan touches only what it owns: adoption, destroy direction, protection, replacement and
target-bound state, driven through the CLI against `gkeplan sandbox serve` in its own process."""

from __future__ import annotations

import json
import re
import threading

import pytest
import requests
from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.state.local import LocalStateStore
from gkeplan.state.store import LockInfo

from .cli_sandbox import BUCKET, Sandbox, User, server, use_gcs_state, user
from .conftest import EXAMPLE

__all__ = ["server", "user"]  # the fixtures this module's tests use


def _outside_bucket_with_object(sandbox: Sandbox) -> None:
    storage = sandbox.conn().storage()
    bucket = storage.bucket(BUCKET)
    bucket.iam_configuration.uniform_bucket_level_access_enabled = True
    storage.create_bucket(bucket, location="us-central1")
    bucket.blob("model/saved_model.pb").upload_from_string(b"weights")


def _objects(sandbox: Sandbox) -> list[str]:
    return [b.name for b in sandbox.conn().storage().list_blobs(BUCKET)]


NOT_KEPT = EXAMPLE.read_text().replace("    keepOnDestroy: true\n", "")


def test_an_outside_bucket_with_an_object_survives_apply_and_destroy(user: User) -> None:
    _outside_bucket_with_object(user.sandbox)
    user.write(NOT_KEPT)  # forceDestroy: true, and nothing keeps the bucket on destroy
    plan = user.plan()
    assert plan.exit_code == 1, plan.output  # a plan apply would refuse is an error
    assert "! bucket.models is refused" in plan.output
    assert "`gkeplan import bucket.models --spec " in plan.output
    assert "adopt: true" in plan.output
    assert "1 refused: apply changes nothing while any change is refused." in plan.output
    applied = user.apply()
    assert applied.exit_code == 1
    assert "bucket.models: demo-project-models already exists and gkeplan did not create" in (
        applied.output
    )
    destroyed = user.destroy()
    assert destroyed.exit_code == 0, destroyed.output
    assert _objects(user.sandbox) == ["model/saved_model.pb"]
    assert LocalStateStore(user.state).read() is None  # the refused apply wrote nothing


def test_adopt_true_takes_an_outside_bucket_over_and_the_plan_says_so(user: User) -> None:
    _outside_bucket_with_object(user.sandbox)
    user.write(
        NOT_KEPT.replace("    forceDestroy: true\n", "    forceDestroy: true\n    adopt: true\n")
    )
    plan = user.plan()
    assert "<= bucket.models will be adopted (it exists outside gkeplan)" in plan.output
    assert "Plan: 1 to adopt, " in plan.output
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    assert "1 adopted" in applied.output
    doc = LocalStateStore(user.state).read()
    assert doc is not None and doc.resources["bucket.models"].status == "ok"
    assert "No changes" in user.plan().output


def test_import_takes_it_over_and_state_rm_forgets_it_for_good(user: User) -> None:
    _outside_bucket_with_object(user.sandbox)
    user.write(NOT_KEPT)
    wrong = user.run(
        "import",
        "bucket.models",
        "other-bucket",
        "--spec",
        str(user.spec),
        "--var",
        "PROJECT_ID=demo-project",
    )
    assert wrong.exit_code == 1
    assert "declares bucket.models as demo-project-models, not other-bucket" in wrong.output
    imported = user.run(
        "import",
        "bucket.models",
        BUCKET,
        "--spec",
        str(user.spec),
        "--var",
        "PROJECT_ID=demo-project",
    )
    assert imported.exit_code == 0, imported.output
    plan = user.plan()
    assert "~ bucket.models will be updated in place" in plan.output  # managed, converged
    assert "! bucket.models is refused" not in plan.output
    removed = user.run("state", "rm", "bucket.models")
    assert removed.exit_code == 0, removed.output
    again = user.plan()
    assert "! bucket.models is refused" in again.output
    assert "adopted" not in again.output


def test_destroy_target_cluster_removes_the_cluster_and_its_pools_only(user: User) -> None:
    assert user.apply().exit_code == 0
    plan = user.run(
        "plan",
        str(user.spec),
        "--var",
        "PROJECT_ID=demo-project",
        "--destroy",
        "--target",
        "cluster.sd-cluster",
        "--json",
    )
    assert plan.exit_code == 0, plan.output
    planned = {c["address"] for c in json.loads(plan.output)["changes"]}
    assert planned == {"cluster.sd-cluster", "nodePool.sd-cluster.sd-node-pool"}
    result = user.destroy("--target", "cluster.sd-cluster")
    assert result.exit_code == 0, result.output
    conn = user.sandbox.conn()
    clusters = conn.container().list_clusters(parent="projects/demo-project/locations/-").clusters
    assert list(clusters) == []
    emails = {a.email for a in conn.iam().list_service_accounts(name="projects/demo-project")}
    assert len(emails) == 2  # what the cluster needed stays
    doc = LocalStateStore(user.state).read()
    assert doc is not None
    assert not {"cluster.sd-cluster", "nodePool.sd-cluster.sd-node-pool"} & set(doc.resources)
    replan = user.plan()
    assert "drift" not in replan.output and "deleted outside gkeplan" not in replan.output


def test_a_target_that_matches_nothing_is_an_error_with_a_suggestion(user: User) -> None:
    result = user.plan("--target", "cluster.sd-clustr")
    assert result.exit_code == 2
    assert "cluster.sd-clustr matches no resource" in result.output
    assert "did you mean cluster.sd-cluster?" in result.output


def test_protected_cluster_replacement_is_refused_naming_both_fields(user: User) -> None:
    protected = EXAMPLE.read_text().replace("    deletionProtection: false\n", "")
    user.write(protected)
    assert user.apply().exit_code == 0
    user.write(protected.replace("location: us-central1-c", "location: us-central1-b"))
    plan = user.plan()
    assert plan.exit_code == 1
    assert "cluster.sd-cluster would be replaced (location cannot be changed in place" in (
        plan.output
    )
    assert "deletionProtection is true" in plan.output
    assert "Traceback" not in plan.output
    # protected from destroy too, where the spec says so
    user.write(protected)
    refused = user.destroy()
    assert refused.exit_code == 1 and "deletionProtection is true" in refused.output


def test_prevent_destroy_refuses_the_deletion_of_any_resource(user: User) -> None:
    text = NOT_KEPT.replace(
        "    forceDestroy: true\n",
        "    forceDestroy: true\n    lifecycle: {preventDestroy: true}\n",
    )
    user.write(text)
    assert user.apply().exit_code == 0
    refused = user.destroy()
    assert refused.exit_code == 1
    assert "bucket.models would be deleted" in refused.output
    assert "lifecycle.preventDestroy is true (at " in refused.output
    assert [b.name for b in user.sandbox.conn().storage().list_buckets()] == [BUCKET]


def test_an_unprotected_bucket_is_replaced_only_when_allowed_by_name(user: User) -> None:
    assert user.apply().exit_code == 0
    user.write(
        EXAMPLE.read_text().replace("    location: us-central1\n", "    location: us-east1\n")
    )
    refused = user.apply()
    assert refused.exit_code == 1
    assert "pass --allow-replace bucket.models" in refused.output
    assert [b.location for b in user.sandbox.conn().storage().list_buckets()] == ["US-CENTRAL1"]
    allowed = user.apply("--allow-replace", "bucket.models")
    assert allowed.exit_code == 0, allowed.output
    assert [b.location for b in user.sandbox.conn().storage().list_buckets()] == ["US-EAST1"]


def test_pool_switch_to_spot_keeps_a_pool_running_at_every_moment(user: User) -> None:
    assert user.apply().exit_code == 0
    user.write(EXAMPLE.read_text().replace("preemptible: true", "spot: true"))
    plan = user.plan()
    assert "replaced create-before-destroy: the new nodePool sd-node-pool-" in plan.output
    before = len(user.sandbox.requests())
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    log = [e["method"] for e in user.sandbox.requests()[before:]]
    create, delete = log.index("container.createNodePool"), log.index("container.deleteNodePool")
    # the new pool is created and read back (RUNNING) before the old one is deleted
    assert create < delete
    assert "container.getNodePool" in log[create:delete]
    clusters = (
        user.sandbox.conn().container().list_clusters(parent="projects/demo-project/locations/-")
    )
    pools = [(p.name, p.config.spot, p.status.name) for p in clusters.clusters[0].node_pools]
    assert (
        len(pools) == 1
        and pools[0][0].startswith("sd-node-pool-")
        and pools[0][1:]
        == (
            True,
            "RUNNING",
        )
    )
    assert "No changes" in user.plan().output


def test_endpoint_runs_keep_their_state_apart_and_bind_it(user: User) -> None:
    result = (
        user.apply_without_state()
        if hasattr(user, "apply_without_state")
        else user.run(
            "apply",
            str(user.spec),
            "--var",
            "PROJECT_ID=demo-project",
            "--auto-approve",
            state=False,
        )
    )
    assert result.exit_code == 0, result.output
    assert not (user.tmp / ".gkeplan" / "state.json").exists()
    doc = LocalStateStore(user.tmp / ".gkeplan" / "endpoint" / "state.json").read()
    assert doc is not None and doc.project == "demo-project"
    assert doc.target == {"kind": "endpoint", "endpoint": user.sandbox.http}


def test_a_state_of_another_target_is_refused(user: User) -> None:
    assert user.apply().exit_code == 0
    other = user.run(
        "plan", str(user.spec), "--var", "PROJECT_ID=demo-project", "--sandbox", endpoint=False
    )
    assert other.exit_code == 1
    assert f"describes project demo-project on --endpoint {user.sandbox.http}, not project " in (
        other.output
    )
    assert "on the sandbox (--sandbox); refused" in other.output
    project = user.run("plan", str(user.spec), "--var", "PROJECT_ID=another-project")
    assert project.exit_code == 1
    assert "describes project demo-project" in project.output


def test_state_commands_read_the_specs_gcs_backend(user: User) -> None:
    use_gcs_state(user)
    assert (
        user.run(
            "apply",
            str(user.spec),
            "--var",
            "PROJECT_ID=demo-project",
            "--auto-approve",
            state=False,
        ).exit_code
        == 0
    )
    listed = user.run(
        "state", "list", str(user.spec), "--var", "PROJECT_ID=demo-project", state=False
    )
    assert listed.exit_code == 0, listed.output
    assert "cluster.sd-cluster" in listed.output.splitlines()
    unlock = user.run(
        "force-unlock",
        "no-such-lock",
        str(user.spec),
        "--var",
        "PROJECT_ID=demo-project",
        state=False,
    )
    assert unlock.exit_code == 1  # the GCS lock object is looked at, not a local lock file
    assert "gs://demo-project-tfstate/ml/default.gkstate is not locked" in unlock.output
    assert not (user.tmp / ".gkeplan").exists()


def test_user_mistakes_are_one_line_never_internal_errors(
    user: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    (user.tmp / "x.json").write_text('{"not": "a plan"}')
    shown = CliRunner().invoke(cli, ["show", str(user.tmp / "x.json")])
    assert shown.exit_code == 2
    assert "x.json is not a plan saved with `gkeplan plan --out`" in shown.output
    pushed = CliRunner().invoke(
        cli, ["state", "push", str(user.tmp / "x.json"), "--state", str(user.state)]
    )
    assert pushed.exit_code == 1 and "not a gkeplan state" in pushed.output
    spec = [str(user.spec), "--var", "PROJECT_ID=demo-project"]
    unreachable = CliRunner().invoke(cli, ["plan", *spec, "--endpoint", "http://127.0.0.1:9"])
    assert unreachable.exit_code == 2
    assert "no gkeplan sandbox answers at http://127.0.0.1:9" in unreachable.output
    directory = CliRunner().invoke(
        cli, ["plan", *spec, "--state", str(user.tmp), "--endpoint", user.sandbox.http]
    )
    assert (
        directory.exit_code == 2
        and "is a directory; give the state file's path" in directory.output
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(user.tmp / "missing-adc.json"))
    no_creds = CliRunner().invoke(cli, ["state", "list", "--state", "gs://some-bucket/ml"])
    assert no_creds.exit_code == 1
    assert "no Google credentials" in no_creds.output
    assert "application-default login" in no_creds.output
    for result in (shown, pushed, unreachable, directory, no_creds):
        assert "internal error" not in result.output
        assert "Traceback" not in result.output


def test_local_lock_waits_saying_who_holds_it(user: User) -> None:
    store = LocalStateStore(user.state)
    holder = LockInfo(operation="apply")
    store.lock(holder)
    try:
        timed_out = user.plan("--lock-timeout", "1s")
        assert timed_out.exit_code == 1
        assert "waiting for the state lock" in timed_out.output
        assert f"locked by {holder.who} (apply" in timed_out.output
        release = threading.Timer(1.0, store.unlock, args=(holder,))
        release.start()
        waited = user.plan("--lock-timeout", "1m30s")
        release.join()
    finally:
        store.unlock(holder)
    assert waited.exit_code == 0, waited.output
    assert re.search(r"waiting for the state lock \((89|90) s left\)", waited.output)
    bad = user.plan("--lock-timeout", "1m30")
    assert bad.exit_code == 2 and "is not a duration like" in bad.output


def test_the_library_plan_refuses_what_the_cli_refuses(user: User) -> None:
    import gkeplan
    from gkeplan.errors import PolicyRefused
    from gkeplan.run import Target, plan

    spec_file = user.write((EXAMPLE.parent / "regional.yaml").read_text())
    spec = gkeplan.load_spec(spec_file, {"PROJECT_ID": "demo-project"}, environ={})
    target = Target(endpoint=user.sandbox.http)
    before = len(user.sandbox.requests())
    with pytest.raises(PolicyRefused, match=r"policy error\(s\); first: \[FT001\]"):
        plan(spec, target=target, state_path=str(user.state))
    assert len(user.sandbox.requests()) == before  # refused before any call to GCP
    unchecked = plan(spec, target=target, state_path=str(user.state), policies=False)
    assert unchecked.has_changes


def test_an_interrupted_create_before_destroy_deletes_the_old_pool_next_time(user: User) -> None:
    assert user.apply().exit_code == 0
    user.write(EXAMPLE.read_text().replace("preemptible: true", "spot: true"))
    rule = {"method": "container.deleteNodePool", "kind": "status", "status": 400, "count": 1}
    requests.post(user.sandbox.http + "/_emulator/faults", json={"rules": [rule]}, timeout=10)
    failed = user.apply()
    assert failed.exit_code == 1  # the new pool runs; the old one could not be deleted
    plan = user.plan()
    assert "- nodePool.sd-cluster.sd-node-pool#replaced will be destroyed" in plan.output
    assert "interrupted create-before-destroy" in plan.output
    assert user.apply().exit_code == 0
    clusters = (
        user.sandbox.conn().container().list_clusters(parent="projects/demo-project/locations/-")
    )
    assert [p.config.spot for p in clusters.clusters[0].node_pools] == [True]
    assert "No changes" in user.plan().output


def test_a_create_before_destroy_whose_new_pool_never_came_up_keeps_the_order(
    user: User,
) -> None:
    assert user.apply().exit_code == 0
    user.write(EXAMPLE.read_text().replace("preemptible: true", "spot: true"))
    rule = {"method": "container.createNodePool", "kind": "status", "status": 400, "count": 1}
    requests.post(user.sandbox.http + "/_emulator/faults", json={"rules": [rule]}, timeout=10)
    assert user.apply().exit_code == 1  # journaled, then GKE refused the new pool
    plan = user.plan()
    assert "the new half of an interrupted create-before-destroy replacement" in plan.output
    before = len(user.sandbox.requests())
    assert user.apply().exit_code == 0
    log = [e["method"] for e in user.sandbox.requests()[before:]]
    assert log.index("container.createNodePool") < log.index("container.deleteNodePool")
    clusters = (
        user.sandbox.conn().container().list_clusters(parent="projects/demo-project/locations/-")
    )
    assert [p.config.spot for p in clusters.clusters[0].node_pools] == [True]
    assert "No changes" in user.plan().output


def test_an_allowed_cluster_replacement_moves_its_pools_without_drift(user: User) -> None:
    assert user.apply().exit_code == 0
    user.write(EXAMPLE.read_text().replace("location: us-central1-c", "location: us-central1-b"))
    refused = user.apply()
    assert refused.exit_code == 1 and "pass --allow-replace cluster.sd-cluster" in refused.output
    before = len(user.sandbox.requests())
    allowed = user.apply("--allow-replace", "cluster.sd-cluster")
    assert allowed.exit_code == 0, allowed.output
    log = [e["method"] for e in user.sandbox.requests()[before:]]
    # the pools went with the old cluster and came with the new one: none deleted or made alone
    assert log.count("container.deleteCluster") == 1 and log.count("container.createCluster") == 1
    assert "container.deleteNodePool" not in log
    clusters = (
        user.sandbox.conn().container().list_clusters(parent="projects/demo-project/locations/-")
    )
    assert [(c.location, [p.name for p in c.node_pools]) for c in clusters.clusters] == [
        ("us-central1-b", ["sd-node-pool"])
    ]
    again = user.plan()
    assert "No changes" in again.output, again.output


REPO = "projects/demo-project/locations/us-central1/repositories/serving"
WITH_REPO = (
    NOT_KEPT
    + "\nartifactRepositories:\n  serving:\n    format: DOCKER\n"
    + "    readers: [serviceAccount:gke-node]\n"
)


def test_an_outside_repository_is_imported_replaced_only_by_name_and_protected(
    user: User,
) -> None:
    client = user.sandbox.conn().artifact_registry()
    client.create_repository(
        request={
            "parent": REPO.rsplit("/repositories/", 1)[0],
            "repository_id": "serving",
            "repository": {"format_": "DOCKER", "description": "made by hand"},
        }
    ).result(timeout=30)
    user.write(WITH_REPO)
    plan = user.plan()
    assert "! artifactRepository.serving is refused" in plan.output
    imported = user.run(
        "import",
        "artifactRepository.serving",
        REPO,
        "--spec",
        str(user.spec),
        "--var",
        "PROJECT_ID=demo-project",
    )
    assert imported.exit_code == 0, imported.output
    applied = user.apply()
    assert applied.exit_code == 0, applied.output
    assert client.get_repository(name=REPO).description == ""  # converged to the spec
    user.write(WITH_REPO.replace("format: DOCKER", "format: PYTHON"))
    refused = user.apply()
    assert refused.exit_code == 1
    assert "pass --allow-replace artifactRepository.serving" in refused.output
    assert client.get_repository(name=REPO).format_.name == "DOCKER"
    allowed = user.apply("--allow-replace", "artifactRepository.serving")
    assert allowed.exit_code == 0, allowed.output
    assert client.get_repository(name=REPO).format_.name == "PYTHON"
    user.write(
        WITH_REPO.replace("format: DOCKER", "format: PYTHON").replace(
            "    format: PYTHON\n", "    format: PYTHON\n    lifecycle: {preventDestroy: true}\n"
        )
    )
    assert user.apply().exit_code == 0
    protected = user.destroy()
    assert protected.exit_code == 1
    assert "artifactRepository.serving would be deleted" in protected.output
    assert client.get_repository(name=REPO).format_.name == "PYTHON"
