"""A connect timeout on the HTTP sessions of Google's REST clients.

The generated clients pass one timeout per call (read and connect alike), so an address that
swallows connection attempts holds each call for that long. Mounting this adapter bounds the
TCP connect alone: an unreachable endpoint fails in seconds while a slow answer still has the
call's full timeout.
"""

from __future__ import annotations

from typing import Any

from requests.adapters import HTTPAdapter


class ConnectTimeoutAdapter(HTTPAdapter):
    def __init__(self, connect_s: float) -> None:
        self.connect_s = connect_s
        super().__init__()

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        timeout = kwargs.get("timeout")
        read = timeout[1] if isinstance(timeout, tuple) else timeout
        kwargs["timeout"] = (self.connect_s, read)
        return super().send(request, *args, **kwargs)


def bound_connects(session: Any, connect_s: float) -> None:
    """Mount the adapter on a requests session (AuthorizedSession is one)."""
    adapter = ConnectTimeoutAdapter(connect_s)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
