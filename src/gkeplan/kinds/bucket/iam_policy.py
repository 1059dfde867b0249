"""A bucket's IAM policy through Cloud Storage's own client (its Policy object, not
google.iam.v1's messages): the adapter the IAM member driver calls for `on: bucket:...`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gkeplan.gcp.retry import call
from gkeplan.kinds.iam_member.policies import (
    Binding,
    Policy,
    condition_of,
    one_per_key,
    write_version,
)

if TYPE_CHECKING:
    from gkeplan.kinds.driver import CallContext


def _bucket_name(resource: str) -> str:
    return resource.split("/", 1)[1]  # buckets/NAME


class StoragePolicies:
    def read(self, ctx: CallContext, resource: str) -> Policy:
        bucket = ctx.conn.storage().bucket(_bucket_name(resource))
        pol = call(
            ctx.conn.timeouts,
            lambda: bucket.get_iam_policy(requested_policy_version=3, retry=None),
        )
        binds = [
            Binding(b["role"], set(b["members"]), condition_of(b.get("condition")))
            for b in pol.bindings
        ]
        return Policy(one_per_key(binds), pol.etag, pol.version, pol)

    def write(self, ctx: CallContext, resource: str, policy: Policy) -> None:
        raw = policy.raw
        raw.version = write_version(policy)
        raw.bindings = [
            {
                "role": b.role,
                "members": set(b.members),
                **({"condition": b.condition} if b.condition else {}),
            }
            for b in policy.bindings
            if b.members
        ]
        bucket = ctx.conn.storage().bucket(_bucket_name(resource))
        # the etag guards the write; a retry is the caller's re-read and merge
        call(ctx.conn.timeouts, lambda: bucket.set_iam_policy(raw, retry=None))


POLICIES = StoragePolicies()
