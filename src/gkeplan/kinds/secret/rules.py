"""security-baseline for Secret Manager secrets.

checkov has no check of google_secret_manager_secret (bridgecrewio/checkov at 03d5fdad,
2026-08-20: the type appears only in checkov/common/checks_infra/resources_types.py); the rules
here are the GCP side of its Secrets Manager checks for AWS, which name no GCP check id.
A secret granted to allUsers / allAuthenticatedUsers is least-privilege LP003's, as on every
target but a repository.
"""

from __future__ import annotations

from gkeplan.kinds.secret import Secret, UserManaged
from gkeplan.policy.baseline import N, baseline
from gkeplan.policy.model import Rule


def _without_cmek(s: Secret) -> bool:
    if isinstance(s.replication, UserManaged):
        return any(not r.kms_key_name for r in s.replication.user_managed)
    return not s.kms_key_name


RULES: list[type[Rule]] = [
    # The GCP side of checkov CKV_AWS_149 (checkov/terraform/checks/resource/aws/
    # SecretManagerSecretEncrypted.py: "Ensure that Secrets Manager secret is encrypted using KMS
    # CMK"). Google-managed keys encrypt the versions anyway ("If no configuration is provided,
    # Google-managed default encryption is used", customerManagedEncryption, secretmanager v1
    # discovery document), so: info.
    baseline(
        "SB028",
        "secret",
        "kmsKeyName",
        _without_cmek,
        "the secret's versions are encrypted with Google-managed keys, not a customer-managed key",
        "kmsKeyName: projects/PROJECT/locations/global/keyRings/RING/cryptoKeys/KEY "
        "(userManaged: on each replica, in its location)",
        N,
        None,
        "Secret Manager secrets use a customer-managed encryption key",
        "A key you manage lets you revoke access to every value of the secret and audit its use.",
    ),
]
