"""Regional secrets (`location:` on a secret) in the sandbox: round trip, drift made through
Google's client, a value added and read by a user's own code through the regional name, grants
on the regional policy, destroy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.plan import protection
from gkeplan.plan.model import Action

from .conftest import Harness

NAME = "projects/demo-project/locations/us-central1/secrets/hf-token"
GLOBAL = "projects/demo-project/secrets/hf-token"
KEY = "projects/demo-project/locations/us-central1/keyRings/r/cryptoKeys/k"
SPEC = f"""\
version: 1
project: ${{PROJECT_ID}}
region: us-central1
variables:
  PROJECT_ID: {{description: the project}}
serviceAccounts:
  model-reader: {{displayName: Serving pods}}
iam:
  - member: user:ci@example.com
    role: roles/secretmanager.secretVersionAdder
    on: secret:hf-token
secrets:
  hf-token:
    location: us-central1
    kmsKeyName: {KEY}
    accessors: [serviceAccount:model-reader]
    labels: {{app: serving}}
  wandb-key: {{}}
"""
ACCESSOR = (
    "iamMember.secret.hf-token/roles/secretmanager.secretAccessor/serviceAccount:model-reader"
)


def _actions(plan: Any) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes if c.action is not Action.NOOP}


def _regional(harness: Harness) -> Any:
    """What a user's code builds: Google's client at the regional endpoint (the sandbox serves
    every location at its one host)."""
    from google.api_core.client_options import ClientOptions
    from google.cloud import secretmanager_v1

    f = harness.emu.clients()
    return secretmanager_v1.SecretManagerServiceClient(
        credentials=f.credentials,
        transport="rest",
        client_options=ClientOptions(api_endpoint=f.http),
    )


def test_a_regional_secret_applies_then_plans_no_changes(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    plan = harness.plan(spec)
    assert {c.id for c in plan.changes if c.address == "secret.hf-token"} == {NAME}
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    client = _regional(harness)
    got = client.get_secret(name=NAME)
    assert got.name == "projects/123456789012/locations/us-central1/secrets/hf-token"
    assert "replication" not in got
    assert got.customer_managed_encryption.kms_key_name == KEY
    assert dict(got.labels) == {"app": "serving"}
    with_global = [s.name for s in client.list_secrets(parent="projects/demo-project")]
    assert with_global == ["projects/123456789012/secrets/wandb-key"]
    policy = client.get_iam_policy(request={"resource": NAME})
    assert {b.role: sorted(b.members) for b in policy.bindings} == {
        "roles/secretmanager.secretAccessor": [
            "serviceAccount:model-reader@demo-project.iam.gserviceaccount.com"
        ],
        "roles/secretmanager.secretVersionAdder": ["user:ci@example.com"],
    }
    again = harness.plan(spec)
    assert not again.has_changes, _actions(again)
    # a list of the project's global secrets, one of us-central1's, one of its accounts, the
    # regional secret's policy
    assert again.refresh_calls == 4


def test_drift_on_a_regional_secret_is_found_and_put_back(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    assert harness.apply(spec).ok
    client = _regional(harness)
    client.update_secret(
        request={
            "secret": {"name": NAME, "labels": {"app": "changed"}},
            "update_mask": {"paths": ["labels", "customer_managed_encryption"]},
        }
    )
    plan = harness.plan(spec)
    assert _actions(plan) == {"secret.hf-token": "update"}
    change = next(c for c in plan.changes if c.address == "secret.hf-token")
    assert {f.name for f in change.fields} == {"labels", "kmsKeyNames"}
    assert harness.apply(spec).ok
    got = client.get_secret(name=NAME)
    assert dict(got.labels) == {"app": "serving"}
    assert got.customer_managed_encryption.kms_key_name == KEY
    assert not harness.plan(spec).has_changes


def test_users_code_adds_and_reads_a_value_through_the_regional_name(harness: Harness) -> None:
    assert harness.apply(harness.spec(SPEC)).ok
    client = _regional(harness)
    version = client.add_secret_version(request={"parent": NAME, "payload": {"data": b"hf_x"}})
    assert version.name.endswith("/locations/us-central1/secrets/hf-token/versions/1")
    assert client.access_secret_version(name=f"{NAME}/versions/latest").payload.data == b"hf_x"
    # a global secret of the same id is another secret, which this spec does not have
    assert GLOBAL.rsplit("/", 1)[-1] not in [
        s.name.rsplit("/", 1)[-1] for s in client.list_secrets(parent="projects/demo-project")
    ]


def test_moving_a_secret_to_a_region_is_a_new_secret(harness: Harness) -> None:
    assert harness.apply(harness.spec(SPEC)).ok
    spec = harness.spec(SPEC.replace("us-central1", "us-east1"))
    plan = harness.plan(spec)
    change = next(c for c in plan.changes if c.address == "secret.hf-token")
    assert change.id == "projects/demo-project/locations/us-east1/secrets/hf-token"
    assert change.action is Action.REPLACE
    # its values stay with the old secret: replaced only by name
    assert change in protection.needs_consent(plan.changes)


def test_destroy_removes_the_regional_grants_then_the_secret(harness: Harness) -> None:
    spec = harness.spec(SPEC.replace(f"    kmsKeyName: {KEY}\n", ""))
    assert harness.apply(spec).ok
    plan = harness.plan(spec, destroy=True)
    order = [c.address for c in plan.changes if c.action is Action.DELETE]
    assert order.index(ACCESSOR) < order.index("secret.hf-token")
    result = harness.apply(spec, destroy=True)
    assert result.ok, result.walk.errors
    client = _regional(harness)
    assert list(client.list_secrets(parent="projects/demo-project/locations/us-central1")) == []
    assert list(client.list_secrets(parent="projects/demo-project")) == []


def test_import_generate_lists_the_regional_secrets_of_the_projects_regions(
    harness: Harness, tmp_path: Path
) -> None:
    """Made outside gkeplan: a global hf-token, a regional one in the spec's region (with its
    key) and one in a region the project does not use, which is not listed."""
    client = _regional(harness)
    client.create_secret(
        request={
            "parent": "projects/demo-project",
            "secret_id": "hf-token",
            "secret": {"replication": {"automatic": {}}},
        }
    )
    for location, secret in (
        (
            "us-central1",
            {"labels": {"app": "serving"}, "customer_managed_encryption": {"kms_key_name": KEY}},
        ),
        ("asia-east1", {}),
    ):
        client.create_secret(
            request={
                "parent": f"projects/demo-project/locations/{location}",
                "secret_id": "hf-token",
                "secret": secret,
            }
        )
    policy = client.get_iam_policy(request={"resource": NAME})
    policy.bindings.add(role="roles/secretmanager.secretAccessor", members=["user:ana@example.com"])
    client.set_iam_policy(request={"resource": NAME, "policy": policy})
    spec, state = tmp_path / "generated.yaml", str(tmp_path / "adopted.json")
    common = ["--endpoint", harness.emu.endpoints.http]
    generate = ["import", "--generate", "--project", "demo-project", "--out", str(spec)]
    only = ["--include", "secret", "--include", "iamMember", "--region", "us-central1"]
    only += ["--write", "--state", state]
    made = CliRunner().invoke(cli, [*generate, *only, *common])
    assert made.exit_code == 0, made.output
    text = spec.read_text()
    assert f"  # {NAME}\n  hf-token-us-central1:\n" in text, text
    assert "asia-east1" not in text
    assert f"    kmsKeyName: {KEY}\n" in text
    # the regional secret's grant, read from its regional policy, names it by key
    assert "on: secret:hf-token-us-central1" in text, text
    planned = CliRunner().invoke(
        cli, ["plan", str(spec), "--state", state, "--detailed-exitcode", *common]
    )
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output
