"""Whether a resource outside the spec exists, for a driver's `exists`: only a 404 says no. A
403 says the caller may not look (or, on some APIs, that the resource is missing): it is not
refused here, and the grant's own call will say (each driver's `exists` gives its source)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.api_core import exceptions as gexc

from gkeplan.gcp.retry import call
from gkeplan.kinds.driver import CallContext


def exists_unless_not_found(ctx: CallContext, get: Callable[[], Any]) -> bool:
    """False when `get` (one read call) answers 404, else True; the call is counted."""
    try:
        call(ctx.conn.timeouts, get)
    except gexc.NotFound:
        return False
    except gexc.Forbidden:
        return True
    finally:
        ctx.count()
    return True
