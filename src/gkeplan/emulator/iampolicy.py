"""IAM policies per resource: version 3 bindings with conditions, canonical base64 etags, and
the time each member starts to count (IAM is eventually consistent)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from gkeplan.emulator.errors import aborted, invalid_argument


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
        return out


def encode_etag(etag: bytes) -> str:
    return base64.b64encode(etag).decode()


def _etag_of(version: int, bindings: list[Binding]) -> bytes:
    raw = json.dumps([version, [(b.role, sorted(b.members), b.condition) for b in bindings]])
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


class PolicyStore:
    def __init__(self) -> None:
        self._policies: dict[str, StoredPolicy] = {}
        self._lock = threading.RLock()

    def get(self, resource: str) -> StoredPolicy:
        with self._lock:
            pol = self._policies.get(resource)
            if pol is None:
                pol = StoredPolicy(etag=_etag_of(1, []))
                self._policies[resource] = pol
            return pol

    def set(
        self,
        resource: str,
        data: dict[str, Any],
        now: float,
        delay: float,
        etag: bytes | None,
    ) -> StoredPolicy:
        bindings = parse_bindings(data)
        version = int(data.get("version") or 1)
        if any(b.condition for b in bindings) and version < 3:
            raise invalid_argument(
                "Invalid request: policies with conditions must use policy version 3."
            )
        with self._lock:
            current = self.get(resource)
            if etag and etag != current.etag:
                raise aborted(
                    "There were concurrent policy changes. Please retry the whole "
                    "read-modify-write with exponential backoff."
                )
            effective: dict[str, float] = {}
            for b in bindings:
                for m in b.members:
                    key = f"{b.role}|{m}"
                    effective[key] = current.effective.get(key, now + delay)
            new = StoredPolicy(version, bindings, _etag_of(version, bindings), effective)
            self._policies[resource] = new
            return new

    def grant(self, resource: str, role: str, member: str, now: float) -> None:
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
            pol.effective[f"{role}|{member}"] = now
            pol.etag = _etag_of(pol.version, pol.bindings)

    def delete(self, resource: str) -> None:
        with self._lock:
            self._policies.pop(resource, None)

    def roles_of(self, resource: str, principal: str, now: float) -> list[str]:
        with self._lock:
            pol = self._policies.get(resource)
            if pol is None:
                return []
            return [
                b.role
                for b in pol.bindings
                if principal in b.members
                and not b.condition  # conditions are stored, but grant nothing here
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
                )
