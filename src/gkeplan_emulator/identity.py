"""Bearer tokens and the principals they name. Tokens are random and kept only as hashes, so a
state file or a log never holds one that works."""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from typing import Any

from gkeplan_emulator.clock import Clock, SystemClock

APPLIER_TOKEN_LIFETIME_S = 12 * 3600.0


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Identity:
    def __init__(self, clock: Clock | None = None, applier: str | None = None) -> None:
        self.clock: Clock = clock or SystemClock()
        self.applier = applier
        self._tokens: dict[str, tuple[str, float]] = {}  # sha256(token) -> (principal, expiry)
        self._applier_token: str | None = None
        self._lock = threading.Lock()
        # Principals whose tokens are refused while this says so (a disabled service account).
        self.rejects: Callable[[str], bool] | None = None

    def issue_token(self, principal: str, lifetime_s: float) -> tuple[str, float]:
        """A new token naming `principal`, and its expiry (epoch seconds)."""
        expiry = self.clock.now() + lifetime_s
        return self.issue(principal, expiry), expiry

    def issue(self, principal: str, expires: float) -> str:
        token = "ya29.emu-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[_digest(token)] = (principal, expires)
        return token

    def applier_token(self) -> str:
        """The configured applier's token (issued once per emulator instance)."""
        if self.applier is None:
            raise ValueError("this Identity has no applier")
        with self._lock:
            cached = self._applier_token
        if cached is None or self.principal_for(cached) is None:
            cached = self.issue_token(self.applier, APPLIER_TOKEN_LIFETIME_S)[0]
            with self._lock:
                self._applier_token = cached
        return cached

    def principal_for(self, token: str, now: float | None = None) -> str | None:
        with self._lock:
            entry = self._tokens.get(_digest(token))
        when = self.clock.now() if now is None else now
        if entry is None or entry[1] < when:
            return None
        if self.rejects is not None and self.rejects(entry[0]):
            return None
        return entry[0]

    def principal_from_header(self, header: str | None, now: float | None = None) -> str | None:
        if not header or not header.lower().startswith("bearer "):
            return None
        return self.principal_for(header[7:].strip(), now)

    def dump(self) -> dict[str, Any]:
        # Hashes only: a leaked state file names principals but holds no usable token.
        now = self.clock.now()
        with self._lock:
            return {h: [p, e] for h, (p, e) in self._tokens.items() if e >= now}

    def load(self, data: dict[str, Any]) -> None:
        with self._lock:
            for h, (principal, expiry) in data.items():
                self._tokens[str(h)] = (str(principal), float(expiry))
