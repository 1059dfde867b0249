"""Workload Identity members and grants on what the spec does not create, through the
emulator: plan, apply, plan again (no changes), and a missing outside bucket refused at plan."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.errors import SpecError
from gkeplan.plan.model import Action
from gkeplan_emulator import Emulator, EmulatorConfig

from .conftest import EXAMPLE, Harness

OUTSIDE_BUCKET = "someone-elses-bucket"
KSA = "serviceAccount:demo-project.svc.id.goog[serving/tf-serving]"
WI_SPEC = EXAMPLE.read_text().replace(
    "  gke-node:\n    displayName: GKE Node Service Account\n",
    "  gke-node:\n    displayName: GKE Node Service Account\n"
    "  model-reader:\n    workloadIdentityUsers: [serving/tf-serving]\n",
)
WI_SPEC = WI_SPEC.replace(
    "    on: bucket:models\n",
    "    on: bucket:models\n"
    '  - member: "serviceAccount:${PROJECT_ID}.svc.id.goog[serving/tf-serving]"\n'
    "    roles: [roles/storage.objectViewer]\n"
    f"    on: bucket:gs://{OUTSIDE_BUCKET}\n",
    1,
)


def _changes(plan: object) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes if c.action is not Action.NOOP}  # type: ignore[attr-defined]


def test_workload_identity_and_an_outside_bucket_round_trip(harness: Harness) -> None:
    storage = harness.emu.clients().storage()
    storage.create_bucket(OUTSIDE_BUCKET)  # made by someone else, outside the spec
    spec = harness.spec(WI_SPEC)
    plan = harness.plan(spec)
    # the example's 7 reads, model-reader's and the outside bucket's policies, and one read
    # that the outside bucket exists
    assert plan.refresh_calls == 10
    wi_grant = "iamMember.serviceAccount.model-reader/roles/iam.workloadIdentityUser/" + KSA
    outside = f"iamMember.bucket.gs://{OUTSIDE_BUCKET}/roles/storage.objectViewer/{KSA}"
    changes = _changes(plan)
    assert changes[wi_grant] == "create" and changes[outside] == "create"
    assert f"bucket.gs://{OUTSIDE_BUCKET}" not in changes  # never created by gkeplan
    # the pool exists once the cluster does: both grants wait for it
    by_address = {c.address: c for c in plan.changes}
    assert "cluster.sd-cluster" in by_address[wi_grant].dependencies
    assert "cluster.sd-cluster" in by_address[outside].dependencies

    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    policy = storage.bucket(OUTSIDE_BUCKET).get_iam_policy(requested_policy_version=3)
    assert {"role": "roles/storage.objectViewer", "members": {KSA}} in [
        {"role": b["role"], "members": set(b["members"])} for b in policy.bindings
    ]
    iam = harness.emu.clients().iam()
    sa_policy = iam.get_iam_policy(
        request={
            "resource": "projects/demo-project/serviceAccounts/"
            "model-reader@demo-project.iam.gserviceaccount.com"
        }
    )
    assert [(b.role, list(b.members)) for b in sa_policy.bindings] == [
        ("roles/iam.workloadIdentityUser", [KSA])
    ]
    assert not harness.plan(spec).has_changes

    # removed from the spec: the member goes, the outside bucket stays
    without = WI_SPEC.replace(
        '  - member: "serviceAccount:${PROJECT_ID}.svc.id.goog[serving/tf-serving]"\n'
        "    roles: [roles/storage.objectViewer]\n"
        f"    on: bucket:gs://{OUTSIDE_BUCKET}\n",
        "",
    )
    assert _changes(harness.plan(harness.spec(without))) == {outside: "delete"}
    assert harness.apply(harness.spec(without)).ok
    assert storage.lookup_bucket(OUTSIDE_BUCKET) is not None
    left = storage.bucket(OUTSIDE_BUCKET).get_iam_policy(requested_policy_version=3)
    assert all(KSA not in b["members"] for b in left.bindings)


def test_a_missing_outside_bucket_is_refused_at_plan_time(harness: Harness) -> None:
    spec = harness.spec(WI_SPEC)
    with pytest.raises(SpecError) as caught:
        harness.plan(spec)
    (problem,) = caught.value.diagnostics
    assert problem.location is not None
    line = WI_SPEC.splitlines()[problem.location.line - 1]
    assert line.strip() == f"on: bucket:gs://{OUTSIDE_BUCKET}"
    assert problem.message == (
        f"bucket gs://{OUTSIDE_BUCKET} does not exist in GCP; the spec names it but does not "
        "declare it, so gkeplan never creates it"
    )
    assert harness.emu.clients().storage().lookup_bucket(OUTSIDE_BUCKET) is None


def test_a_missing_outside_service_account_is_refused_and_an_existing_one_granted(
    harness: Harness,
) -> None:
    ghost = "ext-runner@demo-project.iam.gserviceaccount.com"
    text = EXAMPLE.read_text().replace(
        "    on: bucket:models\n",
        "    on: bucket:models\n"
        "  - member: user:ada@example.com\n"
        "    roles: [roles/iam.serviceAccountUser]\n"
        f"    on: serviceAccount:{ghost}\n",
        1,
    )
    with pytest.raises(SpecError, match=f"service account {ghost} does not exist in GCP"):
        harness.plan(harness.spec(text))
    iam = harness.emu.clients().iam()
    iam.create_service_account(
        request={"name": "projects/demo-project", "account_id": "ext-runner"}
    )
    spec = harness.spec(text)
    assert harness.apply(spec).ok
    policy = iam.get_iam_policy(
        request={"resource": f"projects/demo-project/serviceAccounts/{ghost}"}
    )
    assert ("roles/iam.serviceAccountUser", ["user:ada@example.com"]) in [
        (b.role, list(b.members)) for b in policy.bindings
    ]
    assert not harness.plan(spec).has_changes


def test_sandbox_validate_plan_apply_with_workload_identity_and_an_outside_bucket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's --sandbox: the outside bucket is made first through google-cloud-storage
    against the sandbox's own emulator; a spec naming a missing one is refused at plan."""
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "spec.yaml"
    spec.write_text(WI_SPEC)
    args = [str(spec), "--var", "PROJECT_ID=demo-project"]
    validated = CliRunner().invoke(cli, ["validate", *args])
    assert validated.exit_code == 0, validated.output

    refused = CliRunner().invoke(cli, ["plan", *args, "--sandbox"])
    assert refused.exit_code == 1, refused.output
    line = WI_SPEC.splitlines().index(f"    on: bucket:gs://{OUTSIDE_BUCKET}") + 1
    assert (
        f"{spec}:{line}:9: error: iam[4].on: bucket gs://{OUTSIDE_BUCKET} does not exist in GCP"
        in refused.output
    )

    sandbox = tmp_path / ".gkeplan" / "sandbox"
    sandbox.mkdir(parents=True, exist_ok=True)
    with Emulator(
        EmulatorConfig(project="demo-project"), state_file=sandbox / "emulator.json"
    ) as emu:
        emu.clients().storage().create_bucket(OUTSIDE_BUCKET)

    applied = CliRunner().invoke(cli, ["apply", *args, "--sandbox", "--auto-approve"])
    assert applied.exit_code == 0, applied.output
    assert "Apply complete! Resources: 13 added" in applied.output
    again = CliRunner().invoke(cli, ["plan", *args, "--sandbox", "--detailed-exitcode"])
    assert again.exit_code == 0, again.output
    assert "No changes." in again.output
