"""Bearer tokens and the principals they name. Tokens are random and kept only as hashes."""

from __future__ import annotations

import hashlib
import secrets
import threading


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Identity:
    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def issue(self, principal: str, expires: float) -> str:
        token = "ya29.emu-" + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[_digest(token)] = (principal, expires)
        return token

    def principal_for(self, token: str, now: float) -> str | None:
        with self._lock:
            entry = self._tokens.get(_digest(token))
        if entry is None or entry[1] < now:
            return None
        return entry[0]

    def principal_from_header(self, header: str | None, now: float) -> str | None:
        if not header or not header.lower().startswith("bearer "):
            return None
        return self.principal_for(header[7:].strip(), now)
