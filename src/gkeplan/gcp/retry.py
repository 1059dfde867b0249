"""Retry policies built on google-api-core's Retry: transient errors, etag races, propagation."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from google.api_core import exceptions as gexc
from google.api_core import retry as gretry
from google.auth.exceptions import RefreshError

from gkeplan.gcp.connection import Timeouts

T = TypeVar("T")
log = logging.getLogger("gkeplan.apply")

TRANSIENT = (
    gexc.TooManyRequests,
    gexc.InternalServerError,
    gexc.BadGateway,
    gexc.ServiceUnavailable,
    gexc.GatewayTimeout,
    gexc.Aborted,
)


def transient(timeouts: Timeouts) -> gretry.Retry:
    """429, 5xx and ABORTED, with exponential backoff and jitter, bounded by the deadline."""
    return gretry.Retry(
        predicate=gretry.if_exception_type(*TRANSIENT),
        initial=timeouts.initial_backoff_s,
        maximum=timeouts.max_backoff_s,
        multiplier=2.0,
        timeout=timeouts.call_deadline_s,
    )


def call(timeouts: Timeouts, fn: Callable[[], T]) -> T:
    result: T = transient(timeouts)(fn)()
    return result


def through_propagation(
    timeouts: Timeouts,
    what: str,
    fn: Callable[[], T],
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Retry permission-denied and not-found while a fresh grant or account propagates.

    GCP documents that IAM changes take up to minutes to apply; a step that depends on one
    keeps trying, with backoff, for a bounded window instead of sleeping a fixed time first.
    """
    deadline = time.monotonic() + timeouts.propagation_window_s
    delay = timeouts.initial_backoff_s
    attempt = 0
    while True:
        try:
            return call(timeouts, fn)
        except (
            gexc.PermissionDenied,
            gexc.Forbidden,
            gexc.NotFound,
            gexc.BadRequest,
            RefreshError,
        ) as exc:
            # A grant naming an account IAM has not seen yet is refused as "does not exist".
            if isinstance(exc, gexc.BadRequest) and "does not exist" not in str(exc):
                raise
            # A quota refusal is a 403 too, but waiting does not fix it (it is what Config
            # Connector retried 2,153 times).
            if isinstance(exc, gexc.Forbidden) and (
                getattr(exc, "reason", None) == "QUOTA_EXCEEDED"
                or "insufficient regional quota" in str(exc).lower()
                or "insufficient global quota" in str(exc).lower()
            ):
                raise
            attempt += 1
            if time.monotonic() + delay > deadline:
                raise
            log.info(
                "%s: %s; IAM may still be propagating, retry %d in %.1fs",
                what,
                type(exc).__name__,
                attempt,
                delay,
            )
            sleep(delay)
            delay = min(delay * 2, timeouts.max_backoff_s)
