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


def test_the_secret_rules_are_in_the_security_baseline_and_name_no_checkov_id() -> None:
    rules = registry()
    assert {"SB028", "SB029"} <= set(builtin_pack("security-baseline").rules)
    # checkov has no google_secret_manager_secret check: these are the GCP side of its AWS ones
    assert rules["SB028"].checkov is None and rules["SB029"].checkov is None
    assert rules["SB029"].title == "Secret Manager secrets are not public"
