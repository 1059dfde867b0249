"""security-baseline for Artifact Registry repositories: checkov's checks as they apply to a
spec."""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan.errors import Severity
from gkeplan.policy.baseline import N, baseline
from gkeplan.policy.grants import grants
from gkeplan.policy.model import Finding, Rule, RuleContext

RULES: list[type[Rule]] = [
    # checkov CKV_GCP_84 (ArtifactRegsitryEncryptedWithCMK.py): google_artifact_registry_repository
    # without kms_key_name fails. Google-managed keys encrypt it anyway, so: info.
    baseline(
        "SB021",
        "artifactRepository",
        "kmsKeyName",
        lambda r: not r.kms_key_name,
        "the repository is encrypted with Google-managed keys, not a customer-managed key",
        "kmsKeyName: projects/PROJECT/locations/LOCATION/keyRings/RING/cryptoKeys/KEY",
        N,
        "CKV_GCP_84",
        "Artifact Registry repositories use a customer-managed encryption key",
        "A key you manage lets you revoke access to the images and audit its use.",
    ),
]


class PublicRepository(Rule):
    # checkov CKV_GCP_101 (ArtifactRegistryPrivateRepo.py): a google_artifact_registry_repository
    # IAM member or binding naming allUsers or allAuthenticatedUsers fails.
    id = "SB022"
    title = "Artifact Registry repositories are not public"
    rationale = (
        "allUsers or allAuthenticatedUsers on a repository let anyone pull (or push) its images."
    )
    severity = Severity.ERROR
    checkov = "CKV_GCP_101"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        for g in grants(ctx.spec, ctx.graph):
            if g.kind == "artifactRepository" and g.member in (
                "allUsers",
                "allAuthenticatedUsers",
            ):
                yield self.finding(
                    ctx,
                    g.address,
                    g.path,
                    f"{g.role} is granted to {g.member} on {g.target}",
                    "grant it to the service accounts and groups that pull or push images",
                )


RULES.append(PublicRepository)
