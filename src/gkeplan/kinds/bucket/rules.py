"""security-baseline for buckets: checkov's bucket checks as they apply to a spec, and the
state bucket's versioning."""

from __future__ import annotations

from collections.abc import Iterable

from gkeplan.errors import Severity
from gkeplan.kinds.bucket import buckets
from gkeplan.policy.baseline import E, N, baseline
from gkeplan.policy.model import Finding, Rule, RuleContext

RULES: list[type[Rule]] = [
    baseline(
        "SB016",
        "bucket",
        "uniformBucketLevelAccess",
        lambda b: not b.uniform_bucket_level_access,
        "uniform bucket-level access is off: object ACLs can grant access IAM does not show",
        "uniformBucketLevelAccess: true",
        E,
        "CKV_GCP_29",
        "Uniform bucket-level access is on",
        "IAM alone decides who reads the model.",
    ),
    baseline(
        "SB017",
        "bucket",
        "publicAccessPrevention",
        lambda b: b.public_access_prevention != "enforced",
        "public access prevention is not enforced",
        "publicAccessPrevention: enforced",
        E,
        "CKV_GCP_114",
        "Public access prevention is enforced",
        "One wrong grant must not publish the model.",
    ),
    baseline(
        "SB018",
        "bucket",
        "versioning",
        lambda b: not b.versioning,
        "object versioning is off: an overwritten or deleted model cannot be recovered",
        "versioning: true",
        N,
        "CKV_GCP_78",
        "Object versioning is on",
        "Versions let you roll back a bad model upload.",
    ),
    baseline(
        "SB019",
        "bucket",
        "logging",
        lambda b: b.logging is None,
        "access logging is off",
        "logging: {logBucket: my-project-logs}",
        N,
        "CKV_GCP_62",
        "Bucket access is logged",
        "Data access logs show who read the model.",
    ),
]


class StateBucketVersioning(Rule):
    id = "SB020"
    title = "The GCS state bucket keeps every state version"
    rationale = (
        "gkeplan's remote state relies on object versioning to keep each version; "
        "without it a bad write cannot be rolled back."
    )
    severity = Severity.ERROR
    checkov = "CKV_GCP_78"

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        state = ctx.spec.state
        if state.backend != "gcs" or not state.bucket:
            return
        for name, bucket in buckets(ctx.spec).items():
            if (bucket.name or name) == state.bucket and not bucket.versioning:
                yield self.finding(
                    ctx,
                    f"bucket.{name}",
                    ("buckets", name),
                    f"bucket {state.bucket} holds gkeplan's state but object versioning is off",
                    "versioning: true",
                )


RULES.append(StateBucketVersioning)
