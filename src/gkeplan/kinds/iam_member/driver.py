"""Non-authoritative IAM members on project, service account, bucket and Artifact Registry
repository policies.

Every change is a read-modify-write of the whole policy guarded by its etag. Changes that
touch the same policy at the same time are merged into one write (group commit), and the
write is retried from a fresh read on an etag conflict. Members gkeplan does not manage are
carried over untouched, whatever their role.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.errors import CloudError
from gkeplan.gcp.errors import Failure, classify
from gkeplan.gcp.retry import call, through_propagation
from gkeplan.kinds.driver import Attributes, Context, Wanted
from gkeplan.plan.model import Change

MAX_ETAG_RETRIES = 10
READ_WORKERS = 16  # concurrent policy reads at refresh


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


def _condition(cond: Any) -> dict[str, str] | None:
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


def _one_per_key(bindings: list[Binding]) -> list[Binding]:
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


def split_id(member_id: str) -> tuple[str, str, str, str]:
    resource, role, member, title = member_id.split("|", 3)
    return resource, role, member, title


class _PolicyApi:
    """Read and write one resource's policy with the right client."""

    def __init__(self, ctx: Context, resource: str) -> None:
        self.ctx = ctx
        self.resource = resource

    def read(self) -> Policy:
        t = self.ctx.conn.timeouts
        if self.resource.startswith("buckets/"):
            bucket = self.ctx.conn.storage().bucket(self.resource.split("/", 1)[1])
            pol = call(t, lambda: bucket.get_iam_policy(requested_policy_version=3, retry=None))
            binds = [
                Binding(b["role"], set(b["members"]), _condition(b.get("condition")))
                for b in pol.bindings
            ]
            return Policy(_one_per_key(binds), pol.etag, pol.version, pol)
        client = self._client()
        request = {"resource": self.resource, "options": {"requested_policy_version": 3}}
        pol = call(t, lambda: client.get_iam_policy(request=request))
        binds = [
            Binding(
                b.role, set(b.members), _condition(b.condition if b.HasField("condition") else None)
            )
            for b in pol.bindings
        ]
        return Policy(_one_per_key(binds), pol.etag, pol.version, pol)

    def _client(self) -> Any:
        if self.resource.startswith("projects/") and "/serviceAccounts/" in self.resource:
            return self.ctx.conn.iam()
        if self.resource.startswith("projects/") and "/repositories/" in self.resource:
            return self.ctx.conn.artifact_registry()
        return self.ctx.conn.projects()

    def write(self, policy: Policy) -> None:
        t = self.ctx.conn.timeouts
        has_conditions = any(b.condition for b in policy.bindings)
        version = 3 if has_conditions else max(policy.version, 1)
        if self.resource.startswith("buckets/"):
            raw = policy.raw
            raw.version = version
            raw.bindings = [
                {
                    "role": b.role,
                    "members": set(b.members),
                    **({"condition": b.condition} if b.condition else {}),
                }
                for b in policy.bindings
                if b.members
            ]
            bucket = self.ctx.conn.storage().bucket(self.resource.split("/", 1)[1])
            # the etag guards the write; a retry is the caller's re-read and merge
            call(t, lambda: bucket.set_iam_policy(raw, retry=None))
            return
        from google.iam.v1 import policy_pb2
        from google.type import expr_pb2

        pb = policy_pb2.Policy(version=version, etag=policy.etag)
        for b in policy.bindings:
            if not b.members:
                continue
            binding = pb.bindings.add(role=b.role, members=sorted(b.members))
            if b.condition:
                binding.condition.CopyFrom(expr_pb2.Expr(**b.condition))
        client = self._client()
        call(t, lambda: client.set_iam_policy(request={"resource": self.resource, "policy": pb}))


@dataclass
class _Op:
    add: bool
    role: str
    member: str
    condition: dict[str, str] | None
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


def _apply_ops(policy: Policy, ops: list[_Op]) -> bool:
    changed = False
    for op in ops:
        key = (op.role, (op.condition or {}).get("title", ""))
        binding = next((b for b in policy.bindings if b.key() == key), None)
        if op.add:
            if binding is None:
                policy.bindings.append(Binding(op.role, {op.member}, op.condition))
                changed = True
            elif op.member not in binding.members:
                binding.members.add(op.member)
                changed = True
        elif binding is not None and op.member in binding.members:
            binding.members.discard(op.member)
            changed = True
    return changed


class IamMemberDriver:
    kind = "iamMember"

    def __init__(self) -> None:
        self._qlock = threading.Lock()
        self._queues: dict[str, list[_Op]] = {}
        self._locks: dict[str, threading.Lock] = {}

    def read_all(self, ctx: Context, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
        """One policy read per resource the spec (or the state) grants on: neither GCS nor IAM
        has a batch getIamPolicy, so the reads run concurrently instead."""
        resources = sorted({split_id(w.id)[0] for w in wanted})

        def read(resource: str) -> Policy | None:
            try:
                return _PolicyApi(ctx, resource).read()
            except gexc.NotFound:
                return None  # the target does not exist yet, so neither do its members
            finally:
                ctx.count()

        with ThreadPoolExecutor(max_workers=max(1, min(READ_WORKERS, len(resources)))) as pool:
            policies = list(pool.map(read, resources))
        out: dict[str, Attributes] = {}
        for resource, policy in zip(resources, policies, strict=True):
            if policy is None:
                continue
            for b in policy.bindings:
                for m in b.members:
                    title = (b.condition or {}).get("title", "")
                    out[f"{resource}|{b.role}|{m}|{title}"] = {
                        "resource": resource,
                        "role": b.role,
                        "member": m,
                        "condition": b.condition,
                    }
        return out

    def create(self, ctx: Context, change: Change) -> Attributes:
        after = change.after or {}
        self._submit(
            ctx, after["resource"], _Op(True, after["role"], after["member"], after["condition"])
        )
        return dict(after)

    def read(self, ctx: Context, change: Change) -> Attributes | None:
        resource, role, member, title = split_id(change.id)
        for b in _PolicyApi(ctx, resource).read().bindings:
            if b.role == role and member in b.members and b.key()[1] == title:
                return {
                    "resource": resource,
                    "role": role,
                    "member": member,
                    "condition": b.condition,
                }
        return None

    def update(self, ctx: Context, change: Change) -> Attributes:
        raise CloudError("IAM members are replaced, never updated")

    def delete(self, ctx: Context, change: Change) -> None:
        resource, role, member, _ = split_id(change.id)
        condition = (change.before or {}).get("condition")
        self._submit(ctx, resource, _Op(False, role, member, condition))

    def _submit(self, ctx: Context, resource: str, op: _Op) -> None:
        with self._qlock:
            self._queues.setdefault(resource, []).append(op)
            lock = self._locks.setdefault(resource, threading.Lock())
        with lock:
            # A waiter whose op the previous holder already wrote must not write the ops that
            # arrived since: their own threads will, together (else every write is of one).
            batch = []
            if not op.done.is_set():
                with self._qlock:
                    batch = self._queues.pop(resource, [])
            if batch:
                try:
                    through_propagation(
                        ctx.conn.timeouts,
                        f"IAM policy of {resource}",
                        lambda: self._write(ctx, resource, batch),
                    )
                except BaseException as exc:  # every waiter of this batch sees the failure
                    for o in batch:
                        o.error = exc
                finally:
                    for o in batch:
                        o.done.set()
        op.done.wait()
        if op.error is not None:
            raise op.error

    def _write(self, ctx: Context, resource: str, ops: list[_Op]) -> None:
        api = _PolicyApi(ctx, resource)
        for attempt in range(MAX_ETAG_RETRIES):
            policy = api.read()
            if not _apply_ops(policy, ops):
                return
            try:
                api.write(policy)
                return
            except Exception as exc:
                if classify(exc) is not Failure.CONFLICT or attempt == MAX_ETAG_RETRIES - 1:
                    raise
