"""IAM policies per resource: version 3 bindings with conditions, canonical base64 etags, and
the time each member starts to count (IAM is eventually consistent)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, overload

from gkeplan_emulator.clock import Clock, SystemClock
from gkeplan_emulator.errors import aborted, invalid_argument

CONCURRENT_CHANGE = (
    "There were concurrent policy changes. Please retry the whole read-modify-write with "
    "exponential backoff."
)


@dataclass
class Binding:
    role: str
    members: list[str]
    condition: dict[str, str] | None = None


@dataclass
class StoredPolicy:
    version: int = 1
    bindings: list[Binding] = field(default_factory=list)
    etag: bytes = b""
    effective: dict[str, float] = field(default_factory=dict)  # "role|member" -> time
    # kept as sent (JSON); written only when a setIamPolicy's updateMask names them
    audit_configs: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"version": self.version, "etag": encode_etag(self.etag)}
        binds = []
        for b in self.bindings:
            item: dict[str, Any] = {"role": b.role, "members": sorted(b.members)}
            if b.condition:
                item["condition"] = dict(b.condition)
            binds.append(item)
        if binds:
            out["bindings"] = binds
        if self.audit_configs:
            out["auditConfigs"] = [dict(c) for c in self.audit_configs]
        return out


# The contract's name for a stored policy.
Policy = StoredPolicy


def encode_etag(etag: bytes) -> str:
    return base64.b64encode(etag).decode()


def _etag_of(
    version: int, bindings: list[Binding], audit: list[dict[str, Any]] | None = None
) -> bytes:
    state: list[Any] = [version, [(b.role, sorted(b.members), b.condition) for b in bindings]]
    if audit:
        state.append(audit)
    raw = json.dumps(state)
    return b"BwY" + hashlib.sha256(raw.encode()).digest()[:5]


def parse_bindings(data: dict[str, Any]) -> list[Binding]:
    out = []
    for b in data.get("bindings") or []:
        role = b.get("role")
        if not role:
            raise invalid_argument("Policy binding must have a role.")
        cond = b.get("condition") or None
        out.append(Binding(role, list(b.get("members") or []), dict(cond) if cond else None))
    return out


def normalise(bindings: list[Binding]) -> list[Binding]:
    """One binding per (role, condition), its members deduplicated and sorted, in the order the
    pairs first appear. IAM stores a policy this way: clients merge what they read on the same
    key ("Flattens a list of Bindings so each role+condition has a single Binding with combined
    members", MergeBindings in the Terraform Google provider's tpgiamresource/iam.go), and
    policies read back from GCP list each member once (no public primary source states the
    sorting; the emulator sorts so reads are stable)."""
    merged: dict[str, Binding] = {}
    for b in bindings:
        key = json.dumps([b.role, b.condition], sort_keys=True)
        into = merged.setdefault(key, Binding(b.role, [], b.condition))
        into.members.extend(m for m in b.members if m not in into.members)
    for b in merged.values():
        b.members.sort()
    return list(merged.values())


_TIME_TEST = re.compile(
    r'\s*request\.time\s*(?P<op><=|>=|<|>)\s*timestamp\(\s*"(?P<ts>[^"]+)"\s*\)\s*\Z'
)
_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def condition_holds(condition: dict[str, str] | None, now: float) -> bool:
    """Evaluate the CEL that time-bound grants use: `true` and request.time comparisons with
    timestamp("RFC 3339") joined by &&. Anything else grants nothing: a fake that granted on
    conditions it cannot read would let tests pass that fail on GCP."""
    if not condition:
        return True
    for term in condition.get("expression", "").split("&&"):
        if term.strip() == "true":
            continue
        m = _TIME_TEST.match(term)
        if m is None:
            return False
        when = datetime.fromisoformat(m.group("ts").replace("Z", "+00:00")).timestamp()
        if not _OPS[m.group("op")](now, when):
            return False
    return True


class PolicyStore:
    """Policies by full resource name; `clock` and `delay_s` say when a new member counts."""

    def __init__(self, clock: Clock | None = None, delay_s: float = 0.0) -> None:
        self._policies: dict[str, StoredPolicy] = {}
        self._lock = threading.RLock()
        self.clock: Clock = clock or SystemClock()
        self.delay_s = delay_s

    def get(self, resource: str) -> StoredPolicy:
        with self._lock:
            pol = self._policies.get(resource)
            if pol is None:
                pol = StoredPolicy(etag=_etag_of(1, []))
                self._policies[resource] = pol
            return pol

    @overload
    def set(
        self,
        resource: str,
        policy: dict[str, Any] | StoredPolicy,
        expected_etag: bytes | None = None,
    ) -> StoredPolicy: ...

    @overload
    def set(
        self,
        resource: str,
        policy: dict[str, Any] | StoredPolicy,
        expected_etag: float,
        delay: float,
        etag: bytes | None,
    ) -> StoredPolicy: ...

    def set(
        self,
        resource: str,
        policy: dict[str, Any] | StoredPolicy,
        expected_etag: bytes | float | None = None,
        delay: float | None = None,
        etag: bytes | None = None,
    ) -> StoredPolicy:
        """Replace the policy; an `expected_etag` that is not current's raises 409 ABORTED.

        The older form set(resource, policy, now, delay, etag) still works.
        """
        if isinstance(expected_etag, (int, float)):
            now, wait = float(expected_etag), float(delay or 0.0)
        else:
            now, wait, etag = self.clock.now(), self.delay_s, expected_etag
        data = policy.to_json() if isinstance(policy, StoredPolicy) else policy
        return self._set(resource, data, now, wait, etag)

    def _set(
        self, resource: str, data: dict[str, Any], now: float, delay: float, etag: bytes | None
    ) -> StoredPolicy:
        bindings = normalise(parse_bindings(data))
        version = int(data.get("version") or 1)
        if any(b.condition for b in bindings) and version < 3:
            raise invalid_argument(
                "Invalid request: policies with conditions must use policy version 3."
            )
        with self._lock:
            current = self.get(resource)
            if etag and etag != current.etag:
                raise aborted(CONCURRENT_CHANGE)
            effective: dict[str, float] = {}
            for b in bindings:
                for m in b.members:
                    key = f"{b.role}|{m}"
                    effective[key] = current.effective.get(key, now + delay)
            audit = [dict(c) for c in data.get("auditConfigs") or []]
            new = StoredPolicy(
                version, bindings, _etag_of(version, bindings, audit), effective, audit
            )
            self._policies[resource] = new
            return new

    def grant(self, resource: str, role: str, member: str, now: float | None = None) -> None:
        """Seed a binding directly (the project owner at start, an account's creator)."""
        with self._lock:
            pol = self.get(resource)
            for b in pol.bindings:
                if b.role == role and not b.condition:
                    if member not in b.members:
                        b.members.append(member)
                    break
            else:
                pol.bindings.append(Binding(role, [member]))
            pol.effective[f"{role}|{member}"] = self.clock.now() if now is None else now
            pol.etag = _etag_of(pol.version, pol.bindings, pol.audit_configs)

    def delete(self, resource: str) -> None:
        with self._lock:
            self._policies.pop(resource, None)

    def roles_of(self, resource: str, principal: str, now: float | None = None) -> list[str]:
        if now is None:
            now = self.clock.now()
        with self._lock:
            pol = self._policies.get(resource)
            if pol is None:
                return []
            return [
                b.role
                for b in pol.bindings
                if principal in b.members
                and condition_holds(b.condition, now)
                and pol.effective.get(f"{b.role}|{principal}", 0.0) <= now
            ]

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {r: {**p.to_json(), "effective": p.effective} for r, p in self._policies.items()}

    def load(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._policies = {}
            for r, p in data.items():
                bindings = parse_bindings(p)
                self._policies[r] = StoredPolicy(
                    int(p.get("version", 1)),
                    bindings,
                    base64.b64decode(p["etag"]),
                    dict(p.get("effective") or {}),
                    list(p.get("auditConfigs") or []),
                )
