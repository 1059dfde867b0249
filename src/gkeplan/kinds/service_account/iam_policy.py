"""A service account's IAM policy through IAM admin's client (gRPC): the adapter the IAM member
driver calls for `on: serviceAccount:...`."""

from __future__ import annotations

from gkeplan.kinds.iam_member.policies import GapicPolicies

POLICIES = GapicPolicies(lambda conn: conn.iam())
