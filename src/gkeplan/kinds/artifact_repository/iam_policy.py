"""A repository's IAM policy through Artifact Registry's client: the adapter the IAM member
driver calls for `on: artifactRepository:...`."""

from __future__ import annotations

from gkeplan.kinds.iam_member.policies import GapicPolicies

POLICIES = GapicPolicies(lambda conn: conn.artifact_registry())
