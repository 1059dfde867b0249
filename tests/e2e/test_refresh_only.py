"""`plan --refresh-only` / `apply --refresh-only` against `gkeplan sandbox serve`, as a person
who changed things by hand in the console (here: Google's own clients) and wants the state to
say so, without gkeplan putting them back (Terraform's -refresh-only)."""

from __future__ import annotations

import json

from .campaign import mutating
from .cli_sandbox import BUCKET, User, server, user

__all__ = ["server", "user"]

ACCOUNT = "gke-node@demo-project.iam.gserviceaccount.com"


def _state(u: User) -> dict[str, dict[str, object]]:
    resources: dict[str, dict[str, object]] = json.loads(u.state.read_text())["resources"]
    return resources


def _drift_by_hand(u: User) -> None:
    bucket = u.sandbox.conn().storage().get_bucket(BUCKET)
    bucket.labels = {"owner": "data-team"}
    bucket.patch()
    u.sandbox.conn().iam().patch_service_account(
        request={
            "service_account": {
                "name": f"projects/demo-project/serviceAccounts/{ACCOUNT}",
                "display_name": "renamed in the console",
            },
            "update_mask": {"paths": ["display_name"]},
        }
    )


def test_refresh_only_records_drift_in_the_state_and_changes_nothing(user: User) -> None:
    assert user.apply().exit_code == 0
    before = _state(user)
    _drift_by_hand(user)

    shown = user.plan("--refresh-only")
    assert shown.exit_code == 0, shown.output
    assert "Objects have changed outside of gkeplan" in shown.stdout
    assert "~ bucket.models has changed" in shown.stdout
    assert '~ labels: {} -> {"owner": "data-team"}' in shown.stdout
    assert "~ serviceAccount.gke-node has changed" in shown.stdout
    assert '"renamed in the console"' in shown.stdout
    assert "Refresh-only plan: 2 resource(s) changed outside gkeplan." in shown.stdout
    assert "will be updated" not in shown.stdout  # nothing is put back
    assert _state(user) == before  # a plan writes nothing

    calls_before = len(user.sandbox.requests())
    applied = user.apply("--refresh-only")
    assert applied.exit_code == 0, applied.output
    assert "2 recorded in the state as they are in the cloud" in applied.stdout
    made = user.sandbox.requests()[calls_before:]
    assert made, "the refresh reads the cloud"
    assert [e["method"] for e in made if mutating(e["method"])] == []
    after = _state(user)
    assert after["bucket.models"]["attributes"]["labels"] == {"owner": "data-team"}  # type: ignore[index]
    assert after["serviceAccount.gke-node"]["attributes"]["displayName"] == (  # type: ignore[index]
        "renamed in the console"
    )
    untouched = {
        a: r for a, r in after.items() if a not in ("bucket.models", "serviceAccount.gke-node")
    }
    assert untouched == {a: r for a, r in before.items() if a in untouched}
    # the cloud still has the hand-made values
    assert user.sandbox.conn().storage().get_bucket(BUCKET).labels == {"owner": "data-team"}

    # nothing left to record; the ordinary plan puts the spec back, and it is no longer drift
    again = user.plan("--refresh-only")
    assert "No changes. The state matches the cloud" in again.stdout
    normal = user.plan("--detailed-exitcode")
    assert normal.exit_code == 2, normal.output
    assert "~ bucket.models will be updated in place\n" in normal.stdout
    assert '~ labels: {"owner": "data-team"} -> {}' in normal.stdout
    assert "~ serviceAccount.gke-node will be updated in place\n" in normal.stdout
    assert "drift" not in normal.stdout


def test_a_resource_deleted_outside_is_forgotten_by_the_state_only(user: User) -> None:
    assert user.apply().exit_code == 0
    user.sandbox.conn().storage().get_bucket(BUCKET).delete(force=True)
    shown = user.plan("--refresh-only")
    assert "- bucket.models has been deleted" in shown.stdout
    applied = user.apply("--refresh-only")
    assert applied.exit_code == 0, applied.output
    assert "bucket.models" not in _state(user)
    # the next ordinary plan creates it, as any resource the state does not hold
    assert "+ bucket.models will be created" in user.plan().stdout


def test_refresh_only_with_a_flag_that_chooses_changes_is_a_usage_error(user: User) -> None:
    for flag in (("--target", "bucket.models"), ("--allow-replace", "bucket.models")):
        result = user.apply("--refresh-only", *flag)
        assert result.exit_code == 2
        assert f"--refresh-only changes no resource, so {flag[0]} has nothing to act on" in (
            result.stderr
        )
    assert user.plan("--refresh-only", "--destroy").exit_code == 2
