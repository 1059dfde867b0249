"""gkeplan's IAM writes keep each binding's members unique and keep every outside member."""

from __future__ import annotations

from .conftest import EXAMPLE, Harness

VIEWER = "roles/storage.objectViewer"


def test_a_role_split_over_two_bindings_is_merged_never_duplicated(harness: Harness) -> None:
    spec = harness.spec()
    assert harness.apply(spec).ok
    bucket = harness.emu.clients().storage().bucket("demo-project-models")
    policy = bucket.get_iam_policy(requested_policy_version=3)
    outside = {"user:ada@example.com", "user:bob@example.com"}
    # someone else's tool wrote the role twice, with ada in both halves
    policy.bindings.append({"role": VIEWER, "members": {"user:ada@example.com"}})
    policy.bindings.append({"role": VIEWER, "members": set(outside)})
    bucket.set_iam_policy(policy)
    # drop gkeplan's own viewer grant from the spec and apply: gkeplan rewrites that policy
    without = EXAMPLE.read_text().replace(
        "  - member: serviceAccount:gke-node\n    roles: [roles/storage.objectViewer]\n"
        "    on: bucket:models\n",
        "",
    )
    assert harness.apply(harness.spec(without)).ok
    after = bucket.get_iam_policy(requested_policy_version=3)
    viewers = [b for b in after.bindings if b["role"] == VIEWER]
    members = [m for b in viewers for m in b["members"]]
    assert len(members) == len(set(members)), after.bindings
    assert set(members) == outside  # outside members kept, gkeplan's own removed
