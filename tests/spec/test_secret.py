# ruff: noqa: E501  (a table of exact messages: one message per line reads best)
"""secrets: what validate accepts and refuses, at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from gkeplan.cli import cli
from gkeplan.errors import Severity

from .helpers import BASE, diagnostics, rendered

KEY = "projects/p/locations/{}/keyRings/r/cryptoKeys/k"


def secrets(body: str) -> str:
    return BASE + "secrets:\n" + body


CASES: dict[str, tuple[str, list[str]]] = {
    "automatic-by-default": (secrets("  hf-token: {labels: {app: serving}}\n"), []),
    "everything-set": (
        secrets(
            "  hf-token:\n"
            "    secretId: HF_TOKEN\n"
            f"    kmsKeyName: {KEY.format('global')}\n"
            "    annotations: {owner.team: ml}\n"
            "    topics: [projects/p/topics/t]\n"
            "    rotation: {period: 2592000s, nextRotationTime: '2099-01-01T00:00:00Z'}\n"
            "    ttl: 86400s\n"
        ),
        [],
    ),
    "slash-in-id": (
        secrets("  hf/token: {}\n"),
        [
            "21:13: secrets.hf/token: 'hf/token' is not a secret id: at most 255 letters, digits, '-' and '_' (Secret Manager's secretId)"
        ],
    ),
    "id-too-long": (
        secrets("  t: {secretId: " + "a" * 256 + "}\n"),
        [
            f"21:17: secrets.t.secretId: '{'a' * 256}' is not a secret id: at most 255 letters, digits, '-' and '_' (Secret Manager's secretId)"
        ],
    ),
    "same-id-twice": (
        secrets("  a: {}\n  b: {secretId: a}\n"),
        ["22:17: secrets.b.secretId: secret id 'a' is also used by 'a'"],
    ),
    "unknown-replication": (
        secrets("  a: {replication: manual}\n"),
        [
            "21:20: secrets.a.replication: 'manual' is not a replication: write automatic or {userManaged: [{location: REGION}]}"
        ],
    ),
    "empty-replicas": (
        secrets("  a: {replication: {userManaged: []}}\n"),
        [
            "21:34: secrets.a.replication.userManaged: userManaged replication needs at least one replica"
        ],
    ),
    "automatic-key-not-global": (
        secrets(f"  a: {{kmsKeyName: '{KEY.format('us-central1')}'}}\n"),
        [
            "21:19: secrets.a.kmsKeyName: the key is in us-central1, but Secret Manager needs it in global for automatic replication"
        ],
    ),
    "replica-key-elsewhere": (
        secrets(
            "  a:\n    replication:\n      userManaged:\n"
            f"        - {{location: us-east1, kmsKeyName: '{KEY.format('us-central1')}'}}\n"
        ),
        [
            "24:44: secrets.a.replication.userManaged[0].kmsKeyName: the key is in us-central1, but Secret Manager needs it in us-east1 (the replica's location)"
        ],
    ),
    "top-level-key-with-user-managed": (
        secrets(
            f"  a:\n    kmsKeyName: '{KEY.format('global')}'\n    replication:\n"
            "      userManaged: [{location: us-east1}]\n"
        ),
        [
            "22:17: secrets.a.kmsKeyName: kmsKeyName applies to automatic replication; with userManaged each replica names its own key"
        ],
    ),
    "not-a-key": (
        secrets("  a: {kmsKeyName: my-key}\n"),
        ["21:19: secrets.a.kmsKeyName: 'my-key' is not a Cloud KMS key name"],
    ),
    "replica-not-a-region": (
        secrets("  a: {replication: {userManaged: [{location: us-east1-b}]}}\n"),
        ["21:46: secrets.a.replication.userManaged[0].location: 'us-east1-b' is not a region"],
    ),
    "bad-label": (
        secrets("  a: {labels: {App: x}}\n"),
        [
            "21:21: secrets.a.labels.App: label key 'App' must start with a lowercase letter and use up to 63 lowercase letters, digits, '_' and '-'"
        ],
    ),
    "bad-annotation": (
        secrets("  a: {annotations: {-x: y}}\n"),
        [
            "21:25: secrets.a.annotations.-x: annotation key '-x' must be 1-63 characters, start and end with a letter or digit, and use letters, digits, '-', '_' and '.' between"
        ],
    ),
    "rotation-without-topics": (
        secrets("  a: {rotation: {period: 3600s, nextRotationTime: '2099-01-01T00:00:00Z'}}\n"),
        [
            "21:17: secrets.a.rotation: rotation needs topics: Secret Manager sends rotations to Pub/Sub topics"
        ],
    ),
    "rotation-too-often": (
        secrets(
            "  a: {topics: [projects/p/topics/t], rotation: {period: 60s, nextRotationTime: '2099-01-01T00:00:00Z'}}\n"
        ),
        [
            "21:57: secrets.a.rotation.period: rotation period 60s is outside 3600s (1 hour) to 3153600000s (100 years)"
        ],
    ),
    "bad-topic": (
        secrets("  a: {topics: [secret-events]}\n"),
        ["21:16: secrets.a.topics[0]: 'secret-events' is not a topic name"],
    ),
    "ttl-and-expire-time": (
        secrets("  a: {ttl: 60s, expireTime: '2099-01-01T00:00:00Z'}\n"),
        ["21:12: secrets.a.ttl: give ttl or expireTime, not both"],
    ),
    "bad-expire-time": (
        secrets("  a: {expireTime: tomorrow}\n"),
        ["21:19: secrets.a.expireTime: 'tomorrow' is not an RFC 3339 time"],
    ),
    "accessor-and-grant": (
        secrets("  a: {accessors: [serviceAccount:gke-node]}\n").replace(
            "    roles: [roles/container.defaultNodeServiceAccount]\n",
            "    roles: [roles/container.defaultNodeServiceAccount]\n"
            "  - {member: 'user:a@example.com', role: roles/secretmanager.secretVersionAdder, on: 'secret:a'}\n",
        ),
        [],
    ),
    "accessor-not-a-member": (
        secrets("  a: {accessors: [gke-node]}\n"),
        ["21:19: secrets.a.accessors[0]: 'gke-node' is not an IAM member"],
    ),
    "grant-on-unknown-secret": (
        secrets("  a: {}\n").replace(
            "    roles: [roles/container.defaultNodeServiceAccount]\n",
            "    roles: [roles/container.defaultNodeServiceAccount]\n"
            "  - {member: 'user:a@example.com', role: roles/secretmanager.secretAccessor, on: 'secret:b'}\n",
        ),
        ["10:82: iam[1].on: target secret 'b' is not a secret of this spec"],
    ),
    "regional": (
        secrets(
            f"  a: {{location: us-central1, kmsKeyName: '{KEY.format('us-central1')}'}}\n"
            "  b: {location: europe-west4, secretId: a}\n  c: {secretId: a}\n"
        ),
        [],
    ),
    "regional-not-a-region": (
        secrets("  a: {location: global}\n"),
        ["21:17: secrets.a.location: 'global' is not a region"],
    ),
    "regional-with-replication": (
        secrets("  a: {location: us-central1, replication: automatic}\n"),
        [
            "21:43: secrets.a.replication: a regional secret (location set) has no replication: its data stays in us-central1"
        ],
    ),
    "regional-key-elsewhere": (
        secrets(f"  a: {{location: us-central1, kmsKeyName: '{KEY.format('global')}'}}\n"),
        [
            "21:42: secrets.a.kmsKeyName: the key is in global, but Secret Manager needs it in us-central1 (the regional secret's location)"
        ],
    ),
    "regional-same-id-twice": (
        secrets("  a: {location: us-east1}\n  b: {location: us-east1, secretId: a}\n"),
        ["22:37: secrets.b.secretId: secret id 'a' is also used by 'a'"],
    ),
    "a-value-is-not-a-field": (
        secrets("  a: {value: hunter2}\n"),
        ["21:7: secrets.a.value: unknown key 'value'"],
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_case_reports_exactly_these(tmp_path: Path, case: str) -> None:
    text, expected = CASES[case]
    assert rendered(tmp_path, text) == expected


def test_a_rotation_due_within_five_minutes_warns(tmp_path: Path) -> None:
    body = "  a: {topics: [projects/p/topics/t], rotation: {period: 3600s, nextRotationTime: '2020-01-01T00:00:00Z'}}\n"
    (got,) = diagnostics(tmp_path, secrets(body))
    assert got.severity is Severity.WARNING
    assert "less than 5 minutes from now" in got.message


def test_validate_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(secrets("  hf/token: {}\n"))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:21:13: error: secrets.hf/token: 'hf/token' is not a secret id" in result.output
    assert "Traceback" not in result.output
