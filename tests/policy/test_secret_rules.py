"""The security baseline's Secret Manager rules, firing and not firing, with their messages."""

from __future__ import annotations

from pathlib import Path

from gkeplan.policy.engine import builtin_pack, registry

from .helpers import EXAMPLE, findings

KEY = "projects/demo-project/locations/{}/keyRings/r/cryptoKeys/k"
SECRET = "\nsecrets:\n  hf-token:\n    labels: {app: serving}\n"


def test_a_secret_without_a_customer_managed_key_is_info(tmp_path: Path) -> None:
    assert findings(tmp_path, EXAMPLE + SECRET, rules=("SB028",)) == [
        (
            "SB028",
            "info",
            "secret.hf-token",
            "the secret's versions are encrypted with Google-managed keys, not a "
            "customer-managed key",
        )
    ]
    keyed = SECRET + f"    kmsKeyName: {KEY.format('global')}\n"
    assert findings(tmp_path, EXAMPLE + keyed, rules=("SB028",)) == []
    replicas = (
        SECRET + "    replication:\n      userManaged:\n"
        f"        - {{location: us-central1, kmsKeyName: {KEY.format('us-central1')}}}\n"
        "        - {location: us-east1}\n"
    )
    (got,) = findings(tmp_path, EXAMPLE + replicas, rules=("SB028",))
    assert got[:3] == ("SB028", "info", "secret.hf-token")  # one replica without a key


def test_the_secret_rule_is_in_the_security_baseline_and_names_no_checkov_id() -> None:
    assert "SB028" in builtin_pack("security-baseline").rules
    # checkov has no google_secret_manager_secret check: this is the GCP side of CKV_AWS_149
    assert registry()["SB028"].checkov is None


def test_a_public_accessor_is_least_privileges_public_member_finding(tmp_path: Path) -> None:
    public = SECRET + "    accessors: [allUsers]\n"
    assert findings(tmp_path, EXAMPLE + public, severity="error") == [
        (
            "LP003",
            "error",
            "iamMember.secret.hf-token/roles/secretmanager.secretAccessor/allUsers",
            "roles/secretmanager.secretAccessor is granted to allUsers on secret.hf-token",
        )
    ]
