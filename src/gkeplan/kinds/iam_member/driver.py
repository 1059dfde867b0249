"""Non-authoritative IAM members on the policy of the project or of any resource whose kind
offers grants (`Kind.grant_target`, which names the adapter that reads and writes it).

Every change is a read-modify-write of the whole policy guarded by its etag. Changes that
touch the same policy at the same time are merged into one write (group commit), and the
write is retried from a fresh read on an etag conflict. Members gkeplan does not manage are
carried over untouched, whatever their role.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache

from google.api_core import exceptions as gexc

from gkeplan.errors import CloudError
from gkeplan.gcp.errors import Failure, classify
from gkeplan.gcp.retry import through_propagation
from gkeplan.kinds import base
from gkeplan.kinds.driver import Attributes, CallContext, Wanted
from gkeplan.kinds.iam_member.policies import PROJECT, Binding, Policies, Policy
from gkeplan.plan.model import Change

MAX_ETAG_RETRIES = 10
READ_WORKERS = 16  # concurrent policy reads at refresh


def split_id(member_id: str) -> tuple[str, str, str, str]:
    resource, role, member, title = member_id.split("|", 3)
    return resource, role, member, title


def _policies(resource: str) -> Policies:
    """The adapter of the kind whose IAM resource names match `resource` (each grant target
    declares its pattern); anything else is the project's policy."""
    for target in _targets():
        if re.match(target.pattern, resource):
            adapter: Policies = base.imported(target.policies)
            return adapter
    return PROJECT


@cache
def _targets() -> tuple[base.GrantTarget, ...]:
    from gkeplan.kinds import KINDS

    return tuple(k.grant_target for k in KINDS if k.grant_target is not None)


class _PolicyApi:
    """Read and write one resource's policy with its kind's client."""

    def __init__(self, ctx: CallContext, resource: str) -> None:
        self.ctx = ctx
        self.resource = resource
        self.policies = _policies(resource)

    def read(self) -> Policy:
        return self.policies.read(self.ctx, self.resource)

    def write(self, policy: Policy) -> None:
        self.policies.write(self.ctx, self.resource, policy)


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

    def read_all(self, ctx: CallContext, wanted: Iterable[Wanted]) -> dict[str, Attributes]:
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

    def create(self, ctx: CallContext, change: Change) -> Attributes:
        after = change.after or {}
        self._submit(
            ctx, after["resource"], _Op(True, after["role"], after["member"], after["condition"])
        )
        return dict(after)

    def read(self, ctx: CallContext, change: Change) -> Attributes | None:
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

    def update(self, ctx: CallContext, change: Change) -> Attributes:
        raise CloudError("IAM members are replaced, never updated")

    def delete(self, ctx: CallContext, change: Change) -> None:
        resource, role, member, _ = split_id(change.id)
        condition = (change.before or {}).get("condition")
        self._submit(ctx, resource, _Op(False, role, member, condition))

    def _submit(self, ctx: CallContext, resource: str, op: _Op) -> None:
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

    def _write(self, ctx: CallContext, resource: str, ops: list[_Op]) -> None:
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
