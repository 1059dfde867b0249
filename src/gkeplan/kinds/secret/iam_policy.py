"""A secret's IAM policy through Secret Manager's client: the adapter the IAM member driver
calls for `on: secret:...` and a secret's `accessors`."""

from __future__ import annotations

from gkeplan.kinds.iam_member.policies import GapicPolicies
from gkeplan.kinds.secret.driver import CLIENT

POLICIES = GapicPolicies(lambda conn: conn.rest_client(CLIENT))
