"""Secret Manager secrets applied in the sandbox: round trip, drift, replacement consent,
ownership and import, destroy, and a value that never reaches gkeplan's outputs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from google.api_core import exceptions as gexc

from gkeplan.cli import cli
from gkeplan.plan import protection
from gkeplan.plan.model import Action
from gkeplan.run.preflight import ServicesDisabled
from gkeplan_emulator import Emulator, EmulatorConfig

from .conftest import Harness

NAME = "projects/demo-project/secrets/hf-token"
SPEC = """\
version: 1
project: ${PROJECT_ID}
region: us-central1
variables:
  PROJECT_ID: {description: the project}
serviceAccounts:
  model-reader: {displayName: Serving pods}
iam:
  - member: user:ci@example.com
    role: roles/secretmanager.secretVersionAdder
    on: secret:hf-token
secrets:
  hf-token:
    accessors: [serviceAccount:model-reader]
    labels: {app: serving}
    annotations: {owner: ml-platform}
    topics: [projects/demo-project/topics/secret-events]
    rotation: {period: 2592000s, nextRotationTime: "2099-01-01T00:00:00Z"}
  wandb-key:
    secretId: WANDB_API_KEY
    replication:
      userManaged:
        - {location: us-central1}
        - {location: us-east1}
    expireTime: "2099-06-01T00:00:00Z"
"""


def _actions(plan: Any) -> dict[str, str]:
    return {c.address: c.action.value for c in plan.changes if c.action is not Action.NOOP}


def _rest(harness: Harness) -> Any:
    from google.api_core.client_options import ClientOptions
    from google.cloud import secretmanager_v1

    f = harness.emu.clients()
    return secretmanager_v1.SecretManagerServiceClient(
        credentials=f.credentials,
        transport="rest",
        client_options=ClientOptions(api_endpoint=f.http),
    )


ACCESSOR = (
    "iamMember.secret.hf-token/roles/secretmanager.secretAccessor/serviceAccount:model-reader"
)
ADDER = "iamMember.secret.hf-token/roles/secretmanager.secretVersionAdder/user:ci@example.com"
OWN = {"serviceAccount.model-reader": "create", ACCESSOR: "create", ADDER: "create"}


def _bindings(harness: Harness) -> dict[str, list[str]]:
    policy = _rest(harness).get_iam_policy(request={"resource": NAME})
    return {b.role: sorted(b.members) for b in policy.bindings}


def test_secrets_apply_then_plan_shows_no_changes(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    plan = harness.plan(spec)
    assert _actions(plan) == {
        "secret.hf-token": "create",
        "secret.wandb-key": "create",
        **OWN,
    }
    result = harness.apply(spec)
    assert result.ok, result.walk.errors
    client = _rest(harness)
    got = client.get_secret(name=NAME)
    assert dict(got.labels) == {"app": "serving"}
    assert dict(got.annotations) == {"owner": "ml-platform"}
    assert [t.name for t in got.topics] == ["projects/demo-project/topics/secret-events"]
    assert got.rotation.rotation_period.total_seconds() == 2592000
    assert "automatic" in got.replication
    wandb = client.get_secret(name="projects/demo-project/secrets/WANDB_API_KEY")
    assert [r.location for r in wandb.replication.user_managed.replicas] == [
        "us-central1",
        "us-east1",
    ]
    assert wandb.expire_time.year == 2099
    assert _bindings(harness) == {
        "roles/secretmanager.secretAccessor": [
            "serviceAccount:model-reader@demo-project.iam.gserviceaccount.com"
        ],
        "roles/secretmanager.secretVersionAdder": ["user:ci@example.com"],
    }
    again = harness.plan(spec)
    assert not again.has_changes, _actions(again)
    # one list of the project's secrets, one of its accounts, the secret's policy
    assert again.refresh_calls == 3


def test_drift_made_through_googles_client_is_found_and_put_back(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    assert harness.apply(spec).ok
    client = _rest(harness)
    client.update_secret(
        request={
            "secret": {"name": NAME, "labels": {"app": "changed"}, "annotations": {}},
            "update_mask": {"paths": ["labels", "annotations"]},
        }
    )
    plan = harness.plan(spec)
    assert _actions(plan) == {"secret.hf-token": "update"}
    change = next(c for c in plan.changes if c.address == "secret.hf-token")
    assert {f.name: (f.before, f.after) for f in change.fields} == {
        "labels": ({"app": "changed"}, {"app": "serving"}),
        "annotations": ({}, {"owner": "ml-platform"}),
    }
    assert harness.apply(spec).ok
    got = client.get_secret(name=NAME)
    assert dict(got.labels) == {"app": "serving"}
    assert not harness.plan(spec).has_changes


def test_a_new_key_is_set_in_place_and_new_replicas_replace_with_consent(
    harness: Harness,
) -> None:
    assert harness.apply(harness.spec(SPEC)).ok
    key = "projects/demo-project/locations/us-central1/keyRings/r/cryptoKeys/k"
    keyed = harness.spec(
        SPEC.replace(
            "        - {location: us-central1}\n",
            f"        - {{location: us-central1, kmsKeyName: {key}}}\n",
        )
    )
    plan = harness.plan(keyed)
    assert _actions(plan) == {"secret.wandb-key": "update"}
    assert harness.apply(keyed).ok
    replica = _rest(harness).get_secret(name="projects/demo-project/secrets/WANDB_API_KEY")
    assert (
        replica.replication.user_managed.replicas[0].customer_managed_encryption.kms_key_name == key
    )
    moved = harness.spec(SPEC.replace("{location: us-east1}", "{location: europe-west4}"))
    plan = harness.plan(moved)
    change = next(c for c in plan.changes if c.address == "secret.wandb-key")
    assert change.action is Action.REPLACE
    assert change.reason == "replication cannot be changed in place"
    # replacing a secret deletes its versions, i.e. its values: only by name
    assert protection.needs_consent(plan.changes) == [change]


def test_a_secret_made_outside_gkeplan_is_refused_until_adopted(harness: Harness) -> None:
    _rest(harness).create_secret(
        request={
            "parent": "projects/demo-project",
            "secret_id": "hf-token",
            "secret": {"replication": {"automatic": {}}, "labels": {"made": "by-hand"}},
        }
    )
    spec = harness.spec(SPEC)
    plan = harness.plan(spec)
    change = next(c for c in plan.changes if c.address == "secret.hf-token")
    assert change.refused is not None
    assert "gkeplan import secret.hf-token" in change.refused
    adopted = harness.spec(
        SPEC.replace(
            "    labels: {app: serving}\n", "    labels: {app: serving}\n    adopt: true\n"
        )
    )
    result = harness.apply(adopted)
    assert result.ok, result.walk.errors
    assert dict(_rest(harness).get_secret(name=NAME).labels) == {"app": "serving"}
    assert not harness.plan(adopted).has_changes


def test_destroy_removes_the_grants_before_the_secret(harness: Harness) -> None:
    spec = harness.spec(SPEC)
    assert harness.apply(spec).ok
    plan = harness.plan(spec, destroy=True)
    order = [c.address for c in plan.changes if c.action is Action.DELETE]
    assert order.index(ACCESSOR) < order.index("secret.hf-token")
    assert order.index(ADDER) < order.index("secret.hf-token")
    result = harness.apply(spec, destroy=True)
    assert result.ok, result.walk.errors
    assert list(_rest(harness).list_secrets(parent="projects/demo-project")) == []
    log = harness.emu.backend.log
    writes = [i for i, e in enumerate(log) if e.method.endswith("secrets.setIamPolicy")]
    deletes = [i for i, e in enumerate(log) if e.method == "secretmanager.projects.secrets.delete"]
    assert all(log[i].status == 200 for i in writes + deletes)
    assert len(deletes) == 2 and max(writes) < max(deletes)  # hf-token's grants went first


def test_import_takes_an_outside_secret_over(harness: Harness, tmp_path: Path) -> None:
    _rest(harness).create_secret(
        request={
            "parent": "projects/demo-project",
            "secret_id": "hf-token",
            "secret": {"replication": {"automatic": {}}},
        }
    )
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    common = ["--var", "PROJECT_ID=demo-project", "--endpoint", harness.emu.endpoints.http]
    common += ["--state", harness.state]
    refused = CliRunner().invoke(cli, ["plan", str(path), *common])
    assert refused.exit_code == 1, refused.output
    assert "! secret.hf-token is refused" in refused.output
    assert "gkeplan import secret.hf-token" in refused.output
    imported = CliRunner().invoke(
        cli, ["import", "secret.hf-token", NAME, "--spec", str(path), *common]
    )
    assert imported.exit_code == 0, imported.output
    plan = CliRunner().invoke(cli, ["plan", str(path), *common])
    assert "~ secret.hf-token will be updated in place" in plan.output, plan.output
    assert "secret.hf-token is refused" not in plan.output


def test_a_value_added_by_users_code_never_reaches_gkeplans_outputs(
    harness: Harness, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A person's own code adds a version; nothing gkeplan prints, logs or writes holds it."""
    value = "hf_zq7LeakCanary4410"
    caplog.set_level(logging.DEBUG, logger="gkeplan")
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    common = ["--var", "PROJECT_ID=demo-project", "--endpoint", harness.emu.endpoints.http]
    common += ["--state", harness.state]

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, [*args, *common])
        assert result.exit_code == 0, result.output
        return result.output

    outputs = [run("apply", str(path), "--auto-approve")]
    client = _rest(harness)
    client.add_secret_version(request={"parent": NAME, "payload": {"data": value.encode()}})
    assert client.access_secret_version(name=f"{NAME}/versions/latest").payload.data == (
        value.encode()
    )
    outputs.append(run("plan", str(path)))
    outputs.append(run("plan", str(path), "--json"))
    outputs.append(run("plan", str(path), "--out", str(tmp_path / "saved.plan")))
    for args in (("state", "list"), ("state", "show", "secret.hf-token"), ("state", "pull")):
        result = CliRunner().invoke(cli, [*args, "--state", harness.state])
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    outputs.append(run("destroy", str(path), "--auto-approve"))
    assert "Destroy complete! Resources: 5 destroyed." in outputs[-1], outputs[-1]
    written = [p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) >= 3  # the spec, the state, the saved plan (and what else was written)
    for text in [*outputs, caplog.text]:
        assert value not in text
    for data in written:
        assert value.encode() not in data


def test_a_disabled_secret_manager_api_stops_the_plan_until_the_spec_enables_it(
    tmp_path: Path,
) -> None:
    off = frozenset({"secretmanager.googleapis.com"})
    with Emulator(EmulatorConfig(disabled_services=off)) as emu:
        harness = Harness(emu, tmp_path)
        with pytest.raises(gexc.Forbidden) as err:  # the sandbox refuses as GCP does
            _rest(harness).list_secrets(parent="projects/demo-project")
        # "Secret Manager API has not been used in project 698910892233 before or it is
        # disabled" (googleapis/nodejs-secret-manager#58)
        assert "Secret Manager API has not been used in project 123456789012" in str(err.value)
        disabled = r"secretmanager\.googleapis\.com is not enabled"
        with pytest.raises(ServicesDisabled, match=disabled):
            harness.plan(harness.spec(SPEC))
        spec = harness.spec(
            SPEC.replace("secrets:\n", "services: [secretmanager.googleapis.com]\nsecrets:\n", 1)
        )
        before = len(emu.requests)
        result = harness.apply(spec)
        assert result.ok, result.walk.errors
        methods = [e.method for e in emu.requests[before:]]
        enable = methods.index("serviceusage.services.enable")
        assert enable < methods.index("secretmanager.projects.secrets.create")
        assert not harness.plan(spec).has_changes


def test_import_generate_writes_secrets_back_and_adopting_them_plans_no_change(
    harness: Harness, tmp_path: Path
) -> None:
    """Secrets made outside gkeplan, every field set, written back by `import --generate`."""
    client = _rest(harness)
    key = "projects/demo-project/locations/us-east1/keyRings/r/cryptoKeys/k"
    client.create_secret(
        request={
            "parent": "projects/demo-project",
            "secret_id": "WANDB_API_KEY",
            "secret": {
                "replication": {
                    "user_managed": {
                        "replicas": [
                            {
                                "location": "us-east1",
                                "customer_managed_encryption": {"kms_key_name": key},
                            },
                            {"location": "us-central1"},
                        ]
                    }
                },
                "labels": {"app": "training"},
                "annotations": {"owner": "ml"},
                "topics": [{"name": "projects/demo-project/topics/t"}],
                "rotation": {
                    "rotation_period": "86400s",
                    "next_rotation_time": "2099-01-01T00:00:00Z",
                },
                "expire_time": "2099-06-01T00:00:00Z",
            },
        }
    )
    client.add_secret_version(
        request={
            "parent": "projects/demo-project/secrets/WANDB_API_KEY",
            "payload": {"data": b"wandb-zq7-canary"},
        }
    )
    spec, state = tmp_path / "generated.yaml", str(tmp_path / "adopted.json")
    common = ["--endpoint", harness.emu.endpoints.http]
    generate = ["import", "--generate", "--project", "demo-project", "--out", str(spec)]
    only = ["--include", "secret", "--region", "us-central1", "--write", "--state", state]
    made = CliRunner().invoke(cli, [*generate, *only, *common])
    assert made.exit_code == 0, made.output
    text = spec.read_text()
    assert "WANDB_API_KEY:" in text and "kmsKeyName: " + key in text
    assert "wandb-zq7-canary" not in text + made.output
    planned = CliRunner().invoke(
        cli, ["plan", str(spec), "--state", state, "--detailed-exitcode", *common]
    )
    assert planned.exit_code == 0, planned.output
    assert "No changes." in planned.output
