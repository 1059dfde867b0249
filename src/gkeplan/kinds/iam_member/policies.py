"""Reading and writing one resource's IAM policy: the adapters the IAM member driver calls.

Every grant target (`Kind.grant_target`) names its adapter. Most of Google's APIs expose the
same `google.iam.v1` getIamPolicy / setIamPolicy methods on their generated client
(`GapicPolicies`); Cloud Storage's own client has its own shape (the bucket kind's adapter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from gkeplan.gcp.retry import call

if TYPE_CHECKING:
    from gkeplan.gcp.connection import Connection
    from gkeplan.kinds.driver import CallContext


@dataclass
class Binding:
    role: str
    members: set[str]
    condition: dict[str, str] | None = None

    def key(self) -> tuple[str, str]:
        return (self.role, (self.condition or {}).get("title", ""))


@dataclass
class Policy:
    bindings: list[Binding]
    etag: Any
    version: int
    raw: Any = None  # the library's own object, for write-back


class Policies(Protocol):
    def read(self, ctx: CallContext, resource: str) -> Policy: ...

    def write(self, ctx: CallContext, resource: str, policy: Policy) -> None: ...


def condition_of(cond: Any) -> dict[str, str] | None:
    if not cond:
        return None
    if isinstance(cond, dict):
        return {k: v for k, v in cond.items() if v}
    if not getattr(cond, "expression", ""):
        return None
    out = {"title": cond.title, "expression": cond.expression}
    if cond.description:
        out["description"] = cond.description
    return out


def one_per_key(bindings: list[Binding]) -> list[Binding]:
    """One binding per role and condition, as GCP keeps them: a policy written by someone else
    with a role split over two bindings is merged before gkeplan adds or removes a member, so
    what gkeplan writes back never holds a member twice (or drops one of the halves)."""
    merged: dict[tuple[str, str], Binding] = {}
    for b in bindings:
        kept = merged.get(b.key())
        if kept is None:
            merged[b.key()] = Binding(b.role, set(b.members), b.condition)
        else:
            kept.members |= b.members
    return list(merged.values())


def write_version(policy: Policy) -> int:
    """Version 3 when a binding has a condition (IAM refuses conditions in older versions)."""
    return 3 if any(b.condition for b in policy.bindings) else max(policy.version, 1)


@dataclass(frozen=True)
class GapicPolicies:
    """getIamPolicy / setIamPolicy of a generated client (`google.iam.v1` messages)."""

    client: Callable[[Connection], Any]

    def read(self, ctx: CallContext, resource: str) -> Policy:
        client = self.client(ctx.conn)
        request = {"resource": resource, "options": {"requested_policy_version": 3}}
        pol = call(ctx.conn.timeouts, lambda: client.get_iam_policy(request=request))
        binds = [
            Binding(
                b.role,
                set(b.members),
                condition_of(b.condition if b.HasField("condition") else None),
            )
            for b in pol.bindings
        ]
        return Policy(one_per_key(binds), pol.etag, pol.version, pol)

    def write(self, ctx: CallContext, resource: str, policy: Policy) -> None:
        from google.iam.v1 import policy_pb2
        from google.type import expr_pb2

        pb = policy_pb2.Policy(version=write_version(policy), etag=policy.etag)
        for b in policy.bindings:
            if not b.members:
                continue
            binding = pb.bindings.add(role=b.role, members=sorted(b.members))
            if b.condition:
                binding.condition.CopyFrom(expr_pb2.Expr(**b.condition))
        client = self.client(ctx.conn)
        request = {"resource": resource, "policy": pb}
        call(ctx.conn.timeouts, lambda: client.set_iam_policy(request=request))


# The project's own policy, through Resource Manager v3 (projects.getIamPolicy / setIamPolicy).
PROJECT = GapicPolicies(lambda conn: conn.projects())
