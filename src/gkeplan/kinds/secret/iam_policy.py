"""A secret's IAM policy through Secret Manager's client: the adapter the IAM member driver
calls for `on: secret:...` and a secret's `accessors`. A regional secret's policy is read and
written at its location's endpoint, as the secret itself."""

from __future__ import annotations

from gkeplan.kinds.driver import CallContext
from gkeplan.kinds.iam_member.policies import GapicPolicies, Policy
from gkeplan.kinds.secret.driver import client


class SecretPolicies:
    def _of(self, resource: str) -> GapicPolicies:
        return GapicPolicies(lambda conn: client(conn, resource))

    def read(self, ctx: CallContext, resource: str) -> Policy:
        return self._of(resource).read(ctx, resource)

    def write(self, ctx: CallContext, resource: str, policy: Policy) -> None:
        self._of(resource).write(ctx, resource, policy)


POLICIES = SecretPolicies()
