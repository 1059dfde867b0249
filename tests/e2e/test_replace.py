"""`plan --replace ADDR` / `apply --replace ADDR` against `gkeplan sandbox serve`: a resource
replaced though nothing forces it (Terraform's -replace), with the rules every replacement
follows: create-before-destroy for a node pool, --allow-replace for a bucket, whose objects a
replacement loses."""

from __future__ import annotations

import json

from .cli_sandbox import BUCKET, User, server, user

__all__ = ["server", "user"]

POOL = "nodePool.sd-cluster.sd-node-pool"


def _ids(u: User) -> dict[str, str]:
    resources = json.loads(u.state.read_text())["resources"]
    return {a: r["id"] for a, r in resources.items()}


def test_replace_a_node_pool_creates_the_new_one_first(user: User) -> None:
    assert user.apply().exit_code == 0
    old = _ids(user)[POOL]
    shown = user.plan("--replace", POOL, "--detailed-exitcode")
    assert shown.exit_code == 2, shown.output
    assert f"-/+ {POOL} must be replaced" in shown.stdout
    assert "replacement asked for with --replace; replaced create-before-destroy" in shown.stdout
    assert "Plan: 1 to add, 0 to change, 1 to destroy." in shown.stdout
    applied = user.apply("--replace", POOL)
    assert applied.exit_code == 0, applied.output
    new = _ids(user)[POOL]
    assert new != old and new.startswith(old.rsplit("-", 1)[0])
    pools = (
        user.sandbox.conn()
        .container()
        .list_node_pools(parent="projects/demo-project/locations/us-central1-c/clusters/sd-cluster")
    )
    assert [p.name for p in pools.node_pools] == [new.rsplit("/", 1)[-1]]
    assert "No changes." in user.plan().stdout


def test_replace_a_bucket_needs_allow_replace(user: User) -> None:
    assert user.apply().exit_code == 0
    user.sandbox.conn().storage().bucket(BUCKET).blob("model.bin").upload_from_string(b"w")
    refused = user.apply("--replace", "bucket.models")
    assert refused.exit_code == 1
    assert "--allow-replace bucket.models" in refused.stderr
    blobs = list(user.sandbox.conn().storage().list_blobs(BUCKET))
    assert [b.name for b in blobs] == ["model.bin"]  # nothing was replaced
    done = user.apply("--replace", "bucket.models", "--allow-replace", "bucket.models")
    assert done.exit_code == 0, done.output
    assert "1 added, 0 changed, 1 destroyed" in done.stdout
    assert list(user.sandbox.conn().storage().list_blobs(BUCKET)) == []


def test_an_address_that_matches_nothing_names_the_closest(user: User) -> None:
    result = user.plan("--replace", "bucket.model")
    assert result.exit_code == 2
    assert "bucket.model matches no resource of the spec; did you mean bucket.models?" in (
        result.stderr
    )


def test_a_saved_plan_keeps_the_replacement_it_was_made_with(user: User) -> None:
    assert user.apply().exit_code == 0
    old = _ids(user)[POOL]
    saved = user.tmp / "plan.json"
    assert user.plan("--replace", POOL, "--out", str(saved)).exit_code == 0
    applied = user.apply("--plan", str(saved))
    assert applied.exit_code == 0, applied.output
    assert "1 added, 0 changed, 1 destroyed" in applied.stdout
    assert _ids(user)[POOL] != old
